"""Each check of check_package.py against a broken version: a mutation of the installed package (or of the
example, the CLI's output, the wheel) must make the named checks fail and no others.

  mutations.py VENV WHEEL --cli CMD --models DIR --births CSV --example example.py

VENV: an environment where check_wheel.sh installed WHEEL (VENV=... check_wheel.sh keeps it). Files are restored
after each mutation. Prints one line per mutation and "N passed, M failed" (a mutation passes when it was caught).
"""
from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

parser = argparse.ArgumentParser()
parser.add_argument("venv")
parser.add_argument("wheel")
parser.add_argument("--cli", required=True)
parser.add_argument("--models", required=True)
parser.add_argument("--births", required=True)
parser.add_argument("--example", required=True)
args = parser.parse_args()
python = os.path.join(args.venv, "bin", "python")
package = glob.glob(os.path.join(args.venv, "lib", "python3*", "site-packages", "edgelstm"))[0]
check = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check_package.py")
work = tempfile.mkdtemp()

# A CLI whose outputs are wrong: a character added to the last line, a forecast changed in its first row.
mangled_cli = os.path.join(work, "mangled-cli")
with open(mangled_cli, "w") as f:
    f.write(f"#!/bin/sh\n{args.cli} \"$@\" | sed -E '2s/^(1988-12-01,)/\\19/; $s/$/X/'\n")
os.chmod(mangled_cli, 0o755)
# An x86_64 wheel under an aarch64 name.
renamed = os.path.join(work, os.path.basename(args.wheel).replace("x86_64", "aarch64"))
shutil.copy(args.wheel, renamed)
example_copy = os.path.join(work, "example.py")
shutil.copy(args.example, example_copy)

INIT, NATIVE = os.path.join(package, "__init__.py"), os.path.join(package, "_native.py")
CLI_CHECKS = {"classify (", "classify on a two-thread", "g2p beam 5", "greedy generate", "poem lushi7", "tag (songci",
              "forecast 28 days", "examples/python/example.py", "example.py --lib"}
# (what, [(file, old, new), ...], checks that must fail (name prefixes), what else to change: env, cli, wheel)
MUTATIONS = [
    ("wrong token dtype: int64 ids behind an int32 pointer (run_tokens)", [(INIT,
     "ids = np.ascontiguousarray(tokens, dtype=np.int32).reshape(-1)\n        return _run(",
     "ids = np.ascontiguousarray(tokens, dtype=np.int64).reshape(-1)\n        return _run(")],
     {"probabilities and logits", "run_text/run_tokens", "classify on a two-thread"}, []),
    ("wrong argtype: forecast history as float64 behind a float pointer", [(INIT,
     "values = np.ascontiguousarray(history, dtype=np.float32)", "values = np.ascontiguousarray(history, dtype=np.float64)")],
     {"forecast 28 days"}, []),
    ("wrong prototype: edgelstm_model_classify's probability as double", [
        (NATIVE, '"edgelstm_model_classify": ([_P, _STR, _PI32, _PF], _INT)', '"edgelstm_model_classify": ([_P, _STR, _PI32, ctypes.POINTER(ctypes.c_double)], _INT)'),
        (INIT, "label, probability = self._live(), ctypes.c_int32(), ctypes.c_float()", "label, probability = self._live(), ctypes.c_int32(), ctypes.c_double()")],
     {"classify (", "probabilities and logits", "examples/python/example.py"}, []),
    ("classify label from argmin on the runner", [(INIT, "best = int(np.argmax(p))", "best = int(np.argmin(p))")],
     {"classify on a two-thread", "example.py --lib"}, []),
    ("softmax flag dropped", [(INIT, "params.softmax, params.max_steps = int(bool(softmax)), max_steps", "params.softmax, params.max_steps = 0, max_steps")],
     {"classify on a two-thread", "probabilities and logits", "example.py --lib"}, []),
    ("g2p beam ignored (greedy)", [(INIT, "word.encode(), beam, out", "word.encode(), 1, out")], {"g2p beam 5"}, []),
    ("generate one token short", [(INIT, "= max_tokens, temperature, top_k, top_p, seed\n", "= max_tokens - 1, temperature, top_k, top_p, seed\n")],
     {"greedy generate"}, []),
    ("poem at another temperature", [(INIT, "seed: int = 42, temperature: float = 0.8) -> str:", "seed: int = 42, temperature: float = 0.7) -> str:")],
     {"poem lushi7"}, []),
    ("tag drops the last character", [(INIT, "edgelstm_model_tag(handle, text.encode()", "edgelstm_model_tag(handle, text[:-1].encode()")], {"tag (songci"}, []),
    ("session step returns its kept buffer, not a copy", [(INIT,
     "_check(_lib().edgelstm_session_step(self._live(), token, _floats(self._outputs), self._outputs.size))\n        return self._outputs.copy()",
     "_check(_lib().edgelstm_session_step(self._live(), token, _floats(self._outputs), self._outputs.size))\n        return self._outputs")],
     {"run_text/run_tokens"}, []),
    ("every error reported as INTERNAL", [(INIT, "raise EdgeLstmError(status, message.decode", "raise EdgeLstmError(7, message.decode")],
     {"errors"}, []),
    ("closed handles not checked on the Python side (NULL goes to C)", [(INIT,
     "        if not self._handle:\n            raise EdgeLstmError(Status.INVALID_HANDLE", "        if False:\n            raise EdgeLstmError(Status.INVALID_HANDLE")],
     set(), []),  # the C API reports INVALID_HANDLE itself: expected to pass (shows the check is about the status)
    ("library found outside the package (EDGELSTM_LIBRARY)", [], {"installed package"}, ["env"]),
    ("the CLI's outputs mangled", [], CLI_CHECKS, ["cli"]),
    ("example prints two decimals", [(example_copy, 'print(f"{label}\\t{p:.3f}\\t{text}")', 'print(f"{label}\\t{p:.2f}\\t{text}")')],
     {"examples/python/example.py", "example.py --lib"}, []),
    ("an x86_64 wheel named aarch64", [], {"wheel contents"}, ["wheel"]),
]

