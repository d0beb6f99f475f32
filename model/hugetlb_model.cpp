#include "model/hugetlb_model.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "model/frames.hpp"

namespace hugecheck::model {

std::string_view frames::role_name(Role role) {
    switch (role) {
        case Role::allocating: return "allocating";
        case Role::unlisted: return "unlisted";
        case Role::temporary: return "temporary";
        case Role::in_use: return "in use";
        case Role::dropped: return "refcount 0";
        case Role::leaving: return "leaving";
        case Role::dissolved: return "dissolved, in buddy, still to be freed";
    }
    return "?";
}

// ---- StepCtx -----------------------------------------------------------------------

StepCtx::StepCtx(const HugetlbModel& model, Work& work, std::uint32_t actor, Step step,
                 const Emit& emit)
    : m(model),
      w(work),
      v(model.vars()),
      a(actor),
      self(model.vars().actor[actor]),
      op(model.current_op(work, actor)),
      nodes(model.nodes()),
      mask(op.kind == OpKind::resize_node ? NodeMask{1} << op.node : model.all_nodes()),
      emit_(emit),
      outcome_bits_(model.variant().outcome_bits(step)),
      t_{static_cast<std::uint8_t>(actor), step} {}

bool StepCtx::spinning() {
    return w.spinning(m.page_bound());
}

void StepCtx::go(Step next) {
    w.set(self.pc, m.variant().pc_code(next));
}

// An op ends: the next op, and every local but `owned` back to 0/none (the canonical
// form, so that states that differ only in dead locals are one state).
void StepCtx::complete() {
    w.set(self.op, w[self.op] + 1);
    w.set(self.pc, 0);
    for (Slot local : {self.tmp, self.count, self.min_count, self.ret, self.page_node,
                       self.page_list, self.gigantic_pfn, self.gigantic_tries})
        if (w[local] != 0) w.set(local, 0);
}

void StepCtx::release(std::uint8_t locks) {
    if ((locks & lock::resize) && w[v.resize_lock] == encode_index(a)) w.set(v.resize_lock, kNone);
    if ((locks & lock::hugetlb) && w[v.hugetlb_lock] == encode_index(a))
        w.set(v.hugetlb_lock, kNone);
}

void StepCtx::emit() {
    emit_(t_);
    ++t_.choice;
}

void StepCtx::emit(Outcome o) {
    const OutcomeMask before = t_.outcomes;
    outcome(o);
    emit();
    t_.outcomes = before;
}

const std::string& StepCtx::name() const {
    return m.actor_name(a);
}

// ---- the model ----------------------------------------------------------------------

HugetlbModel::HugetlbModel(Scenario scenario, std::string_view variant)
    : HugetlbModel(std::move(scenario), find_variant(variant)) {}

HugetlbModel::HugetlbModel(Scenario scenario, const Variant& variant)
    : scenario_(std::move(scenario)), variant_(variant) {
    if (scenario_.gigantic.enabled) {
        if (!variant_.features().gigantic) {
            std::string names;
            for (const Variant* v : all_variants())
                if (v->features().gigantic) names += (names.empty() ? "" : ", ") + v->name();
            throw InputError("--variant", 0, "",
                             "variant " + variant_.name() +
                                 " does not model gigantic pages, which " + scenario_.source +
                                 " has (variants that do: " + names + ")");
        }
        gigantic_.emplace(scenario_);
    }
    for (const Actor& a : scenario_.actors)
        for (const Operation& op : a.script) {
            if (op.kind == OpKind::mmap) reservations_ = true;
            if (op.kind == OpKind::dissolve) dissolves_ = true;
        }
    // Operations, and pages with identity, that only some variants model.
    if (const std::string what = missing_features(scenario_, variant_); !what.empty()) {
        bool (*has)(const Features&) = nullptr;
        if (what.starts_with("pages"))
            has = [](const Features& x) { return x.frames; };
        else if (what.starts_with("memory offline"))
            has = [](const Features& x) { return x.dissolve; };
        else if (what.starts_with("the per-node"))
            has = [](const Features& x) { return x.resize_node; };
        else if (what.starts_with("gigantic"))
            has = [](const Features& x) { return x.gigantic; };
        else
            has = [](const Features& x) { return x.reservations; };
        std::string names;
        for (const Variant* v : all_variants())
            if (has(v->features())) names += (names.empty() ? "" : ", ") + v->name();
        throw InputError("--variant", 0, "",
                         "variant " + variant_.name() + " does not model " + what + ", which " +
                             scenario_.source +
                             " has (variants that do: " + (names.empty() ? "none" : names) + ")");
    }
    build_layout();
}

std::string HugetlbModel::missing_features(const Scenario& sc, const Variant& variant) {
    const Features& f = variant.features();
    if (sc.gigantic.enabled && !f.gigantic) return "gigantic pages";
    if (sc.frames && !f.frames) return "pages with identity (frames)";
    for (const Actor& a : sc.actors) {
        if (a.bind && !f.reservations) return "memory policies (policy = \"bind\")";
        for (const Operation& op : a.script) {
            if ((op.kind == OpKind::mmap || op.kind == OpKind::munmap) && !f.reservations)
                return "reservations (MMAP, MUNMAP)";
            if (op.kind == OpKind::dissolve && !f.dissolve) return "memory offline (DISSOLVE)";
            if (op.kind == OpKind::resize_node && !f.resize_node)
                return "the per-node nr_hugepages file (RESIZE_NODE)";
        }
    }
    return "";
}

// Field widths come from bounds of the scenario; PackedLayout::write checks every value
// against them, so a wrong bound is an error, never a silently different state.
//  - a counter of the whole pool (and every local that copies one) is at most
//    max(Σmem + actors, every RESIZE/OVERCOMMIT value, overcommit0): nr_huge_pages is
//    Σ nr_huge_pages_node plus at most one in-flight page per actor;
//  - nr_huge_pages_node, free_huge_pages_node and buddy of node n count real pages of that
//    node, so they stay within mem[n]; surplus_huge_pages_node does not (a free_pool_huge_page
//    may take a page the node's surplus counts), so it gets the pool-wide width;
//  - counters are stored signed, so a wrapped decrement (-1 = 2^64 - 1) stays exact, and
//    so does a count the kernel sets to ULONG_MAX;
//  - RESIZE_NODE's count is v + nr_huge_pages - nr_huge_pages_node[nid], and its first
//    load alone is v + nr_huge_pages: count and min_count of an actor with a RESIZE_NODE
//    get room for the counter bound twice;
//  - a local an actor can never set gets 0 bits: tmp only if a shared ctl_table can point
//    at it, count/min_count/ret only for resizers, owned only if it faults.
void HugetlbModel::build_layout() {
    const Scenario& sc = scenario_;
    const Features& f = variant_.features();
    const std::uint32_t n_nodes = sc.nodes;
    const std::uint64_t total_mem =
        gigantic_ ? gigantic_->max_pages()
                  : std::accumulate(sc.mem.begin(), sc.mem.end(), std::uint64_t{0});
    std::uint64_t bound = std::max<std::uint64_t>(total_mem + sc.actors.size(), sc.overcommit);
    page_bound_ = total_mem + sc.actors.size() + 1;
    for (const Actor& a : sc.actors)
        for (const Operation& op : a.script)
            bound = std::max(bound, op.value);
    // After a double free (B14) the counters leave their bounds: two bits of headroom, and
    // a value past them ends the search as incomplete rather than as a wrong state.
    const std::uint8_t counter =
        static_cast<std::uint8_t>(bits_for(bound) + 1 + (dissolves_ ? 2 : 0));
    const std::uint8_t node_count = static_cast<std::uint8_t>(bits_for(2 * bound) + 1);
    const std::uint8_t actor_id = bits_for(sc.actors.size());

    Vars& v = vars_;
    v.max_huge_pages = layout_.add("max_huge_pages", counter, true);
    v.nr_overcommit_huge_pages = layout_.add("nr_overcommit_huge_pages", counter, true);
    v.nr_huge_pages = layout_.add("nr_huge_pages", counter, true);
    v.free_huge_pages = layout_.add("free_huge_pages", counter, true);
    v.resv_huge_pages = layout_.add("resv_huge_pages", counter, true);
    v.surplus_huge_pages = layout_.add("surplus_huge_pages", counter, true);
    v.next_nid_to_alloc = layout_.add("next_nid_to_alloc", bits_for(n_nodes - 1), false);
    v.next_nid_to_free = layout_.add("next_nid_to_free", bits_for(n_nodes - 1), false);
    v.unused_nid = layout_.add("unused_nid", f.own_cursors ? bits_for(n_nodes - 1) : 0, false);
    v.table_data = layout_.add("table->data", f.shared_nr_hugepages_table ? actor_id : 0, false);
    v.overcommit_table_data =
        layout_.add("overcommit_table->data", f.shared_overcommit_table ? actor_id : 0, false);
    v.hugetlb_lock = layout_.add("hugetlb_lock", f.hugetlb_lock_state ? actor_id : 0, false);
    v.resize_lock = layout_.add("resize_lock", f.resize_lock ? actor_id : 0, false);
    // A gigantic scenario's node counters get the pool-wide width: the seed's
    // pfn_range_valid_gigantic can account a page to a node that does not have it.
    // A DISSOLVE of a page whose free_huge_page is still to come (B14) frees it to buddy
    // twice: the node counters leave mem[n]'s range, so they get the pool-wide width too.
    auto per_node = [&](std::vector<Slot>& slots, const char* name, bool pool_wide) {
        for (std::uint32_t n = 0; n < n_nodes; ++n) {
            const std::uint8_t w = pool_wide || gigantic_ || dissolves_
                                       ? counter
                                       : static_cast<std::uint8_t>(bits_for(sc.mem[n]) + 1);
            slots.push_back(
                layout_.add(std::string(name) + "[" + std::to_string(n) + "]", w, true));
        }
    };
    per_node(v.nr_huge_pages_node, "nr_huge_pages_node", false);
    per_node(v.free_huge_pages_node, "free_huge_pages_node", false);
    per_node(v.surplus_huge_pages_node, "surplus_huge_pages_node", true);
    if (gigantic_) {  // the buddy allocator is the pfns
        for (std::uint32_t n = 0; n < n_nodes; ++n)
            v.buddy.push_back(layout_.add("buddy[" + std::to_string(n) + "]", 0, false));
    } else {
        per_node(v.buddy, "buddy", false);
    }
    v.frames.resize(n_nodes);
    if (sc.frames) {
        const std::uint8_t width =
            bits_for(frames::max_code(static_cast<std::uint32_t>(sc.actors.size())));
        for (std::uint32_t n = 0; n < n_nodes; ++n)
            for (std::uint64_t k = 0; k < sc.mem[n]; ++k)
                v.frames[n].push_back(layout_.add(
                    "frame[" + std::to_string(n) + "." + std::to_string(k) + "]", width, false));
    }
    if (gigantic_) {
        const GiganticLayout& g = *gigantic_;
        const std::uint8_t state_width = bits_for(pfn_state::head_free + g.max_free_list() - 1);
        for (std::uint64_t p = 0; p < g.pfn_end(); ++p)
            v.pfn.push_back(layout_.add("pfn[" + std::to_string(p) + "]",
                                        g.kind(p) == PfnKind::ram ? state_width : 0, false));
        for (std::uint64_t b = 0; b < g.pageblocks(); ++b)
            v.isolated.push_back(layout_.add("isolated[" + std::to_string(b) + "]",
                                             g.block_has_memory(b) ? 1 : 0, false));
    }

    // page_list holds up to Σmem pages: Σmem digits in base N + 1.
    std::uint64_t list_max = 0;
    if (f.page_list || reservations_) {
        list_max = 1;
        for (std::uint64_t k = 0; k < total_mem; ++k) {
            if (list_max > (std::uint64_t{1} << 56) / page_list_base())
                throw InputError(sc.source, 0, "mem",
                                 "too many pages for the page_list of variant " + variant_.name() +
                                     " (its node numbers must fit in 56 bits)");
            list_max *= page_list_base();
        }
        list_max -= 1;
    }

    for (const Actor& a : sc.actors) {
        OpSet ops = 0;
        for (const Operation& op : a.script)
            ops |= op_bit(op.kind);
        const bool faults = ops & op_bit(OpKind::fault);
        const bool allocs = ops & op_bit(OpKind::alloc);
        const std::uint8_t pfn_width = gigantic_ ? bits_for(gigantic_->pfn_end()) : 0;
        const bool resizes = ops & kResizeOps;
        const bool unmaps = ops & op_bit(OpKind::unmap);
        const bool maps = ops & op_bit(OpKind::mmap);  // gather_surplus_pages' locals
        const bool unmaps_mapping = ops & op_bit(OpKind::munmap);
        const bool dissolves = ops & op_bit(OpKind::dissolve);
        // A FAULT that consumes a reservation loads resv_huge_pages into count (W1).
        const bool loads_resv = faults && maps;
        std::uint64_t reservation = 0;
        for (const Operation& op : a.script)
            if (op.kind == OpKind::mmap) reservation = std::max(reservation, op.value);
        const bool table_writer = (f.shared_nr_hugepages_table && (ops & op_bit(OpKind::resize))) ||
                                  (f.shared_overcommit_table && (ops & op_bit(OpKind::overcommit)));
        const std::uint8_t node = bits_for(n_nodes);
        const std::string p = a.name + ".";
        ActorSlots s{};
        s.op = layout_.add(p + "op", bits_for(a.script.size()), false);
        s.pc = layout_.add(p + "pc", bits_for(variant_.max_pc(ops)), false);
        s.tmp = layout_.add(p + "tmp", table_writer ? counter : 0, true);
        const bool node_writes = ops & op_bit(OpKind::resize_node);
        const std::uint8_t count_width = node_writes ? node_count
                                         : (resizes || maps || unmaps_mapping || loads_resv)
                                             ? counter
                                             : 0;
        s.count = layout_.add(p + "count", count_width, true);
        s.page_node = layout_.add(
            p + "page_node",
            (faults || resizes || unmaps || maps || unmaps_mapping || dissolves) ? node : 0, false);
        s.min_count = layout_.add(p + "min_count", count_width, true);
        s.ret = layout_.add(p + "ret", (resizes || maps || unmaps_mapping) ? counter : 0, true);
        s.owned = layout_.add(p + "owned", faults ? (gigantic_ ? pfn_width : node) : 0, false);
        s.page_list =
            layout_.add(p + "page_list",
                        ((resizes && f.page_list) || maps || (unmaps_mapping && f.page_list))
                            ? bits_for(list_max)
                            : 0,
                        false);
        // The scan's next candidate can lie one page past the memory before the loop ends.
        const bool scans = gigantic_ && resizes;
        s.gigantic_pfn = layout_.add(
            p + "pfn", scans ? bits_for(gigantic_->pfn_end() + gigantic_->nr_pages()) : 0, false);
        s.gigantic_tries = layout_.add(p + "nr_nodes", scans ? bits_for(n_nodes) : 0, false);
        s.normal_page = layout_.add(p + "page", allocs ? pfn_width : 0, false);
        s.reserved = layout_.add(p + "reserved", bits_for(reservation), false);
        v.actor.push_back(s);

        std::vector<std::uint32_t> order{a.home};
        for (std::uint32_t n = 0; n < n_nodes; ++n)
            if (n != a.home) order.push_back(n);
        local_first_.push_back(order);
        // MPOL_BIND to the home node: the fault's node list is that node alone.
        if (a.bind) order.resize(1);
        home_first_.push_back(std::move(order));
    }
    control_slot_.assign(layout_.slots(), 0);
    for (const ActorSlots& s : v.actor)
        control_slot_[s.op] = control_slot_[s.pc] = 1;
    // The node counters of a gigantic scenario, and the counts computed from them
    // (RESIZE_NODE's v + nr - nr_node[nid]).
    may_drift_.assign(layout_.slots(), 0);
    if (gigantic_) {
        for (const auto* slots :
             {&v.nr_huge_pages_node, &v.free_huge_pages_node, &v.surplus_huge_pages_node})
            for (Slot s : *slots)
                may_drift_[s] = 1;
        for (const ActorSlots& s : v.actor)
            may_drift_[s.count] = may_drift_[s.min_count] = 1;
        drift_reason_ = "the node counters drift without bound";
    }
    if (dissolves_) {
        for (const auto* slots :
             {&v.nr_huge_pages_node, &v.free_huge_pages_node, &v.surplus_huge_pages_node, &v.buddy})
            for (Slot s : *slots)
                may_drift_[s] = 1;
        for (Slot s : {v.max_huge_pages, v.nr_huge_pages, v.free_huge_pages, v.surplus_huge_pages,
                       v.resv_huge_pages})
            may_drift_[s] = 1;
        for (const ActorSlots& s : v.actor)
            may_drift_[s.count] = may_drift_[s.min_count] = may_drift_[s.ret] = 1;
        drift_reason_ = "a page freed twice (dissolved while it was being freed) is counted twice";
    }
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
        if (!gigantic_) v[vars_.buddy[n]] = sc.mem[n] - sc.pool[n];
        // Sorted: the blocks in buddy (0) first, then the free pages (1).
        for (std::uint64_t k = 0; k < vars_.frames[n].size(); ++k)
            v[vars_.frames[n][k]] = k < sc.mem[n] - sc.pool[n] ? frames::buddy : frames::free;
    }
    if (gigantic_) {
        // The pool's pages are on their node's free list in the order they were enqueued:
        // the last one listed is at the top.
        const GiganticLayout& g = *gigantic_;
        std::vector<std::uint64_t> depth(sc.nodes, 0);
        for (auto it = sc.gigantic.pool.rbegin(); it != sc.gigantic.pool.rend(); ++it) {
            const auto nid = static_cast<std::size_t>(g.node_of(*it));
            v[vars_.pfn[*it]] = pfn_state::head_free + depth[nid]++;
            for (std::uint64_t p = *it + 1; p < *it + g.nr_pages(); ++p)
                v[vars_.pfn[p]] = pfn_state::tail;
        }
    }
    layout_.pack(v.data(), out);
}

