#!/usr/bin/env bash
# hugecheck set-up on Debian 12: install the Debian packages that are missing, build
# (Release), then run the default check or the whole test suite.
#
#   ./bootstrap.sh run [ARGS...]   build hugecheck and run it (no ARGS: the default check)
#   ./bootstrap.sh test            build everything and run the test suite through CTest
#
# BUILD_DIR (default: build) chooses the build directory.
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-}
case "$mode" in
  run | test) shift ;;
  *) echo "usage: $0 run [hugecheck arguments...] | $0 test" >&2; exit 2 ;;
esac

# Everything the build and the tests need; nothing is downloaded outside apt.
packages=(
  build-essential cmake pkg-config
  libz3-dev                 # Z3: the symbolic pfn-range checks (found via z3.pc)
  libboost-graph-dev        # Boost.Graph: trace and state graphs
  graphviz                  # dot: --format svg, hugecheck graph --format svg
  libtomlplusplus-dev       # scenario files
  libcli11-dev              # the command line
  nlohmann-json3-dev        # --trace-json
  libxxhash-dev             # state hashing
  libgtest-dev libgmock-dev # tests
  librapidcheck-dev         # property-based tests (with its GoogleTest glue)
  libbenchmark-dev          # bench/
  spin rumur                # peers for the count cross-check and the benchmark (docs/peers.md)
  python3                   # bench/run, the side-by-side benchmark against SPIN and Rumur
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}" >&2
  sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q >&2
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

build=${BUILD_DIR:-build}
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >&2
if [ "$mode" = run ]; then
  cmake --build "$build" -j "$jobs" --target hugecheck >&2
  exec "$build/hugecheck" "$@"
fi
cmake --build "$build" -j "$jobs" >&2
exec ctest --test-dir "$build" --output-on-failure -j "$jobs"
