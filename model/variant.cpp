#include "model/variant.hpp"

#include <algorithm>
#include <stdexcept>

namespace hugecheck::model {

std::string_view step_name(Step step) {
    static constexpr std::array<std::string_view, kStepCount> names = {
        "F1",  "B1", "B2",  "B3",  "V1", "V2",  "V3",  "V4", "V5",  "V6", "U1", "U2", "S1",  "S2",
        "N1",  "N2", "R1",  "R4",  "R5", "R5b", "R5c", "R6", "R6f", "R7", "R8", "R9", "R10", "RA",
        "RAf", "RS", "OS1", "OS2", "O1", "G1",  "G2",  "G3", "G4",  "G5", "A1", "A2", "U0",  "M1",
        "M2",  "M3", "M4",  "X1",  "X2", "X3",  "W1",  "W2", "W3",  "D1", "D2", "M5"};
    const auto i = static_cast<std::size_t>(step);
    return i < names.size() ? names[i] : std::string_view("?");
}

const OutcomeInfo& outcome_info(Outcome outcome) {
    using namespace needs;
    constexpr OpSet node = op_bit(OpKind::resize_node);
    // clang-format off
    static constexpr std::array<OutcomeInfo, kOutcomeCount> table = {{
        {"dequeued_home", "dequeue_huge_page_vma: a free page of the home node"},
        {"dequeued_other", "dequeue_huge_page_vma: a free page of another node (none at home)", two_nodes},
        {"no_free_page", "free - resv == 0: no free huge page, allocate a surplus page"},
        {"free_lists_empty", "free - resv > 0, but no node's free list has a page"},
        {"gigantic_fault_fails", "gigantic hstate: no surplus pages, the fault fails (ENOSPC)", gigantic},
        {"surplus_full", "surplus_huge_pages >= nr_overcommit_huge_pages: the fault fails"},
        {"surplus_bumped", "assume success: nr_huge_pages++, surplus_huge_pages++"},
        {"surplus_room", "surplus < overcommit: allocate a page"},
        {"buddy_home", "alloc_pages: a block of the home node"},
        {"buddy_other", "alloc_pages: a block of another node (none at home)", two_nodes},
        {"buddy_none", "alloc_pages: no node has a block, the allocation fails"},
        {"page_accounted", "the page is counted on its node and is the fault's"},
        {"bump_undone", "no page: undo the nr/surplus bump, the fault fails"},
        {"recheck_ok", "re-check: surplus < overcommit, surplus++, the page is the fault's"},
        {"recheck_failed", "re-check failed: surplus full, the page is temporary and freed"},
        {"nothing_owned", "no page held: nothing to free"},
        {"freed_to_buddy", "its node has surplus: the page goes back to buddy, surplus--"},
        {"enqueued", "enqueue_huge_page: the page goes onto its node's free list"},
        {"folio_removed", "its node has surplus: remove_hugetlb_folio, buddy after the unlock"},
        {"own_tmp", "table->data points to the writer's own tmp"},
        {"other_tmp", "table->data points to another actor's tmp"},
        {"count_in_range", "count = v + nr - nr_node stays at or above zero"},
        {"count_wraps", "the node count goes below zero and wraps", 0, node},
        {"count_clamped", "count < old_count: count = ULONG_MAX", 0, node},
        {"loop1_converts", "adjust_pool_surplus(-1) converts a surplus page"},
        {"loop1_race", "adjust_pool_surplus(-1) fails while surplus_huge_pages shows a page no node has"},
        {"loop1_elsewhere", "adjust_pool_surplus(-1) fails: the surplus is on nodes not allowed", two_nodes, node},
        {"grow", "count > persistent: unlock and allocate a page"},
        {"no_shrink", "min_count >= persistent: nothing (more) to free"},
        {"shrink_frees_unlock", "a pool page goes to buddy; cond_resched_lock drops the lock (R7)"},
        {"shrink_frees_keep", "a pool page goes to buddy; cond_resched_lock keeps the lock"},
        {"shrink_no_free_page", "no node has a free page to shrink: the loop stops"},
        {"marks_surplus", "adjust_pool_surplus(+1) marks a page surplus"},
        {"mark_fails", "adjust_pool_surplus(+1) finds no page to mark: the loop stops"},
        {"none_to_mark", "count >= persistent: no page to mark surplus"},
        {"pool_page", "alloc_pool_huge_page: a block of an allowed node"},
        {"alloc_fails", "no allowed node has a block: the allocation fails (R6f)"},
        {"alloc_fails_batch", "the allocation fails with folios allocated: add them (RAf)"},
        {"batch_done", "enough folios allocated: unlock and add the batch (RA)"},
        {"collects_page", "remove_pool_huge_page takes a free page onto page_list"},
        {"collect_no_free_page", "no node has a free page to remove: the loop stops"},
        {"more_collected", "more pages on page_list: free the next (R8)"},
        {"last_collected", "page_list is empty: take the lock again (R9)"},
        {"overcommit_set", "nr_overcommit_huge_pages = v", normal},
        {"gigantic_einval", "gigantic hstate: -EINVAL, nothing changes", gigantic},
        {"range_found", "pfn_range_valid_gigantic accepts a range: alloc_contig_range (G2)"},
        {"next_node", "no valid range in this node's zone: the next node"},
        {"isolated", "start_isolate_page_range isolates the pageblocks (G3)"},
        {"busy_isolated", "a pageblock is MIGRATE_ISOLATE already: -EBUSY, the next range"},
        {"busy_unmovable", "a pageblock has an unmovable page: -EBUSY, the next range"},
        {"contig_taken", "every pfn is free: the range is taken (G4)"},
        {"contig_busy", "test_pages_isolated finds a pfn not free: -EBUSY, the next range"},
        {"head_on_node", "the head pfn is on the node counted"},
        {"head_elsewhere", "the head pfn is on another node than the one counted", two_nodes},
        {"pfn_home", "alloc_pages takes a free pfn of the home node"},
        {"pfn_other", "alloc_pages takes a free pfn of another node (none at home)", two_nodes},
        {"no_free_pfn", "no free pfn outside isolated pageblocks: the allocation fails"},
        {"normal_page_freed", "__free_pages of the page ALLOC took"},
        {"dequeued_reserved", "the fault consumes a reservation: a free page, resv_huge_pages--", mmap},
        {"reserved_no_page", "a reserved fault finds no free page it may use: a surplus page", two_nodes | mmap},
        {"resv_commits", "gather_surplus_pages: enough free pages, resv_huge_pages += delta"},
        {"must_gather", "gather_surplus_pages: too few free pages, unlock and allocate surplus pages"},
        {"gather_more", "after the allocations, still too few pages: retry"},
        {"gather_enough", "enough pages: resv += delta, the needed pages are enqueued"},
        {"gather_gives_up", "an allocation failed and pages are still needed: free them all (-ENOMEM)"},
                                {"acct_done", "hugetlb_acct_memory succeeds: the mapping has its reservation"},
        {"acct_cpuset_short", "delta > cpuset_mems_nr(free_huge_pages_node): give it back, -ENOMEM"},
        {"acct_failed", "gather_surplus_pages failed: the mmap fails (-ENOMEM)"},
        {"unused_frees_unlock", "a surplus page goes to buddy; cond_resched_lock drops the lock"},
        {"unused_frees_keep", "a surplus page goes to buddy; cond_resched_lock keeps the lock"},
        {"unused_no_free_page", "no free surplus page to return: the loop stops"},
        {"unused_done", "every unused reservation is given back"},
        {"unused_collects", "remove_pool_hugetlb_folio collects a surplus page to free after the unlock"},
        {"dissolved", "the free page is dissolved: out of the pool, back to buddy"},
        {"dissolve_not_free", "the page is in use (page_count > 0) or not a huge page: -EBUSY or nothing"},
        {"dissolve_reserved", "free - resv == 0: the page is reserved, -EBUSY"},
        {"dissolve_retry", "refcount 0 but not yet on the free list: unlock and retry", frames},
        {"dissolve_no_page", "the node has no huge page to dissolve"},
        {"refcount_dropped", "put_page_testzero: the refcount is 0, free_huge_page is next", frames},
        {"shared_fault_oom", "a shared mapping's fault finds no free page: VM_FAULT_OOM, no buddy fallback", mmap},
        {"unused_spins", "surplus pages to free, none of them free: the loop spins under hugetlb_lock"},
        {"shrink_dequeues", "dequeue_huge_page: a free page to buddy, the lock kept, surplus untouched"},
    }};
    // clang-format on
    return table[static_cast<std::size_t>(outcome)];
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
        outcome_bit_[l].fill(kUndeclaredOutcome);
        for (std::size_t j = 0; j < s.outcomes.size(); ++j) {
            OutcomeMask& b = outcome_bit_[l][static_cast<std::size_t>(s.outcomes[j])];
            if (b != kUndeclaredOutcome)
                throw std::logic_error(what + " declares outcome " +
                                       std::string(outcome_info(s.outcomes[j]).name) + " twice");
            b = static_cast<OutcomeMask>(OutcomeMask{1} << j);
        }
        Footprint f = s.footprint;
        // Completing an op resets every local, tmp included, which another actor's S2 may
        // be writing: an op's end writes the actor's tmp.
        if (f.ends_op) f.writes |= bit(Var::own_tmp);
        if ((s.takes & lock::hugetlb) && features_.hugetlb_lock_state)
            f.reads |= bit(Var::hugetlb_lock);
        // A step that moves pages between buddy, the pool and the free lists moves their
        // frames too (kernel.hpp's helpers do it).
        if (features_.frames &&
            (f.touches() & vars({Var::buddy, Var::nr_huge_pages_node, Var::free_huge_pages_node})))
            f = f | Footprint{bit(Var::frames), bit(Var::frames)};
        if ((s.takes & lock::resize) && features_.resize_lock)  // the model sets the owner
            f = f | Footprint{vars({Var::resize_lock}), vars({Var::resize_lock})};
        footprint_[l] = f;
    }
    std::vector<Step> firsts{first.fault, first.unmap, first.resize, first.overcommit,
                             first.resize_node};
    if (features_.gigantic) firsts.insert(firsts.end(), {first.alloc, first.free});
    if (features_.reservations) firsts.insert(firsts.end(), {first.mmap, first.munmap});
    if (features_.dissolve) firsts.push_back(first.dissolve);
    for (Step f : firsts)
        if (!has(f))
            throw std::logic_error("variant " + name_ + ": first step " +
                                   std::string(step_name(f)) + " is not in the table");
    // An op's first step is taken from idle; a step only ever taken that way needs no pc.
    for (const StepDef& s : steps_) {
        // With frames, UNMAP starts at U0 (HugetlbModel::step_at) and waits at its
        // variant's first step.
        if (s.label == Step::U0) continue;
        bool waited_at = features_.frames && s.label == first.unmap;
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
        case OpKind::mmap: return first_.mmap;
        case OpKind::munmap: return first_.munmap;
        case OpKind::dissolve: return first_.dissolve;
    }
    throw std::logic_error("unknown operation");
}

bool Variant::is_first(Step label) const {
    for (Step f :
         {first_.fault, first_.unmap, first_.resize, first_.overcommit, first_.resize_node})
        if (f == label) return true;
    if (features_.frames && label == Step::U0) return true;
    if (features_.reservations && (label == first_.mmap || label == first_.munmap)) return true;
    if (features_.dissolve && label == first_.dissolve) return true;
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
