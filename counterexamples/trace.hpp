// A counterexample: the steps from the initial state to a violation, rebuilt from the
// explorer's parent indices, replayed on the model before anyone sees it, and rendered
// as a table that reads like the kernel code, or as JSON (docs/trace-json.md).
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <vector>

#include "explorer/bfs.hpp"
#include "model/hugetlb_model.hpp"
#include "properties/properties.hpp"

namespace hugecheck::counterexamples {

// States in a trace are byte strings of state_bytes() followed by the kPackSlack bytes
// every packed-state buffer carries.
using StateBytes = std::vector<std::byte>;
StateBytes padded_copy(const std::byte* state, std::size_t state_bytes);

struct TraceStep {
    model::Transition transition;
    StateBytes before, after;
};

struct Trace {
    std::size_t property = 0;  // index: P(property + 1)
    explorer::Where where = explorer::Where::state;
    StateBytes initial;
    std::vector<TraceStep> steps;
    std::string violation;  // the line that names the values that break the property
};

using Violation = explorer::Violation<model::Transition>;

// The label of the first edge from `before` to `after`, in the model's successor order.
// Throws std::logic_error if there is none (the store and the model disagree).
model::Transition find_edge(const model::HugetlbModel& m, model::HugetlbModel::Context& ctx,
                            const std::byte* before, const std::byte* after);

// The trace of a violation whose path of states (initial state first; for a transition
// violation up to its source) is known: each step is the first edge between two states.
Trace trace_from_path(const model::HugetlbModel& m, const properties::Checker& checker,
                      const std::vector<const std::byte*>& path, const Violation& v);

// Rebuilds the trace of a violation from the search's path to it (parent indices, or with
// tree compression the levels above it expanded again) and copies of its states.
template <class Search>
Trace build_trace(const model::HugetlbModel& m, const properties::Checker& checker,
                  const Search& search, const Violation& v) {
    std::vector<std::vector<std::byte>> states;
    for (const explorer::StateIndex i : search.path_to(v.state))
        states.push_back(search.state_copy(i));
    std::vector<const std::byte*> path;
    for (const std::vector<std::byte>& s : states)
        path.push_back(s.data());
    return trace_from_path(m, checker, path, v);
}

// Re-executes the trace on the model from its initial state: every step must be an edge
// the model generates with the same label and the same target, and the property must be
// violated at the end. Returns an empty string when it replays, else what went wrong.
std::string replay(const model::HugetlbModel& m, const properties::Checker& checker,
                   const Trace& trace);

// One step as a reader sees it: who did what, in which kernel function, what changed
// (control slots left out) and where the actor goes next.
struct Change {
    model::Slot slot;
    std::uint64_t old_value, new_value;
};
struct StepView {
    std::string actor, label, function, source;
    std::vector<std::string> notes;  // the step's narration (model::HugetlbModel::narrate)
    std::vector<Change> changes;
    std::string control;  // where the actor goes: "B2", "done", "next op UNMAP"
};
StepView describe(const model::HugetlbModel& m, model::HugetlbModel::Context& ctx,
                  const TraceStep& step);
// The changes of a step, one entry each; a run of elements of one array that change alike
// is one entry: "pfn[1..3] contig→tail".
std::vector<std::string> change_entries(const model::HugetlbModel& m, const StepView& v);
// "nr_huge_pages 1→2, surplus_huge_pages_node[1..2] 0→1 (notes) → B3".
std::string changes_text(const model::HugetlbModel& m, const StepView& v);
// The pool-wide variables of a state, per-node arrays folded: "nr_huge_pages_node=[1,0]".
std::string globals_text(const model::HugetlbModel& m, const std::byte* state);
// A slot's value as the JSON carries it (numbers, or names such as "B2"), and every slot.
nlohmann::json value_json(const model::HugetlbModel& m, model::Slot s, std::uint64_t v);
nlohmann::json state_json(const model::HugetlbModel& m, const std::byte* state);

// Preemptions (context bounding's measure, as in CHESS): a step whose actor differs from
// the previous step's while that actor could still have taken a step itself. A switch
// away from an actor that is blocked on a lock, or done, is free.
std::size_t count_preemptions(const model::HugetlbModel& m, const Trace& trace);

// The table: headline, initial values, one row per step, the violation line.
std::string render_table(const model::HugetlbModel& m, const Trace& trace);

// The JSON document for a run's traces (docs/trace-json.md).
nlohmann::json traces_json(const model::HugetlbModel& m, const std::vector<Trace>& traces);

}  // namespace hugecheck::counterexamples
