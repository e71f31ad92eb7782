#!/usr/bin/env bash
# check_wheel.sh WHEEL [OTHER_WHEEL...]: installs WHEEL (this machine's, x86_64) in a fresh virtual environment
# (--system-site-packages: NumPy from Debian's python3-numpy; pip --no-index, nothing downloaded) and runs
# tests/check_package.py there from outside the source tree: classify, generate, tag, g2p, poem and forecast against
# the CLI, NumPy shapes, errors, examples/python/example.py on the installed package, and every wheel's contents
# (an aarch64 wheel is checked, not run). Prints "N passed, M failed" last.
#   EDGELSTM_CLI   the edgelstm command (default: dotnet runtime/EdgeLstm.Cli/bin/Release/net10.0/edgelstm.dll)
#   VENV           where to make the environment (default: a temporary directory, removed after)
#   PYTHON         the interpreter to base it on (default: /usr/bin/python3, Debian's, which sees python3-numpy)
set -euo pipefail
[[ $# -ge 1 ]] || { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PYTHON=${PYTHON:-/usr/bin/python3}
CLI=${EDGELSTM_CLI:-dotnet $ROOT/runtime/EdgeLstm.Cli/bin/Release/net10.0/edgelstm.dll}
wheels=()
for w in "$@"; do wheels+=("$(realpath "$w")"); done
if [[ -n ${VENV:-} ]]; then venv=$VENV; else venv=$(mktemp -d) && trap 'rm -rf "$venv"' EXIT; fi
rm -rf "$venv"
# A setup failure is a failed check in the summary, not a stop of the caller's test run.
if ! "$PYTHON" -m venv --system-site-packages "$venv" >&2 || ! "$venv/bin/python" -m pip install --no-index -q "${wheels[0]}" >&2; then
  echo "could not make the environment or install ${wheels[0]}"
  echo "0 passed, 1 failed"
  exit 1
fi
args=()
for w in "${wheels[@]}"; do args+=(--wheel "$w"); done
cd "$venv" # not the source tree: `import edgelstm` must find the installed package
"$venv/bin/python" "$HERE/tests/check_package.py" --cli "$CLI" --models "$ROOT/runtime/models" --births "$ROOT/.cache/forecast/births.csv" \
  --example "$ROOT/examples/python/example.py" --site "$venv" "${args[@]}"
