#include "model/variant.hpp"

#include <algorithm>
#include <stdexcept>

namespace hugecheck::model {

std::string_view step_name(Step step) {
    static constexpr std::array<std::string_view, kStepCount> names = {
        "F1",  "B1", "B2",  "B3",  "V1", "V2",  "V3",  "V4", "V5",  "V6", "U1", "U2", "S1",  "S2",
        "N1",  "N2", "R1",  "R4",  "R5", "R5b", "R5c", "R6", "R6f", "R7", "R8", "R9", "R10", "RA",
        "RAf", "RS", "OS1", "OS2", "O1", "G1",  "G2",  "G3", "G4",  "G5", "A1", "A2"};
    const auto i = static_cast<std::size_t>(step);
    return i < names.size() ? names[i] : std::string_view("?");
}

Variant::Variant(std::string name, std::string description, std::string source, Features features,
                 FirstSteps first, std::vector<StepDef> steps)
    : name_(std::move(name)),
      description_(std::move(description)),
      source_(std::move(source)),
      features_(features),
      first_(first),
      steps_(std::move(steps)),
      step_of_pc_{Step::F1} {
    index_.fill(-1);
    for (std::size_t k = 0; k < steps_.size(); ++k) {
        const StepDef& s = steps_[k];
        const auto l = static_cast<std::size_t>(s.label);
        const std::string what = "variant " + name_ + ": step " + std::string(step_name(s.label));
        if (index_[l] >= 0) throw std::logic_error(what + " twice");
        if (s.run == nullptr) throw std::logic_error(what + " has no handler");
        index_[l] = static_cast<int>(k);
        Footprint f = s.footprint;
        // Completing an op resets every local, tmp included, which another actor's S2 may
        // be writing: an op's end writes the actor's tmp.
        if (f.ends_op) f.writes |= bit(Var::own_tmp);
        if ((s.takes & lock::hugetlb) && features_.hugetlb_lock_state)
            f.reads |= bit(Var::hugetlb_lock);
        if ((s.takes & lock::resize) && features_.resize_lock)  // the model sets the owner
            f = f | Footprint{vars({Var::resize_lock}), vars({Var::resize_lock})};
        footprint_[l] = f;
    }
    std::vector<Step> firsts{first.fault, first.unmap, first.resize, first.overcommit,
                             first.resize_node};
    if (features_.gigantic) firsts.insert(firsts.end(), {first.alloc, first.free});
    for (Step f : firsts)
        if (!has(f))
            throw std::logic_error("variant " + name_ + ": first step " +
                                   std::string(step_name(f)) + " is not in the table");
    // An op's first step is taken from idle; a step only ever taken that way needs no pc.
    for (const StepDef& s : steps_) {
        bool waited_at = false;
        for (unsigned k = 0; k < kOpKinds; ++k) {
            const auto op = static_cast<OpKind>(k);
            if ((s.ops & op_bit(op)) && first_step(op) != s.label) waited_at = true;
        }
        if (!waited_at) continue;
        pc_code_[static_cast<std::size_t>(s.label)] = step_of_pc_.size();
        step_of_pc_.push_back(s.label);
    }
}

const StepDef& Variant::step(Step label) const {
    const int i = index_[static_cast<std::size_t>(label)];
    if (i < 0)
        throw std::logic_error("variant " + name_ + " has no step " +
                               std::string(step_name(label)));
    return steps_[static_cast<std::size_t>(i)];
}

Step Variant::first_step(OpKind op) const {
    switch (op) {
        case OpKind::fault: return first_.fault;
        case OpKind::unmap: return first_.unmap;
        case OpKind::resize: return first_.resize;
        case OpKind::overcommit: return first_.overcommit;
        case OpKind::resize_node: return first_.resize_node;
        case OpKind::alloc: return first_.alloc;
        case OpKind::free: return first_.free;
    }
    throw std::logic_error("unknown operation");
}

bool Variant::is_first(Step label) const {
    for (Step f :
         {first_.fault, first_.unmap, first_.resize, first_.overcommit, first_.resize_node})
        if (f == label) return true;
    return features_.gigantic && (label == first_.alloc || label == first_.free);
}

Footprint Variant::footprint_of_ops(OpSet ops) const {
    Footprint f;
    for (const StepDef& s : steps_)
        if (s.ops & ops) f = f | footprint(s.label);
    return f;
}

std::uint64_t Variant::max_pc(OpSet ops) const {
    std::uint64_t max = 0;
    for (const StepDef& s : steps_)
        if (s.ops & ops) max = std::max(max, pc_code(s.label));
    return max;
}

Variant Variant::patched(std::string name, std::string description, std::string source,
                         const std::vector<StepDef>& replaced) const {
    std::vector<StepDef> steps = steps_;
    for (const StepDef& r : replaced) {
        if (!has(r.label))
            throw std::logic_error("variant " + name + ": patches step " +
                                   std::string(step_name(r.label)) + ", which " + name_ +
                                   " does not have");
        steps[static_cast<std::size_t>(index_[static_cast<std::size_t>(r.label)])] = r;
    }
    Variant v(std::move(name), std::move(description), std::move(source), features_, first_,
              std::move(steps));
    v.patch_of_ = name_;
    for (const StepDef& s : v.steps_)
        for (const StepDef& r : replaced)
            if (r.label == s.label) v.patched_steps_.push_back(s.label);
    return v;
}

const Variant& find_variant(std::string_view name) {
    std::string known;
    for (const Variant* v : all_variants()) {
        if (v->name() == name) return *v;
        known += (known.empty() ? "" : ", ") + v->name();
    }
    throw InputError("--variant", 0, "",
                     "unknown variant '" + std::string(name) + "' (known: " + known + ")");
}

}  // namespace hugecheck::model
