// Ample sets for partial-order reduction, from the steps' declared footprints
// (model/footprint.hpp). In a state, the enabled step of one actor is an ample set when
//  - C1: it is independent of every step any other actor can still take (each other
//    actor's remaining ops, over-approximated by the footprints of all steps of those
//    ops), so no path that leaves it out can meet a step it conflicts with;
//  - C2: it is invisible to the properties checked (it writes no variable a state
//    property reads, raises no event a transition property sees, is no step a transition
//    property looks at, and under P3 starts or ends no op);
// and C0 (the actor has a successor) and C3 (the cycle proviso: some ample successor is
// new) are checked by the search wrapper (explorer/por.hpp). docs/reductions.md has the
// argument.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "model/hugetlb_model.hpp"

namespace hugecheck::model {

// What the checked properties can see; properties::visibility() computes it.
struct Visibility {
    VarSet vars = 0;             // a step that writes one of these is visible
    std::uint8_t events = 0;     // ... or may raise one of these events
    bool op_boundaries = false;  // ... or starts or may end an op (quiescent states: P3)
    OpSet ops = 0;               // ... or belongs to one of these ops (P6's self-deadlock)
    std::array<bool, kStepCount> steps{};  // ... or is one of these (transition properties)
};

class AmpleSets {
  public:
    AmpleSets(const HugetlbModel& model, const Visibility& visible);

    // The first actor (by index) whose step alone satisfies C1 and C2 in `state`, or -1
    // (explorer/por.hpp calls actors processes).
    int ample_process(const std::byte* state) const;

    // Whether an edge from `before` to `after` makes progress: it raises the rank
    // Σ (2·op + [pc not idle]) over the actors, which no step lowers (an op index only
    // grows, and leaving idle is undone only by completing the op). An edge on a cycle
    // keeps the rank, so a progressing edge needs no cycle proviso (explorer/por.hpp).
    bool progresses(const std::byte* before, const std::byte* after) const;

    // Is the step visible (C2) when taken from idle (`from_idle`) or from a pc?
    bool visible(Step step, bool from_idle) const {
        return visible_[static_cast<std::size_t>(step)] || (from_idle && idle_visible_);
    }
    // Everything actor a can still do from op index k on (k = script length: nothing).
    const Footprint& future(std::uint32_t a, std::uint64_t k) const { return future_[a][k]; }

  private:
    const HugetlbModel& model_;
    std::array<bool, kStepCount> visible_{};
    bool idle_visible_ = false;
    std::vector<std::vector<Footprint>> future_;  // [actor][op index]
};

}  // namespace hugecheck::model
