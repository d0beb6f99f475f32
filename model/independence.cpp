#include "model/independence.hpp"

namespace hugecheck::model {

AmpleSets::AmpleSets(const HugetlbModel& model, const Visibility& visible)
    : model_(model), idle_visible_(visible.op_boundaries) {
    const Variant& variant = model.variant();
    for (const StepDef& s : variant.steps()) {
        const Footprint f = variant.footprint(s.label);
        visible_[static_cast<std::size_t>(s.label)] =
            (f.writes & visible.vars) != 0 || (f.events & visible.events) != 0 ||
            (s.ops & visible.ops) != 0 || visible.steps[static_cast<std::size_t>(s.label)] ||
            (visible.op_boundaries && f.ends_op);
    }
    future_.resize(model.actors());
    for (std::uint32_t a = 0; a < model.actors(); ++a) {
        const auto& script = model.scenario().actors[a].script;
        future_[a].assign(script.size() + 1, Footprint{});
        for (std::size_t k = script.size(); k-- > 0;)
            future_[a][k] = future_[a][k + 1] | variant.footprint_of_ops(op_bit(script[k].kind));
    }
}

int AmpleSets::ample_process(const std::byte* state) const {
    const Vars& v = model_.vars();
    const std::uint32_t actors = model_.actors();
    for (std::uint32_t a = 0; a < actors; ++a) {
        if (model_.done(state, a) || model_.blocked_on(state, a)) continue;
        const Step step = model_.next_step(state, a);
        if (visible(step, model_.read(state, v.actor[a].pc) == 0)) continue;
        const Footprint& mine = model_.variant().footprint(step);
        bool alone = true;
        for (std::uint32_t b = 0; b < actors && alone; ++b)
            if (b != a && !independent(mine, future_[b][model_.read(state, v.actor[b].op)]))
                alone = false;
        if (alone) return static_cast<int>(a);
    }
    return -1;
}

bool AmpleSets::progresses(const std::byte* before, const std::byte* after) const {
    const Vars& v = model_.vars();
    auto rank = [&](const std::byte* s) {
        std::uint64_t r = 0;
        for (const ActorSlots& a : v.actor)
            r += 2 * model_.read(s, a.op) + (model_.read(s, a.pc) != 0);
        return r;
    };
    return rank(after) > rank(before);
}

}  // namespace hugecheck::model
