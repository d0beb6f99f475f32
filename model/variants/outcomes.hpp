// The outcomes of the step handlers of model/variants/ (model/variant.hpp, Outcome), one
// list per handler under the handler's name, as footprints.hpp has their footprints: the
// branches the handler, and the kernel functions it calls, mark with StepCtx::outcome. A
// handler that only one variant has declares its list beside it. tests/test_coverage.cpp
// runs the embedded scenarios and fails when a handler marks an outcome its step does not
// declare, takes a path that marks none, or never takes a declared one.
#pragma once

#include "model/variant.hpp"

namespace hugecheck::model::out {

using enum Outcome;

// ---- FAULT ----------------------------------------------------------------------------
// dequeue_huge_page_vma (kernel.cpp marks them).
inline constexpr Outcomes F1_to_V1{dequeued_home,    dequeued_other,    no_free_page,
                                   free_lists_empty, dequeued_reserved, reserved_no_page};
inline constexpr Outcomes F1_to_B1{dequeued_home,       dequeued_other,    no_free_page,
                                   free_lists_empty,    dequeued_reserved, reserved_no_page,
                                   gigantic_fault_fails};
inline constexpr Outcomes B1{surplus_bumped, surplus_full};
inline constexpr Outcomes B3{page_accounted, bump_undone};
inline constexpr Outcomes V1{surplus_room, surplus_full};
// alloc_pages_home_first (kernel.cpp marks them).
inline constexpr Outcomes alloc_pages{buddy_home, buddy_other, buddy_none};
inline constexpr Outcomes V2 = alloc_pages;
// alloc_surplus_huge_page's second check (V4 up to v6.6, V3 of v6.18).
inline constexpr Outcomes surplus_recheck{recheck_ok, recheck_failed};
inline constexpr Outcomes V4_put_page_locked = surplus_recheck;
inline constexpr Outcomes V4_put_page_unlocked = surplus_recheck;

// ---- reservations and memory offline (reservation_steps.hpp) ---------------------------
// hugetlb_acct_memory(+k) may give a short reservation back at once: the outcomes of
// return_unused_surplus_pages, per style (model/variant.hpp, UnusedStyle; upfront_resched
// has per_page's).
inline constexpr Outcomes M1_per_page{resv_commits,        must_gather,         acct_done,
                                      acct_cpuset_short,   unused_frees_unlock, unused_frees_keep,
                                      unused_no_free_page, unused_done};
inline constexpr Outcomes M1_collect{resv_commits,      must_gather,     acct_done,
                                     acct_cpuset_short, unused_collects, unused_no_free_page,
                                     unused_done};
inline constexpr Outcomes M2{gather_more, gather_enough, gather_gives_up};
inline constexpr Outcomes M3{freed_to_buddy, enqueued};
inline constexpr Outcomes M3_folio{folio_removed, enqueued};
inline constexpr Outcomes M4_per_page{acct_done,           acct_failed,       acct_cpuset_short,
                                      unused_frees_unlock, unused_frees_keep, unused_no_free_page,
                                      unused_done};
inline constexpr Outcomes M4_collect{acct_done,       acct_failed,         acct_cpuset_short,
                                     unused_collects, unused_no_free_page, unused_done};
inline constexpr Outcomes X1_per_page{unused_frees_unlock, unused_frees_keep, unused_no_free_page,
                                      unused_done};
inline constexpr Outcomes X2 = X1_per_page;
inline constexpr Outcomes X1_collect{unused_collects, unused_no_free_page, unused_done};
inline constexpr Outcomes X3{more_collected, last_collected};
inline constexpr Outcomes U0{nothing_owned, refcount_dropped};
inline constexpr Outcomes D1{dissolved, dissolve_not_free, dissolve_reserved, dissolve_no_page};
inline constexpr Outcomes D1_unchecked{dissolved, dissolve_not_free, dissolve_no_page};
inline constexpr Outcomes D1_freed_check{dissolved, dissolve_not_free, dissolve_reserved,
                                         dissolve_no_page, dissolve_retry};
inline constexpr Outcomes D1_remove_hugetlb_folio = D1_freed_check;

// ---- UNMAP ----------------------------------------------------------------------------
// free_huge_page / free_gigantic_huge_page (kernel.cpp, gigantic.cpp mark them).
inline constexpr Outcomes free_huge_page{freed_to_buddy, enqueued};
inline constexpr Outcomes U1_free_huge_page{nothing_owned, freed_to_buddy, enqueued};
inline constexpr Outcomes U1_free_huge_folio{nothing_owned, folio_removed, enqueued};

// ---- RESIZE, RESIZE_NODE --------------------------------------------------------------
// A write through a shared ctl_table (S2, OS2).
inline constexpr Outcomes write_through{own_tmp, other_tmp};
inline constexpr Outcomes S2 = write_through;
inline constexpr Outcomes N2{count_in_range, count_wraps};
// set_max_huge_pages up to v5.4: loop1 (convert_surplus_pages), the grow check, the shrink
// loop with its cond_resched_lock choice, the last loop (mark_surplus_pages).
inline constexpr Outcomes R1_from_tmp{
    loop1_converts,      loop1_race,        loop1_elsewhere,     grow,          no_shrink,
    shrink_frees_unlock, shrink_frees_keep, shrink_no_free_page, marks_surplus, mark_fails};
inline constexpr Outcomes R6_after_unlock{
    grow,          no_shrink, shrink_frees_unlock, shrink_frees_keep, shrink_no_free_page,
    marks_surplus, mark_fails};
inline constexpr Outcomes R7_after_unlock{no_shrink,         shrink_frees_unlock,
                                          shrink_frees_keep, shrink_no_free_page,
                                          marks_surplus,     mark_fails};
// v5.4: the node count under the lock (node_count marks count_wraps, count_clamped).
inline constexpr Outcomes R1_private_table{
    count_wraps,   count_clamped, loop1_converts,      loop1_race,        loop1_elsewhere,
    grow,          no_shrink,     shrink_frees_unlock, shrink_frees_keep, shrink_no_free_page,
    marks_surplus, mark_fails};
inline constexpr Outcomes R6_under_lock = R6_after_unlock;
inline constexpr Outcomes R7_under_lock = R7_after_unlock;
inline constexpr Outcomes R4{pool_page, alloc_fails};
inline constexpr Outcomes R5b = free_huge_page;
// v6.6 and v6.18: the collected shrink.
inline constexpr Outcomes collect{no_shrink, collects_page, collect_no_free_page};
inline constexpr Outcomes R8{more_collected, last_collected};
inline constexpr Outcomes R9{none_to_mark, marks_surplus, mark_fails};

// ---- OVERCOMMIT -----------------------------------------------------------------------
inline constexpr Outcomes O1_value{overcommit_set, gigantic_einval};

// ---- the gigantic path and the page allocator (gigantic_steps.hpp) --------------------
inline constexpr Outcomes G1{range_found, next_node, alloc_fails};
inline constexpr Outcomes G1_seed = G1;
inline constexpr Outcomes G1_same_zone = G1;
inline constexpr Outcomes G2{isolated, busy_isolated, busy_unmovable};
inline constexpr Outcomes G3{contig_taken, contig_busy};
inline constexpr Outcomes G4{head_on_node, head_elsewhere};
inline constexpr Outcomes G5 = free_huge_page;
inline constexpr Outcomes A1{pfn_home, pfn_other, no_free_pfn};
inline constexpr Outcomes A2{normal_page_freed, nothing_owned};

}  // namespace hugecheck::model::out
