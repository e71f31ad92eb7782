"""The installed edgelstm package against the CLI: the same classifications, pronunciations, greedy text, poem,
restored punctuation and forecast; NumPy shapes and dtypes; errors carrying the C status; the wheels' contents.
Run by check_wheel.sh in a fresh virtual environment; prints one line per check and "N passed, M failed" last.

  check_package.py --cli CMD --models DIR --births CSV [--example example.py] [--wheel WHEEL ...]
"""
from __future__ import annotations

import argparse
import csv
import os
import shlex
import subprocess
import sys
import traceback
import zipfile
from typing import Callable, List

import numpy as np

import edgelstm

SENTENCES = ["The battery lasts all day and the screen is gorgeous.", "Worst customer service I have ever had.",
             "Not what I expected.", "I would go back."]
# The last two are CMUdict test words where beam 5 and greedy decoding differ (an ignored beam shows).
WORDS = ["HELLO", "EDGELSTM", "PHONEME", "QUIXOTIC", "O'BRIEN", "ANTIDISESTABLISHMENTARIANISM", "AGUIAR", "ALLEMAND"]
CI = "春花秋月何时了往事知多少小楼昨夜又东风故国不堪回首月明中"
BROWN = "The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election produced no evidence ."
PROMPT = "Call me Ishmael."
ORIGIN = "1988-11-30"


class Checks:
    def __init__(self) -> None:
        self.passed = self.failed = 0

    def run(self, name: str, check: Callable[[], None]) -> None:
        try:
            check()
        except Exception:  # an assertion, an EdgeLstmError, a missing file: all count as the check failing
            self.failed += 1
            print(f"FAIL {name}:\n  " + traceback.format_exc().strip().replace("\n", "\n  "))
        else:
            self.passed += 1
            print(f"ok   {name}")