Step HugetlbModel::step_at(std::uint64_t op_index, std::uint64_t pc, std::uint32_t a) const {
    if (pc == 0) {
        const OpKind kind = scenario_.actors[a].script[op_index].kind;
        // With frames, UNMAP is its two halves: put_page_testzero (U0), then free_huge_page.
        if (kind == OpKind::unmap && scenario_.frames) return Step::U0;
        return variant_.first_step(kind);
    }
    if (pc >= variant_.pc_codes())
        throw std::logic_error("actor " + actor_name(a) + " has an invalid pc " +
                               std::to_string(pc));
    return variant_.step_of_pc(pc);
}

// Which lock a step cannot take: a lock is state (its owner, or none).
std::uint8_t HugetlbModel::lock_conflict(std::uint8_t takes, std::uint64_t hugetlb_owner,
                                         std::uint64_t resize_owner) const {
    if ((takes & lock::hugetlb) && hugetlb_owner != kNone) return lock::hugetlb;
    if ((takes & lock::resize) && resize_owner != kNone) return lock::resize;
    return 0;
}

void HugetlbModel::successors(Context& ctx, const std::byte* state,
                              FunctionRef<void(const std::byte*, const Transition&)> sink,
                              int only_actor, std::vector<std::string>* notes,
                              const FunctionRef<void(const StepRecord&)>* record) const {
    layout_.unpack(state, ctx.base.data());
    std::copy(ctx.base.begin(), ctx.base.end(), ctx.cur.begin());
    Work w;
    w.cur_ = ctx.cur.data();
    w.base_ = ctx.base.data();
    w.dirty_ = ctx.dirty.data();
    w.dirty_flag_ = ctx.dirty_flag.data();
    w.notes_ = notes;
    if (record) {
        ctx.read_flag.assign(layout_.slots(), 0);
        w.read_flag_ = ctx.read_flag.data();
    }
    const std::size_t bytes = layout_.bytes();
    std::byte* out = ctx.out.data();
    if (!ctx.unrepresentable.empty()) ctx.unrepresentable.clear();
    auto emit = [&](const Transition& t) {
        if (w.runaway_) [[unlikely]] {
            ctx.unrepresentable =
                "step " + std::string(step_name(t.step)) + " of " + actor_name(t.actor) +
                " loops more often than there are pages: " +
                (drift_reason_.empty() ? "the counters are corrupt" : drift_reason_);
            return;
        }
        std::memcpy(out, state, bytes);
        for (std::uint32_t i = 0; i < w.dirty_count_; ++i) {
            const Slot slot = w.dirty_[i];
            if (layout_.try_write(out, slot, w.cur_[slot])) continue;
            if (!may_drift_[slot]) layout_.write(out, slot, w.cur_[slot]);  // throws: a bug
            ctx.unrepresentable = "step " + std::string(step_name(t.step)) + " of " +
                                  actor_name(t.actor) + " makes " + slot_name(slot) + " " +
                                  format_value(slot, w.cur_[slot]) + ", past its " +
                                  std::to_string(layout_.field(slot).width) +
                                  "-bit field: " + drift_reason_;
            return;
        }
        if (scenario_.frames) canonical_frames(out, w.dirty_flag_);
        Transition with_events = t;
        with_events.events |= w.events_;
        sink(out, with_events);
    };
    const Emit emit_ref(emit);
    for (std::uint32_t a = 0; a < actors(); ++a) {
        if (only_actor >= 0 && a != static_cast<std::uint32_t>(only_actor)) continue;
        const ActorSlots& s = vars_.actor[a];
        const std::uint64_t op_index = w[s.op];
        if (op_index == scenario_.actors[a].script.size()) continue;  // done
        const Step next = step_at(op_index, w[s.pc], a);
        const StepDef& def = variant_.step(next);
        // Blocked on a lock (someone else's, or its own: a self-deadlock, which P6
        // reports on the state): no step.
        if (lock_conflict(def.takes, w[vars_.hugetlb_lock], w[vars_.resize_lock])) continue;
        if ((def.takes & lock::resize) && variant_.features().resize_lock)
            w.set(vars_.resize_lock, encode_index(a));  // held until set_max_huge_pages returns
        if (record) {  // what the explorer read to get here is not the step's
            std::fill(ctx.read_flag.begin(), ctx.read_flag.end(), 0);
            if ((def.takes & lock::hugetlb) && variant_.features().hugetlb_lock_state)
                ctx.read_flag[vars_.hugetlb_lock] = 1;
            if ((def.takes & lock::resize) && variant_.features().resize_lock)
                ctx.read_flag[vars_.resize_lock] = 1;
        }
        StepCtx c(*this, w, a, next, emit_ref);
        def.run(c);
        if (record)
            (*record)(
                StepRecord{a, next, ctx.read_flag.data(), w.dirty_, w.dirty_count_, w.events_});
        for (std::uint32_t i = 0; i < w.dirty_count_; ++i) {  // back to the source state
            w.cur_[w.dirty_[i]] = w.base_[w.dirty_[i]];
            w.dirty_flag_[w.dirty_[i]] = 0;
        }
        w.dirty_count_ = 0;
        w.events_ = 0;
        w.spins_ = 0;
        w.runaway_ = false;
        if (notes) notes->clear();
    }
}

