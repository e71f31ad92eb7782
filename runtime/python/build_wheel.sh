#!/usr/bin/env bash
# build_wheel.sh LIBEDGELSTM_SO OUTDIR: the Python package (runtime/python) with the given libedgelstm.so inside, as a
# platform wheel in OUTDIR, built offline by Debian's setuptools and wheel (apt: python3-setuptools python3-wheel
# python3-pip binutils). For x64 the x86-64-v4 build beside it (glibc-hwcaps/x86-64-v4/libedgelstm.so) goes in too.
#
# Tag: py3-none-manylinux_2_<M>_<arch>: the arch from the library's ELF header, M from the newest GLIBC_2.M symbol
# version the libraries need (objdump -T). Linked on Debian 12 (glibc 2.36) that is 2.34: pthread_*, dl* and shm_*
# moved into libc.so.6 in 2.34, so the library cannot load on an older glibc whatever .NET itself supports
# (2.27 for .NET 10's portable x64/arm64 builds). It needs only libc, libm and ld-linux, which the manylinux policy
# allows. A wheel tagged lower (manylinux_2_31) would install on Debian 11/Ubuntu 20.04 and then fail to load.
set -euo pipefail
[[ $# == 2 ]] || { sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
LIB=$(realpath "$1")
mkdir -p "$2"
OUT=$(realpath "$2")
PYTHON=${PYTHON:-/usr/bin/python3} # Debian's: it has setuptools, wheel and pip (a pyenv python3 may not)
[[ -f $LIB ]] || { echo "error: no library at $1" >&2; exit 1; }

case "$(od -An -tx1 -j18 -N2 "$LIB" | tr -d ' \n')" in # e_machine, little-endian
  3e00) arch=x86_64 ;;
  b700) arch=aarch64 ;;
  *) echo "error: $LIB is not an x86_64 or aarch64 ELF library" >&2; exit 1 ;;
esac
libs=("$LIB")
V4=$(dirname "$LIB")/glibc-hwcaps/x86-64-v4/libedgelstm.so
[[ $arch == x86_64 && -f $V4 ]] && libs+=("$V4")
command -v objdump >/dev/null || { echo "error: objdump (binutils) is needed to read the glibc versions" >&2; exit 1; }
glibc=$(objdump -T "${libs[@]}" | grep -o 'GLIBC_2\.[0-9]*' | sort -uV | tail -1)
[[ -n $glibc ]] || { echo "error: no GLIBC_2.x symbol versions in ${libs[*]}" >&2; exit 1; }
platform=manylinux_2_${glibc#GLIBC_2.}_$arch

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -r "$HERE/pyproject.toml" "$HERE/setup.py" "$HERE/README.md" "$HERE/edgelstm" "$stage/"
rm -rf "$stage/edgelstm/lib" "$stage"/edgelstm/__pycache__
mkdir -p "$stage/edgelstm/lib"
cp "$LIB" "$stage/edgelstm/lib/libedgelstm.so"
if ((${#libs[@]} > 1)); then
  mkdir -p "$stage/edgelstm/lib/glibc-hwcaps/x86-64-v4"
  cp "$V4" "$stage/edgelstm/lib/glibc-hwcaps/x86-64-v4/libedgelstm.so"
fi
echo "building the $platform wheel (the libraries need $glibc): ${libs[*]}" >&2
EDGELSTM_WHEEL_PLATFORM=$platform "$PYTHON" -m pip wheel --no-build-isolation --no-deps --no-index -q -w "$OUT" "$stage" >&2
wheel=$(ls -t "$OUT"/edgelstm-*-py3-none-"$platform".whl | head -1)
echo "$wheel"
