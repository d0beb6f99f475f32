// Traces found under symmetry reduction (explorer/symmetry.hpp) are paths of orbit
// representatives, whose actors may be swapped from one state to the next. This maps
// such a path back to real states and real actor names: from the model's own initial
// state, each step is the first edge of the real state whose successor has the next
// representative as its orbit's. Symmetry guarantees one exists; the result is an
// ordinary trace that replays on the model.
#pragma once

#include <vector>

#include "counterexamples/trace.hpp"
#include "model/symmetry.hpp"

namespace hugecheck::counterexamples {

// `path`: representatives from the initial state's to the violating state (for a
// transition violation, to its source); `v` the search's violation, over representatives.
Trace trace_from_orbits(const model::HugetlbModel& m, const model::ActorSymmetry& symmetry,
                        const properties::Checker& checker,
                        const std::vector<const std::byte*>& path, const Violation& v);

template <class Search>
Trace build_trace_from_orbits(const model::HugetlbModel& m, const model::ActorSymmetry& symmetry,
                              const properties::Checker& checker, const Search& search,
                              const Violation& v) {
    std::vector<StateBytes> states;
    for (const explorer::StateIndex i : search.path_to(v.state))
        states.push_back(padded_copy(search.store().state(i), m.state_bytes()));
    std::vector<const std::byte*> path;
    for (const StateBytes& s : states)
        path.push_back(s.data());
    return trace_from_orbits(m, symmetry, checker, path, v);
}

}  // namespace hugecheck::counterexamples