// Frames of one node in the same state are interchangeable: each node's frames are kept
// sorted, so that a state is the multiset of their states.
void HugetlbModel::canonical_frames(std::byte* out, const std::uint8_t* dirty_flag) const {
    std::uint64_t values[kMaxFrames];
    for (const std::vector<Slot>& node : vars_.frames) {
        bool touched = false;
        for (Slot s : node)
            touched = touched || dirty_flag[s];
        if (!touched) continue;
        const std::size_t k = node.size();
        for (std::size_t i = 0; i < k; ++i)
            values[i] = layout_.read(out, node[i]);
        std::sort(values, values + k);
        for (std::size_t i = 0; i < k; ++i)
            layout_.write(out, node[i], values[i]);
    }
}

void HugetlbModel::record_steps(Context& ctx, const std::byte* state,
                                FunctionRef<void(const std::byte*, const Transition&)> sink,
                                FunctionRef<void(const StepRecord&)> record) const {
    successors(ctx, state, sink, -1, nullptr, &record);
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
    return read(state, vars_.actor[a].pc) == 0;
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
    return step_at(read(state, vars_.actor[a].op), read(state, vars_.actor[a].pc), a);
}

std::uint8_t HugetlbModel::blocked_on(const std::byte* state, std::uint32_t a) const {
    if (done(state, a)) return 0;
    return lock_conflict(step_def(next_step(state, a)).takes, read(state, vars_.hugetlb_lock),
                         read(state, vars_.resize_lock));
}

