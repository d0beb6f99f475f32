#!/usr/bin/env bash
# The command line as a user meets it: the default run, --help, list, exit statuses,
# one-line messages for bad input, budgets, Ctrl-C, --trace-json.
# usage: cli_test.sh path/to/hugecheck
set -u
hc=$1
root=${2:-$(cd "$(dirname "$0")/.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# run NAME EXPECTED_STATUS -- command...: runs it, keeps stdout/stderr in $out/$err.
run() {
  local name=$1 want=$2
  shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  status=$?
  out=$(cat "$tmp/out")
  err=$(cat "$tmp/err")
  if [ "$status" -ne "$want" ]; then
    echo "FAIL $name: exit status $status, expected $want"
    echo "  stdout: $(head -c 600 "$tmp/out")"
    echo "  stderr: $(head -c 600 "$tmp/err")"
    failures=$((failures + 1))
    return 1
  fi
  return 0
}
# has NAME TEXT WHERE: WHERE ("$out" or "$err") contains TEXT.
has() {
  if ! grep -qF -- "$2" <<<"$3"; then
    echo "FAIL $1: missing: $2"
    echo "  in: $(head -c 800 <<<"$3")"
    failures=$((failures + 1))
  fi
}
hasnt() {
  if grep -qF -- "$2" <<<"$3"; then
    echo "FAIL $1: unexpected: $2"
    failures=$((failures + 1))
  fi
}
# one_line NAME: stderr is exactly one line.
one_line() {
  if [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
    echo "FAIL $1: stderr is not one line: $err"
    failures=$((failures + 1))
  fi
}

# --- the default run: surplus-race on seed, keep going, P1 and P8, exit 1 -------------
run default 1 -- "$hc"
has default "P1 nr = Σnode violated — scenario surplus-race, variant seed, 2 steps" "$out"
has default " 1  A      F1    dequeue_huge_page_vma  002:63-68    (no free huge page) → B1" "$out"
has default "P8 surplus conversion violated — scenario surplus-race, variant seed, 5 steps" "$out"
has default "result: VIOLATED P1 P8; holds: P2 P3 P4 P5 P6 P7" "$out"
has default "states 48  transitions 78  depth 12" "$out"
has default "bytes/state" "$out"

# Without --keep-going the search stops at the first violation: P1, the shallower.
run first-violation 1 -- "$hc" check --scenario surplus-race
has first-violation "P1 nr = Σnode violated" "$out"
hasnt first-violation "P8 surplus conversion violated" "$out"
has first-violation "search: stopped at the first violation" "$out"

run select 1 -- "$hc" check --scenario surplus-race --property P8
has select "P8 surplus conversion violated" "$out"
hasnt select "P1 nr" "$out"
run skip 0 -- "$hc" check -s surplus-race --skip P1,p8
has skip "result: HOLDS P2 P3 P4 P5 P6 P7 P9 P10 P11 P12 P13 on every reachable state" "$out"
run options-without-subcommand 1 -- "$hc" --scenario sysctl-race --keep-going
has options-without-subcommand "P5 private sysctl buffer violated" "$out"
has options-without-subcommand "P7 max = persistent violated" "$out"

run count 0 -- "$hc" check --scenario bench-small --no-properties
has count "states 423  transitions 870" "$out"
has count "result: explored every reachable state (no properties checked)" "$out"

# --- help and list --------------------------------------------------------------------
# Threads and hash compaction: the same counts; hash compaction prints its odds and takes
# its traces from an exact search to their depth.
run count-threads 0 -- "$hc" check --scenario bench-small --no-properties --threads 3
has count-threads "states 423  transitions" "$out"
has count-threads "on 3 threads" "$out"
run count-hash-compaction 0 -- "$hc" check -s bench-small --no-properties --hash-compaction -j 2
has count-hash-compaction "states 423  transitions" "$out"
has count-hash-compaction "probability that a state was missed:" "$out"
run trace-hash-compaction 1 -- "$hc" check -s surplus-race --hash-compaction
has trace-hash-compaction "P1 nr = Σnode violated — scenario surplus-race, variant seed, 2 steps" "$out"
has trace-hash-compaction " 2  A      B1    alloc_buddy_huge_page" "$out"
run count-dfs 0 -- "$hc" check -s bench-small --no-properties --search dfs
has count-dfs "states 423  transitions 870" "$out"
has count-dfs "depth-first search" "$out"
run trace-dfs 1 -- "$hc" check -s sysctl-race --search dfs --hash-compaction -k
has trace-dfs "P5 " "$out"
has trace-dfs "P7 " "$out"
run count-por 0 -- "$hc" check -s bench-large --no-properties --por -j 2
has count-por "states 41605  transitions 119594" "$out"
has count-por "partial-order reduction: an ample set in 12983 of 41605 states expanded" "$out"
run trace-por 1 -- "$hc" check -s surplus-race --por -k
has trace-por "P1 nr = Σnode violated — scenario surplus-race, variant seed, 2 steps" "$out"
has trace-por "result: VIOLATED P1 P8" "$out"
run por-hash-compaction 1 -- "$hc" check -s sysctl-race --por --hash-compaction -k -j 2
has por-hash-compaction "result: VIOLATED P5 P7" "$out"
run por-dfs 1 -- "$hc" check -s sysctl-race --por --search dfs -k
has por-dfs "result: VIOLATED P5 P7" "$out"
run por-symmetry 2 -- "$hc" check --por --symmetry
cat > "$tmp/twins.toml" <<'TOML'
nodes = 1
mem = [2]
pool = [0]
overcommit = 1
[[actor]]
name = "A"
home = 0
script = ["FAULT"]
[[actor]]
name = "B"
home = 0
script = ["FAULT"]
[[actor]]
name = "C"
home = 0
script = ["RESIZE(1)"]
TOML
run symmetry 1 -- "$hc" check -s "$tmp/twins.toml" --symmetry -k
has symmetry "symmetry reduction: interchangeable actors {A, B} (FAULT on node 0)" "$out"
has symmetry "P1 nr = Σnode violated" "$out"
run symmetry-count 0 -- "$hc" check -s "$tmp/twins.toml" --symmetry --no-properties --search dfs
run bad-search 2 -- "$hc" check --search sideways
run bad-threads 2 -- "$hc" check --threads 0
has bad-threads "a thread count between 1 and 64" "$err"

run help 0 -- "$hc" --help
for word in check list --version "Exit status: 0"; do has help "$word" "$out"; done
run check-help 0 -- "$hc" check --help
for flag in --scenario --variant --property --skip --keep-going --no-properties --max-states \
            --time-limit --max-memory --trace-json --quiet "3 incomplete"; do
  has check-help "$flag" "$out"
done
run version 0 -- "$hc" --version
has version "hugecheck 0.1.0 (Z3 4." "$out"
run list 0 -- "$hc" list
for word in surplus-race sysctl-race bench-small bench-medium bench-large bench-xl bench-2xl \
            bench-4xl seed P1 P8 "invariant, quiescent states"; do
  has list "$word" "$out"
done

# --- bad input: exit 2, one line naming file, line and field --------------------------
good='nodes = 1
mem = [2]
pool = [0]
overcommit = 1
[[actor]]
name = "A"
home = 0
script = ["FAULT"]'
bad() {  # bad NAME SED-EXPRESSION EXPECTED-MESSAGE
  sed "$2" <<<"$good" >"$tmp/$1.toml"
  run "bad-$1" 2 -- "$hc" check --scenario "$tmp/$1.toml"
  has "bad-$1" "hugecheck: $tmp/$1.toml:$3" "$err"
  one_line "bad-$1"
}
bad unknown-key '4a colour = 3' "5: field 'colour': unknown key"
bad wrong-type 's/nodes = 1/nodes = "one"/' "1: field 'nodes': expected a non-negative integer, got a string"
bad node-range 's/home = 0/home = 1/' "7: field 'actor[0].home': node index 1 is out of range (nodes = 1, so 0..0)"
bad pool-too-big 's/pool = \[0\]/pool = [3]/' "3: field 'pool[0]': pool 3 is larger than mem[0] = 2"
bad unknown-op 's/"FAULT"/"FAULT", "SPLIT"/' "8: field 'actor[0].script[1]': unknown operation 'SPLIT'"
bad syntax 's/mem = \[2\]/mem = [2/' "3: not valid TOML: Error while parsing array"
printf 'nodes = 1\nmem = [2]\npool = [0]\novercommit = 1\nactor = []\n' >"$tmp/empty.toml"
run bad-empty-actors 2 -- "$hc" check --scenario "$tmp/empty.toml"
has bad-empty-actors "hugecheck: $tmp/empty.toml:5: field 'actor': the actor list is empty" "$err"
one_line bad-empty-actors

run unknown-scenario 2 -- "$hc" check --scenario no-such-thing
has unknown-scenario "hugecheck: --scenario: unknown scenario 'no-such-thing'" "$err"
run missing-file 2 -- "$hc" check --scenario /nonexistent/x.toml
has missing-file "hugecheck: /nonexistent/x.toml: cannot read the scenario file" "$err"
run unknown-property 2 -- "$hc" check --property P1,P42
has unknown-property "hugecheck: --property: unknown property 'P42'" "$err"
run unknown-variant 2 -- "$hc" check --variant v9
has unknown-variant "hugecheck: --variant: unknown variant 'v9' (known: v2.6.24, seed, seed-zone-check, v4.19, v5.4, v6.6, v6.18)" "$err"
run absurd-states 2 -- "$hc" check --max-states -5
has absurd-states "hugecheck: --max-states: '-5' is not a state count" "$err"
run absurd-memory 2 -- "$hc" check --max-memory lots
has absurd-memory "hugecheck: --max-memory: 'lots' is not a memory size" "$err"
run absurd-time 2 -- "$hc" check --time-limit 0
has absurd-time "hugecheck: --time-limit: '0' is not a duration" "$err"
run unknown-flag 2 -- "$hc" check --frobnicate
has unknown-flag "hugecheck: " "$err"
one_line unknown-flag
run bad-json-path 2 -- "$hc" check --trace-json /nonexistent/dir/t.json
has bad-json-path "hugecheck: --trace-json: cannot write" "$err"

# --- budgets and Ctrl-C: exit 3 with the statistics so far -----------------------------
run max-states 3 -- "$hc" check --scenario bench-xl --no-properties --max-states 1000
has max-states "result: INCOMPLETE (state limit reached)" "$out"
has max-states "states 10" "$out"
run max-memory 3 -- "$hc" check --scenario bench-xl --no-properties --max-memory 2M
has max-memory "result: INCOMPLETE (memory limit reached)" "$out"
"$hc" check --scenario bench-2xl --no-properties --quiet >"$tmp/int.out" 2>"$tmp/int.err" &
pid=$!
sleep 1
kill -INT "$pid"
wait "$pid"
status=$?
if [ "$status" -ne 3 ]; then echo "FAIL sigint: exit status $status, expected 3"; failures=$((failures + 1)); fi
has sigint "result: INCOMPLETE (interrupted)" "$(cat "$tmp/int.out")"
has sigint "states " "$(cat "$tmp/int.out")"

# A violation found before the budget ran out is still a violation: exit 1.
run violation-in-budget 1 -- "$hc" check --scenario bench-xl --max-states 100000

# --- variants, the fix matrix, step tables -------------------------------------------
run variant 1 -- "$hc" check --scenario history/b12-put-page-under-lock --variant v4.19
has variant "P6 no deadlock violated — scenario history/b12-put-page-under-lock, variant v4.19, 8 steps" "$out"
has variant "self-deadlock: A at V5 (free_huge_page) takes hugetlb_lock, which it already holds" "$out"
run variant-holds 0 -- "$hc" check --scenario history/b12-put-page-under-lock --variant v5.4
run matrix 0 -- "$hc" matrix
has matrix "B8   P5        holds 361  P5 (3)" "$out"
has matrix "HC1  P2" "$out"
has matrix "B14  P11" "$out"
has matrix "B7   P13       holds 6    P13 (5) by K1" "$out"
hasnt matrix " !" "$out"
run matrix-md 0 -- "$hc" matrix --format markdown
has matrix-md "| bug | property | v2.6.24 | seed | seed-zone-check | v4.19 | v5.4 | v6.6 | v6.18 | fixed by |" "$out"

# Gigantic pages: the cross-zone page of the seed; a bad layout; counters that drift past
# their fields end the search as incomplete.
run gigantic 1 -- "$hc" check -q --scenario gigantic-interleave
has gigantic "P10 gigantic page in one zone violated — scenario gigantic-interleave, variant seed, 7 steps" "$out"
has gigantic "memory after step 7: --|--|Ht|tt|--|--" "$out"
run gigantic-fixed 0 -- "$hc" check -q --scenario gigantic-interleave --variant seed-zone-check
run gigantic-v4.19 2 -- "$hc" check -q --scenario gigantic-interleave --variant v4.19
has gigantic-v4.19 "hugecheck: --variant: variant v4.19 does not model gigantic pages" "$err"
cat >"$tmp/bad-gigantic.toml" <<'TOML'
nodes = 1
overcommit = 0
[gigantic]
order = 2
max_order = 2
pageblock_order = 1
memory = [[0, 0, 8]]
pool = [2]
[[actor]]
name = "A"
home = 0
script = ["RESIZE(1)"]
TOML
run gigantic-bad 2 -- "$hc" check -q --scenario "$tmp/bad-gigantic.toml"
has gigantic-bad "bad-gigantic.toml:8: field 'gigantic.pool[0]': head pfn 2 is not aligned to nr_pages 4" "$err"
run drift 3 -- "$hc" check -q --scenario gigantic-drift --property P9
has drift "search: the state space leaves the bounds of its encoding: step G4 of B makes nr_huge_pages_node[0] 8, past its 4-bit field" "$out"
run matrix-json 0 -- "$hc" matrix --format json
has matrix-json '"agrees_with_history": true' "$out"
run matrix-budget 3 -- "$hc" matrix --max-states 2
run matrix-format 2 -- "$hc" matrix --format xml
has matrix-format "hugecheck: --format: unknown format 'xml' (known: table, markdown, json)" "$err"
run steps 0 -- "$hc" steps --variant v6.6
has steps "R8   RESIZE, RESIZE_NODE  unlocked" "$out"
run steps-md 0 -- "$hc" steps --markdown
has steps-md "### v6.18" "$out"
run steps-unknown 2 -- "$hc" steps --variant v1.0
has steps-unknown "hugecheck: --variant: unknown variant 'v1.0'" "$err"
printf 'nodes = 2\nmem = [1, 1]\npool = [0, 0]\novercommit = 0\n[[actor]]\nname = "A"\nhome = 0\nscript = ["RESIZE_NODE(1, 1)"]\n' >"$tmp/node.toml"
run resize-node 0 -- "$hc" check --scenario "$tmp/node.toml" --variant v6.18
has resize-node "result: HOLDS" "$out"

# --- prove pfn (small bounds here; tests/prove_pfn_test.sh runs the default bounds) -------
run prove 1 -- "$hc" prove pfn --phys-bits 20 --max-order 2..4 --max-gigantic-order 6
has prove "bounds: 2 nodes with up to 2 memory ranges each" "$out"
has prove "every pfn < 2^8 (20-bit physical addresses, 4 KiB pages)" "$out"
has prove "[2/5] range-in-zone (the seed's pfn_range_valid_gigantic)" "$out"
has prove "COUNTEREXAMPLE" "$out"
has prove "replayed through the concrete evaluation: it agrees" "$out"
has prove "result: 4 proved, 1 counterexample(s), 0 unknown" "$out"
run prove-scenario 1 -- "$hc" prove pfn --query range-in-zone --range-check seed --phys-bits 20 --max-order 2 --max-gigantic-order 3 --scenario-dir "$tmp"
has prove-scenario "as a scenario: $tmp/range-in-zone-seed.toml" "$out"
run prove-scenario-check 1 -- "$hc" check -q --scenario "$tmp/range-in-zone-seed.toml"
has prove-scenario-check "P10 gigantic page in one zone violated" "$out"
run prove-fixed 0 -- "$hc" prove pfn --range-check same-zone --phys-bits 20 --max-order 2..4 --max-gigantic-order 6
has prove-fixed "result: 4 proved, 0 counterexample(s), 0 unknown" "$out"
run prove-timeout 3 -- "$hc" prove pfn --query scan-in-zone --timeout 1
has prove-timeout "UNKNOWN, not proved: Z3:" "$out"
run prove-suite 2 -- "$hc" prove memory
has prove-suite "hugecheck: prove: unknown suite 'memory' (known: pfn)" "$err"
run prove-query 2 -- "$hc" prove pfn --query everything
has prove-query "hugecheck: --query: unknown query 'everything'" "$err"
run prove-bits 2 -- "$hc" prove pfn --phys-bits 8
has prove-bits "hugecheck: --phys-bits: 8 is not between 13 and 76" "$err"
# Only hugecheck-prove links Z3; hugecheck runs it from its own directory, and says so
# when it is not there.
if ldd "$hc" | grep -q libz3; then
  echo "FAIL prove-split: $hc links libz3"
  failures=$((failures + 1))
fi
mkdir -p "$tmp/alone" && cp "$hc" "$tmp/alone/hugecheck"
run prove-missing 2 -- "$tmp/alone/hugecheck" prove pfn --query no-wrap
has prove-missing "hugecheck: prove: cannot run $tmp/alone/hugecheck-prove (No such file or directory)" "$err"
one_line prove-missing

# --- --trace-json ---------------------------------------------------------------------
run trace-json 1 -- "$hc" --keep-going --scenario surplus-race --trace-json "$tmp/t.json"
json=$(cat "$tmp/t.json")
has trace-json '"format": "hugecheck-trace/1"' "$json"
has trace-json '"id": "P8"' "$json"
has trace-json '"label": "B1"' "$json"
has trace-json '"function": "alloc_buddy_huge_page"' "$json"

# --- replay ----------------------------------------------------------------------------
run replay 1 -- "$hc" replay "$tmp/t.json"
has replay "P1: reproduced in 2 steps" "$out"
has replay "P8: reproduced in 5 steps" "$out"
has replay "result: 2 of 2 counterexample(s) reproduced" "$out"
sed 's/"label": "B1"/"label": "B2"/' "$tmp/t.json" >"$tmp/changed.json"
run replay-changed 0 -- "$hc" replay "$tmp/changed.json"
has replay-changed "P1: NOT reproduced: step 2 (A B2) no longer applies" "$out"
has replay-changed "result: 0 of 2 counterexample(s) reproduced" "$out"
echo '{' >"$tmp/bad.json"
run replay-bad 2 -- "$hc" replay "$tmp/bad.json"
has replay-bad "hugecheck: $tmp/bad.json: not a JSON document" "$err"
one_line replay-bad

# --- --compress (tree compression) -------------------------------------------------------
run count-compress 0 -- "$hc" check -s bench-small --no-properties --compress -j 2
has count-compress "states 423  transitions 870" "$out"
has count-compress "tree compression: exact;" "$out"
run trace-compress 1 -- "$hc" check -s surplus-race --compress -k
has trace-compress "P1 nr = Σnode violated — scenario surplus-race, variant seed, 2 steps" "$out"
has trace-compress " 2  A      B1    alloc_buddy_huge_page" "$out"
has trace-compress "result: VIOLATED P1 P8" "$out"
run compress-hash-compaction 2 -- "$hc" check --compress --hash-compaction
has compress-hash-compaction "hugecheck: --compress: cannot be combined with --hash-compaction" "$err"
run compress-dfs 2 -- "$hc" check --compress --search dfs
has compress-dfs "hugecheck: --compress: needs --search bfs" "$err"

# --- replay: the recorded scenario text, another variant, several files -----------------
cp "$root/scenarios/surplus-race.toml" "$tmp/mine.toml"
run trace-json-file 1 -- "$hc" -k -s "$tmp/mine.toml" --trace-json "$tmp/mine.json"
has trace-json-file '"text": ' "$(cat "$tmp/mine.json")"
sed -i 's/^overcommit = 1/overcommit = 0/' "$tmp/mine.toml"
run replay-recorded 1 -- "$hc" replay "$tmp/mine.json"
has replay-recorded "note: '$tmp/mine.toml' has changed since the trace was made; replaying on the scenario text the file records" "$out"
has replay-recorded "P8: reproduced in 5 steps" "$out"
sed 's/overcommit = 1\\n/overcommit = 2\\n/' "$tmp/mine.json" >"$tmp/edited.json"
run replay-edited 2 -- "$hc" replay "$tmp/edited.json"
has replay-edited "field 'scenario.text': does not match scenario.hash" "$err"
one_line replay-edited
run replay-fixtures 1 -- "$hc" replay "$root/counterexamples/fixtures/history--b13-nr-surplus-split@v6.6.json" "$root/counterexamples/fixtures/surplus-race@seed.json"
has replay-fixtures "result: 4 of 4 counterexample(s) reproduced" "$out"
run replay-fixed 0 -- "$hc" replay --variant v6.18 "$root/counterexamples/fixtures/history--b13-nr-surplus-split@v6.6.json"
has replay-fixed "variant v6.18 (the trace was made on v6.6)" "$out"
has replay-fixed "P2: NOT reproduced" "$out"

# --- fewest preemptions, context bounding ------------------------------------------------
run fewest 1 -- "$hc" -k -s bench-small --variant v6.18
has fewest "P2 counters in range violated — scenario bench-small, variant v6.18, 19 steps, 3 preemptions" "$out"
has fewest "(fewest preemptions among the traces of at most 19 steps; the search's first trace had 19 steps and 5 preemptions)" "$out"
run naive 1 -- "$hc" -k -s bench-small --variant v6.18 --naive-traces
has naive "variant v6.18, 19 steps, 5 preemptions" "$out"
run longer 1 -- "$hc" -k -s bench-large --variant v4.19 --max-trace-length 40
has longer "P2 counters in range violated — scenario bench-large, variant v4.19, 29 steps, 1 preemption" "$out"
run bound0 0 -- "$hc" -k -s bench-large --variant v4.19 --preemptions 0
has bound0 "at most 0 preemptions (context bound)" "$out"
has bound0 "result: HOLDS P1 P2 P3 P4 P5 P6 P7 P8 P9 P10 P11 P12 P13 on every state reachable with at most 0 preemptions (bounded result)" "$out"
run bound1 1 -- "$hc" -k -s bench-large --variant v4.19 --preemptions 1
has bound1 "result: VIOLATED P2 P6 P7; holds within the bound: P1 P3 P4 P5 P8 P9 P10 P11 P12 P13" "$out"
run bound-bad 2 -- "$hc" --preemptions 300
has bound-bad "hugecheck: --preemptions: '300' is not a preemption bound between 0 and 254" "$err"
run bound-por 2 -- "$hc" --preemptions 1 --por
has bound-por "hugecheck: --preemptions: cannot be combined with --por" "$err"

# --- --format ------------------------------------------------------------------------------
run lanes 1 -- "$hc" -k --format lanes
has lanes "    ⇢ preempted at B2 by B" "$out"
run format-json 1 -- "$hc" -k --format json
has format-json '"format": "hugecheck-trace/1"' "$out"
has format-json "result: VIOLATED P1 P8" "$err"
run format-html 1 -- "$hc" -k --format html -o "$tmp/t.html"
has format-html "<!DOCTYPE html>" "$(cat "$tmp/t.html")"
has format-html "result: VIOLATED P1 P8" "$out"
if command -v dot >/dev/null; then
  run format-svg 1 -- "$hc" -k --format svg -o "$tmp/t.svg"
  has format-svg "<svg" "$(cat "$tmp/t.svg")"
fi
run format-bad 2 -- "$hc" --format png
has format-bad "hugecheck: --format: unknown format 'png'" "$err"
run output-table 2 -- "$hc" -o "$tmp/x.txt"
has output-table "hugecheck: --output: needs --format json, dot, svg or html" "$err"

# --- graph ---------------------------------------------------------------------------------
run graph 0 -- "$hc" graph -s surplus-race --format json -o "$tmp/g.json"
has graph "graph: 48 states, 78 edges" "$err"
run graph-large 3 -- "$hc" graph -s bench-large
has graph-large "hugecheck: graph: scenario bench-large has more than 5000 reachable states" "$err"
one_line graph-large

# --- coverage ------------------------------------------------------------------------------
run coverage 1 -- "$hc" -k --coverage --coverage-json "$tmp/cov.json"
has coverage "coverage: scenario surplus-race, variant seed: 12 of 14 steps, 14 of 37 outcomes reached" "$out"
has coverage "unreached in cond_resched_lock:" "$out"
has coverage "P2 holds, but steps it depends on never ran: R7" "$out"
has coverage '"variant": "seed"' "$(cat "$tmp/cov.json")"

# Pages with identity, reservations, memory offline (docs/frames.md, docs/reservations.md).
run b14 1 -- "$hc" check --scenario history/b14-free-dissolve-race --variant v4.19
has b14 "pages with identity: 2 frames;" "$out"
has b14 "P11 pages agree with counters violated — scenario history/b14-free-dissolve-race, variant v4.19, 3 steps" "$out"
has b14 "page of node 0 in use by A→refcount 0 by A" "$out"
has b14 "1 page(s) of node 0 on the free list but free_huge_pages_node[0] = 0" "$out"
run b14-fixed 0 -- "$hc" check --scenario history/b14-free-dissolve-race --variant v5.4
run b7 1 -- "$hc" check --scenario history/b7-resv-decrement-unlocked --variant v4.19 -p P13
has b7 "stores resv_huge_pages = 0 (it was 2: the update in between is lost)" "$out"
run frames-flag 0 -- "$hc" check --frames --variant v6.6 -p P1,P11
has frames-flag "pages with identity: 2 frames;" "$out"
# The seed's reservation code is v4.0's: B5, K1 and K2 (docs/history.md).
run b5-seed 1 -- "$hc" check --scenario history/b5-unused-surplus-lock-drop -p P12
has b5-seed "P12 resv <= free violated — scenario history/b5-unused-surplus-lock-drop, variant seed, 12 steps, 1 preemption" "$out"
has b5-seed "resv_huge_pages -= 2 (0); free_pool_huge_page frees a surplus page to buddy; cond_resched_lock drops hugetlb_lock" "$out"
run b5-fixed 0 -- "$hc" check --scenario history/b5-unused-surplus-lock-drop --variant v5.4 -p P12
# v2.6.24: B3's late commit and K3's spin.
run b3 1 -- "$hc" check --scenario history/b3-late-reservation-commit --variant v2.6.24 -p P12
has b3 "P12 resv <= free violated — scenario history/b3-late-reservation-commit, variant v2.6.24, 11 steps" "$out"
has b3 "resv_huge_pages += 1 (2); the mapping holds 1 reservation(s)" "$out"
run b3-fixed 0 -- "$hc" check --scenario history/b3-late-reservation-commit -p P12
run k3 1 -- "$hc" check --scenario history/k3-unused-surplus-spin --variant v2.6.24 -p P6
has k3 "livelock: A spins in X2 (return_unused_surplus_pages) with hugetlb_lock held" "$out"
run node-v2.6.24 2 -- "$hc" check --scenario history/b9-node-count-unlocked --variant v2.6.24
has node-v2.6.24 "does not model the per-node nr_hugepages file (RESIZE_NODE)" "$err"
run k1-seed 1 -- "$hc" check --scenario history/k1-reserve-count-leak -p P13
has k1-seed "resv_huge_pages is not decremented: the reserve count leaks" "$out"
run frames-seed 1 -- "$hc" check --frames -p P11,P1
has frames-seed "pages with identity: 2 frames;" "$out"

if [ "$failures" -ne 0 ]; then
  echo "$failures CLI check(s) failed"
  exit 1
fi
echo "all CLI checks passed"
