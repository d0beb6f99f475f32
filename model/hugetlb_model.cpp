#include "model/hugetlb_model.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace hugecheck::model {

namespace {
std::string fmt_u(std::uint64_t v) {
    return std::to_string(v);
}

std::uint32_t page_node_of(const Work& w, const ActorSlots& s, const std::string& who) {
    const std::uint64_t page_node = w[s.page_node];
    if (page_node == kNone) throw std::logic_error(who + " has no page at R5/R5b");
    return static_cast<std::uint32_t>(page_node - 1);
}
}  // namespace

const std::vector<VariantInfo>& variants() {
    static const std::vector<VariantInfo> list = {
        {"seed",
         "the seed documents' 4.x-era mm/hugetlb.c, cut into steps exactly as the reference "
         "model (RM) says"},
    };
    return list;
}

std::string_view pc_name(Pc pc) {
    static constexpr std::string_view names[] = {"idle", "B1",  "B2", "B3",  "S2", "R1", "R4",
                                                 "R5",   "R5b", "R6", "R6f", "R7", "R10"};
    const auto i = static_cast<std::size_t>(pc);
    return i < std::size(names) ? names[i] : std::string_view("?");
}

HugetlbModel::HugetlbModel(Scenario scenario, std::string_view variant)
    : scenario_(std::move(scenario)), variant_(variant) {
    bool known = false;
    std::string names;
    for (const auto& v : variants()) {
        known = known || v.name == variant;
        names += (names.empty() ? "" : ", ") + std::string(v.name);
    }
    if (!known)
        throw InputError("--variant", 0, "",
                         "unknown variant '" + std::string(variant) + "' (known: " + names + ")");
    build_layout();
}

// Field widths come from bounds of the scenario; PackedLayout::write checks every value
// against them, so a wrong bound is an error, never a silently different state.
//  - a counter of the whole pool (and every local that copies one) is at most
//    max(Σmem + actors, every RESIZE/OVERCOMMIT value, overcommit0): nr_huge_pages is
//    Σ nr_huge_pages_node plus at most one B1 bump per actor;
//  - nr_huge_pages_node, free_huge_pages_node and buddy of node n count real pages of that
//    node, so they stay within mem[n]; surplus_huge_pages_node does not (a free_pool_huge_page
//    may take a page the node's surplus counts), so it gets the pool-wide width;
//  - counters are stored signed, so a wrapped decrement (-1 = 2^64 - 1) stays exact;
//  - an actor's tmp, count, min_count and ret are only ever non-zero if it has a RESIZE
//    (S2 writes the tmp of actor table_data, which only S1 sets), owned only if it faults.
void HugetlbModel::build_layout() {
    const Scenario& sc = scenario_;
    const std::uint32_t n_nodes = sc.nodes;
    std::uint64_t bound =
        std::accumulate(sc.mem.begin(), sc.mem.end(), std::uint64_t{0}) + sc.actors.size();
    bound = std::max(bound, sc.overcommit);
    for (const Actor& a : sc.actors)
        for (const Operation& op : a.script)
            bound = std::max(bound, op.value);
    const std::uint8_t counter = static_cast<std::uint8_t>(bits_for(bound) + 1);

    Vars& v = vars_;
    v.max_huge_pages = layout_.add("max_huge_pages", counter, true);
    v.nr_overcommit_huge_pages = layout_.add("nr_overcommit_huge_pages", counter, true);
    v.nr_huge_pages = layout_.add("nr_huge_pages", counter, true);
    v.free_huge_pages = layout_.add("free_huge_pages", counter, true);
    v.resv_huge_pages = layout_.add("resv_huge_pages", counter, true);
    v.surplus_huge_pages = layout_.add("surplus_huge_pages", counter, true);
    v.next_nid_to_alloc = layout_.add("next_nid_to_alloc", bits_for(n_nodes - 1), false);
    v.next_nid_to_free = layout_.add("next_nid_to_free", bits_for(n_nodes - 1), false);
    v.table_data = layout_.add("table->data", bits_for(sc.actors.size()), false);
    auto per_node = [&](std::vector<Slot>& slots, const char* name, bool pool_wide) {
        for (std::uint32_t n = 0; n < n_nodes; ++n) {
            const std::uint8_t w =
                pool_wide ? counter : static_cast<std::uint8_t>(bits_for(sc.mem[n]) + 1);
            slots.push_back(
                layout_.add(std::string(name) + "[" + std::to_string(n) + "]", w, true));
        }
    };
    per_node(v.nr_huge_pages_node, "nr_huge_pages_node", false);
    per_node(v.free_huge_pages_node, "free_huge_pages_node", false);
    per_node(v.surplus_huge_pages_node, "surplus_huge_pages_node", true);
    per_node(v.buddy, "buddy", false);

    for (const Actor& a : sc.actors) {
        bool faults = false, resizes = false;
        for (const Operation& op : a.script) {
            faults = faults || op.kind == OpKind::fault;
            resizes = resizes || op.kind == OpKind::resize;
        }
        const std::uint8_t max_pc = resizes ? kLastResizePc : faults ? kLastFaultPc : 0;
        const std::uint8_t local = resizes ? counter : 0;
        const std::uint8_t node = bits_for(n_nodes);
        const std::string p = a.name + ".";
        ActorSlots s{};
        s.op = layout_.add(p + "op", bits_for(a.script.size()), false);
        s.pc = layout_.add(p + "pc", bits_for(max_pc), false);
        s.tmp = layout_.add(p + "tmp", local, true);
        s.count = layout_.add(p + "count", local, true);
        s.page_node = layout_.add(p + "page_node", (faults || resizes) ? node : 0, false);
        s.min_count = layout_.add(p + "min_count", local, true);
        s.ret = layout_.add(p + "ret", local, true);
        s.owned = layout_.add(p + "owned", faults ? node : 0, false);
        v.actor.push_back(s);

        std::vector<std::uint32_t> order{a.home};
        for (std::uint32_t n = 0; n < n_nodes; ++n)
            if (n != a.home) order.push_back(n);
        home_first_.push_back(std::move(order));
    }
    control_slot_.assign(layout_.slots(), 0);
    for (const ActorSlots& s : v.actor)
        control_slot_[s.op] = control_slot_[s.pc] = 1;
}