bool HugetlbModel::self_deadlocked(const std::byte* state, std::uint32_t a) const {
    const std::uint8_t lock = blocked_on(state, a);
    const Slot owner = lock == lock::hugetlb ? vars_.hugetlb_lock : vars_.resize_lock;
    return lock != 0 && read(state, owner) == encode_index(a);
}

std::string HugetlbModel::wait_text(const std::byte* state, std::uint32_t a) const {
    const std::uint8_t lock = blocked_on(state, a);
    if (lock == 0) return "";
    const std::string name = lock == lock::hugetlb ? "hugetlb_lock" : "resize_lock";
    const std::uint64_t owner =
        read(state, lock == lock::hugetlb ? vars_.hugetlb_lock : vars_.resize_lock);
    const std::string where = std::string(step_name(next_step(state, a))) + " (" +
                              std::string(step_def(next_step(state, a)).function) + ")";
    if (owner == encode_index(a) && variant_.features().unused == UnusedStyle::upfront_spin &&
        next_step(state, a) == Step::X2)
        return actor_name(a) + " spins in " + where + " with " + name +
               " held: no node has a free surplus page, and no other CPU can free one";
    if (owner == encode_index(a))
        return actor_name(a) + " at " + where + " takes " + name + ", which it already holds";
    return actor_name(a) + " at " + where + " waits for " + name + ", held by " +
           actor_name(static_cast<std::uint32_t>(owner - 1));
}

