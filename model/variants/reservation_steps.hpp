// The steps of reservations and memory offline (docs/reservations.md), shared by the
// variants that model them: MMAP (hugetlb_reserve_pages -> hugetlb_acct_memory(+k) ->
// gather_surplus_pages), MUNMAP (hugetlb_unreserve_pages -> hugetlb_acct_memory(-unused)
// -> return_unused_surplus_pages), a FAULT that consumes a reservation, UNMAP's refcount
// drop (with frames), and DISSOLVE (dissolve_free_huge_page). Where versions differ, the
// handler names the version.
#pragma once

#include "model/hugetlb_model.hpp"

namespace hugecheck::model::resv {

// ---- the surplus allocator's callers ---------------------------------------------------
// alloc_surplus_huge_page (V1..V6) serves a FAULT and gather_surplus_pages (MMAP). These
// end its runs: a page for the caller, or none.
//  FAULT: the page is the fault's (owned); with a reservation, the fault still has to
//  take resv_huge_pages-- (W1/W2 unlocked up to v5.4, W3 under the lock after the fix);
//  MMAP: the page goes onto surplus_list (page_list); the loop allocates the next one
//  (V1) or takes the lock again (M2).
void surplus_page(StepCtx& c);
void surplus_failed(StepCtx& c);

// ---- FAULT with a reservation (chg = 0: vma_has_reserves) -------------------------------
// F1: dequeue_huge_page_vma: a fault with a reservation skips the free - resv check and
// takes any free page of its nodes: resv_huge_pages--, the reservation is consumed. No page
// (its policy's nodes have none): the surplus allocator (V1; the seed's B1).
void F1_reserved(StepCtx& c);
// 2.6.24's alloc_huge_page_shared: dequeue_huge_page (resv--) or VM_FAULT_OOM; a shared
// mapping has no buddy fallback.
void F1_shared_no_fallback(StepCtx& c);
// 12df140f0bdf: up to v5.4 `h->resv_huge_pages--` follows alloc_buddy_huge_page_with_mpol
// before spin_lock: a load (W1) and a store (W2) another CPU can come between. After the
// fix it is in the lock section that moves the page to the active list (W3).
void W1_load_resv(StepCtx& c);
void W2_store_resv(StepCtx& c);
void W3_resv_locked(StepCtx& c);

// ---- MMAP: hugetlb_acct_memory(+k) ----------------------------------------------------
// M1: gather_surplus_pages' first section: needed = resv + k - free; none needed: resv +=
// k and the accounting ends; else unlock and allocate `needed` surplus pages (V1).
void M1(StepCtx& c);
// 2.6.24 (before "hugetlb: Close a difficult to trigger reservation race"): gather commits
// nothing; hugetlb_acct_memory checks the cpuset and then does resv += k, after gather's
// lock drops (M2_commit_late, M4_commit_late). A failed allocation frees everything.
void M1_commit_late(StepCtx& c);
// M2: the lock again after the allocations: needed again (resv or free may have changed);
// still short: retry (V1) or, when an allocation failed, give up (-ENOMEM); enough: resv
// += k, enqueue the needed pages, unlock, free the rest (M3).
//  `commit_resv_early` is the fix "hugetlb: Close a difficult to trigger reservation
//  race" (2.6.24): without it resv += k waits for M4, after the unlocked frees.
void M2(StepCtx& c);
void M2_commit_late(StepCtx& c);
// M3: put_page of one page not needed: free_huge_page under the lock (a surplus page goes
// to buddy). M4: the lock again at the end of gather_surplus_pages; the rest of
// hugetlb_acct_memory: delta > cpuset_mems_nr(free_huge_pages_node) gives it all back.
void M3(StepCtx& c);
// v6.x: free_huge_folio of a surplus folio removes it under the lock (M3_folio) and gives
// it to buddy after the unlock (M5).
void M3_folio(StepCtx& c);
void M5(StepCtx& c);
void M4(StepCtx& c);
void M4_commit_late(StepCtx& c);

// ---- MUNMAP: hugetlb_acct_memory(-unused) -----------------------------------------------
// X1: return_unused_surplus_pages(unused) from v4.10 (e5bbc8a6c992): resv_huge_pages-- per
// surplus page freed, cond_resched_lock after each (a choice: drop the lock, X2 resumes);
// then resv -= what is left.
// Up to v4.9 (UnusedStyle::upfront_resched) resv -= unused comes first, and the same loop
// then frees pages that resv no longer covers across the dropped lock (B5). v6.x
// (UnusedStyle::collect): resv -= unused, the surplus pages are collected off the pool in
// the same section, and X3 gives them to buddy one by one after the unlock.
void X1(StepCtx& c);
void X2(StepCtx& c);
void X3(StepCtx& c);

// ---- UNMAP with frames ----------------------------------------------------------------
// U0: put_page's put_page_testzero without any lock: the refcount drops to 0; the page is
// still PageHuge and on no list until free_huge_page (the variant's U1) takes the lock.
void U0(StepCtx& c);

// ---- DISSOLVE(nid) --------------------------------------------------------------------
// D1: dissolve_free_huge_page of one huge page of node nid, under the lock: PageHuge and
// page_count 0 and free - resv > 0: out of the free list and the pool, max_huge_pages--,
// back to buddy (update_and_free_page) in the same section. Without frames the page is a
// free one; with frames, any frame of the node with refcount 0 (a choice per distinct
// frame state), also one whose free_huge_page is still to come: the race of 7ffddd499ba6.
void D1_update_and_free_page(StepCtx& c);
// v4.0 (the seed): no free - resv check (K2: "check for reserved hugepages during memory offline",
// v4.9, added it), so a reserved free page can be dissolved (resv > free), and no max_huge_pages--.
void D1_unchecked(StepCtx& c);
// 7ffddd499ba6 (v5.11; 5.4 stable has it): a page with refcount 0 that is not yet on the
// free list (!PageHugeFreed) makes dissolve_free_huge_page unlock and retry: the step
// leaves the state as it was (the CPU spins until free_huge_page has run).
void D1_freed_check(StepCtx& c);
// v6.x: the same check; the free folio leaves the pool under the lock
// (remove_hugetlb_folio, max_huge_pages--) and goes to buddy after the unlock (D2).
void D1_remove_hugetlb_folio(StepCtx& c);
// v6.18: remove_hugetlb_folio(adjust_surplus = surplus_huge_pages_node[nid] > 0).
void D1_remove_hugetlb_folio_node_surplus(StepCtx& c);
void D2(StepCtx& c);

}  // namespace hugecheck::model::resv
