// Step handlers that several versions share, each with the versions that use it. A
// variant's table (model/variants/<variant>.cpp) names its handlers; the handlers that
// only one version has live in that version's file.
#pragma once

#include "model/hugetlb_model.hpp"

namespace hugecheck::model::shared {

// ---- FAULT ------------------------------------------------------------------------
// F1: dequeue_huge_page_vma under hugetlb_lock; no page: the seed's alloc_buddy_huge_page
// (B1), or alloc_surplus_huge_page (V1) from v4.19 on.
void F1_to_B1(StepCtx& c);
void F1_to_V1(StepCtx& c);
// 2.6.24's alloc_huge_page: a mapping with a reservation is a shared one
// (alloc_huge_page_shared: dequeue_huge_page, resv--, no buddy fallback); any other a
// private one (alloc_huge_page_private: dequeue if free > resv, else
// alloc_buddy_huge_page, B1).
void F1_shared_or_private(StepCtx& c);
// alloc_buddy_huge_page (2.6.24 - v4.15, the seed): B1 bumps nr and surplus under the lock
// ("assume we will successfully allocate"), B2 takes a buddy block unlocked, B3 counts the
// page on its node, or undoes the bump.
void B1(StepCtx& c);
void B2(StepCtx& c);
void B3(StepCtx& c);
// alloc_surplus_huge_page (v4.19 - v6.6; v6.18 has its own V3):
// V1: the first locked check: fail if surplus >= overcommit.
void V1(StepCtx& c);
// V2: alloc_fresh_huge_page's buddy allocation, unlocked, the local node first; none: fail.
void V2(StepCtx& c);
// V3: prep_new_huge_page / prep_new_hugetlb_folio, a lock section of its own: nr++,
// nr_node++ (the page is not surplus yet).
void V3_prep(StepCtx& c);
// alloc_surplus_huge_page's re-check under the lock: surplus < overcommit counts the page
// surplus (true); else it becomes temporary (false).
bool surplus_recheck(StepCtx& c);
// V4: the second locked check: surplus++ and the page is the fault's, or (surplus full)
// the page is marked temporary and freed. v4.19 put_page()s it with hugetlb_lock held
// (V4_put_page_locked: a self-deadlock); v5.4 and v6.6 unlock first.
void V4_put_page_locked(StepCtx& c);
void V4_put_page_unlocked(StepCtx& c);
// V5: free_huge_page of the temporary page under the lock. v4.x - v5.4: update_and_free_page,
// the page back to buddy in the same section; v6.x: remove_hugetlb_folio, then V6 frees
// it to buddy with the lock dropped.
void V5_update_and_free_page(StepCtx& c);
void V5_remove_hugetlb_folio(StepCtx& c);
void V6(StepCtx& c);

// ---- UNMAP ------------------------------------------------------------------------
// An UNMAP of an actor that owns no page: nothing to free, the op ends (emitted). Returns
// false, doing nothing, when it owns one.
bool nothing_to_free(StepCtx& c);
// U1: free_huge_page of the owned page. Up to v5.4 a surplus page goes to buddy in the
// locked section; from v6.6 remove_hugetlb_folio there and U2 frees it unlocked.
void U1_free_huge_page(StepCtx& c);
void U1_free_huge_folio(StepCtx& c);
void U2(StepCtx& c);

// ---- RESIZE with the shared ctl_table (seed, v4.19) ----------------------------------
// S1 / S2: hugetlb_sysctl_handler_common: tmp = max_huge_pages, table->data = &tmp;
// proc_doulongvec_minmax writes v through table->data.
void S1(StepCtx& c);
void S2(StepCtx& c);
// N1 / N2: __nr_hugepages_store_common's `count += h->nr_huge_pages -
// h->nr_huge_pages_node[nid]` without the lock: two loads, other CPUs between them.
void N1(StepCtx& c);
// 2.6.24: hugetlb_sysctl_handler's table->data is &max_huge_pages: proc_doulongvec_minmax
// stores v there (S1), then `max_huge_pages = set_max_huge_pages(max_huge_pages)` loads it
// again (S2), both without a lock: another writer's store can come between, and then the
// count is not this writer's v.
void S1_store_max(StepCtx& c);
void S2_load_max(StepCtx& c);
void N2(StepCtx& c);

// ---- set_max_huge_pages up to v5.4 -------------------------------------------------
// How it ends: the seed and v4.19 return persistent_huge_pages and
// __nr_hugepages_store_common stores it in max_huge_pages after the lock is dropped (R10);
// v5.4 sets h->max_huge_pages at `out:`, under the lock.
enum class MaxStore { after_unlock, under_lock };
// Between a spin_lock and the next spin_unlock, from `entry`: R1 from the top (loop1
// first), R6 at the grow check after an allocation, R7 inside the shrink loop after
// cond_resched_lock re-took the lock. The shrink loop's cond_resched_lock is a choice
// after every successful free_pool_huge_page: drop the lock (the step ends at R7) or keep
// it and go on.
void set_max_huge_pages_locked(StepCtx& c, Step entry, MaxStore store);
// The `out:` label: ret or max_huge_pages = persistent_huge_pages.
void out(StepCtx& c, MaxStore store);
// seed and v4.19: R1 takes a RESIZE's count from the handler's tmp (N1/N2 computed a
// RESIZE_NODE's); R10 stores max_huge_pages after the lock is dropped.
void R1_from_tmp(StepCtx& c);
// 2.6.24: R1 with the count S2 loaded.
void R1_from_count(StepCtx& c);
void R6_after_unlock(StepCtx& c);
void R7_after_unlock(StepCtx& c);
void R6f_after_unlock(StepCtx& c);
void R10(StepCtx& c);
// v5.4 and v6.6: set_max_huge_pages' count: a RESIZE's v (written into the handler's
// private copy of the ctl_table), or a RESIZE_NODE's v + nr - nr_node[nid], computed
// under the lock.
void count_under_lock(StepCtx& c);
// v5.4: R1 with that count; max_huge_pages at `out:`.
void R1_private_table(StepCtx& c);
void R6_under_lock(StepCtx& c);
void R7_under_lock(StepCtx& c);
void R6f_under_lock(StepCtx& c);
// seed - v6.6: R4: alloc_pool_huge_page's buddy block of an allowed node in cursor order,
// lock dropped → R5, or R6f when no node has one. R5: prep_new_huge_page: nr++, nr_node++.
void R4(StepCtx& c);
void R5(StepCtx& c);
// seed - v5.4: R5b: put_page of the new page → free_huge_page under the lock → R6.
void R5b(StepCtx& c);

// ---- set_max_huge_pages of v6.6 and v6.18 ---------------------------------------------
// The pages collected on page_list go back to buddy one by one, lock dropped (R8,
// update_and_free_pages_bulk); then R9: the lock again, mark pages surplus, out:
// max_huge_pages = persistent, spin_unlock, mutex_unlock(&h->resize_lock).
void R8(StepCtx& c);
void R9(StepCtx& c);
// R6f: out: after a failed allocation, then both unlocks.
void R6f_release(StepCtx& c);
// Ends a collecting section: unlock, then R8 if pages were collected, else R9.
void after_collect(StepCtx& c);

// ---- OVERCOMMIT --------------------------------------------------------------------
// O1: nr_overcommit_huge_pages = v under the lock (the handler's own copy of v: the seed's
// RM step, and v5.4 on with the copied ctl_table).
void O1_value(StepCtx& c);

}  // namespace hugecheck::model::shared