std::string HugetlbModel::memory_map(const std::byte* state) const {
    if (!gigantic_) return "";
    const GiganticLayout& g = *gigantic_;
    std::string out;
    for (std::uint64_t b = 0; b < g.pageblocks(); ++b) {
        const bool isolated = read(state, vars_.isolated[b]) != 0;
        if (b > 0) out += '|';
        if (isolated) out += '[';
        for (std::uint64_t p = b * g.pageblock_nr_pages();
             p < std::min(g.pfn_end(), (b + 1) * g.pageblock_nr_pages()); ++p) {
            switch (g.kind(p)) {
                case PfnKind::hole: out += '.'; continue;
                case PfnKind::reserved: out += 'R'; continue;
                case PfnKind::in_use: out += 'U'; continue;
                case PfnKind::ram: break;
            }
            const std::uint64_t st = read(state, vars_.pfn[p]);
            out += st == pfn_state::free          ? '-'
                   : st == pfn_state::normal      ? 'a'
                   : st == pfn_state::taken       ? 'c'
                   : st == pfn_state::tail        ? 't'
                   : st == pfn_state::head_in_use ? 'H'
                                                  : 'F';
        }
        if (isolated) out += ']';
    }
    return out;
}

std::string HugetlbModel::node_map() const {
    if (!gigantic_) return "";
    const GiganticLayout& g = *gigantic_;
    std::string out;
    for (std::uint64_t p = 0; p < g.pfn_end(); ++p) {
        if (p > 0 && p % g.pageblock_nr_pages() == 0) out += '|';
        out += g.node_of(p) < 0 ? '.' : static_cast<char>('0' + g.node_of(p));
    }
    return out;
}

