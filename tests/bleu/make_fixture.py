"""Writes tests/bleu/nltk-cases.json: random token sequences and NLTK's sentence BLEU of each (smoothing method 1,
uniform weights, N = 1..4) against a reference set, and Self-BLEU (each text against all the others), the oracle
for BleuTests. Run with Debian's python3-nltk (3.8): /usr/bin/python3 tests/bleu/make_fixture.py"""
import json
import random
from nltk.translate.bleu_score import sentence_bleu, SmoothingFunction

rng = random.Random(7)
smooth = SmoothingFunction().method1


def text(lo, hi):
    return [rng.randrange(6) for _ in range(rng.randint(lo, hi))]


references = [text(3, 12) for _ in range(30)]
hypotheses = [text(1, 12) for _ in range(20)] + [list(references[3]), list(references[3])]
cases = {"references": references, "hypotheses": hypotheses, "bleu": {}, "self_bleu": {}}
for n in range(1, 5):
    weights = tuple([1.0 / n] * n)
    cases["bleu"][str(n)] = [sentence_bleu(references, h, weights, smoothing_function=smooth) for h in hypotheses]
    cases["self_bleu"][str(n)] = [sentence_bleu(hypotheses[:i] + hypotheses[i + 1:], h, weights, smoothing_function=smooth)
                                  for i, h in enumerate(hypotheses)]
with open("tests/bleu/nltk-cases.json", "w") as f:
    json.dump(cases, f, indent=None, separators=(",", ":"))
    f.write("\n")