HugetlbModel::Context HugetlbModel::make_context() const {
    Context c;
    c.base.assign(layout_.slots(), 0);
    c.cur.assign(layout_.slots(), 0);
    c.dirty.assign(layout_.slots(), 0);
    c.dirty_flag.assign(layout_.slots(), 0);
    c.out.assign(layout_.bytes() + kPackSlack, std::byte{0});
    return c;
}

// RM §1, the initial column.
void HugetlbModel::initial_state(std::byte* out) const {
    std::vector<std::uint64_t> v(layout_.slots(), 0);
    const Scenario& sc = scenario_;
    const std::uint64_t pool = std::accumulate(sc.pool.begin(), sc.pool.end(), std::uint64_t{0});
    v[vars_.max_huge_pages] = pool;
    v[vars_.nr_overcommit_huge_pages] = sc.overcommit;
    v[vars_.nr_huge_pages] = pool;
    v[vars_.free_huge_pages] = pool;
    for (std::uint32_t n = 0; n < sc.nodes; ++n) {
        v[vars_.nr_huge_pages_node[n]] = sc.pool[n];
        v[vars_.free_huge_pages_node[n]] = sc.pool[n];
        v[vars_.buddy[n]] = sc.mem[n] - sc.pool[n];
    }
    layout_.pack(v.data(), out);
}

void HugetlbModel::successors(Context& ctx, const std::byte* state,
                              FunctionRef<void(const std::byte*, const Transition&)> sink,
                              int only_actor, std::vector<std::string>* notes) const {
    layout_.unpack(state, ctx.base.data());
    std::copy(ctx.base.begin(), ctx.base.end(), ctx.cur.begin());
    Work w;
    w.cur_ = ctx.cur.data();
    w.base_ = ctx.base.data();
    w.dirty_ = ctx.dirty.data();
    w.dirty_flag_ = ctx.dirty_flag.data();
    w.notes_ = notes;
    const std::size_t bytes = layout_.bytes();
    std::byte* out = ctx.out.data();
    auto emit = [&](const Transition& t) {
        std::memcpy(out, state, bytes);
        for (std::uint32_t i = 0; i < w.dirty_count_; ++i)
            layout_.write(out, w.dirty_[i], w.cur_[w.dirty_[i]]);
        Transition with_events = t;
        with_events.events |= w.events_;
        sink(out, with_events);
    };
    const Emit emit_ref(emit);
    for (std::uint32_t a = 0; a < actors(); ++a) {
        if (only_actor >= 0 && a != static_cast<std::uint32_t>(only_actor)) continue;
        if (w[vars_.actor[a].op] == scenario_.actors[a].script.size()) continue;  // done
        step(w, a, emit_ref);
        for (std::uint32_t i = 0; i < w.dirty_count_; ++i) {  // back to the source state
            w.cur_[w.dirty_[i]] = w.base_[w.dirty_[i]];
            w.dirty_flag_[w.dirty_[i]] = 0;
        }
        w.dirty_count_ = 0;
        w.events_ = 0;
        if (notes) notes->clear();
    }
}

