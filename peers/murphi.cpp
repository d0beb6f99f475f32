#include "peers/murphi.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

#include "peers/common.hpp"

namespace hugecheck::peers {

namespace {

using model::OpKind;
using model::Step;

// Murphi's (and Rumur's) keywords, which are not case-sensitive, and every identifier the
// model below defines: an actor's name must be none of them.
const std::vector<std::string_view> kKeywords = {"alias",      "array",
                                                 "assert",     "assume",
                                                 "begin",      "boolean",
                                                 "by",         "case",
                                                 "clear",      "const",
                                                 "cover",      "do",
                                                 "else",       "elsif",
                                                 "end",        "endalias",
                                                 "endexists",  "endfor",
                                                 "endforall",  "endfunction",
                                                 "endif",      "endprocedure",
                                                 "endrecord",  "endrule",
                                                 "endruleset", "endstartstate",
                                                 "endswitch",  "endwhile",
                                                 "enum",       "error",
                                                 "exists",     "false",
                                                 "for",        "forall",
                                                 "function",   "if",
                                                 "in",         "interleaved",
                                                 "invariant",  "isundefined",
                                                 "liveness",   "of",
                                                 "procedure",  "process",
                                                 "program",    "property",
                                                 "put",        "record",
                                                 "return",     "rule",
                                                 "ruleset",    "scalarset",
                                                 "startstate", "switch",
                                                 "then",       "to",
                                                 "traceuntil", "true",
                                                 "type",       "undefine",
                                                 "union",      "var",
                                                 "while"};
const std::vector<std::string_view> kIdentifiers = {
    // constants and types
    "N", "NACTORS", "NONE", "NO_ACTOR", "MAX_FREES", "MAX_SCRIPT", "node_t", "node_or_none_t",
    "actor_t", "actor_or_none_t", "counter_t", "node_counter_t", "local_t", "op_t", "pc_t",
    "choice_t", "value_t",
    // variables
    "max_huge_pages", "nr_overcommit_huge_pages", "nr_huge_pages", "free_huge_pages",
    "resv_huge_pages", "surplus_huge_pages", "nr_huge_pages_node", "free_huge_pages_node",
    "surplus_huge_pages_node", "buddy", "next_nid_to_alloc", "next_nid_to_free", "table_data", "op",
    "pc", "tmp", "count", "page_node", "min_count", "ret", "owned",
    // functions, procedures and their parameters and locals
    "ult", "ugt", "umax", "persistent_huge_pages", "free_pages_on_nodes", "home_first", "complete",
    "free_huge_page", "adjust_pool_surplus_down", "adjust_pool_surplus_up", "free_pool_huge_page",
    "finish", "shrink_loop", "grow_check", "a", "k", "n", "v", "x", "y", "i", "s", "home",
    "nodes_agree", "nr", "fr", "su", "nid", "tries", "found", "frees", "dropped",
    // (the step functions and pc labels both languages use: peers::kStepNames)
};

// The fixed part: unsigned long arithmetic and the kernel functions as procedures. Each
// rule runs one of the step procedures; `a` is the actor, `home` its home node, `k` the
// outcome of the cond_resched_lock choice.
constexpr std::string_view kKernel = R"murphi(
-- ---- unsigned long ---------------------------------------------------------------------
-- The RM's counters are unsigned long and wrap modulo 2^64: a decrement at 0 gives
-- 2^64 - 1. Here, as in hugecheck's packed state, they are small two's-complement
-- integers, a negative v standing for 2^64 + v; so every comparison of the RM is made
-- unsigned: a negative value is above every non-negative one. ("x > 0" on an unsigned
-- long is "x != 0".)
function ult(x: value_t; y: value_t): boolean;
begin
  if (x < 0) = (y < 0) then
    return x < y;
  endif;
  return x >= 0;
end;

function ugt(x: value_t; y: value_t): boolean;
begin
  return ult(y, x);
end;

function umax(x: value_t; y: value_t): value_t;
begin
  if ult(x, y) then
    return y;
  endif;
  return x;
end;

function persistent_huge_pages(): value_t;
begin
  return nr_huge_pages - surplus_huge_pages;
end;

-- The free pages on the nodes' lists: each page one shrink loop frees is one of them
-- (free_huge_pages_node[] never goes below 0: it is decremented only when non-zero), so
-- outcome k of a cond_resched_lock choice needs k of them.
function free_pages_on_nodes(): value_t;
var s: value_t;
begin
  s := 0;
  for n: node_t do
    s := s + free_huge_pages_node[n];
  endfor;
  return s;
end;

-- Home-first order (alloc_pages with the local node preferred): the i-th node tried is
-- the home node, then the other nodes in ascending id.
function home_first(home: node_t; i: node_t): node_t;
begin
  if i = 0 then
    return home;
  endif;
  if i - 1 < home then
    return i - 1;
  endif;
  return i;
end;

-- ---- mm/hugetlb.c, cut as the RM cuts it ----------------------------------------------

-- The op ends: the next op, and every local but owned back to 0/none (the RM's canonical
-- form: states that differ only in dead locals are one state).
procedure complete(a: actor_t);
begin
  op[a] := op[a] + 1;
  pc[a] := IDLE;
  tmp[a] := 0;
  count[a] := 0;
  page_node[a] := NONE;
  min_count[a] := 0;
  ret[a] := 0;
end;

-- free_huge_page() of a page on node n: a page of a node with surplus goes back to the
-- buddy allocator (update_and_free_page, surplus--); any other is enqueued.
procedure free_huge_page(n: node_t);
begin
  if surplus_huge_pages_node[n] != 0 then
    nr_huge_pages := nr_huge_pages - 1;
    nr_huge_pages_node[n] := nr_huge_pages_node[n] - 1;
    surplus_huge_pages := surplus_huge_pages - 1;
    surplus_huge_pages_node[n] := surplus_huge_pages_node[n] - 1;
    buddy[n] := buddy[n] + 1;
  else
    free_huge_pages := free_huge_pages + 1;
    free_huge_pages_node[n] := free_huge_pages_node[n] + 1;
  endif;
end;

-- adjust_pool_surplus(-1): the first node in cursor order on next_nid_to_alloc
-- (for_each_node_mask_to_alloc: nid = the cursor, the cursor moves to the next node, try
-- nid; at most N tries) with a surplus page; the page becomes persistent.
procedure adjust_pool_surplus_down(var found: boolean);
var nid: node_t;
    tries: 0..N;
begin
  found := false;
  tries := 0;
  while !found & tries < N do
    nid := next_nid_to_alloc;
    next_nid_to_alloc := (nid + 1) % N;
    tries := tries + 1;
    found := surplus_huge_pages_node[nid] != 0;
  endwhile;
  if found then
    surplus_huge_pages := surplus_huge_pages - 1;
    surplus_huge_pages_node[nid] := surplus_huge_pages_node[nid] - 1;
  endif;
end;

-- adjust_pool_surplus(+1): the first node in cursor order on next_nid_to_free with
-- surplus_huge_pages_node < nr_huge_pages_node; a page becomes surplus.
procedure adjust_pool_surplus_up(var found: boolean);
var nid: node_t;
    tries: 0..N;
begin
  found := false;
  tries := 0;
  while !found & tries < N do
    nid := next_nid_to_free;
    next_nid_to_free := (nid + 1) % N;
    tries := tries + 1;
    found := ult(surplus_huge_pages_node[nid], nr_huge_pages_node[nid]);
  endwhile;
  if found then
    surplus_huge_pages := surplus_huge_pages + 1;
    surplus_huge_pages_node[nid] := surplus_huge_pages_node[nid] + 1;
  endif;
end;

-- free_pool_huge_page(acct_surplus = 0): the first node in cursor order on
-- next_nid_to_free with a free page gives it back to the buddy allocator.
procedure free_pool_huge_page(var found: boolean);
var nid: node_t;
    tries: 0..N;
begin
  found := false;
  tries := 0;
  while !found & tries < N do
    nid := next_nid_to_free;
    next_nid_to_free := (nid + 1) % N;
    tries := tries + 1;
    found := free_huge_pages_node[nid] != 0;
  endwhile;
  if found then
    free_huge_pages := free_huge_pages - 1;
    free_huge_pages_node[nid] := free_huge_pages_node[nid] - 1;
    nr_huge_pages := nr_huge_pages - 1;
    nr_huge_pages_node[nid] := nr_huge_pages_node[nid] - 1;
    buddy[nid] := buddy[nid] + 1;
  endif;
end;

-- set_max_huge_pages, the end of the section: while (count < persistent_huge_pages(h))
-- adjust_pool_surplus(+1), until it fails; ret = persistent_huge_pages(h); unlock: R10.
procedure finish(a: actor_t);
var found: boolean;
begin
  found := true;
  while found & ult(count[a], persistent_huge_pages()) do
    adjust_pool_surplus_up(found);
  endwhile;
  ret[a] := persistent_huge_pages();
  pc[a] := R10;
end;

-- The shrink loop: while (min_count < persistent_huge_pages(h)) free_pool_huge_page(),
-- leaving the loop if it fails, and cond_resched_lock(&hugetlb_lock) after every page
-- freed, the last one included. cond_resched_lock is the RM's choice: this is outcome k,
-- which drops the lock after the k-th page freed (the step ends there, the actor waits at
-- R7); outcome 0 never drops it. An outcome k beyond the pages the loop frees is outcome 0
-- again (the same successor, no new state). Then finish.
procedure shrink_loop(a: actor_t; k: choice_t);
var found: boolean;
    dropped: boolean;
    frees: choice_t;
begin
  found := true;
  dropped := false;
  frees := 0;
  while found & !dropped & ult(min_count[a], persistent_huge_pages()) do
    free_pool_huge_page(found);
    if found then
      frees := frees + 1;
      if frees = k then
        pc[a] := R7;
        dropped := true;
      endif;
    endif;
  endwhile;
  if !dropped then
    finish(a);
  endif;
end;

-- The grow check: count > persistent_huge_pages(h): unlock and allocate (R4). Else shrink
-- in the same section: min_count = max(count, resv + nr - free in use), the shrink loop.
procedure grow_check(a: actor_t; k: choice_t);
begin
  if ugt(count[a], persistent_huge_pages()) then
    pc[a] := R4;
  else
    min_count[a] := umax(count[a], resv_huge_pages + nr_huge_pages - free_huge_pages);
    shrink_loop(a, k);
  endif;
end;

-- ---- the RM's steps ----------------------------------------------------------------------

-- F1: if free - resv > 0, take a free page of the first node in home-first order that
-- has one; else B1.
procedure F1_dequeue_huge_page_vma(a: actor_t; home: node_t);
var nid: node_t;
    tries: 0..N;
    found: boolean;
begin
  found := false;
  if free_huge_pages - resv_huge_pages != 0 then
    tries := 0;
    while !found & tries < N do
      nid := home_first(home, tries);
      tries := tries + 1;
      found := free_huge_pages_node[nid] != 0;
    endwhile;
  endif;
  if found then
    free_huge_pages := free_huge_pages - 1;
    free_huge_pages_node[nid] := free_huge_pages_node[nid] - 1;
    owned[a] := nid;
    complete(a);
  else
    pc[a] := B1;
  endif;
end;

-- B1: fail (ENOSPC) if surplus >= overcommit; else "assume we will successfully
-- allocate": nr++, surplus++.
procedure B1_alloc_buddy_huge_page(a: actor_t);
begin
  if !ult(surplus_huge_pages, nr_overcommit_huge_pages) then
    complete(a);
  else
    nr_huge_pages := nr_huge_pages + 1;
    surplus_huge_pages := surplus_huge_pages + 1;
    pc[a] := B2;
  endif;
end;

-- B2 (unlocked): a buddy block of the first node in home-first order that has one.
procedure B2_alloc_pages(a: actor_t; home: node_t);
var nid: node_t;
    tries: 0..N;
    found: boolean;
begin
  found := false;
  tries := 0;
  while !found & tries < N do
    nid := home_first(home, tries);
    tries := tries + 1;
    found := buddy[nid] != 0;
  endwhile;
  if found then
    buddy[nid] := buddy[nid] - 1;
    page_node[a] := nid;
  else
    page_node[a] := NONE;
  endif;
  pc[a] := B3;
end;

-- B3: account the page on its node; no page: undo the B1 bump (the fault fails).
procedure B3_alloc_buddy_huge_page(a: actor_t);
begin
  if page_node[a] != NONE then
    nr_huge_pages_node[page_node[a]] := nr_huge_pages_node[page_node[a]] + 1;
    surplus_huge_pages_node[page_node[a]] := surplus_huge_pages_node[page_node[a]] + 1;
    owned[a] := page_node[a];
  else
    nr_huge_pages := nr_huge_pages - 1;
    surplus_huge_pages := surplus_huge_pages - 1;
  endif;
  complete(a);
end;

-- U1: the last reference of the owned page goes.
procedure U1_free_huge_page(a: actor_t);
begin
  if owned[a] != NONE then
    free_huge_page(owned[a]);
    owned[a] := NONE;
  endif;
  complete(a);
end;

-- S1 (unlocked): tmp = max_huge_pages; table->data = &tmp, in the one ctl_table every
-- writer of nr_hugepages shares.
procedure S1_hugetlb_sysctl_handler_common(a: actor_t);
begin
  tmp[a] := max_huge_pages;
  table_data := a;
  pc[a] := S2;
end;

-- S2 (unlocked): the write of v lands in the tmp table->data points at: another actor's,
-- if its S1 came later, even one whose op has completed.
procedure S2_proc_doulongvec_minmax(a: actor_t; v: value_t);
begin
  tmp[table_data] := v;
  pc[a] := R1;
end;

-- R1: count = tmp; convert surplus pages while count > persistent (adjust_pool_surplus(-1),
-- leaving the loop if it fails); then the grow check, in the same section.
procedure R1_set_max_huge_pages(a: actor_t; k: choice_t);
var found: boolean;
begin
  count[a] := tmp[a];
  found := true;
  while found & surplus_huge_pages != 0 & ugt(count[a], persistent_huge_pages()) do
    adjust_pool_surplus_down(found);
  endwhile;
  grow_check(a, k);
end;

-- R4 (unlocked): a buddy block of the first node in cursor order on next_nid_to_alloc
-- that has one: R5; none: R6f.
procedure R4_alloc_fresh_huge_page(a: actor_t);
var nid: node_t;
    tries: 0..N;
    found: boolean;
begin
  found := false;
  tries := 0;
  while !found & tries < N do
    nid := next_nid_to_alloc;
    next_nid_to_alloc := (nid + 1) % N;
    tries := tries + 1;
    found := buddy[nid] != 0;
  endwhile;
  if found then
    buddy[nid] := buddy[nid] - 1;
    page_node[a] := nid;
    pc[a] := R5;
  else
    pc[a] := R6f;
  endif;
end;

-- R5: nr++, nr_huge_pages_node++.
procedure R5_prep_new_huge_page(a: actor_t);
begin
  nr_huge_pages := nr_huge_pages + 1;
  nr_huge_pages_node[page_node[a]] := nr_huge_pages_node[page_node[a]] + 1;
  pc[a] := R5b;
end;

-- R5b: put_page of the new page: free_huge_page as in U1.
procedure R5b_free_huge_page(a: actor_t);
begin
  free_huge_page(page_node[a]);
  page_node[a] := NONE;
  pc[a] := R6;
end;

-- R6: the lock again after a successful allocation: the grow check again.
procedure R6_set_max_huge_pages(a: actor_t; k: choice_t);
begin
  grow_check(a, k);
end;

-- R6f: the lock again after a failed allocation: goto out.
procedure R6f_set_max_huge_pages(a: actor_t);
begin
  ret[a] := persistent_huge_pages();
  pc[a] := R10;
end;

-- R7: the re-lock inside cond_resched_lock: the shrink loop goes on with the stored
-- min_count.
procedure R7_cond_resched_lock(a: actor_t; k: choice_t);
begin
  shrink_loop(a, k);
end;

-- R10 (unlocked): max_huge_pages = ret, after the lock is dropped.
procedure R10_nr_hugepages_store_common(a: actor_t);
begin
  max_huge_pages := ret[a];
  complete(a);
end;

-- O1: nr_overcommit_huge_pages = v.
procedure O1_hugetlb_overcommit_handler(a: actor_t; v: value_t);
begin
  nr_overcommit_huge_pages := v;
  complete(a);
end;
)murphi";

class Writer {
  public:
    std::string text;
    void line(const std::string& s = "") { text += s + "\n"; }
};

std::string range(const Range& r) {
    return std::to_string(r.lo) + ".." + std::to_string(r.hi);
}

std::string bits(const Range& r) {
    return r.bits == 0 ? std::string("always 0") : str(r.bits) + " bits";
}

const ExprSyntax kSyntax{" = ", " | ", " ? ", " : ", " & "};

}  // namespace

