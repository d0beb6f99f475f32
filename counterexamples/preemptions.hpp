// The counterexample with the fewest preemptions. Breadth-first search finds a shortest
// trace, but which of the shortest it finds depends on the actor order, and it often
// switches actors more than the bug needs. A trace with fewer preemptions is easier to
// follow: each switch is a point where the reader must remember two actors' positions.
//
// The search here runs over (state, last actor) pairs, in order of (preemptions, length),
// up to a length bound: with the bound at the shortest trace's length it picks the fewest
// preemptions among the shortest traces; with a larger bound it may trade length for fewer
// preemptions. An entry is expanded only if no entry with fewer or equal preemptions
// reached the same pair in as few steps, so every (preemptions, length) trade-off is found.
#pragma once

#include <cstddef>
#include <optional>

#include "counterexamples/trace.hpp"

namespace hugecheck::counterexamples {

struct FewestPreemptions {
    std::optional<Trace> trace;  // none: no violation within the bound, or the budget ran out
    std::size_t pairs = 0;       // (state, last actor) pairs stored
    bool budget_exhausted = false;
};

// A trace that violates `property` (where it breaks as `where` says: in a state, on an
// edge, or in a dead end) in at most `max_length` steps with the fewest preemptions, and
// among those the fewest steps. Gives up (budget_exhausted) after `max_pairs` pairs.
FewestPreemptions fewest_preemptions(const model::HugetlbModel& m,
                                     const properties::Checker& checker, std::size_t property,
                                     explorer::Where where, std::size_t max_length,
                                     std::size_t max_pairs = 4'000'000);

}  // namespace hugecheck::counterexamples