void HugetlbModel::step(Work& w, std::uint32_t a, const Emit& emit) const {
    switch (static_cast<Pc>(w[vars_.actor[a].pc])) {
        case Pc::idle:
            switch (current_op(w, a).kind) {
                case OpKind::fault: return fault_F1(w, a, emit);
                case OpKind::unmap: return unmap_U1(w, a, emit);
                case OpKind::resize: return resize_S1(w, a, emit);
                case OpKind::overcommit: return overcommit_O1(w, a, emit);
            }
            break;
        case Pc::B1: return fault_B1(w, a, emit);
        case Pc::B2: return fault_B2(w, a, emit);
        case Pc::B3: return fault_B3(w, a, emit);
        case Pc::S2: return resize_S2(w, a, emit);
        case Pc::R1: return set_max_huge_pages_locked(w, a, Step::R1, emit);
        case Pc::R4: return resize_R4(w, a, emit);
        case Pc::R5: return resize_R5(w, a, emit);
        case Pc::R5b: return resize_R5b(w, a, emit);
        case Pc::R6: return set_max_huge_pages_locked(w, a, Step::R6, emit);
        case Pc::R6f: return resize_R6f(w, a, emit);
        case Pc::R7: return set_max_huge_pages_locked(w, a, Step::R7, emit);
        case Pc::R10: return resize_R10(w, a, emit);
    }
    throw std::logic_error("actor " + actor_name(a) + " has an invalid pc " +
                           std::to_string(w[vars_.actor[a].pc]));
}

// An op ends: the next op, and every local but `owned` back to 0/none (the RM's
// canonical form, so that states that differ only in dead locals are one state).
void HugetlbModel::complete_op(Work& w, std::uint32_t a) const {
    const ActorSlots& s = vars_.actor[a];
    w.set(s.op, w[s.op] + 1);
    set_pc(w, a, Pc::idle);
    for (Slot local : {s.tmp, s.count, s.min_count, s.ret, s.page_node})
        if (w[local] != 0) w.set(local, 0);
}

// ---- FAULT: alloc_huge_page() without a reservation ------------------------------------

// F1: dequeue_huge_page_vma under hugetlb_lock.
void HugetlbModel::fault_F1(Work& w, std::uint32_t a, const Emit& emit) const {
    const Vars& v = vars_;
    if (w[v.free_huge_pages] - w[v.resv_huge_pages] > 0) {
        for (std::uint32_t n : home_first_[a]) {
            if (w[v.free_huge_pages_node[n]] == 0) continue;
            w.dec(v.free_huge_pages);
            w.dec(v.free_huge_pages_node[n]);
            w.set(v.actor[a].owned, encode_index(n));
            w.note([&] { return "dequeues a free huge page of node " + fmt_u(n); });
            complete_op(w, a);
            return emit({static_cast<std::uint8_t>(a), Step::F1});
        }
        // free - resv > 0 but no node list has a page: dequeue_huge_page_vma finds none.
        w.note([] { return std::string("free - resv > 0 but no free list has a page"); });
    } else {
        w.note([] { return std::string("no free huge page"); });
    }
    set_pc(w, a, Pc::B1);
    emit({static_cast<std::uint8_t>(a), Step::F1});
}

