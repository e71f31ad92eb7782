#!/usr/bin/env python3
"""EdgeLstm from Python with the edgelstm package (runtime/python; NumPy in and out).

  example.py [--lib libedgelstm.so] info MODEL
  example.py [--lib libedgelstm.so] [--threads 2] classify MODEL TEXT...   label, probability and text, tab-separated
  example.py [--lib libedgelstm.so] generate MODEL PROMPT [N]     greedy text after PROMPT (N tokens, default 80)
  example.py [--lib libedgelstm.so] g2p MODEL WORD...              word and phonemes (beam 5), tab-separated
  example.py [--lib libedgelstm.so] poem MODEL FORM [SEED]          a poem in FORM (jueju5, jueju7, lushi5, lushi7), a couplet a line
  example.py [--lib libedgelstm.so] tag MODEL TEXT...              each text with its punctuation restored
  example.py [--lib libedgelstm.so] forecast MODEL CSV DATE [DAYS]  the days after DATE from a date,value[,...] CSV's history

Uses the installed package (pip install edgelstm-*.whl: the library is inside), else the source in runtime/python
with the library from --lib, $EDGELSTM_LIBRARY or the loader's search path.
"""
import argparse
import contextlib
import csv
import os
import sys

try:
    import edgelstm
except ImportError:  # not installed: the package's source in this repository
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "runtime", "python"))
    import edgelstm


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lib", help="path of libedgelstm.so (default: the package's, then $EDGELSTM_LIBRARY, then the loader's search path)")
    parser.add_argument("--threads", type=int, help="classify on a runner (edgelstm_runner) on this many cores, 1 or 2, instead of one call per text")
    parser.add_argument("verb", choices=["info", "classify", "generate", "g2p", "poem", "tag", "forecast"])
    parser.add_argument("model")
    parser.add_argument("rest", nargs="*")
    args = parser.parse_args()
    try:
        if args.lib:
            edgelstm.load_library(args.lib)
        with edgelstm.Model(args.model) as model:
            if args.verb == "info":
                i = model.info
                print(f"task {i.task}, {i.layers} layer(s){' bidirectional' if i.bidirectional else ''}, "
                      f"input {i.input_kind} {i.input_size}, outputs {i.output_size}, labels {list(i.labels)}")
            elif args.verb == "classify":
                with model.runner(args.threads) if args.threads else contextlib.nullcontext(model) as runs:
                    for text in args.rest:
                        label, p = runs.classify(text)
                        print(f"{label}\t{p:.3f}\t{text}")
            elif args.verb == "poem":
                poem = model.poem(args.rest[0] if args.rest else "jueju5", seed=int(args.rest[1]) if len(args.rest) > 1 else 42)
                for couplet in poem.split("。"):
                    if couplet:
                        print(couplet + "。")
            elif args.verb == "tag":
                for text in args.rest:
                    print(model.tag(text))
            elif args.verb == "g2p":
                for word in args.rest:
                    print(f"{word}\t{model.g2p(word, beam=5)}")
            elif args.verb == "forecast":
                path, date = args.rest[0], args.rest[1]
                with open(path, newline="") as f:
                    history = [float(row[1]) for row in csv.reader(f) if row[0][:1].isdigit() and row[0] <= date]
                days = model.forecast(history, date, int(args.rest[2]) if len(args.rest) > 2 else None)
                print(", ".join(f"{value:.1f}" for value in days))  # a NumPy float32 array
            else:
                prompt = args.rest[0] if args.rest else "The "
                count = int(args.rest[1]) if len(args.rest) > 1 else 80
                print(model.generate(prompt, max_tokens=count, temperature=0))
    except edgelstm.EdgeLstmError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
