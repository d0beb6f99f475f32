#include "model/symmetry.hpp"

#include "model/input_error.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <tuple>

namespace hugecheck::model {

namespace {

std::array<Slot, 13> locals(const ActorSlots& s) {
    return {s.op,      s.pc,    s.tmp,       s.count,        s.page_node,      s.min_count,
            s.ret,     s.owned, s.page_list, s.gigantic_pfn, s.gigantic_tries, s.normal_page,
            s.reserved};
}

}  // namespace

ActorSymmetry::ActorSymmetry(const HugetlbModel& model) : model_(model) {
    const Scenario& sc = model.scenario();
    // Actors with equal scripts and homes, in order of their first member.
    std::map<std::tuple<std::uint32_t, std::vector<std::tuple<int, std::uint64_t, std::uint32_t>>>,
             std::vector<std::uint32_t>>
        by_behaviour;
    std::vector<std::vector<std::uint32_t>*> order;
    for (std::uint32_t a = 0; a < sc.actors.size(); ++a) {
        std::vector<std::tuple<int, std::uint64_t, std::uint32_t>> script;
        for (const Operation& op : sc.actors[a].script)
            script.emplace_back(static_cast<int>(op.kind), op.value, op.node);
        // The policy is part of the behaviour: bound and unbound actors differ.
        auto& members = by_behaviour[{sc.actors[a].home * 2 + (sc.actors[a].bind ? 1 : 0), script}];
        if (members.empty()) order.push_back(&members);
        members.push_back(a);
    }
    for (const auto* members : order)
        if (members->size() > 1) classes_.push_back(*members);
    // Frames name the actor that holds them: a permutation of actors would have to rename
    // them too, which the orbit representatives here do not do.
    if (sc.frames && !classes_.empty())
        throw InputError("--symmetry", 0, "",
                         "cannot be used with pages with identity (frames name their holders)");
    const Vars& v = model.vars();
    refs_ = {v.table_data, v.overcommit_table_data, v.hugetlb_lock, v.resize_lock};
}

std::string ActorSymmetry::describe() const {
    if (classes_.empty()) return "none";
    std::string out;
    for (const auto& c : classes_) {
        std::string names, script;
        for (std::uint32_t a : c)
            names += (names.empty() ? "" : ", ") + model_.actor_name(a);
        for (const Operation& op : model_.scenario().actors[c.front()].script)
            script += (script.empty() ? "" : ", ") + format_operation(op);
        out += (out.empty() ? "" : "; ") +
               ("{" + names + "} (" + script + " on node " +
                std::to_string(model_.scenario().actors[c.front()].home) + ")");
    }
    return out;
}

void ActorSymmetry::canonicalize(std::byte* state) const {
    const Vars& v = model_.vars();
    const PackedLayout& layout = model_.layout();
    std::array<std::uint64_t, 4> ref_values{};
    for (std::size_t r = 0; r < refs_.size(); ++r)
        ref_values[r] = layout.read(state, refs_[r]);
    std::array<std::uint64_t, 4> new_refs = ref_values;
    for (const auto& members : classes_) {
        const std::size_t n = members.size();
        std::array<std::array<std::uint64_t, kKey>, kMaxActors> key{};
        std::array<std::uint32_t, kMaxActors> order{};
        for (std::size_t i = 0; i < n; ++i) {
            const auto slots = locals(v.actor[members[i]]);
            for (std::size_t k = 0; k < slots.size(); ++k)
                key[i][k] = layout.read(state, slots[k]);
            for (std::size_t r = 0; r < refs_.size(); ++r)
                key[i][slots.size() + r] = ref_values[r] == encode_index(members[i]);
            order[i] = static_cast<std::uint32_t>(i);
        }
        std::sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n),
                  [&](std::uint32_t x, std::uint32_t y) { return key[x] < key[y]; });
        bool identity = true;
        for (std::size_t j = 0; j < n; ++j)
            identity = identity && order[j] == j;
        if (identity) continue;
        // Position j takes the locals of the member at order[j]; a variable that named
        // that member names the actor at position j now.
        for (std::size_t j = 0; j < n; ++j) {
            const auto slots = locals(v.actor[members[j]]);
            for (std::size_t k = 0; k < slots.size(); ++k)
                layout.write(state, slots[k], key[order[j]][k]);
            for (std::size_t r = 0; r < refs_.size(); ++r)
                if (ref_values[r] == encode_index(members[order[j]]))
                    new_refs[r] = encode_index(members[j]);
        }
    }
    for (std::size_t r = 0; r < refs_.size(); ++r)
        if (new_refs[r] != ref_values[r]) layout.write(state, refs_[r], new_refs[r]);
}

}  // namespace hugecheck::model