// B1: alloc_buddy_huge_page, the locked head: "assume we will successfully allocate".
void HugetlbModel::fault_B1(Work& w, std::uint32_t a, const Emit& emit) const {
    const Vars& v = vars_;
    if (w[v.surplus_huge_pages] >= w[v.nr_overcommit_huge_pages]) {
        w.note([&] {
            return "surplus_huge_pages " + fmt_u(w[v.surplus_huge_pages]) +
                   " >= nr_overcommit_huge_pages " + fmt_u(w[v.nr_overcommit_huge_pages]) +
                   ": the fault fails (ENOSPC)";
        });
        complete_op(w, a);
    } else {
        w.inc(v.nr_huge_pages);
        w.inc(v.surplus_huge_pages);
        set_pc(w, a, Pc::B2);
    }
    emit({static_cast<std::uint8_t>(a), Step::B1});
}

// B2: alloc_pages(NUMA_NO_NODE), unlocked: the buddy allocator, home node first.
void HugetlbModel::fault_B2(Work& w, std::uint32_t a, const Emit& emit) const {
    const Vars& v = vars_;
    const Slot page_node = v.actor[a].page_node;
    w.set(page_node, kNone);
    for (std::uint32_t n : home_first_[a]) {
        if (w[v.buddy[n]] == 0) continue;
        w.dec(v.buddy[n]);
        w.set(page_node, encode_index(n));
        break;
    }
    if (w[page_node] == kNone) w.note([] { return std::string("alloc_pages fails"); });
    set_pc(w, a, Pc::B3);
    emit({static_cast<std::uint8_t>(a), Step::B2});
}

// B3: alloc_buddy_huge_page, the locked tail: account the page on its node ("we
// incremented the global counters already"), or undo the B1 bump.
void HugetlbModel::fault_B3(Work& w, std::uint32_t a, const Emit& emit) const {
    const Vars& v = vars_;
    const std::uint64_t page_node = w[v.actor[a].page_node];
    if (page_node != kNone) {
        const std::uint32_t n = static_cast<std::uint32_t>(page_node - 1);
        w.inc(v.nr_huge_pages_node[n]);
        w.inc(v.surplus_huge_pages_node[n]);
        w.set(v.actor[a].owned, page_node);
    } else {
        w.dec(v.nr_huge_pages);
        w.dec(v.surplus_huge_pages);
        w.note([] { return std::string("no page: undo the bump, the fault fails"); });
    }
    complete_op(w, a);
    emit({static_cast<std::uint8_t>(a), Step::B3});
}

// ---- UNMAP: free_huge_page() of the owned page --------------------------------------

// The accounting of free_huge_page for a page of node n, under hugetlb_lock: a surplus
// page goes back to the buddy allocator (update_and_free_page), any other is enqueued.
void HugetlbModel::free_huge_page(Work& w, std::uint32_t n) const {
    const Vars& v = vars_;
    if (w[v.surplus_huge_pages_node[n]] > 0) {
        w.dec(v.nr_huge_pages);
        w.dec(v.nr_huge_pages_node[n]);
        w.dec(v.surplus_huge_pages);
        w.dec(v.surplus_huge_pages_node[n]);
        w.inc(v.buddy[n]);
        w.note(
            [&] { return "update_and_free_page: surplus page of node " + fmt_u(n) + " to buddy"; });
    } else {
        w.inc(v.free_huge_pages);
        w.inc(v.free_huge_pages_node[n]);
        w.note([&] { return "enqueue_huge_page on node " + fmt_u(n); });
    }
}

void HugetlbModel::unmap_U1(Work& w, std::uint32_t a, const Emit& emit) const {
    const Slot owned = vars_.actor[a].owned;
    if (w[owned] == kNone) {
        w.note([] { return std::string("no page owned: nothing to free"); });
    } else {
        free_huge_page(w, static_cast<std::uint32_t>(w[owned] - 1));
        w.set(owned, kNone);
    }
    complete_op(w, a);
    emit({static_cast<std::uint8_t>(a), Step::U1});
}

// ---- RESIZE(v): write v to /proc/sys/vm/nr_hugepages --------------------------------

// S1: hugetlb_sysctl_handler_common: tmp = h->max_huge_pages; table->data = &tmp. The
// ctl_table is shared by every writer (the seed does not copy it).
void HugetlbModel::resize_S1(Work& w, std::uint32_t a, const Emit& emit) const {
    w.set(vars_.actor[a].tmp, w[vars_.max_huge_pages]);
    w.set(vars_.table_data, encode_index(a));
    set_pc(w, a, Pc::S2);
    emit({static_cast<std::uint8_t>(a), Step::S1});
}

