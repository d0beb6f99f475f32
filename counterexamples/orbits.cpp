#include "counterexamples/orbits.hpp"

#include <cstring>
#include <stdexcept>

namespace hugecheck::counterexamples {

Trace trace_from_orbits(const model::HugetlbModel& m, const model::ActorSymmetry& symmetry,
                        const properties::Checker& checker,
                        const std::vector<const std::byte*>& path, const Violation& v) {
    const std::size_t bytes = m.state_bytes();
    model::HugetlbModel::Context ctx = m.make_context();
    StateBytes real(bytes + model::kPackSlack), canonical(bytes + model::kPackSlack);
    m.initial_state(real.data());
    auto same_orbit = [&](const std::byte* s, const std::byte* representative) {
        std::memcpy(canonical.data(), s, bytes);
        symmetry.canonicalize(canonical.data());
        return std::memcmp(canonical.data(), representative, bytes) == 0;
    };
    if (!same_orbit(real.data(), path.front()))
        throw std::logic_error("symmetry: the initial state is not in the first orbit");
    // The real states, from which the ordinary trace is built.
    std::vector<StateBytes> states{real};
    for (std::size_t k = 1; k < path.size(); ++k) {
        StateBytes next;
        m.for_each_successor(ctx, states.back().data(),
                             [&](const std::byte* succ, const model::Transition&) {
                                 if (next.empty() && same_orbit(succ, path[k]))
                                     next = padded_copy(succ, bytes);
                             });
        if (next.empty()) throw std::logic_error("symmetry: no edge into the next orbit");
        states.push_back(std::move(next));
    }
    std::vector<const std::byte*> real_path;
    for (const StateBytes& s : states)
        real_path.push_back(s.data());
    if (v.where != explorer::Where::transition) return trace_from_path(m, checker, real_path, v);
    // The violating edge: one from the real source into the successor's orbit that
    // violates the property.
    Violation real_v = v;
    bool found = false;
    m.for_each_successor(ctx, states.back().data(),
                         [&](const std::byte* succ, const model::Transition& t) {
                             if (found || !same_orbit(succ, v.successor.data())) return;
                             const properties::PropertySet bad =
                                 checker.transition_violations(states.back().data(), succ, t);
                             if (!(bad & properties::bit(v.property))) return;
                             real_v.label = t;
                             real_v.successor = padded_copy(succ, bytes);
                             found = true;
                         });
    if (!found) throw std::logic_error("symmetry: no violating edge into the last orbit");
    return trace_from_path(m, checker, real_path, real_v);
}

}  // namespace hugecheck::counterexamples
