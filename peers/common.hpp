// What the Promela and Murphi exporters share: the checks that a scenario is one the
// reference model (RM) covers, identifiers for the actors, the value ranges of the
// variables (hugecheck's own packed layout), and the header that says where a model comes
// from. docs/peers.md describes the encoding.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "model/scenario.hpp"
#include "model/variant.hpp"

namespace hugecheck::peers {

// The control points of an actor in the exported models, in pc order: IDLE between ops
// (F1, U1, S1 and O1 are taken from there), then the RM step an actor waits at.
// The names both models give the steps' functions and the pc labels; an actor's identifier
// must not be one of them (describe_scenario sees to it).
inline constexpr std::string_view kStepNames[] = {"F1_dequeue_huge_page_vma",
                                                  "B1_alloc_buddy_huge_page",
                                                  "B2_alloc_pages",
                                                  "B3_alloc_buddy_huge_page",
                                                  "U1_free_huge_page",
                                                  "S1_hugetlb_sysctl_handler_common",
                                                  "S2_proc_doulongvec_minmax",
                                                  "R1_set_max_huge_pages",
                                                  "R4_alloc_fresh_huge_page",
                                                  "R5_prep_new_huge_page",
                                                  "R5b_free_huge_page",
                                                  "R6_set_max_huge_pages",
                                                  "R6f_set_max_huge_pages",
                                                  "R7_cond_resched_lock",
                                                  "R10_nr_hugepages_store_common",
                                                  "O1_hugetlb_overcommit_handler",
                                                  "IDLE",
                                                  "B1",
                                                  "B2",
                                                  "B3",
                                                  "S2",
                                                  "R1",
                                                  "R4",
                                                  "R5",
                                                  "R5b",
                                                  "R6",
                                                  "R6f",
                                                  "R7",
                                                  "R10"};

inline constexpr std::string_view kPcLabels[] = {"IDLE", "B1",  "B2", "B3",  "S2", "R1", "R4",
                                                 "R5",   "R5b", "R6", "R6f", "R7", "R10"};

// The values a group of variables can hold: hugecheck's field width (two's complement for
// a counter, so -1 is the wrapped 2^64 - 1), as a range. Width 0: always 0.
struct Range {
    unsigned bits = 0;
    std::int64_t lo = 0, hi = 0;
};

struct PeerActor {
    std::string id;  // its identifier in the generated model (the name, if it can be one)
    const model::Actor* actor = nullptr;
    bool has(model::OpKind kind) const;
    std::vector<std::uint32_t> ops_of(model::OpKind kind) const;  // script indices
    // "A, home 0: FAULT, UNMAP, FAULT" ("R1 (as actor_0), home 0: ..." when renamed)
    std::string describe() const;
};

struct PeerScenario {
    const model::Scenario* sc = nullptr;
    std::vector<PeerActor> actors;
    std::uint64_t max_frees = 0;  // Σ mem: the most pages one shrink loop can free
    std::uint64_t pool = 0;       // Σ pool
    std::uint32_t max_script = 0;
    Range counter;          // the global counters, surplus_huge_pages_node[] (pool-wide)
    Range node_counter;     // nr_huge_pages_node[], free_huge_pages_node[], buddy[]
    Range local;            // tmp, count, min_count, ret
    std::string file_stem;  // the scenario's name, usable as a file name
};

// Checks that the RM covers the scenario (no [gigantic] table; only FAULT, UNMAP,
// RESIZE(v) and OVERCOMMIT(v)) and describes it for an exporter. `format` names the
// exporter in messages. An actor's name must not be one of the language's `keywords`
// (compared ignoring case: Murphi's are not case-sensitive) or of the `identifiers` the
// exporter generates. Throws InputError.
PeerScenario describe_scenario(const model::Scenario& scenario, std::string_view format,
                               const std::vector<std::string_view>& keywords,
                               const std::vector<std::string_view>& identifiers);

// The header's description of the scenario, one line each, without comment markers.
std::vector<std::string> scenario_lines(const PeerScenario& p);

// A step as hugecheck's seed table names it, for the comment above its rule: the head
// "F1 dequeue_huge_page_vma (seed 002:63-68)" and the summary "take a free page, ...".
struct StepText {
    std::string head, summary;
};
StepText step_text(model::Step step);

// "[4, 4, 3]"
std::string list(const std::vector<std::uint64_t>& values);

inline std::string str(std::uint64_t v) {
    return std::to_string(v);
}

// How a language writes the two expressions below: equality, disjunction, and a
// conditional expression `c then a else b` (Murphi: " = ", " | ", " ? ", " : ").
struct ExprSyntax {
    std::string_view eq, disjunction, then, otherwise, conjunction;
};
// "(op[A] = 0 | op[A] = 2)": the actor is at one of these ops.
std::string op_is(const PeerActor& a, const std::vector<std::uint32_t>& ops, const ExprSyntax& x);
// The value of the actor's current op of this kind: "5", or "(op[E] = 0 ? 5 : 1)".
std::string op_value(const PeerActor& a, model::OpKind kind, const ExprSyntax& x);

// The RM steps of one actor, in the order both models list them: `step(step, guard, call)`
// for a step without choices (guard and call in the language's syntax), and
// `choices(step, function)` for the steps with the cond_resched_lock choice (R1, R6, R7),
// which each language writes as one transition per outcome.
void for_each_step(
    const PeerActor& a, const ExprSyntax& x,
    const std::function<void(model::Step, const std::string&, const std::string&)>& step,
    const std::function<void(model::Step, const std::string&)>& choices);

}  // namespace hugecheck::peers
