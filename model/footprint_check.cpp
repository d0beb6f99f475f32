#include "model/footprint_check.hpp"

#include <algorithm>

namespace hugecheck::model {

FootprintCheck::FootprintCheck(const HugetlbModel& model)
    : model_(model), slots_(model.layout().slots()) {
    const Vars& v = model.vars();
    auto global = [&](Slot s, Var var) {
        slots_[s].global = true;
        slots_[s].var = var;
    };
    global(v.max_huge_pages, Var::max_huge_pages);
    global(v.nr_overcommit_huge_pages, Var::nr_overcommit_huge_pages);
    global(v.nr_huge_pages, Var::nr_huge_pages);
    global(v.free_huge_pages, Var::free_huge_pages);
    global(v.resv_huge_pages, Var::resv_huge_pages);
    global(v.surplus_huge_pages, Var::surplus_huge_pages);
    global(v.next_nid_to_alloc, Var::next_nid_to_alloc);
    global(v.next_nid_to_free, Var::next_nid_to_free);
    global(v.unused_nid, Var::unused_nid);
    global(v.table_data, Var::table_data);
    global(v.overcommit_table_data, Var::overcommit_table_data);
    global(v.hugetlb_lock, Var::hugetlb_lock);
    global(v.resize_lock, Var::resize_lock);
    for (Slot s : v.nr_huge_pages_node)
        global(s, Var::nr_huge_pages_node);
    for (Slot s : v.free_huge_pages_node)
        global(s, Var::free_huge_pages_node);
    for (Slot s : v.surplus_huge_pages_node)
        global(s, Var::surplus_huge_pages_node);
    for (Slot s : v.buddy)
        global(s, Var::buddy);
    for (Slot s : v.pfn)
        global(s, Var::pfn);
    for (Slot s : v.isolated)
        global(s, Var::isolated);
    for (const std::vector<Slot>& node : v.frames)
        for (Slot s : node)
            global(s, Var::frames);
    for (std::uint32_t a = 0; a < v.actor.size(); ++a) {
        const ActorSlots& as = v.actor[a];
        for (Slot s :
             {as.op, as.pc, as.tmp, as.count, as.page_node, as.min_count, as.ret, as.owned,
              as.page_list, as.gigantic_pfn, as.gigantic_tries, as.normal_page, as.reserved}) {
            slots_[s].global = false;
            slots_[s].actor = a;
        }
        slots_[as.tmp].tmp = true;
        slots_[as.op].op = true;
    }
}

std::vector<std::string> FootprintCheck::check(HugetlbModel::Context& ctx, const std::byte* state) {
    std::vector<std::string> problems;
    auto ignore = [](const std::byte*, const Transition&) {};
    auto record = [&](const StepRecord& r) {
        std::string p = problems_of(r);
        if (!p.empty()) problems.push_back(std::move(p));
    };
    model_.record_steps(ctx, state, ignore, record);
    return problems;
}

std::string FootprintCheck::problems_of(const StepRecord& r) {
    // What the step did, as a footprint; another actor's local other than tmp is named
    // separately (no footprint may touch it).
    Footprint did;
    did.events = r.events;
    std::string foreign;
    auto classify = [&](Slot s, bool write) {
        const SlotClass& c = slots_[s];
        VarSet var = 0;
        if (c.global) {
            var = bit(c.var);
        } else if (c.actor == r.actor) {
            if (c.tmp) var = bit(Var::own_tmp);
            if (c.op && write) did.ends_op = true;
        } else if (c.tmp) {
            var = bit(Var::any_tmp);
        } else {
            foreign += (foreign.empty() ? "" : ", ") + model_.slot_name(s);
        }
        (write ? did.writes : did.reads) |= var;
    };
    for (Slot s = 0; s < slots_.size(); ++s)
        if (r.read[s]) classify(s, false);
    for (std::uint32_t k = 0; k < r.written_count; ++k)
        classify(r.written[k], true);
    Footprint& seen = observed_[static_cast<std::size_t>(r.step)];
    seen = seen | did;

    const Footprint declared = model_.variant().footprint(r.step);
    std::string out;
    auto add = [&](const std::string& what) { out += (out.empty() ? "" : "; ") + what; };
    if (const VarSet extra = did.reads & ~declared.reads & ~declared.writes)
        add("reads " + format_vars(extra));
    if (const VarSet extra = did.writes & ~declared.writes) add("writes " + format_vars(extra));
    if (!foreign.empty()) add("touches another actor's " + foreign);
    if (did.events & ~declared.events)
        add("raises events " + std::to_string(did.events & ~declared.events));
    if (did.ends_op && !declared.ends_op) add("completes its op");
    if (out.empty()) return "";
    return "variant " + model_.variant().name() + ", step " + std::string(step_name(r.step)) +
           " of " + model_.actor_name(r.actor) + ": " + out +
           ", which its footprint does not declare";
}

}  // namespace hugecheck::model