bool HugetlbModel::is_control_slot(Slot s) const {
    return control_slot_[s] != 0;
}

std::string HugetlbModel::format_value(Slot s, std::uint64_t v) const {
    if (s == vars_.table_data || s == vars_.overcommit_table_data)
        return v == kNone ? "none" : "&" + actor_name(static_cast<std::uint32_t>(v - 1)) + ".tmp";
    if (s == vars_.hugetlb_lock || s == vars_.resize_lock)
        return v == kNone ? "free" : "held by " + actor_name(static_cast<std::uint32_t>(v - 1));
    for (const ActorSlots& as : vars_.actor) {
        if (s == as.pc)
            return v == 0
                       ? "idle"
                       : (v < variant_.pc_codes() ? std::string(step_name(variant_.step_of_pc(v)))
                                                  : "?" + std::to_string(v));
        if (gigantic_ && s == as.owned)
            return v == kNone ? "none"
                              : "pfn " + std::to_string(v - 1) + " (node " +
                                    std::to_string(gigantic_->node_of(v - 1)) + ")";
        if (s == as.owned || s == as.page_node)
            return v == kNone ? "none" : "node " + std::to_string(v - 1);
        if (s == as.gigantic_pfn) return v == 0 ? "next node" : "pfn " + std::to_string(v - 1);
        if (s == as.normal_page) return v == 0 ? "none" : "pfn " + std::to_string(v - 1);
        if (s == as.page_list) {  // the pages' nodes, newest first, as list_add builds it
            std::string out = "[";
            for (std::uint64_t rest = v; rest != 0; rest /= page_list_base())
                out += (out.size() > 1 ? "," : "") + std::to_string(rest % page_list_base() - 1);
            return out + "]";
        }
    }
    for (const std::vector<Slot>& node : vars_.frames)
        for (Slot f : node)
            if (s == f) return frame_text(v);
    if (gigantic_) {
        for (std::uint64_t p = 0; p < vars_.pfn.size(); ++p)
            if (s == vars_.pfn[p]) return pfn_state_text(v);
        for (std::uint64_t b = 0; b < vars_.isolated.size(); ++b)
            if (s == vars_.isolated[b]) return v ? "MIGRATE_ISOLATE" : "no";
    }
    if (layout_.field(s).is_signed && v >= (std::uint64_t{1} << 63))
        return std::to_string(v) + " (wrapped)";
    return std::to_string(v);
}

std::string HugetlbModel::frame_text(std::uint64_t code) const {
    if (code == frames::buddy) return "buddy";
    if (code == frames::free) return "free list";
    if (code == frames::corrupt) return "buddy + free list";
    if (!frames::is_held(code) || frames::holder(code) >= actors())
        return "?" + std::to_string(code);
    return std::string(frames::role_name(frames::role(code))) + " by " +
           actor_name(frames::holder(code));
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