caught = missed = 0
for what, edits, expected, extra in MUTATIONS:
    saved = {}
    for path, old, new in edits:
        with open(path) as f:
            text = saved.setdefault(path, f.read())
        assert text.count(old) == 1, f"{what}: the text to mutate is not in {path} exactly once"
        with open(path, "w") as f:
            f.write(text.replace(old, new))
    env = dict(os.environ)
    command = [python, check, "--cli", mangled_cli if "cli" in extra else args.cli, "--models", args.models, "--births", args.births,
               "--example", example_copy, "--site", args.venv]
    if "env" in extra:
        env["EDGELSTM_LIBRARY"] = os.path.realpath(os.path.join(package, "lib", "libedgelstm.so")).replace(args.venv, work + "/copy")
        os.makedirs(os.path.dirname(env["EDGELSTM_LIBRARY"]), exist_ok=True)
        shutil.copy(os.path.join(package, "lib", "libedgelstm.so"), env["EDGELSTM_LIBRARY"])
    if "wheel" in extra:
        command += ["--wheel", renamed]
    try:
        out = subprocess.run(command, capture_output=True, text=True, env=env, cwd=work).stdout
    finally:
        for path, text in saved.items():
            with open(path, "w") as f:
                f.write(text)
    failed = {line[5:].split(":")[0] for line in out.splitlines() if line.startswith("FAIL ")}
    summary = re.findall(r"^\d+ passed, \d+ failed$", out, re.M)
    unexpected = {name for name in failed if not any(name.startswith(e) for e in expected)}
    missing = {e for e in expected if not any(name.startswith(e) for name in failed)}
    ok = summary and not unexpected and not missing
    caught += bool(ok)
    missed += not ok
    print(f"{'ok  ' if ok else 'MISS'} {what}: {len(failed)} check(s) failed"
          + (f"; expected to fail but passed: {sorted(missing)}" if missing else "")
          + (f"; failed unexpectedly: {sorted(unexpected)}" if unexpected else "")
          + ("" if summary else f"; no summary line:\n{out}"))
shutil.rmtree(work)
print(f"{caught} passed, {missed} failed")