// S2: proc_doulongvec_minmax stores v through table->data: into the tmp of whichever
// actor set it last.
void HugetlbModel::resize_S2(Work& w, std::uint32_t a, const Emit& emit) const {
    const std::uint64_t target = w[vars_.table_data];
    if (target == kNone)
        throw std::logic_error("S2 of " + actor_name(a) + " with table->data unset");
    const std::uint32_t t = static_cast<std::uint32_t>(target - 1);
    w.set(vars_.actor[t].tmp, current_op(w, a).value);
    if (t != a) w.note([&] { return "table->data points to " + actor_name(t) + "'s tmp"; });
    set_pc(w, a, Pc::R1);
    emit({static_cast<std::uint8_t>(a), Step::S2});
}

// adjust_pool_surplus: -1 converts a surplus page to persistent (cursor order on
// next_nid_to_alloc, first node with surplus), +1 marks a page surplus (cursor order on
// next_nid_to_free, first node with surplus < nr). Every try advances the cursor.
bool HugetlbModel::adjust_pool_surplus(Work& w, int delta) const {
    const Vars& v = vars_;
    if (delta < 0) {
        const std::uint32_t n = first_in_cursor_order(w, v.next_nid_to_alloc, [&](std::uint32_t k) {
            return w[v.surplus_huge_pages_node[k]] > 0;
        });
        if (n == nodes()) return false;
        w.dec(v.surplus_huge_pages);
        w.dec(v.surplus_huge_pages_node[n]);
        return true;
    }
    const std::uint32_t n = first_in_cursor_order(w, v.next_nid_to_free, [&](std::uint32_t k) {
        return w[v.surplus_huge_pages_node[k]] < w[v.nr_huge_pages_node[k]];
    });
    if (n == nodes()) return false;
    w.inc(v.surplus_huge_pages);
    w.inc(v.surplus_huge_pages_node[n]);
    return true;
}

// free_pool_huge_page(acct_surplus = 0): cursor order on next_nid_to_free, the first node
// with a free page gives it back to the buddy allocator.
bool HugetlbModel::free_pool_huge_page(Work& w) const {
    const Vars& v = vars_;
    const std::uint32_t n = first_in_cursor_order(
        w, v.next_nid_to_free, [&](std::uint32_t k) { return w[v.free_huge_pages_node[k]] > 0; });
    if (n == nodes()) return false;
    w.dec(v.free_huge_pages);
    w.dec(v.free_huge_pages_node[n]);
    w.dec(v.nr_huge_pages);
    w.dec(v.nr_huge_pages_node[n]);
    w.inc(v.buddy[n]);
    return true;
}

