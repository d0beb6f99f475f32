// The run-time check of declared footprints (model/footprint.hpp): every step is run with
// its reads and writes recorded, and each slot it touched must belong to a variable its
// footprint names (or to its own actor's private locals). Tests run whole state spaces
// through FootprintChecked, so a step that reads a counter it does not declare fails a
// test instead of silently making partial-order reduction unsound.
#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/hugetlb_model.hpp"

namespace hugecheck::model {

class FootprintCheck {
  public:
    explicit FootprintCheck(const HugetlbModel& model);

    // Runs every step enabled in `state`; returns one line per step that touched a
    // variable its footprint does not declare, raised an undeclared event, or completed
    // its op without `ends_op`. What the steps did is added to observed().
    std::vector<std::string> check(HugetlbModel::Context& ctx, const std::byte* state);

    // Per step label: the union of what the checked steps did (a declaration's lower
    // bound; tests print it when a check fails).
    const std::array<Footprint, kStepCount>& observed() const { return observed_; }

  private:
    // What a slot is, seen from a step of actor `a`.
    struct SlotClass {
        bool global = false;
        Var var = Var::max_huge_pages;  // global
        std::uint32_t actor = 0;        // an actor's local
        bool tmp = false;               // that local is tmp
        bool op = false;                // that local is op
    };
    std::string problems_of(const StepRecord& r);

    const HugetlbModel& model_;
    std::vector<SlotClass> slots_;
    std::array<Footprint, kStepCount> observed_{};
};

// The model as a transition system that checks every step it runs (tests; it throws
// std::logic_error at the first undeclared access).
class FootprintChecked {
  public:
    using Label = Transition;
    using Context = HugetlbModel::Context;
    // throw_on_problem = false: only record what the steps do (observed()).
    explicit FootprintChecked(const HugetlbModel& model, bool throw_on_problem = true)
        : model_(model), check_(model), throw_(throw_on_problem) {}

    std::size_t state_bytes() const { return model_.state_bytes(); }
    Context make_context() const { return model_.make_context(); }
    void initial_state(std::byte* out) const { model_.initial_state(out); }
    template <class Sink>
    void for_each_successor(Context& ctx, const std::byte* state, Sink&& sink) const {
        const std::vector<std::string> problems = check_.check(ctx, state);
        if (throw_ && !problems.empty()) throw std::logic_error(problems.front());
        model_.for_each_successor(ctx, state, sink);
    }
    const FootprintCheck& check() const { return check_; }

  private:
    const HugetlbModel& model_;
    mutable FootprintCheck check_;  // one thread: tests run it with --threads 1
    bool throw_;
};

}  // namespace hugecheck::model
