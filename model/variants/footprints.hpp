// The footprints of the step handlers of model/variants/shared_steps.hpp and
// gigantic_steps.hpp, one per handler under the handler's name (model/footprint.hpp says
// what a footprint means; a handler that only one variant has declares its own beside it).
// Built from the footprints of the kernel functions the handlers call, as kernel.hpp
// describes them. Steps under hugetlb_lock that touch the pool counters conflict with each
// other anyway, so they declare the counters as a group; the precision that matters is in
// the unlocked steps and the sysctl steps, which is where partial-order reduction gains.
#pragma once

#include "model/footprint.hpp"
#include "model/hugetlb_model.hpp"

namespace hugecheck::model::fp {

using enum Var;

constexpr Footprint reads(VarSet s) {
    return {s, 0, 0, false};
}
constexpr Footprint writes(VarSet s) {
    return {0, s, 0, false};
}
constexpr Footprint read_write(VarSet s) {
    return {s, s, 0, false};
}
inline constexpr Footprint ends_op{0, 0, 0, true};
inline constexpr Footprint may_underflow{0, 0, event::underflow, false};    // P2's event
inline constexpr Footprint loop1{0, 0, event::loop1_adjust_failed, false};  // P8's event
inline constexpr Footprint may_reuse_pfn{0, 0, event::pfn_reused, false};   // P9's event

// The hstate's counters, as the locked sections change them.
inline constexpr VarSet kPool =
    vars({nr_huge_pages, free_huge_pages, surplus_huge_pages, nr_huge_pages_node,
          free_huge_pages_node, surplus_huge_pages_node});
inline constexpr VarSet kCursors = vars({next_nid_to_alloc, next_nid_to_free});

// ---- kernel functions (model/kernel.hpp) ----------------------------------------------
// dequeue_huge_page_vma: free - resv, the nodes' free lists (a gigantic page: its pfns).
inline constexpr Footprint dequeue = reads(vars({resv_huge_pages})) |
                                     read_write(vars({free_huge_pages, free_huge_pages_node})) |
                                     may_underflow;
inline constexpr Footprint alloc_pages = read_write(vars({buddy}));
inline constexpr Footprint alloc_pool_huge_page = read_write(vars({buddy, next_nid_to_alloc}));
inline constexpr Footprint prep_new_huge_page =
    read_write(vars({nr_huge_pages, nr_huge_pages_node}));
// free_huge_page / update_and_free_page / remove_hugetlb_folio / enqueue: the pool.
inline constexpr Footprint free_to_pool = read_write(kPool) | may_underflow;
inline constexpr Footprint free_to_buddy = read_write(vars({buddy}));
// set_max_huge_pages between a spin_lock and its unlock: loop1 (adjust_pool_surplus), the
// grow check, the shrink loop (free_pool_huge_page: pages back to buddy, a gigantic
// page's pfns too), the last loop.
inline constexpr Footprint set_max_huge_pages_locked =
    reads(vars({resv_huge_pages})) | read_write(kPool | kCursors | vars({buddy, pfn})) |
    may_underflow;
inline constexpr Footprint persistent = reads(vars({nr_huge_pages, surplus_huge_pages}));
// The node count of a RESIZE_NODE, from nr and nr_node (below zero: P2's event).
inline constexpr Footprint node_count =
    reads(vars({nr_huge_pages, nr_huge_pages_node, surplus_huge_pages, surplus_huge_pages_node})) |
    may_underflow;

// ---- FAULT ----------------------------------------------------------------------------
inline constexpr Footprint F1_to_B1 = dequeue | read_write(vars({pfn, resv_huge_pages})) | ends_op;
// A fault with a reservation consumes it (resv_huge_pages--).
inline constexpr Footprint F1_to_V1 = dequeue | read_write(vars({resv_huge_pages})) | ends_op;
inline constexpr Footprint B1 = reads(vars({nr_overcommit_huge_pages})) |
                                read_write(vars({nr_huge_pages, surplus_huge_pages})) | ends_op;
inline constexpr Footprint B2 = alloc_pages;
inline constexpr Footprint B3 = read_write(kPool) | may_underflow | ends_op;
inline constexpr Footprint V1 =
    reads(vars({surplus_huge_pages, nr_overcommit_huge_pages})) | ends_op;
inline constexpr Footprint V2 = alloc_pages | ends_op;
inline constexpr Footprint V3_prep = prep_new_huge_page;
inline constexpr Footprint surplus_recheck =
    reads(vars({nr_overcommit_huge_pages})) |
    read_write(vars({surplus_huge_pages, surplus_huge_pages_node})) | ends_op;
inline constexpr Footprint V4_put_page_locked = surplus_recheck | writes(vars({hugetlb_lock}));
inline constexpr Footprint V4_put_page_unlocked = surplus_recheck;
inline constexpr Footprint V5_update_and_free_page = free_to_pool | free_to_buddy | ends_op;
inline constexpr Footprint V5_remove_hugetlb_folio = free_to_pool;
inline constexpr Footprint V6 = free_to_buddy | ends_op;

// ---- UNMAP ----------------------------------------------------------------------------
inline constexpr Footprint U1_free_huge_page =
    free_to_pool | free_to_buddy | read_write(vars({pfn})) | ends_op;
inline constexpr Footprint U1_free_huge_folio = free_to_pool | ends_op;
inline constexpr Footprint U2 = free_to_buddy | ends_op;

// ---- RESIZE, RESIZE_NODE --------------------------------------------------------------
inline constexpr Footprint S1 = reads(vars({max_huge_pages})) | writes(vars({table_data, own_tmp}));
inline constexpr Footprint S2 = reads(vars({table_data})) | writes(vars({own_tmp, any_tmp}));
inline constexpr Footprint N1 = reads(vars({nr_huge_pages}));
inline constexpr Footprint N2 = reads(vars({nr_huge_pages_node})) | may_underflow;
inline constexpr Footprint R1_from_tmp = reads(vars({own_tmp})) | set_max_huge_pages_locked | loop1;
inline constexpr Footprint R6_after_unlock = set_max_huge_pages_locked;
inline constexpr Footprint R7_after_unlock = set_max_huge_pages_locked;
inline constexpr Footprint R6f_after_unlock = persistent;
inline constexpr Footprint R10 = writes(vars({max_huge_pages})) | ends_op;
// v5.4: the count under the lock; `out:` stores max_huge_pages and the op ends.
inline constexpr Footprint out_under_lock = persistent | writes(vars({max_huge_pages})) | ends_op;
inline constexpr Footprint R1_private_table =
    node_count | set_max_huge_pages_locked | loop1 | out_under_lock;
inline constexpr Footprint R6_under_lock = set_max_huge_pages_locked | out_under_lock;
inline constexpr Footprint R7_under_lock = set_max_huge_pages_locked | out_under_lock;
inline constexpr Footprint R6f_under_lock = out_under_lock;
inline constexpr Footprint R4 = alloc_pool_huge_page;
inline constexpr Footprint R5 = prep_new_huge_page;
inline constexpr Footprint R5b = free_to_pool | free_to_buddy;
// v6.6 and v6.18: the collected pages go to buddy; out: and both unlocks.
inline constexpr Footprint R8 = free_to_buddy;
inline constexpr Footprint release_resize_lock = read_write(vars({resize_lock}));
inline constexpr Footprint R9 = read_write(kPool | vars({next_nid_to_free})) |
                                writes(vars({max_huge_pages})) | release_resize_lock | ends_op;
inline constexpr Footprint R6f_release = out_under_lock | release_resize_lock;

// ---- OVERCOMMIT -----------------------------------------------------------------------
inline constexpr Footprint O1_value = writes(vars({nr_overcommit_huge_pages})) | ends_op;

// ---- reservations and memory offline (reservation_steps.hpp) ---------------------------
inline constexpr Footprint W1 = reads(vars({resv_huge_pages}));
inline constexpr Footprint W2 = writes(vars({resv_huge_pages})) | may_underflow | ends_op;
inline constexpr Footprint W3 = read_write(vars({resv_huge_pages})) | may_underflow | ends_op;
// return_unused_surplus_pages: free_pool_huge_page(acct_surplus) and resv_huge_pages.
inline constexpr Footprint return_unused =
    read_write(kPool | vars({buddy, next_nid_to_free, resv_huge_pages})) | may_underflow | ends_op;
inline constexpr Footprint acct_memory = return_unused;
inline constexpr Footprint M1 = acct_memory;
inline constexpr Footprint M2 = read_write(kPool | vars({resv_huge_pages}));
inline constexpr Footprint M3 = free_to_pool | free_to_buddy;
inline constexpr Footprint M4 = acct_memory;
inline constexpr Footprint X1 = return_unused;
inline constexpr Footprint X2 = return_unused;
inline constexpr Footprint M3_folio = free_to_pool;
inline constexpr Footprint M5 = free_to_buddy;
inline constexpr Footprint X3 = free_to_buddy | ends_op;
inline constexpr Footprint D2 = free_to_buddy | ends_op;
inline constexpr Footprint U0 = read_write(vars({frames})) | ends_op;
inline constexpr Footprint D1 = reads(vars({resv_huge_pages})) |
                                read_write(kPool | vars({buddy, max_huge_pages, frames})) |
                                may_underflow | ends_op;

// ---- the gigantic path and the page allocator (gigantic_steps.hpp) --------------------
inline constexpr Footprint G1_seed = reads(vars({pfn})) | read_write(vars({next_nid_to_alloc}));
inline constexpr Footprint G1_same_zone = G1_seed;
inline constexpr Footprint G2 = reads(vars({pfn})) | read_write(vars({isolated}));
inline constexpr Footprint G3 = read_write(vars({pfn, isolated})) | may_reuse_pfn;
inline constexpr Footprint G4 = prep_new_huge_page | writes(vars({pfn}));
inline constexpr Footprint G5 = free_to_pool | read_write(vars({pfn}));
inline constexpr Footprint A1 =
    reads(vars({isolated})) | read_write(vars({pfn})) | may_reuse_pfn | ends_op;
inline constexpr Footprint A2 = writes(vars({pfn})) | ends_op;

}  // namespace hugecheck::model::fp