// set_max_huge_pages between a spin_lock and the next spin_unlock. R1 enters from the
// top (count = tmp, loop1), R6 at the grow check after a successful allocation, R7 in the
// shrink loop after cond_resched_lock re-took the lock. The shrink loop's
// cond_resched_lock is a choice after every successful free_pool_huge_page: drop the lock
// (one successor, at R7) or keep it and go on (the remaining successors).
void HugetlbModel::set_max_huge_pages_locked(Work& w, std::uint32_t a, Step entry,
                                             const Emit& emit) const {
    const Vars& v = vars_;
    const ActorSlots& s = v.actor[a];
    Transition t{static_cast<std::uint8_t>(a), entry};

    if (entry == Step::R1) {
        w.set(s.count, w[s.tmp]);
        // loop1: "First take pages out of surplus state."
        while (w[v.surplus_huge_pages] > 0 && w[s.count] > persistent(w)) {
            if (!adjust_pool_surplus(w, -1)) {
                w.raise(event::loop1_adjust_failed);
                w.note([&] {
                    return "adjust_pool_surplus(-1) fails: surplus_huge_pages = " +
                           fmt_u(w[v.surplus_huge_pages]) + " but no node has a surplus page";
                });
                break;
            }
            w.note([] { return std::string("adjust_pool_surplus(-1) converts a surplus page"); });
        }
    }
    if (entry == Step::R1 || entry == Step::R6) {
        // The grow loop's condition: allocate with the lock dropped (R4).
        if (w[s.count] > persistent(w)) {
            w.note([&] {
                return "count " + fmt_u(w[s.count]) + " > persistent " + fmt_u(persistent(w)) +
                       ": unlock and allocate";
            });
            set_pc(w, a, Pc::R4);
            return emit(t);
        }
        // Shrink: keep enough pages for reservations and pages in use.
        const std::uint64_t in_use =
            w[v.resv_huge_pages] + w[v.nr_huge_pages] - w[v.free_huge_pages];
        w.set(s.min_count, std::max(w[s.count], in_use));
    }
    // The shrink loop.
    while (w[s.min_count] < persistent(w)) {
        if (!free_pool_huge_page(w)) {
            w.note([] { return std::string("free_pool_huge_page finds no free page"); });
            break;
        }
        w.note([] { return std::string("free_pool_huge_page frees a page to buddy"); });
        // cond_resched_lock drops the lock: that outcome's step ends here. The pc is
        // set again by whatever this section emits next.
        set_pc(w, a, Pc::R7);
        w.note([] { return std::string("cond_resched_lock drops hugetlb_lock"); });
        emit(t);
        w.drop_note();
        ++t.choice;
    }
    // "Then place pages into surplus state as needed."
    while (w[s.count] < persistent(w)) {
        if (!adjust_pool_surplus(w, +1)) break;
        w.note([] { return std::string("adjust_pool_surplus(+1) marks a page surplus"); });
    }
    w.set(s.ret, persistent(w));
    w.note([&] { return "ret = persistent_huge_pages = " + fmt_u(w[s.ret]) + "; unlock"; });
    set_pc(w, a, Pc::R10);
    emit(t);
}

// R4: alloc_fresh_huge_page: alloc_pages_exact_node on each node in cursor order on
// next_nid_to_alloc, with hugetlb_lock dropped.
void HugetlbModel::resize_R4(Work& w, std::uint32_t a, const Emit& emit) const {
    const Vars& v = vars_;
    const std::uint32_t n = first_in_cursor_order(
        w, v.next_nid_to_alloc, [&](std::uint32_t k) { return w[v.buddy[k]] > 0; });
    if (n == nodes()) {
        w.note([] { return std::string("no node has a free block: allocation fails"); });
        set_pc(w, a, Pc::R6f);
    } else {
        w.dec(v.buddy[n]);
        w.set(v.actor[a].page_node, encode_index(n));
        set_pc(w, a, Pc::R5);
    }
    emit({static_cast<std::uint8_t>(a), Step::R4});
}

// R5: prep_new_huge_page under hugetlb_lock.
void HugetlbModel::resize_R5(Work& w, std::uint32_t a, const Emit& emit) const {
    const std::uint32_t n = page_node_of(w, vars_.actor[a], actor_name(a));
    w.inc(vars_.nr_huge_pages);
    w.inc(vars_.nr_huge_pages_node[n]);
    set_pc(w, a, Pc::R5b);
    emit({static_cast<std::uint8_t>(a), Step::R5});
}

// R5b: put_page(page) -> free_huge_page: the new page is freed like any other; if its
// node has surplus it goes straight back to buddy ("free_huge_page will handle it").
void HugetlbModel::resize_R5b(Work& w, std::uint32_t a, const Emit& emit) const {
    const std::uint32_t n = page_node_of(w, vars_.actor[a], actor_name(a));
    free_huge_page(w, n);
    w.set(vars_.actor[a].page_node, kNone);
    set_pc(w, a, Pc::R6);
    emit({static_cast<std::uint8_t>(a), Step::R5b});
}

// R6f: the spin_lock after a failed allocation, then `goto out`.
void HugetlbModel::resize_R6f(Work& w, std::uint32_t a, const Emit& emit) const {
    w.set(vars_.actor[a].ret, persistent(w));
    w.note([&] { return "ret = persistent_huge_pages = " + fmt_u(persistent(w)) + "; unlock"; });
    set_pc(w, a, Pc::R10);
    emit({static_cast<std::uint8_t>(a), Step::R6f});
}

// R10: h->max_huge_pages = set_max_huge_pages(...), after the lock was dropped.
void HugetlbModel::resize_R10(Work& w, std::uint32_t a, const Emit& emit) const {
    w.set(vars_.max_huge_pages, w[vars_.actor[a].ret]);
    complete_op(w, a);
    emit({static_cast<std::uint8_t>(a), Step::R10});
}

