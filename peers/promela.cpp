#include "peers/promela.hpp"

#include <string_view>
#include <vector>

#include "peers/common.hpp"

namespace hugecheck::peers {

namespace {

using model::OpKind;
using model::Step;

// Promela's keywords (and cpp's), and every identifier the model below defines: an
// actor's name must be none of them.
const std::vector<std::string_view> kKeywords = {
    "active",   "assert",   "atomic", "bit",          "bool",         "break",   "byte",
    "chan",     "c_code",   "c_decl", "c_expr",       "c_state",      "c_track", "d_proctype",
    "d_step",   "do",       "else",   "empty",        "enabled",      "eval",    "false",
    "fi",       "for",      "full",   "get_priority", "goto",         "hidden",  "if",
    "in",       "init",     "inline", "int",          "len",          "local",   "ltl",
    "mtype",    "nempty",   "never",  "nfull",        "notrace",      "np_",     "od",
    "of",       "pc_value", "pid",    "print",        "printf",       "printm",  "priority",
    "proctype", "provided", "run",    "select",       "set_priority", "short",   "show",
    "skip",     "timeout",  "trace",  "true",         "typedef",      "unless",  "unsigned",
    "xr",       "xs",       "end",    "define",       "include",      "ifdef",   "ifndef",
    "endif",    "undef"};
const std::vector<std::string_view> kIdentifiers = {
    "hugetlb",
    // constants, macros
    "N", "NACTORS", "NONE", "NO_ACTOR", "MAX_FREES", "ULT", "UGT", "UMAX", "HOME_FIRST",
    "persistent_huge_pages", "free_pages_on_nodes",
    // variables
    "max_huge_pages", "nr_overcommit_huge_pages", "nr_huge_pages", "free_huge_pages",
    "resv_huge_pages", "surplus_huge_pages", "nr_huge_pages_node", "free_huge_pages_node",
    "surplus_huge_pages_node", "buddy", "next_nid_to_alloc", "next_nid_to_free", "table_data", "op",
    "pc", "tmp", "count", "page_node", "min_count", "ret", "owned", "nid", "tries", "found",
    "frees", "dropped",
    // inlines and their parameters
    "complete", "find_node_in_cursor_order", "find_node_home_first", "free_huge_page",
    "adjust_pool_surplus_down", "adjust_pool_surplus_up", "free_pool_huge_page", "finish",
    "shrink_loop", "grow_check", "cursor", "pick", "home", "a", "k", "n", "v", "x", "y", "i",
    // (the step functions and pc labels both languages use: peers::kStepNames)
};

// The fixed part: unsigned long arithmetic and the kernel functions as inlines. Each inline
// runs inside one d_step; `a` is the actor, `home` its home node, `k` the outcome of the
// cond_resched_lock choice.
constexpr std::string_view kKernel = R"pml(
/* ---- unsigned long -------------------------------------------------------------------
 * The RM's counters are unsigned long and wrap modulo 2^64: a decrement at 0 gives
 * 2^64 - 1. Here, as in hugecheck's packed state, they are small two's-complement
 * integers, a negative v standing for 2^64 + v; so every comparison of the RM is made
 * unsigned: a negative value is above every non-negative one. ("x > 0" on an unsigned long
 * is "x != 0".) ULT has no conditional expression: SPIN misparses one whose branches are
 * comparisons when it is an argument of an inline. */
#define ULT(x, y) ((((x) >= 0) && ((y) < 0)) || ((((x) < 0) == ((y) < 0)) && ((x) < (y))))
#define UGT(x, y) ULT(y, x)
#define UMAX(x, y) (ULT(x, y) -> (y) : (x))

/* persistent_huge_pages(h) */
#define persistent_huge_pages (nr_huge_pages - surplus_huge_pages)

/* home-first order (alloc_pages with the local node preferred): the i-th node tried is
 * the home node, then the other nodes in ascending id */
#define HOME_FIRST(home, i) ((i) == 0 -> (home) : ((i) - 1 < (home) -> (i) - 1 : (i)))

/* ---- mm/hugetlb.c, cut as the RM cuts it ------------------------------------------ */

/* The op ends: the next op, and every local but owned back to 0/none (the RM's
 * canonical form: states that differ only in dead locals are one state). */
inline complete(a) {
    op[a]++;
    pc[a] = IDLE;
    tmp[a] = 0;
    count[a] = 0;
    page_node[a] = NONE;
    min_count[a] = 0;
    ret[a] = 0
}

/* for_each_node_mask_to_alloc / _to_free over every node: nid = cursor, the cursor moves
 * to the next node, try nid; at most N tries. found: pick holds for nid. */
inline find_node_in_cursor_order(cursor, pick) {
    found = false;
    tries = 0;
    do
    :: !found && tries < N ->
        nid = cursor;
        cursor = (nid + 1) % N;
        tries++;
        found = (pick)
    :: else -> break
    od
}

/* The nodes in home-first order. found: pick holds for nid. */
inline find_node_home_first(home, pick) {
    found = false;
    tries = 0;
    do
    :: !found && tries < N ->
        nid = HOME_FIRST(home, tries);
        tries++;
        found = (pick)
    :: else -> break
    od
}

/* free_huge_page() of a page on node n: a page of a node with surplus goes back to the
 * buddy allocator (update_and_free_page, surplus--); any other is enqueued. */
inline free_huge_page(n) {
    if
    :: surplus_huge_pages_node[n] != 0 ->
        nr_huge_pages--;
        nr_huge_pages_node[n]--;
        surplus_huge_pages--;
        surplus_huge_pages_node[n]--;
        buddy[n]++
    :: else ->
        free_huge_pages++;
        free_huge_pages_node[n]++
    fi
}

/* adjust_pool_surplus(-1): the first node in cursor order on next_nid_to_alloc with a
 * surplus page; the page becomes persistent. found: it succeeded. */
inline adjust_pool_surplus_down() {
    find_node_in_cursor_order(next_nid_to_alloc, surplus_huge_pages_node[nid] != 0);
    if
    :: found ->
        surplus_huge_pages--;
        surplus_huge_pages_node[nid]--
    :: else -> skip
    fi
}

/* adjust_pool_surplus(+1): the first node in cursor order on next_nid_to_free with
 * surplus_huge_pages_node < nr_huge_pages_node; a page becomes surplus. */
inline adjust_pool_surplus_up() {
    find_node_in_cursor_order(next_nid_to_free,
                              ULT(surplus_huge_pages_node[nid], nr_huge_pages_node[nid]));
    if
    :: found ->
        surplus_huge_pages++;
        surplus_huge_pages_node[nid]++
    :: else -> skip
    fi
}

/* free_pool_huge_page(acct_surplus = 0): the first node in cursor order on
 * next_nid_to_free with a free page gives it back to the buddy allocator. */
inline free_pool_huge_page() {
    find_node_in_cursor_order(next_nid_to_free, free_huge_pages_node[nid] != 0);
    if
    :: found ->
        free_huge_pages--;
        free_huge_pages_node[nid]--;
        nr_huge_pages--;
        nr_huge_pages_node[nid]--;
        buddy[nid]++
    :: else -> skip
    fi
}

/* set_max_huge_pages, the end of the section: while (count < persistent_huge_pages(h))
 * adjust_pool_surplus(+1), until it fails; ret = persistent_huge_pages(h); unlock: R10. */
inline finish(a) {
    do
    :: ULT(count[a], persistent_huge_pages) ->
        adjust_pool_surplus_up();
        if
        :: !found -> break
        :: else -> skip
        fi
    :: else -> break
    od;
    ret[a] = persistent_huge_pages;
    pc[a] = R10
}

/* The shrink loop: while (min_count < persistent_huge_pages(h)) free_pool_huge_page(),
 * leaving the loop if it fails, and cond_resched_lock(&hugetlb_lock) after every page
 * freed, the last one included. cond_resched_lock is the RM's choice: this is outcome k,
 * which drops the lock after the k-th page freed (the step ends there, the actor waits at
 * R7); outcome 0 never drops it. An outcome k beyond the pages the loop frees is outcome
 * 0 again (the same successor, no new state). Then finish. */
inline shrink_loop(a, k) {
    frees = 0;
    dropped = false;
    do
    :: !dropped && ULT(min_count[a], persistent_huge_pages) ->
        free_pool_huge_page();
        if
        :: !found -> break
        :: else ->
            frees++;
            if
            :: frees == k ->
                pc[a] = R7;
                dropped = true
            :: else -> skip
            fi
        fi
    :: else -> break
    od;
    if
    :: !dropped -> finish(a)
    :: else -> skip
    fi
}

/* The grow check: count > persistent_huge_pages(h): unlock and allocate (R4). Else shrink
 * in the same section: min_count = max(count, resv + nr - free in use), the shrink loop. */
inline grow_check(a, k) {
    if
    :: UGT(count[a], persistent_huge_pages) -> pc[a] = R4
    :: else ->
        min_count[a] = UMAX(count[a], resv_huge_pages + nr_huge_pages - free_huge_pages);
        shrink_loop(a, k)
    fi
}

/* ---- the RM's steps ------------------------------------------------------------------ */

/* F1: if free - resv > 0, take a free page of the first node in home-first order that
 * has one; else B1. */
inline F1_dequeue_huge_page_vma(a, home) {
    found = false;
    if
    :: free_huge_pages - resv_huge_pages != 0 ->
        find_node_home_first(home, free_huge_pages_node[nid] != 0)
    :: else -> skip
    fi;
    if
    :: found ->
        free_huge_pages--;
        free_huge_pages_node[nid]--;
        owned[a] = nid;
        complete(a)
    :: else -> pc[a] = B1
    fi
}

/* B1: fail (ENOSPC) if surplus >= overcommit; else "assume we will successfully
 * allocate": nr++, surplus++. */
inline B1_alloc_buddy_huge_page(a) {
    if
    :: !ULT(surplus_huge_pages, nr_overcommit_huge_pages) -> complete(a)
    :: else ->
        nr_huge_pages++;
        surplus_huge_pages++;
        pc[a] = B2
    fi
}

/* B2 (unlocked): a buddy block of the first node in home-first order that has one. */
inline B2_alloc_pages(a, home) {
    find_node_home_first(home, buddy[nid] != 0);
    if
    :: found ->
        buddy[nid]--;
        page_node[a] = nid
    :: else -> page_node[a] = NONE
    fi;
    pc[a] = B3
}

/* B3: account the page on its node; no page: undo the B1 bump (the fault fails). */
inline B3_alloc_buddy_huge_page(a) {
    if
    :: page_node[a] != NONE ->
        nr_huge_pages_node[page_node[a]]++;
        surplus_huge_pages_node[page_node[a]]++;
        owned[a] = page_node[a]
    :: else ->
        nr_huge_pages--;
        surplus_huge_pages--
    fi;
    complete(a)
}

/* U1: the last reference of the owned page goes. */
inline U1_free_huge_page(a) {
    if
    :: owned[a] != NONE ->
        free_huge_page(owned[a]);
        owned[a] = NONE
    :: else -> skip
    fi;
    complete(a)
}

/* S1 (unlocked): tmp = max_huge_pages; table->data = &tmp, in the one ctl_table every
 * writer of nr_hugepages shares. */
inline S1_hugetlb_sysctl_handler_common(a) {
    tmp[a] = max_huge_pages;
    table_data = a;
    pc[a] = S2
}

/* S2 (unlocked): the write of v lands in the tmp table->data points at: another actor's,
 * if its S1 came later, even one whose op has completed. */
inline S2_proc_doulongvec_minmax(a, v) {
    tmp[table_data] = v;
    pc[a] = R1
}

/* R1: count = tmp; convert surplus pages while count > persistent (adjust_pool_surplus(-1),
 * leaving the loop if it fails); then the grow check, in the same section. */
inline R1_set_max_huge_pages(a, k) {
    count[a] = tmp[a];
    do
    :: surplus_huge_pages != 0 && UGT(count[a], persistent_huge_pages) ->
        adjust_pool_surplus_down();
        if
        :: !found -> break
        :: else -> skip
        fi
    :: else -> break
    od;
    grow_check(a, k)
}

/* R4 (unlocked): a buddy block of the first node in cursor order on next_nid_to_alloc
 * that has one: R5; none: R6f. */
inline R4_alloc_fresh_huge_page(a) {
    find_node_in_cursor_order(next_nid_to_alloc, buddy[nid] != 0);
    if
    :: found ->
        buddy[nid]--;
        page_node[a] = nid;
        pc[a] = R5
    :: else -> pc[a] = R6f
    fi
}

/* R5: nr++, nr_huge_pages_node++. */
inline R5_prep_new_huge_page(a) {
    nr_huge_pages++;
    nr_huge_pages_node[page_node[a]]++;
    pc[a] = R5b
}

/* R5b: put_page of the new page: free_huge_page as in U1. */
inline R5b_free_huge_page(a) {
    free_huge_page(page_node[a]);
    page_node[a] = NONE;
    pc[a] = R6
}

/* R6: the lock again after a successful allocation: the grow check again. */
inline R6_set_max_huge_pages(a, k) {
    grow_check(a, k)
}

/* R6f: the lock again after a failed allocation: goto out. */
inline R6f_set_max_huge_pages(a) {
    ret[a] = persistent_huge_pages;
    pc[a] = R10
}

/* R7: the re-lock inside cond_resched_lock: the shrink loop goes on with the stored
 * min_count. */
inline R7_cond_resched_lock(a, k) {
    shrink_loop(a, k)
}

/* R10 (unlocked): max_huge_pages = ret, after the lock is dropped. */
inline R10_nr_hugepages_store_common(a) {
    max_huge_pages = ret[a];
    complete(a)
}

/* O1: nr_overcommit_huge_pages = v. */
inline O1_hugetlb_overcommit_handler(a, v) {
    nr_overcommit_huge_pages = v;
    complete(a)
}
)pml";

class Writer {
  public:
    std::string text;
    void line(const std::string& s = "") { text += s + "\n"; }
};

// The smallest Promela integer type that holds a range; throws if none does.
std::string type_for(const Range& r, const model::Scenario& sc, const std::string& what) {
    if (r.lo >= 0 && r.hi <= 255) return "byte";
    if (r.lo >= -32768 && r.hi <= 32767) return "short";
    if (r.lo >= -(std::int64_t{1} << 31) && r.hi < (std::int64_t{1} << 31)) return "int";
    throw InputError(sc.source, 0, "",
                     "export --promela: " + what + " need " + std::to_string(r.bits) +
                         "-bit values, more than Promela's 32-bit int holds");
}

std::string array_init(const std::vector<std::uint64_t>& values) {
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i)
        out += (i == 0 ? "" : ", ") + str(values[i]);
    return out + "}";
}