std::string to_murphi(const model::Scenario& sc) {
    const PeerScenario p = describe_scenario(sc, "--murphi", kKeywords, kIdentifiers);
    const std::size_t actors = p.actors.size();
    Writer w;

    // Header.
    w.line("-- The hugetlb reference model (RM, ../shared/spec/reference-model.md; hugecheck's");
    w.line("-- variant seed) of one scenario, in Murphi for Rumur.");
    w.line("-- Generated by hugecheck: hugecheck export --murphi --scenario " + sc.name);
    w.line("--");
    for (const std::string& l : scenario_lines(p))
        w.line("-- " + l);
    w.line("--");
    w.line("-- One rule per RM step of every actor (a ruleset over the outcome of a step's");
    w.line("-- cond_resched_lock choice), the RM's variables as the state, the steps' scratch as");
    w.line("-- the procedures' locals; so Rumur without symmetry reduction finds exactly the RM's");
    w.line("-- states: its state count is that of hugecheck check --scenario " + sc.name);
    w.line("-- --no-properties. The ranges are the widths of hugecheck's packed state.");
    w.line("--");
    w.line("--   rumur --deadlock-detection off --symmetry-reduction off " + p.file_stem +
           ".m -o " + p.file_stem + ".c");
    w.line("--   cc -O3 -mcx16 -o " + p.file_stem + " " + p.file_stem + ".c -lpthread");
    w.line("--   ./" + p.file_stem);
    w.line("--");
    w.line("-- (-mcx16: x86-64's 16-byte compare-and-swap, which a multi-threaded verifier needs;");
    w.line("-- elsewhere give rumur --threads 1 and leave it out.)");
    w.line("-- docs/peers.md describes the encoding.");
    w.line();

    // Constants and types. The arithmetic of a step (sums over nodes, resv + nr - free)
    // goes beyond a counter's range before it is stored: value_t has room for it.
    const unsigned value_bits = std::max({p.counter.bits, p.node_counter.bits, p.local.bits}) + 4;
    const std::int64_t value_max = std::int64_t{1} << value_bits;
    w.line("const");
    w.line("  N: " + str(sc.nodes) + "; -- nodes");
    w.line("  NACTORS: " + str(actors) + ";");
    w.line("  NONE: N; -- page_node, owned: no page");
    w.line("  NO_ACTOR: NACTORS; -- table_data: no actor's tmp");
    w.line("  MAX_FREES: " + str(p.max_frees) +
           "; -- Σ mem: the most pages one shrink loop can free");
    w.line("  MAX_SCRIPT: " + str(p.max_script) + "; -- the longest script");
    w.line("  -- the actors");
    for (std::size_t a = 0; a < actors; ++a)
        w.line("  " + p.actors[a].id + ": " + str(a) + ";");
    w.line();
    w.line("type");
    w.line("  node_t: 0..N-1;");
    w.line("  node_or_none_t: 0..NONE;");
    w.line("  actor_t: 0..NACTORS-1;");
    w.line("  actor_or_none_t: 0..NO_ACTOR;");
    w.line("  -- hugecheck's field widths, two's complement: -1 is the wrapped 2^64 - 1");
    w.line("  counter_t: " + range(p.counter) + "; -- the counters: " + bits(p.counter));
    w.line("  node_counter_t: " + range(p.node_counter) +
           "; -- nr/free_huge_pages_node[], buddy[]: " + bits(p.node_counter));
    w.line("  local_t: " + range(p.local) + "; -- tmp, count, min_count, ret: " + bits(p.local));
    w.line("  value_t: " + std::to_string(-value_max) + ".." + std::to_string(value_max) +
           "; -- arithmetic before it is stored");
    w.line("  op_t: 0..MAX_SCRIPT; -- the index of the current (or next) op; done at the end");
    std::string labels;
    for (std::string_view l : kPcLabels)
        labels += (labels.empty() ? "" : ", ") + std::string(l);
    w.line("  -- the step an actor waits at; IDLE between ops (F1, U1, S1, O1 start an op)");
    w.line("  pc_t: enum { " + labels + " };");
    w.line("  choice_t: 0..MAX_FREES; -- outcome k of a cond_resched_lock choice");
    w.line();

    // Variables.
    w.line("var");
    w.line("  -- struct hstate");
    w.line("  max_huge_pages: counter_t;");
    w.line("  nr_overcommit_huge_pages: counter_t;");
    w.line("  nr_huge_pages: counter_t;");
    w.line("  free_huge_pages: counter_t;");
    w.line("  resv_huge_pages: counter_t; -- the RM's faults reserve nothing: always 0");
    w.line("  surplus_huge_pages: counter_t;");
    w.line("  nr_huge_pages_node: array [node_t] of node_counter_t;");
    w.line("  free_huge_pages_node: array [node_t] of node_counter_t;");
    w.line("  surplus_huge_pages_node: array [node_t] of counter_t;");
    w.line("  next_nid_to_alloc: node_t;");
    w.line("  next_nid_to_free: node_t;");
    w.line("  -- the buddy allocator: node n's free huge-page-sized blocks");
    w.line("  buddy: array [node_t] of node_counter_t;");
    w.line("  -- the ctl_table of nr_hugepages, one for every writer: whose tmp .data points at;");
    w.line("  -- never reset");
    w.line("  table_data: actor_or_none_t;");
    w.line("  -- each actor: its op and pc, the locals of the kernel functions, and owned, the");
    w.line("  -- node of the huge page it holds, which survives its op");
    w.line("  op: array [actor_t] of op_t;");
    w.line("  pc: array [actor_t] of pc_t;");
    w.line("  tmp: array [actor_t] of local_t; -- hugetlb_sysctl_handler_common's tmp");
    w.line("  count: array [actor_t] of local_t;");
    w.line("  page_node: array [actor_t] of node_or_none_t;");
    w.line("  min_count: array [actor_t] of local_t;");
    w.line("  ret: array [actor_t] of local_t;");
    w.line("  owned: array [actor_t] of node_or_none_t;");
    w.text += kKernel;

    // The rules.
    w.line();
    w.line("-- ---- the actors ------------------------------------------------------------------");
    // "A F1 dequeue_huge_page_vma": Rumur names the rule so in a trace.
    auto rule_name = [](const PeerActor& a, Step step) {
        return "\"" + a.id + " " + std::string(model::step_name(step)) + " " +
               std::string(model::find_variant("seed").step(step).function) + "\"";
    };
    auto rule = [&](const PeerActor& a, Step step, const std::string& guard,
                    const std::string& call) {
        const StepText t = step_text(step);
        w.line();
        w.line("-- " + a.id + " " + t.head + ":");
        w.line("-- " + t.summary);
        w.line("rule " + rule_name(a, step));
        w.line("  " + guard);
        w.line("==>");
        w.line("begin");
        w.line("  " + call + ";");
        w.line("end;");
    };
    // A step with the cond_resched_lock choice: one rule per outcome k.
    auto choices = [&](const PeerActor& a, Step step, const std::string& fn) {
        const std::string label(model::step_name(step));
        const StepText t = step_text(step);
        w.line();
        w.line("-- " + a.id + " " + t.head + ":");
        w.line("-- " + t.summary);
        w.line(
            "-- outcome k: cond_resched_lock drops the lock after the k-th page freed (0: never)");
        w.line("ruleset k: choice_t do");
        w.line("  rule " + rule_name(a, step));
        w.line("    pc[" + a.id + "] = " + label + " & k <= free_pages_on_nodes()");
        w.line("  ==>");
        w.line("  begin");
        w.line("    " + fn + "(" + a.id + ", k);");
        w.line("  end;");
        w.line("endruleset;");
    };
    for (const PeerActor& a : p.actors) {
        w.line();
        w.line("-- ---- " + a.describe());
        for_each_step(
            a, kSyntax,
            [&](Step step, const std::string& guard, const std::string& call) {
                rule(a, step, guard, call);
            },
            [&](Step step, const std::string& fn) { choices(a, step, fn); });
    }

    // The initial state (RM §1).
    w.line();
    w.line(
        "-- ---- the initial state (RM §1) -----------------------------------------------------");
    w.line("startstate \"initial state\"");
    w.line("begin");
    w.line("  max_huge_pages := " + str(p.pool) + ";");
    w.line("  nr_overcommit_huge_pages := " + str(sc.overcommit) + ";");
    w.line("  nr_huge_pages := " + str(p.pool) + ";");
    w.line("  free_huge_pages := " + str(p.pool) + ";");
    w.line("  resv_huge_pages := 0;");
    w.line("  surplus_huge_pages := 0;");
    for (std::uint32_t n = 0; n < sc.nodes; ++n) {
        const std::string at = "[" + str(n) + "] := ";
        w.line("  nr_huge_pages_node" + at + str(sc.pool[n]) + ";");
        w.line("  free_huge_pages_node" + at + str(sc.pool[n]) + ";");
        w.line("  surplus_huge_pages_node" + at + "0;");
        w.line("  buddy" + at + str(sc.mem[n] - sc.pool[n]) + ";");
    }
    w.line("  next_nid_to_alloc := 0;");
    w.line("  next_nid_to_free := 0;");
    w.line("  table_data := NO_ACTOR;");
    w.line("  for a: actor_t do");
    w.line("    op[a] := 0;");
    w.line("    pc[a] := IDLE;");
    w.line("    tmp[a] := 0;");
    w.line("    count[a] := 0;");
    w.line("    page_node[a] := NONE;");
    w.line("    min_count[a] := 0;");
    w.line("    ret[a] := 0;");
    w.line("    owned[a] := NONE;");
    w.line("  endfor;");
    w.line("end;");
    w.line();
    w.line(
        "-- ---- P1 nr = Σnode -----------------------------------------------------------------");
    w.line(
        "-- The counters agree with the nodes' (RM §3). The seed violates it, and the counts are");
    w.line("-- taken without it; to check it, remove the comment marker of the invariant.");
    w.line("function nodes_agree(): boolean;");
    w.line("var nr, fr, su: value_t;");
    w.line("begin");
    w.line("  nr := 0;");
    w.line("  fr := 0;");
    w.line("  su := 0;");
    w.line("  for n: node_t do");
    w.line("    nr := nr + nr_huge_pages_node[n];");
    w.line("    fr := fr + free_huge_pages_node[n];");
    w.line("    su := su + surplus_huge_pages_node[n];");
    w.line("  endfor;");
    w.line("  return nr = nr_huge_pages & fr = free_huge_pages & su = surplus_huge_pages;");
    w.line("end;");
    w.line();
    w.line("-- invariant \"P1 nr = Σnode\" nodes_agree();");
    return w.text;
}

}  // namespace hugecheck::peers