// ---- OVERCOMMIT(v) ----------------------------------------------------------------

void HugetlbModel::overcommit_O1(Work& w, std::uint32_t a, const Emit& emit) const {
    w.set(vars_.nr_overcommit_huge_pages, current_op(w, a).value);
    complete_op(w, a);
    emit({static_cast<std::uint8_t>(a), Step::O1});
}

// ---- reading and describing states ------------------------------------------------

std::vector<std::uint64_t> HugetlbModel::unpack(const std::byte* state) const {
    std::vector<std::uint64_t> v(layout_.slots());
    layout_.unpack(state, v.data());
    return v;
}

std::vector<std::byte> HugetlbModel::pack(const std::vector<std::uint64_t>& values) const {
    if (values.size() != layout_.slots()) throw std::logic_error("pack: wrong number of values");
    std::vector<std::byte> out(layout_.bytes() + kPackSlack);
    layout_.pack(values.data(), out.data());
    out.resize(layout_.bytes());
    return out;
}

bool HugetlbModel::done(const std::byte* state, std::uint32_t a) const {
    return read(state, vars_.actor[a].op) == scenario_.actors[a].script.size();
}

bool HugetlbModel::idle(const std::byte* state, std::uint32_t a) const {
    return read(state, vars_.actor[a].pc) == static_cast<std::uint64_t>(Pc::idle);
}

bool HugetlbModel::all_done(const std::byte* state) const {
    for (std::uint32_t a = 0; a < actors(); ++a)
        if (!done(state, a)) return false;
    return true;
}

bool HugetlbModel::quiescent(const std::byte* state) const {
    for (std::uint32_t a = 0; a < actors(); ++a)
        if (!idle(state, a)) return false;
    return true;
}

std::uint64_t HugetlbModel::persistent_huge_pages(const std::byte* state) const {
    return read(state, vars_.nr_huge_pages) - read(state, vars_.surplus_huge_pages);
}

Step HugetlbModel::next_step(const std::byte* state, std::uint32_t a) const {
    const Pc pc = static_cast<Pc>(read(state, vars_.actor[a].pc));
    switch (pc) {
        case Pc::idle:
            switch (scenario_.actors[a].script[read(state, vars_.actor[a].op)].kind) {
                case OpKind::fault: return Step::F1;
                case OpKind::unmap: return Step::U1;
                case OpKind::resize: return Step::S1;
                case OpKind::overcommit: return Step::O1;
            }
            break;
        case Pc::B1: return Step::B1;
        case Pc::B2: return Step::B2;
        case Pc::B3: return Step::B3;
        case Pc::S2: return Step::S2;
        case Pc::R1: return Step::R1;
        case Pc::R4: return Step::R4;
        case Pc::R5: return Step::R5;
        case Pc::R5b: return Step::R5b;
        case Pc::R6: return Step::R6;
        case Pc::R6f: return Step::R6f;
        case Pc::R7: return Step::R7;
        case Pc::R10: return Step::R10;
    }
    throw std::logic_error("invalid pc");
}

bool HugetlbModel::is_control_slot(Slot s) const {
    return control_slot_[s] != 0;
}

std::string HugetlbModel::format_value(Slot s, std::uint64_t v) const {
    if (s == vars_.table_data) return v == kNone ? "none" : "&" + actor_name(v - 1) + ".tmp";
    for (const ActorSlots& as : vars_.actor) {
        if (s == as.pc) return std::string(pc_name(static_cast<Pc>(v)));
        if (s == as.owned || s == as.page_node)
            return v == kNone ? "none" : "node " + std::to_string(v - 1);
    }
    if (layout_.field(s).is_signed && v >= (std::uint64_t{1} << 63))
        return std::to_string(v) + " (wrapped)";
    return std::to_string(v);
}

std::vector<std::string> HugetlbModel::narrate(Context& ctx, const std::byte* before,
                                               const Transition& t) const {
    std::vector<std::string> notes, result;
    bool found = false;
    auto sink = [&](const std::byte*, const Transition& got) {
        if (!found && got.step == t.step && got.choice == t.choice) {
            result = notes;
            found = true;
        }
    };
    successors(ctx, before, sink, t.actor, &notes);
    return result;
}

}  // namespace hugecheck::model
