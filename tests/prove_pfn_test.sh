#!/usr/bin/env bash
# `hugecheck prove pfn` at its default bounds, as a user runs it: the seed's
# pfn_range_valid_gigantic has the 2016 zone-interleave bug (a counterexample, replayed),
# and every other query is proved. About a minute on two idle cores. The Z3 timeout is
# raised from 60 s: this test is about the verdicts at the default bounds, and CTest runs
# it beside other tests on a loaded machine.
# usage: prove_pfn_test.sh path/to/hugecheck
set -u
out=$("$1" prove pfn --timeout 900)
status=$?
fail=0
check() { grep -qF -- "$1" <<<"$out" || { echo "FAIL: missing: $1"; fail=1; }; }
[ "$status" -eq 1 ] || { echo "FAIL: exit status $status, expected 1 (a counterexample)"; fail=1; }
check "every pfn < 2^34 (46-bit physical addresses, 4 KiB pages)"
check "MAX_ORDER 2..11"
check "[1/5] scan-in-zone"
check "[2/5] range-in-zone (the seed's pfn_range_valid_gigantic)"
check "node 1: memory [1, 2)"
check "pfn_range_valid_gigantic (seed) accepts it, but pfn 1 is memory of node 1"
check "[3/5] range-in-zone (with the 2016 same-zone check)"
check "result: 4 proved, 1 counterexample(s), 0 unknown"
[ "$(grep -c 'proved for all layouts within the bounds' <<<"$out")" -eq 4 ] || { echo "FAIL: not 4 proofs"; fail=1; }
[ "$fail" -eq 0 ] && echo "prove pfn: as expected" || echo "$out"
exit "$fail"