const ExprSyntax kSyntax{" == ", " || ", " -> ", " : ", " && "};

}  // namespace

std::string to_promela(const model::Scenario& sc) {
    const PeerScenario p = describe_scenario(sc, "--promela", kKeywords, kIdentifiers);
    const std::string counter = type_for(p.counter, sc, "the counters");
    const std::string node_counter = type_for(p.node_counter, sc, "the node counters");
    const std::string local = type_for(p.local, sc, "the locals");
    const std::size_t actors = p.actors.size();
    Writer w;

    // Header.
    w.line("/*");
    w.line(" * The hugetlb reference model (RM, ../shared/spec/reference-model.md; hugecheck's");
    w.line(" * variant seed) of one scenario, in Promela for SPIN.");
    w.line(" * Generated by hugecheck: hugecheck export --promela --scenario " + sc.name);
    w.line(" *");
    for (const std::string& l : scenario_lines(p))
        w.line(" * " + l);
    w.line(" *");
    w.line(" * One process; every RM step of every actor is one d_step (one per outcome of a");
    w.line(" * step's cond_resched_lock choice), the RM's variables are the globals and the");
    w.line(" * steps' scratch is hidden, so SPIN stores exactly the RM's states: its \"states,");
    w.line(" * stored\" is the count of hugecheck check --scenario " + sc.name +
           " --no-properties.");
    w.line(" *");
    w.line(" *   spin -a " + p.file_stem + ".pml");
    w.line(" *   gcc -O2 -DNOREDUCE -DSAFETY -DMEMLIM=16384 -o pan pan.c");
    w.line(" *   ./pan -m1000000 -w24");
    w.line(" *");
    w.line(" * (-w: log2 of the hash table's slots; -m: the depth bound, above the longest path.)");
    w.line(" * docs/peers.md describes the encoding.");
    w.line(" */");
    w.line();

    // Constants.
    w.line("#define N " + str(sc.nodes) + " /* nodes */");
    w.line("#define NACTORS " + str(actors));
    w.line("#define NONE N /* page_node, owned: no page */");
    w.line("#define NO_ACTOR NACTORS /* table_data: no actor's tmp */");
    w.line("#define MAX_FREES " + str(p.max_frees) +
           " /* Σ mem: the most pages one shrink loop can free */");
    w.line();
    w.line("/* the actors */");
    for (std::size_t a = 0; a < actors; ++a)
        w.line("#define " + p.actors[a].id + " " + str(a));
    w.line();
    w.line("/* pc: the step an actor waits at; IDLE between ops (F1, U1, S1, O1 start an op) */");
    for (std::size_t i = 0; i < std::size(kPcLabels); ++i)
        w.line("#define " + std::string(kPcLabels[i]) + " " + str(i));
    w.line();
    std::string sum;
    for (std::uint32_t n = 0; n < sc.nodes; ++n)
        sum += (n == 0 ? "" : " + ") + ("free_huge_pages_node[" + str(n) + "]");
    w.line("/* the free pages on the nodes' lists: each page one shrink loop frees is one of them");
    w.line(" * (free_huge_pages_node[] never goes below 0: it is decremented only when non-zero),");
    w.line(" * so outcome k of a cond_resched_lock choice needs k of them */");
    w.line("#define free_pages_on_nodes (" + sum + ")");

    // Variables.
    std::vector<std::uint64_t> buddy, zeros(sc.nodes, 0);
    for (std::uint32_t n = 0; n < sc.nodes; ++n)
        buddy.push_back(sc.mem[n] - sc.pool[n]);
    auto range = [](const Range& r) {
        return r.bits == 0
                   ? std::string("always 0")
                   : str(r.bits) + " bits, " + std::to_string(r.lo) + ".." + std::to_string(r.hi);
    };
    w.line();
    w.line("/* struct hstate. Counters " + counter + " (hugecheck packs them in " +
           range(p.counter) + "), the node");
    w.line(" * counters " + node_counter + " (" + range(p.node_counter) + "). */");
    w.line(counter + " max_huge_pages = " + str(p.pool) + ";");
    w.line(counter + " nr_overcommit_huge_pages = " + str(sc.overcommit) + ";");
    w.line(counter + " nr_huge_pages = " + str(p.pool) + ";");
    w.line(counter + " free_huge_pages = " + str(p.pool) + ";");
    w.line(counter + " resv_huge_pages = 0; /* the RM's faults reserve nothing: always 0 */");
    w.line(counter + " surplus_huge_pages = 0;");
    w.line(node_counter + " nr_huge_pages_node[N] = " + array_init(sc.pool) + ";");
    w.line(node_counter + " free_huge_pages_node[N] = " + array_init(sc.pool) + ";");
    w.line(counter + " surplus_huge_pages_node[N] = " + array_init(zeros) + ";");
    w.line("byte next_nid_to_alloc = 0;");
    w.line("byte next_nid_to_free = 0;");
    w.line("/* the buddy allocator: node n's free huge-page-sized blocks (mem - pool at start) */");
    w.line(node_counter + " buddy[N] = " + array_init(buddy) + ";");
    w.line("/* the ctl_table of nr_hugepages, one for every writer: whose tmp .data points at;");
    w.line(" * never reset */");
    w.line("byte table_data = NO_ACTOR;");
    w.line();
    w.line("/* Each actor: op, the index of its current (or next) op in its script, done at the");
    w.line(" * script's end; pc; the locals of the kernel functions (" + local + ", " +
           range(p.local) + "); owned, the");
    w.line(" * node of the huge page it holds, which survives its op. */");
    w.line("byte op[NACTORS] = 0;");
    w.line("byte pc[NACTORS] = IDLE;");
    w.line(local + " tmp[NACTORS] = 0; /* hugetlb_sysctl_handler_common's tmp */");
    w.line(local + " count[NACTORS] = 0;");
    w.line("byte page_node[NACTORS] = NONE;");
    w.line(local + " min_count[NACTORS] = 0;");
    w.line(local + " ret[NACTORS] = 0;");
    w.line("byte owned[NACTORS] = NONE;");
    w.line();
    w.line("/* a step's scratch: not part of the state */");
    w.line("hidden byte nid; /* the node a search found */");
    w.line("hidden byte tries; /* the nodes it tried */");
    w.line("hidden byte found; /* it found one */");
    w.line("hidden int frees; /* pages the shrink loop freed in this step */");
    w.line("hidden byte dropped; /* cond_resched_lock dropped the lock */");
    w.text += kKernel;

    // The process: one option per actor, step and choice outcome.
    w.line();
    w.line("/* ---- the actors ------------------------------------------------------------------");
    w.line(" * Each option is one RM step of one actor: a d_step whose first statement is its");
    w.line(" * guard. After it, the process is back at the loop: its pc never differs between");
    w.line(" * states, so SPIN's state vector is the RM's state. */");
    w.line("active proctype hugetlb()");
    w.line("{");
    w.line("end:");
    w.line("    do");
    auto comment = [&](const PeerActor& a, Step step) {
        const StepText t = step_text(step);
        w.line("    /* " + a.id + " " + t.head + ":");
        w.line("     * " + t.summary + " */");
    };
    auto option = [&](const PeerActor& a, Step step, const std::string& guard,
                      const std::string& call) {
        comment(a, step);
        w.line("    :: d_step { " + guard + " -> " + call + " }");
    };
    // A step with the cond_resched_lock choice: outcome k = 0 .. MAX_FREES.
    auto choices = [&](const PeerActor& a, Step step, const std::string& label,
                       const std::string& fn) {
        comment(a, step);
        w.line(
            "    /* outcome k: cond_resched_lock drops the lock after the k-th page freed (0: "
            "never) */");
        const std::string at = "pc[" + a.id + "] == " + label;
        for (std::uint64_t k = 0; k <= p.max_frees; ++k)
            w.line("    :: d_step { " + at +
                   (k == 0 ? "" : " && free_pages_on_nodes >= " + str(k)) + " -> " + fn + "(" +
                   a.id + ", " + str(k) + ") }");
    };
    for (const PeerActor& a : p.actors) {
        w.line();
        w.line("    /* ---- " + a.describe() + " */");
        for_each_step(
            a, kSyntax,
            [&](Step step, const std::string& guard, const std::string& call) {
                option(a, step, guard, call);
            },
            [&](Step step, const std::string& fn) {
                choices(a, step, std::string(model::step_name(step)), fn);
            });
    }
    // SPIN's dead variable elimination (off with spin -o2) leaves a global that no
    // statement reads out of the state vector, which merges states that differ only in
    // it: owned when no actor unmaps, nr_overcommit_huge_pages when none faults.
    w.line();
    w.line("    /* Not a step (its guard is never true): it reads every variable of the state.");
    w.line("     * SPIN leaves a variable that no statement reads out of the state vector (dead");
    w.line("     * variable elimination, spin -o2 turns it off), which would make states that");
    w.line("     * differ only in it one: owned when no actor unmaps, nr_overcommit_huge_pages");
    w.line("     * when none faults. */");
    w.line("    :: d_step { pc[0] > R10 &&");
    w.line("                max_huge_pages + nr_overcommit_huge_pages + nr_huge_pages +");
    w.line("                free_huge_pages + resv_huge_pages + surplus_huge_pages +");
    w.line("                nr_huge_pages_node[0] + free_huge_pages_node[0] +");
    w.line("                surplus_huge_pages_node[0] + buddy[0] + next_nid_to_alloc +");
    w.line("                next_nid_to_free + table_data + op[0] + tmp[0] + count[0] +");
    w.line("                page_node[0] + min_count[0] + ret[0] + owned[0] != 0 -> skip }");
    w.line("    od");
    w.line("}");
    return w.text;
}

}  // namespace hugecheck::peers
