// Symmetry reduction over actors: two actors with the same script and the same home node
// run the same code on the same data, so swapping them (their locals, and every variable
// that names an actor: table->data, the lock owners) maps reachable states to reachable
// states, successors to successors and violations to violations. The search then stores
// one state per orbit: the representative in which each class of interchangeable actors
// is sorted by its locals (the variables naming the class's actors are part of the key,
// so actors that tie are identical and either order gives the same bytes). Traces found
// on representatives are mapped back to real actor names by
// counterexamples::trace_from_orbits (every step is re-found on the real states).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/hugetlb_model.hpp"

namespace hugecheck::model {

class ActorSymmetry {
  public:
    explicit ActorSymmetry(const HugetlbModel& model);

    // The classes of interchangeable actors that have two or more members, in index order.
    const std::vector<std::vector<std::uint32_t>>& classes() const { return classes_; }
    bool trivial() const { return classes_.empty(); }
    // "{B, C} (FAULT, UNMAP on node 0)" per class, ", "-separated; "none" when trivial.
    std::string describe() const;

    // Rewrites a packed state (with its kPackSlack) into its orbit's representative.
    void canonicalize(std::byte* state) const;

  private:
    static constexpr std::size_t kKey = 16;  // the locals and the "names me" flags
    const HugetlbModel& model_;
    std::vector<std::vector<std::uint32_t>> classes_;
    std::vector<Slot> refs_;  // variables whose value is encode_index(actor) or kNone
};

}  // namespace hugecheck::model
