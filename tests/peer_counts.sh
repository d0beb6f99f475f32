#!/usr/bin/env bash
# Two independent model checkers count the reference model's states: for each scenario,
# hugecheck export writes a Promela model (SPIN) and a Murphi model (Rumur), and the
# number of distinct states each stores must equal hugecheck check --no-properties's
# (docs/peers.md). Skipped (77) when spin, rumur or a C compiler is missing.
# usage: peer_counts.sh path/to/hugecheck [SCENARIO...]
set -u
hc=$1
shift
scenarios=("$@")
defaults=0
if [ ${#scenarios[@]} -eq 0 ]; then
  scenarios=(surplus-race sysctl-race bench-small bench-medium bench-large)
  defaults=1
fi

cc=${CC:-}
[ -n "$cc" ] || cc=$(command -v cc || command -v gcc || command -v clang || true)
for tool in spin rumur; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool is not installed (bootstrap.sh installs it)"
    exit 77
  fi
done
if [ -z "$cc" ]; then
  echo "SKIP: no C compiler (cc, gcc or clang) for the generated verifiers"
  exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# Without arguments, also two small scenarios in which a variable is written and never
# read (owned without UNMAP, nr_overcommit_huge_pages without FAULT): SPIN's dead variable
# elimination would drop it from the state vector and merge states (22 and 5 states).
if [ "$defaults" -eq 1 ]; then
  printf '%s\n' 'nodes = 1' 'mem = [2]' 'pool = [0]' 'overcommit = 1' \
    '[[actor]]' 'name = "A"' 'home = 0' 'script = ["FAULT"]' \
    '[[actor]]' 'name = "B"' 'home = 0' 'script = ["FAULT"]' >"$tmp/two-faults.toml"
  printf '%s\n' 'nodes = 1' 'mem = [1]' 'pool = [0]' 'overcommit = 0' \
    '[[actor]]' 'name = "A"' 'home = 0' 'script = ["OVERCOMMIT(1)"]' \
    '[[actor]]' 'name = "B"' 'home = 0' 'script = ["OVERCOMMIT(2)"]' >"$tmp/two-overcommits.toml"
  scenarios+=("$tmp/two-faults.toml" "$tmp/two-overcommits.toml")
fi

fail() {
  echo "FAIL $1"
  failures=$((failures + 1))
}

index=0
for s in "${scenarios[@]}"; do
  index=$((index + 1))
  dir="$tmp/$index"  # a scenario may be a path
  mkdir -p "$dir"

  hc_out=$("$hc" check --scenario "$s" --no-properties --quiet 2>&1)
  hc_states=$(sed -n 's/^states \([0-9]*\) .*/\1/p' <<<"$hc_out")
  if [ -z "$hc_states" ]; then
    fail "$s: hugecheck check printed no state count: $(head -c 600 <<<"$hc_out")"
    continue
  fi

  # SPIN: one process, no partial-order reduction; "N states, stored".
  spin_states=
  if ! "$hc" export --promela --scenario "$s" -o "$dir/model.pml" 2>"$dir/err"; then
    fail "$s: export --promela: $(cat "$dir/err")"
  elif ! (cd "$dir" && spin -a model.pml >spin.log 2>&1); then
    fail "$s: spin -a: $(head -c 600 "$dir/spin.log")"
  elif ! "$cc" -O2 -DNOREDUCE -DSAFETY -DMEMLIM=4096 -w -o "$dir/pan" "$dir/pan.c" 2>"$dir/err"; then
    fail "$s: compiling pan.c: $(head -c 600 "$dir/err")"
  else
    pan_out=$(cd "$dir" && ./pan -m1000000 -w22 2>&1)
    spin_states=$(sed -n 's/^ *\([0-9]*\) states, stored.*/\1/p' <<<"$pan_out")
    if ! grep -q "errors: 0" <<<"$pan_out" || grep -q "max search depth too small" <<<"$pan_out"; then
      fail "$s: pan did not search the whole state space without error: $(head -c 800 <<<"$pan_out")"
      spin_states=
    fi
  fi

  # Rumur: no symmetry reduction, no deadlock check, one thread; "N states, M rules fired".
  rumur_states=
  if ! "$hc" export --murphi --scenario "$s" -o "$dir/model.m" 2>"$dir/err"; then
    fail "$s: export --murphi: $(cat "$dir/err")"
  elif ! rumur --deadlock-detection off --symmetry-reduction off --threads 1 "$dir/model.m" \
      -o "$dir/model.c" >"$dir/rumur.log" 2>&1; then
    fail "$s: rumur: $(head -c 600 "$dir/rumur.log")"
  elif ! "$cc" -O2 -w -o "$dir/verifier" "$dir/model.c" -lpthread 2>"$dir/err"; then
    fail "$s: compiling the Rumur verifier: $(head -c 600 "$dir/err")"
  else
    verifier_out=$("$dir/verifier" 2>&1)
    rumur_states=$(sed -n 's/^[[:space:]]*\([0-9]*\) states, .*/\1/p' <<<"$verifier_out")
    if ! grep -q "No error found" <<<"$verifier_out"; then
      fail "$s: the Rumur verifier found an error: $(head -c 800 <<<"$verifier_out")"
      rumur_states=
    fi
  fi

  name=$s
  [[ "$s" == "$tmp"/* ]] && name=$(basename "$s" .toml)
  line="$name: hugecheck $hc_states, SPIN ${spin_states:-?}, Rumur ${rumur_states:-?}"
  if [ "$spin_states" = "$hc_states" ] && [ "$rumur_states" = "$hc_states" ]; then
    echo "ok   $line"
  else
    fail "$line states: the counts disagree"
  fi
done

if [ "$failures" -gt 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "all peer counts agree"