def same(got: str, want: str) -> None:
    assert got == want, f"package:\n{got}\nCLI:\n{want}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True, help="the edgelstm command, e.g. 'dotnet .../edgelstm.dll'")
    parser.add_argument("--models", required=True, help="runtime/models")
    parser.add_argument("--births", required=True, help=".cache/forecast/births.csv")
    parser.add_argument("--example", help="examples/python/example.py, run with this Python")
    parser.add_argument("--wheel", action="append", default=[], help="a wheel whose contents to check (x86_64 or aarch64)")
    parser.add_argument("--site", help="the package must be imported from below this directory (the venv)")
    args = parser.parse_args()
    cli = shlex.split(args.cli)
    model = lambda name: os.path.join(args.models, name)  # noqa: E731

    def run_cli(*arguments: str) -> str:
        return subprocess.run(cli + list(arguments), check=True, capture_output=True, text=True).stdout.rstrip("\n")

    checks = Checks()

    def installed() -> None:
        here = os.path.dirname(os.path.abspath(edgelstm.__file__))
        if args.site:
            assert here.startswith(os.path.realpath(args.site)), f"edgelstm imported from {here}, not from {args.site}"
        library = os.path.realpath(edgelstm.library_path())
        assert library.startswith(os.path.join(here, "lib") + os.sep), f"library {library} is not the package's"
        assert edgelstm.api_version() >= edgelstm.API_VERSION, edgelstm.api_version()
        assert edgelstm.library_version() == edgelstm.__version__, (edgelstm.library_version(), edgelstm.__version__)
        assert os.path.exists(os.path.join(here, "py.typed"))
        print(f"     {edgelstm.__file__}; {library}; kernels {edgelstm.kernel_name()}; format {edgelstm.format_version()}")
    checks.run("installed package and its own library", installed)

    def classify() -> None:
        with edgelstm.Model(model("sentiment.elstm")) as m:
            got = "\n".join(f"{label}\t{p:.3f}\t{text}" for text in SENTENCES for label, p in [m.classify(text)])
        same(got, run_cli("classify", "--model", model("sentiment.elstm"), *SENTENCES))
    checks.run("classify (sentiment.elstm) = CLI", classify)

    def classify_runner() -> None:
        with edgelstm.Model(model("sentiment.elstm")) as m, m.runner(threads=2) as runner:
            got = "\n".join(f"{label}\t{p:.3f}\t{text}" for text in SENTENCES for label, p in [runner.classify(text)])
            for text in SENTENCES:  # the runner's token runs give the model's outputs, bit for bit
                assert np.array_equal(runner.run_tokens(m.encode(text)), m.run_text(text)), text
        same(got, run_cli("classify", "--model", model("sentiment.elstm"), "--threads", "2", *SENTENCES))
    checks.run("classify on a two-thread Runner = CLI --threads 2", classify_runner)

    def probabilities() -> None:
        with edgelstm.Model(model("sentiment.elstm")) as m:
            assert m.info.task == "classify" and m.info.labels == ("negative", "positive"), m.info
            for text in SENTENCES:
                p = m.probabilities(text)
                assert isinstance(p, np.ndarray) and p.dtype == np.float32 and p.shape == (2,), (type(p), p.dtype, p.shape)
                assert abs(float(p.sum()) - 1) < 1e-5, p
                label, probability = m.classify(text)
                assert m.labels[int(np.argmax(p))] == label and abs(float(p.max()) - probability) < 1e-6, (p, label, probability)
                logits = m.run_tokens(m.encode(text))
                assert logits.shape == (2,) and np.array_equal(logits, m.run_text(text)), (logits, m.run_text(text))
    checks.run("probabilities and logits as NumPy (classifier)", probabilities)

    def g2p() -> None:
        with edgelstm.Model(model("g2p.elstm")) as m:
            got = "\n".join(f"{word}\t{m.g2p(word, beam=5)}" for word in WORDS)
        same(got, run_cli("g2p", "--model", model("g2p.elstm"), "--beam", "5", *WORDS))
    checks.run("g2p beam 5 (g2p.elstm) = CLI", g2p)

    def kept_transducer() -> None:
        with edgelstm.Model(model("g2p.elstm")) as m:
            with edgelstm.Transducer(m, threads=1) as one, edgelstm.Transducer(m, threads=2) as two:
                got = [f"{word}\t{t.g2p(word, beam=5)}" for t in (one, two) for word in WORDS]
        same("\n".join(got), run_cli("g2p", "--model", model("g2p.elstm"), "--beam", "5", *WORDS, *WORDS))
    checks.run("g2p on kept transducers (1 and 2 threads) = CLI", kept_transducer)

    def generate() -> None:
        with edgelstm.Model(model("moby-dick-char.elstm")) as m:
            got = m.generate(PROMPT, max_tokens=80, temperature=0)
        same(got, run_cli("generate", "--model", model("moby-dick-char.elstm"), "--prompt", PROMPT, "--max-chars", "80", "--temperature", "0"))
    checks.run("greedy generate (moby-dick-char.elstm) = CLI", generate)

    def steps() -> None:
        with edgelstm.Model(model("moby-dick-char.elstm")) as m:
            ids = m.encode(PROMPT)
            assert ids.dtype == np.int32 and ids.shape == (len(PROMPT),), (ids.dtype, ids.shape)
            assert "".join(m.token_text(int(t)) for t in ids) == PROMPT
            logits = m.run_text(PROMPT)
            assert logits.shape == (len(PROMPT), m.info.output_size) and logits.dtype == np.float32, logits.shape
            assert np.array_equal(logits, m.run_tokens(ids))
            with m.session() as session:
                stepped = np.stack([session.step(int(t)) for t in ids])
            assert np.allclose(stepped, logits, atol=1e-4), float(np.abs(stepped - logits).max())
    checks.run("run_text/run_tokens (steps, outputs) = session steps (char LM)", steps)

    def poem() -> None:
        with edgelstm.Model(model("tang-poetry.elstm")) as m:
            text = m.poem("lushi7", seed=3)
        got = "\n".join(couplet + "。" for couplet in text.split("。") if couplet)
        same(got, run_cli("generate", "--model", model("tang-poetry.elstm"), "--form", "lushi7", "--seed", "3"))
    checks.run("poem lushi7 seed 3 (tang-poetry.elstm) = CLI", poem)

    def tag() -> None:
        with edgelstm.Model(model("songci-punctuation.elstm")) as m:
            got = m.tag(CI)
        same(got, run_cli("tag", "--model", model("songci-punctuation.elstm"), CI))
    checks.run("tag (songci-punctuation.elstm) = CLI", tag)

    if os.path.exists(model("brown-pos.elstm")):
        def word_tags() -> None:
            with edgelstm.Model(model("brown-pos.elstm")) as m:
                got = m.tag(BROWN)
            same(got, run_cli("tag", "--model", model("brown-pos.elstm"), BROWN))
        checks.run("word tags (brown-pos.elstm) = CLI", word_tags)

    def forecast() -> None:
        with open(args.births, newline="") as f:
            rows = [(row["date"], float(row["births"])) for row in csv.DictReader(f)]
        history = np.array([value for date, value in rows if date <= ORIGIN], dtype=np.float32)
        with edgelstm.Model(model("births-forecast.elstm")) as m:
            days = m.forecast(history, ORIGIN, horizon=m.info.forecast_horizon)
        assert days.shape == (28,) and days.dtype == np.float32, (days.shape, days.dtype)
        lines = run_cli("forecast", "--model", model("births-forecast.elstm"), "--history", args.births, "--origin", ORIGIN).splitlines()
        want = np.array([float(line.split(",")[1]) for line in lines[1:] if line[:1].isdigit()])
        # The CLI prints one decimal: equal but for the rounding at a tie.
        assert want.shape == days.shape and np.abs(want - days).max() <= 0.051, f"package {np.round(days, 1)}\nCLI {want}"
    checks.run("forecast 28 days after 1988-11-30 (births-forecast.elstm) = CLI", forecast)

    def errors() -> None:
        missing = os.path.join(args.models, "no-such-model.elstm")
        try:
            edgelstm.Model(missing)
            raise AssertionError("a missing file loaded")
        except edgelstm.EdgeLstmError as e:
            assert e.status == edgelstm.Status.FILE_NOT_FOUND and "no-such-model.elstm" in e.message, (e.status, e.message)
        m = edgelstm.Model(model("moby-dick-char.elstm"))
        try:
            m.classify("not a classifier")
            raise AssertionError("a language model classified")
        except edgelstm.EdgeLstmError as e:
            assert e.status == edgelstm.Status.UNSUPPORTED and e.message, (e.status, e.message)
        m.close()
        m.close()  # again: nothing
        for use in (lambda: m.generate("x"), lambda: m.run_text("x"), lambda: m.runner()):
            try:
                use()
                raise AssertionError("a closed model ran")
            except edgelstm.EdgeLstmError as e:
                assert e.status == edgelstm.Status.INVALID_HANDLE, e
        with edgelstm.Model(model("g2p.elstm")) as g:
            try:
                g.g2p("HÉLLO€")
                raise AssertionError("a word outside the alphabet was pronounced")
            except edgelstm.EdgeLstmError as e:
                assert e.status == edgelstm.Status.INVALID_ARGUMENT and e.message, (e.status, e.message)
        # A runner may outlive its model (the C API keeps the weights mapped until the runner is freed).
        classifier = edgelstm.Model(model("sentiment.elstm"))
        runner, before = classifier.runner(), classifier.probabilities(SENTENCES[0])
        classifier.close()
        with runner:
            assert np.array_equal(runner.probabilities(SENTENCES[0]), before)
        try:
            runner.classify(SENTENCES[0])
            raise AssertionError("a closed runner ran")
        except edgelstm.EdgeLstmError as e:
            assert e.status == edgelstm.Status.INVALID_HANDLE, e
    checks.run("errors: missing file, unsupported call, closed model and runner, bad input", errors)

    if args.example:
        def example() -> None:
            got = subprocess.run([sys.executable, args.example, "classify", model("sentiment.elstm"), *SENTENCES],
                                 check=True, capture_output=True, text=True).stdout.rstrip("\n")
            same(got, run_cli("classify", "--model", model("sentiment.elstm"), *SENTENCES))
        checks.run("examples/python/example.py classify on the installed package = CLI", example)

        bundled = os.path.join(os.path.dirname(os.path.abspath(edgelstm.__file__)), "lib", "libedgelstm.so")
        if os.path.realpath(edgelstm.library_path()) != os.path.realpath(bundled):
            def baseline() -> None:  # the x86-64-v3 build the package skips on AVX-512 CPUs, taken by --lib
                got = subprocess.run([sys.executable, args.example, "--lib", bundled, "--threads", "2", "classify", model("sentiment.elstm"), *SENTENCES],
                                     check=True, capture_output=True, text=True).stdout.rstrip("\n")
                same(got, run_cli("classify", "--model", model("sentiment.elstm"), "--threads", "2", *SENTENCES))
            checks.run("example.py --lib on the package's baseline library (x86-64-v3) = CLI", baseline)

    for wheel in args.wheel:
        def contents(wheel: str = wheel) -> None:
            with zipfile.ZipFile(wheel) as z:
                names = set(z.namelist())
                tag = next(line.split(": ", 1)[1] for line in z.read(next(n for n in names if n.endswith(".dist-info/WHEEL"))).decode().splitlines() if line.startswith("Tag: "))
                arch = "x86_64" if tag.endswith("_x86_64") else tag.rsplit("_", 1)[-1]
                assert tag.startswith("py3-none-manylinux_2_") and os.path.basename(wheel).endswith(f"-{tag}.whl"), tag
                machines = {}
                for name in names:
                    if name.endswith(".so"):
                        head = z.read(name)[:20]
                        machines[name] = {0x3E: "x86_64", 0xB7: "aarch64"}.get(int.from_bytes(head[18:20], "little"), "?")
                expected = {"edgelstm/lib/libedgelstm.so"} | ({"edgelstm/lib/glibc-hwcaps/x86-64-v4/libedgelstm.so"} if arch == "x86_64" else set())
                assert set(machines) == expected and set(machines.values()) == {arch}, (tag, machines)
                assert {"edgelstm/__init__.py", "edgelstm/_native.py", "edgelstm/py.typed"} <= names, sorted(names)
                print(f"     {os.path.basename(wheel)}: {', '.join(f'{n} ({m})' for n, m in sorted(machines.items()))}")
        checks.run(f"wheel contents {os.path.basename(wheel)}", contents)

    print(f"{checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
