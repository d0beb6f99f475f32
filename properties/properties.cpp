#include "properties/properties.hpp"

#include <cctype>
#include <tuple>
#include <vector>

#include "model/frames.hpp"

namespace hugecheck::properties {

using model::Slot;

namespace {
constexpr std::size_t P1 = 0, P2 = 1, P3 = 2, P4 = 3, P5 = 4, P6 = 5, P7 = 6, P8 = 7, P9 = 8,
                      P10 = 9, P11 = 10, P12 = 11, P13 = 12;
}  // namespace

std::string_view kind_name(Kind kind) {
    switch (kind) {
        case Kind::every_state: return "invariant, every state";
        case Kind::quiescent: return "invariant, quiescent states";
        case Kind::terminal: return "invariant, terminal states";
        case Kind::transition: return "transition";
        case Kind::deadlock: return "deadlock";
    }
    return "?";
}

PropertySet parse_property_list(std::string_view list, std::string_view option) {
    PropertySet set = 0;
    std::size_t pos = 0;
    while (pos <= list.size()) {
        std::size_t end = list.find(',', pos);
        if (end == std::string_view::npos) end = list.size();
        std::string id;
        for (char c : list.substr(pos, end - pos))
            if (c != ' ') id += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        bool found = false;
        for (std::size_t k = 0; k < kPropertyCount; ++k)
            if (kProperties[k].id == id) {
                set |= bit(k);
                found = true;
            }
        if (!found)
            throw InputError(std::string(option), 0, "",
                             "unknown property '" + id + "' (known: P1 to P" +
                                 std::to_string(kPropertyCount) + "; see hugecheck list)");
        pos = end + 1;
    }
    return set;
}

std::string format_property_set(PropertySet set) {
    std::string out;
    for (std::size_t k = 0; k < kPropertyCount; ++k)
        if (set & bit(k)) out += (out.empty() ? "" : " ") + std::string(kProperties[k].id);
    return out;
}

Checker::Checker(const model::HugetlbModel& model, PropertySet selected)
    : model_(model), selected_(selected & kAllProperties), state_kinds_(0) {
    for (std::size_t k = 0; k < kPropertyCount; ++k) {
        const Kind kind = kProperties[k].kind;
        if (kind == Kind::every_state || kind == Kind::quiescent || kind == Kind::terminal)
            state_kinds_ |= bit(k);
    }
    // A self-deadlock is a state fact (an actor waits at a step that takes a lock it
    // holds); only variants that keep locks across steps can have one.
    const model::Features& f = model.variant().features();
    if (f.hugetlb_lock_state || f.resize_lock) state_kinds_ |= bit(P6);
    state_kinds_ &= selected_;
}

namespace {
std::uint64_t sum(const model::HugetlbModel& m, const std::byte* s,
                  const std::vector<Slot>& slots) {
    std::uint64_t total = 0;
    for (Slot slot : slots)
        total += m.read(s, slot);
    return total;
}
}  // namespace

bool Checker::p1_holds(const std::byte* s) const {
    const model::Vars& v = model_.vars();
    return model_.read(s, v.nr_huge_pages) == sum(model_, s, v.nr_huge_pages_node) &&
           model_.read(s, v.free_huge_pages) == sum(model_, s, v.free_huge_pages_node) &&
           model_.read(s, v.surplus_huge_pages) == sum(model_, s, v.surplus_huge_pages_node);
}

bool Checker::p2_holds(const std::byte* s) const {
    const model::Vars& v = model_.vars();
    const std::uint64_t nr = model_.read(s, v.nr_huge_pages);
    if (model_.read(s, v.free_huge_pages) > nr || model_.read(s, v.surplus_huge_pages) > nr)
        return false;
    for (std::uint32_t n = 0; n < model_.nodes(); ++n) {
        const std::uint64_t nr_node = model_.read(s, v.nr_huge_pages_node[n]);
        if (model_.read(s, v.free_huge_pages_node[n]) > nr_node ||
            model_.read(s, v.surplus_huge_pages_node[n]) > nr_node)
            return false;
    }
    return true;
}

bool Checker::p3_holds(const std::byte* s) const {
    if (model_.gigantic()) return p3_gigantic_holds(s, nullptr);
    const model::Vars& v = model_.vars();
    for (std::uint32_t n = 0; n < model_.nodes(); ++n)
        if (model_.read(s, v.buddy[n]) + model_.read(s, v.nr_huge_pages_node[n]) !=
            model_.scenario().mem[n])
            return false;
    std::uint64_t owners = 0;
    for (std::uint32_t a = 0; a < model_.actors(); ++a)
        owners += model_.read(s, v.actor[a].owned) != model::kNone;
    return model_.read(s, v.nr_huge_pages) - model_.read(s, v.free_huge_pages) == owners;
}

// The gigantic form of "no page lost": every pfn accounted for, every huge page counted
// on the node of its head, which is what update_and_free_page and the free lists read.
bool Checker::p3_gigantic_holds(const std::byte* s, std::string* why) const {
    const model::Vars& v = model_.vars();
    const model::GiganticLayout& g = *model_.gigantic();
    const std::uint32_t nodes = model_.nodes();
    std::vector<std::uint64_t> heads(nodes, 0), free_heads(nodes, 0);
    std::uint64_t in_use = 0, normal = 0;
    for (std::uint64_t p = 0; p < g.pfn_end(); ++p) {
        if (g.kind(p) != model::PfnKind::ram) continue;
        const std::uint64_t st = model_.read(s, v.pfn[p]);
        const auto n = static_cast<std::size_t>(g.node_of(p));
        if (st == model::pfn_state::taken) {
            if (why) *why = "pfn " + std::to_string(p) + " is taken but in no huge page";
            return false;
        }
        normal += st == model::pfn_state::normal;
        if (!model::is_head(st)) continue;
        ++heads[n];
        if (st == model::pfn_state::head_in_use)
            ++in_use;
        else
            ++free_heads[n];
    }
    for (std::uint32_t n = 0; n < nodes; ++n) {
        for (const auto& [slot, count, what] :
             {std::tuple{v.nr_huge_pages_node[n], heads[n], "gigantic pages"},
              std::tuple{v.free_huge_pages_node[n], free_heads[n], "free gigantic pages"}}) {
            if (model_.read(s, slot) == count) continue;
            if (why)
                *why = "node " + std::to_string(n) + " has " + std::to_string(count) + " " + what +
                       " but " + model_.slot_name(slot) + " = " +
                       model_.format_value(slot, model_.read(s, slot));
            return false;
        }
    }
    std::uint64_t owners = 0, holders = 0;
    for (std::uint32_t a = 0; a < model_.actors(); ++a) {
        owners += model_.read(s, v.actor[a].owned) != model::kNone;
        holders += model_.read(s, v.actor[a].normal_page) != 0;
    }
    if (in_use != owners || normal != holders) {
        if (why)
            *why = std::to_string(in_use) + " gigantic page(s) in use and " +
                   std::to_string(normal) + " ordinary page(s) allocated, but " +
                   std::to_string(owners) + " actor(s) own a huge page and " +
                   std::to_string(holders) + " hold an ordinary one";
        return false;
    }
    return true;
}

bool Checker::p10_holds(const std::byte* s, std::string* why) const {
    const model::GiganticLayout* g = model_.gigantic();
    if (!g) return true;
    const model::Vars& v = model_.vars();
    for (std::uint64_t head = 0; head < g->pfn_end(); ++head) {
        if (g->kind(head) != model::PfnKind::ram || !model::is_head(model_.read(s, v.pfn[head])))
            continue;
        if (head % g->nr_pages() != 0) {
            if (why)
                *why = "the gigantic page at pfn " + std::to_string(head) +
                       " is not aligned to nr_pages " + std::to_string(g->nr_pages());
            return false;
        }
        for (std::uint64_t p = head + 1; p < head + g->nr_pages(); ++p) {
            if (g->node_of(p) == g->node_of(head)) continue;
            if (why)
                *why = "the gigantic page [" + std::to_string(head) + ", " +
                       std::to_string(head + g->nr_pages()) + ") spans two zones: head pfn " +
                       std::to_string(head) + " is node " + std::to_string(g->node_of(head)) +
                       "'s, pfn " + std::to_string(p) + " is node " +
                       std::to_string(g->node_of(p)) + "'s";
            return false;
        }
    }
    return true;
}

model::Visibility visibility(const model::HugetlbModel& model, PropertySet selected) {
    using model::Var;
    model::Visibility vis;
    const model::VarSet pool = model::vars(
        {Var::nr_huge_pages, Var::free_huge_pages, Var::surplus_huge_pages, Var::nr_huge_pages_node,
         Var::free_huge_pages_node, Var::surplus_huge_pages_node});
    if (selected & (bit(P1) | bit(P2))) vis.vars |= pool;
    if (selected & bit(P2)) vis.events |= model::event::underflow;
    if (selected & bit(P3)) vis.op_boundaries = true;
    if (selected & bit(P8)) vis.events |= model::event::loop1_adjust_failed;
    if (selected & bit(P9)) vis.events |= model::event::pfn_reused;
    if (selected & bit(P10)) vis.vars |= model::bit(Var::pfn);
    if (selected & bit(P11)) vis.vars |= pool | model::vars({Var::frames, Var::buddy});
    if (selected & bit(P12))
        vis.vars |= model::vars({Var::resv_huge_pages, Var::free_huge_pages, Var::hugetlb_lock});
    if (selected & bit(P13)) vis.op_boundaries = true;
    const model::Variant& variant = model.variant();
    const model::VarSet locks = model::vars({Var::hugetlb_lock, Var::resize_lock});
    for (const model::StepDef& s : variant.steps()) {
        const auto k = static_cast<std::size_t>(s.label);
        if ((selected & bit(P4)) && s.surplus_allocator) vis.steps[k] = true;
        if ((selected & bit(P5)) && s.writes_through != model::SharedTable::none)
            vis.steps[k] = true;
        // An op with a step that takes (or keeps) a lock across steps can hold it.
        if ((selected & bit(P6)) && (variant.footprint(s.label).writes & locks)) vis.ops |= s.ops;
    }
    return vis;
}

bool Checker::p7_holds(const std::byte* s) const {
    return model_.read(s, model_.vars().max_huge_pages) == model_.persistent_huge_pages(s);
}

PropertySet Checker::state_violations(const std::byte* s) const {
    if (state_kinds_ == 0) return 0;
    PropertySet bad = 0;
    if ((state_kinds_ & bit(P6)) && p6_self_deadlock(s)) bad |= bit(P6);
    if ((state_kinds_ & bit(P1)) && !p1_holds(s)) bad |= bit(P1);
    if ((state_kinds_ & bit(P2)) && !p2_holds(s)) bad |= bit(P2);
    if ((state_kinds_ & bit(P3)) && model_.quiescent(s) && !p3_holds(s)) bad |= bit(P3);
    if ((state_kinds_ & bit(P7)) && model_.all_done(s) && !p7_holds(s)) bad |= bit(P7);
    if ((state_kinds_ & bit(P10)) && !p10_holds(s, nullptr)) bad |= bit(P10);
    if ((state_kinds_ & bit(P11)) && !p11_holds(s, nullptr)) bad |= bit(P11);
    if ((state_kinds_ & bit(P12)) && !p12_holds(s)) bad |= bit(P12);
    if ((state_kinds_ & bit(P13)) && model_.quiescent(s) && !p13_holds(s)) bad |= bit(P13);
    return bad;
}

bool Checker::p11_holds(const std::byte* s, std::string* why) const {
    if (!model_.has_frames()) return true;
    const model::Vars& v = model_.vars();
    for (std::uint32_t n = 0; n < model_.nodes(); ++n) {
        std::uint64_t on_list = 0, counted = 0, in_buddy = 0;
        for (Slot f : v.frames[n]) {
            const std::uint64_t code = model_.read(s, f);
            if (code == model::frames::corrupt) {
                if (why)
                    *why = "a page of node " + std::to_string(n) +
                           " is in buddy and on the free list at once";
                return false;
            }
            on_list += model::frames::on_free_list(code);
            counted += model::frames::counted(code);
            in_buddy += model::frames::in_buddy(code);
        }
        struct Check {
            std::uint64_t frames;
            Slot counter;
            const char* what;
        };
        for (const Check& c : {Check{on_list, v.free_huge_pages_node[n], "on the free list"},
                               Check{counted, v.nr_huge_pages_node[n], "in the pool"},
                               Check{in_buddy, v.buddy[n], "in buddy"}}) {
            const std::uint64_t counter = model_.read(s, c.counter);
            if (counter == c.frames) continue;
            if (why)
                *why = std::to_string(c.frames) + " page(s) of node " + std::to_string(n) + " " +
                       c.what + " but " + model_.slot_name(c.counter) + " = " +
                       model_.format_value(c.counter, counter);
            return false;
        }
    }
    return true;
}

bool Checker::p12_holds(const std::byte* s) const {
    const model::Vars& v = model_.vars();
    if (model_.read(s, v.hugetlb_lock) != model::kNone) return true;  // inside a section
    return model_.read(s, v.resv_huge_pages) <= model_.read(s, v.free_huge_pages);
}

bool Checker::p13_holds(const std::byte* s) const {
    const model::Vars& v = model_.vars();
    std::uint64_t held = 0;
    for (const model::ActorSlots& a : v.actor)
        held += model_.read(s, a.reserved);
    return model_.read(s, v.resv_huge_pages) == held;
}

PropertySet Checker::transition_violations(const std::byte* before, const std::byte* after,
                                           const model::Transition& t) const {
    const model::Vars& v = model_.vars();
    const model::StepDef& step = model_.step_def(t.step);
    PropertySet bad = 0;
    if ((selected_ & bit(P2)) && (t.events & model::event::underflow)) bad |= bit(P2);
    if ((selected_ & bit(P4)) && step.surplus_allocator) {
        const std::uint64_t surplus = model_.read(after, v.surplus_huge_pages);
        if (surplus > model_.read(before, v.surplus_huge_pages) &&
            surplus > model_.read(after, v.nr_overcommit_huge_pages))
            bad |= bit(P4);
    }
    if ((selected_ & bit(P5)) && step.writes_through != model::SharedTable::none &&
        model_.read(before, table_slot(step.writes_through)) != model::encode_index(t.actor))
        bad |= bit(P5);
    if ((selected_ & bit(P8)) && (t.events & model::event::loop1_adjust_failed)) bad |= bit(P8);
    if ((selected_ & bit(P9)) && (t.events & model::event::pfn_reused)) bad |= bit(P9);
    return bad;
}

bool Checker::p6_self_deadlock(const std::byte* s) const {
    for (std::uint32_t a = 0; a < model_.actors(); ++a)
        if (model_.self_deadlocked(s, a)) return true;
    return false;
}

model::Slot Checker::table_slot(model::SharedTable table) const {
    return table == model::SharedTable::nr_overcommit_hugepages
               ? model_.vars().overcommit_table_data
               : model_.vars().table_data;
}

PropertySet Checker::deadend_violations(const std::byte* s) const {
    if ((selected_ & bit(P6)) && !model_.all_done(s)) return bit(P6);
    return 0;
}

std::string Checker::explain(std::size_t index, const std::byte* s, const std::byte* before,
                             const model::Transition* t) const {
    const model::Vars& v = model_.vars();
    auto val = [&](Slot slot) { return model_.format_value(slot, model_.read(s, slot)); };
    auto name = [&](Slot slot) { return model_.slot_name(slot); };
    auto who = [&] { return t ? model_.actor_name(t->actor) : std::string("?"); };
    switch (index) {
        case P1: {
            struct Pair {
                Slot total;
                const std::vector<Slot>* nodes;
            };
            for (const Pair& p : {Pair{v.nr_huge_pages, &v.nr_huge_pages_node},
                                  Pair{v.free_huge_pages, &v.free_huge_pages_node},
                                  Pair{v.surplus_huge_pages, &v.surplus_huge_pages_node}}) {
                const std::uint64_t total = sum(model_, s, *p.nodes);
                if (model_.read(s, p.total) != total)
                    return name(p.total) + " = " + val(p.total) + " but Σ " +
                           name((*p.nodes)[0]).substr(0, name((*p.nodes)[0]).find('[')) + " = " +
                           std::to_string(total);
            }
            return "P1 holds";
        }
        case P2: {
            if (t && (t->events & model::event::underflow)) {
                // The values that wrapped in this step: pool counters, or an actor's
                // local (a count computed below zero).
                std::string counters, locals;
                for (Slot slot = 0; slot < model_.layout().slots(); ++slot) {
                    if (!model_.layout().field(slot).is_signed ||
                        model_.read(s, slot) < (std::uint64_t{1} << 63) ||
                        (before && model_.read(before, slot) >= (std::uint64_t{1} << 63)))
                        continue;
                    std::string& list =
                        name(slot).find('.') == std::string::npos ? counters : locals;
                    list += (list.empty() ? "" : ", ") + name(slot) + " = " + val(slot);
                }
                const std::string step =
                    "step " + std::string(model::step_name(t->step)) + " of " + who();
                if (!counters.empty()) return step + " decrements a counter at 0: " + counters;
                if (!locals.empty()) return step + " computes a count below zero: " + locals;
                return step + " computes a count below zero";
            }
            const std::uint64_t nr = model_.read(s, v.nr_huge_pages);
            for (Slot slot : {v.free_huge_pages, v.surplus_huge_pages})
                if (model_.read(s, slot) > nr)
                    return name(slot) + " = " + val(slot) +
                           " > nr_huge_pages = " + val(v.nr_huge_pages);
            for (std::uint32_t n = 0; n < model_.nodes(); ++n)
                for (Slot slot : {v.free_huge_pages_node[n], v.surplus_huge_pages_node[n]})
                    if (model_.read(s, slot) > model_.read(s, v.nr_huge_pages_node[n]))
                        return name(slot) + " = " + val(slot) + " > " +
                               name(v.nr_huge_pages_node[n]) + " = " + val(v.nr_huge_pages_node[n]);
            return "P2 holds";
        }
        case P11: {
            std::string why = "P11 holds";
            p11_holds(s, &why);
            return why;
        }
        case P12:
            return "resv_huge_pages = " + val(v.resv_huge_pages) +
                   " > free_huge_pages = " + val(v.free_huge_pages) +
                   " with hugetlb_lock free: a reservation has no free page";
        case P13: {
            std::string held;
            std::uint64_t total = 0;
            for (std::uint32_t a = 0; a < model_.actors(); ++a) {
                const std::uint64_t r = model_.read(s, v.actor[a].reserved);
                total += r;
                if (r)
                    held +=
                        (held.empty() ? "" : ", ") + model_.actor_name(a) + " " + std::to_string(r);
            }
            return "resv_huge_pages = " + val(v.resv_huge_pages) + " but the mappings hold " +
                   std::to_string(total) + " unconsumed reservation(s)" +
                   (held.empty() ? std::string() : " (" + held + ")");
        }
        case P3: {
            if (model_.gigantic()) {
                std::string why = "P3 holds";
                p3_gigantic_holds(s, &why);
                return why;
            }
            for (std::uint32_t n = 0; n < model_.nodes(); ++n) {
                const std::uint64_t b = model_.read(s, v.buddy[n]);
                const std::uint64_t nr_node = model_.read(s, v.nr_huge_pages_node[n]);
                if (b + nr_node != model_.scenario().mem[n])
                    return "node " + std::to_string(n) + ": buddy " + std::to_string(b) +
                           " + nr_huge_pages_node " + std::to_string(nr_node) + " = " +
                           std::to_string(b + nr_node) +
                           " but mem = " + std::to_string(model_.scenario().mem[n]);
            }
            std::uint64_t owners = 0;
            for (std::uint32_t a = 0; a < model_.actors(); ++a)
                owners += model_.read(s, v.actor[a].owned) != model::kNone;
            return "nr_huge_pages - free_huge_pages = " +
                   std::to_string(model_.read(s, v.nr_huge_pages) -
                                  model_.read(s, v.free_huge_pages)) +
                   " but " + std::to_string(owners) + " actor(s) own a page";
        }
        case P4:
            return "surplus_huge_pages = " + val(v.surplus_huge_pages) +
                   " > nr_overcommit_huge_pages = " + val(v.nr_overcommit_huge_pages) + " after " +
                   (t ? std::string(model::step_name(t->step)) : "?") + " of " + who();
        case P5: {
            const model::SharedTable table =
                t ? model_.step_def(t->step).writes_through : model::SharedTable::nr_hugepages;
            const Slot slot = table_slot(table);
            return std::string(t ? model::step_name(t->step) : "?") + " of " + who() +
                   " writes through table->data = " +
                   (before ? model_.format_value(slot, model_.read(before, slot)) : "?") +
                   ", not its own tmp";
        }
        case P6: {
            for (std::uint32_t a = 0; a < model_.actors(); ++a)
                if (model_.self_deadlocked(s, a)) {
                    // 2.6.24's return_unused_surplus_pages spinning with the lock held
                    // never comes back either: a livelock, reported as the same state.
                    const std::string wait = model_.wait_text(s, a);
                    const bool spins = wait.find(" spins in ") != std::string::npos;
                    return (spins ? "livelock: " : "self-deadlock: ") + wait;
                }
            std::string stuck;
            for (std::uint32_t a = 0; a < model_.actors(); ++a) {
                if (model_.done(s, a)) continue;
                const std::string wait = model_.wait_text(s, a);
                stuck += (stuck.empty() ? "" : "; ") +
                         (wait.empty() ? model_.actor_name(a) + " at " + val(v.actor[a].pc) : wait);
            }
            return "no step is enabled but not every actor is done: " + stuck;
        }
        case P7:
            return "max_huge_pages = " + val(v.max_huge_pages) +
                   " but persistent_huge_pages = nr_huge_pages " + val(v.nr_huge_pages) +
                   " - surplus_huge_pages " + val(v.surplus_huge_pages) + " = " +
                   std::to_string(model_.persistent_huge_pages(s));
        case P8: {
            if (!before) return "adjust_pool_surplus(-1) fails while surplus_huge_pages > 0";
            // loop1 converts one page per node surplus before it fails, so at the failure
            // the global counter still shows what no node has.
            const std::uint64_t left = model_.read(before, v.surplus_huge_pages) -
                                       sum(model_, before, v.surplus_huge_pages_node);
            return "adjust_pool_surplus(-1) of " + who() +
                   " fails while surplus_huge_pages = " + std::to_string(left) +
                   " but Σ surplus_huge_pages_node = 0: the surplus page is not converted";
        }
        case P9: {
            if (!before || !t || !model_.gigantic()) return "a step takes a pfn that is not free";
            for (std::uint64_t p = 0; p < v.pfn.size(); ++p) {
                const std::uint64_t was = model_.read(before, v.pfn[p]),
                                    now = model_.read(s, v.pfn[p]);
                if (was != model::pfn_state::free && was != now)
                    return "step " + std::string(model::step_name(t->step)) + " of " + who() +
                           " takes pfn " + std::to_string(p) + ", which is " +
                           model::pfn_state_text(was) + ", for " + model::pfn_state_text(now);
            }
            return "a step takes a pfn that is not free";
        }
        case P10: {
            std::string why = "P10 holds";
            p10_holds(s, &why);
            return why;
        }
    }
    return "?";
}

}  // namespace hugecheck::properties
