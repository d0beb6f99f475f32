// Variant `v5.4`: mm/hugetlb.c of Linux 5.4.286, the last 5.4 stable
// (KINGFIOX/linux-5.4.286; lines below are of that file). Against v4.19:
//  - alloc_surplus_huge_page drops hugetlb_lock before put_page of a temporary page
//    ("mm/hugetlb.c: don't put_page in lock of hugetlb_lock", 5.1);
//  - both sysctl handlers hand proc_doulongvec_minmax a copy of the ctl_table
//    (17743798d812, CVE-2020-25285, backported to 5.4 stable);
//  - the node-specific count is computed in set_max_huge_pages under hugetlb_lock, with an
//    overflow check (fd875dca7c71, 5.1);
//  - set_max_huge_pages stores h->max_huge_pages itself, under the lock, at `out:`.
// Still here: prep_new_huge_page's nr++ and alloc_surplus_huge_page's surplus++ are in
// different lock sections (fixed in 2025).
#include "model/variants/footprints.hpp"
#include "model/variants/outcomes.hpp"
#include "model/variants/registry.hpp"
#include "model/variants/reservation_steps.hpp"
#include "model/variants/shared_steps.hpp"
#include "model/variants/step_table.hpp"

namespace hugecheck::model::variants {

const Variant& v5_4() {
    static const Variant v(
        "v5.4", "Linux 5.4.286: copied sysctl tables, the node count under the lock",
        "KINGFIOX/linux-5.4.286 @ HEAD, mm/hugetlb.c",
        Features{.reservations = true, .dissolve = true, .frames = true},
        FirstSteps{.fault = Step::F1,
                   .unmap = Step::U1,
                   .resize = Step::R1,
                   .overcommit = Step::O1,
                   .resize_node = Step::R1},
        {
            {Step::F1, kFault, kLocked, "dequeue_huge_page_vma", "hugetlb.c:2209-2217 (963)",
             "take a free page, home node first, if free - resv > 0; else V1", shared::F1_to_V1,
             fp::F1_to_V1, false, SharedTable::none, out::F1_to_V1},
            {Step::V1, kSurplus, kLocked, "alloc_surplus_huge_page", "hugetlb.c:1723-1726",
             "fail if surplus >= overcommit", shared::V1, fp::V1, true, SharedTable::none, out::V1},
            {Step::V2, kSurplus, 0, "alloc_buddy_huge_page", "hugetlb.c:1728",
             "take a buddy block, local node first; none: the fault fails", shared::V2, fp::V2,
             true, SharedTable::none, out::V2},
            {Step::V3, kSurplus, kLocked, "prep_new_huge_page", "hugetlb.c:1395-1405",
             "nr++, nr_huge_pages_node[n]++", shared::V3_prep, fp::V3_prep, true},
            {Step::V4, kSurplus, kLocked, "alloc_surplus_huge_page", "hugetlb.c:1732-1751",
             "surplus full: temporary page, unlock, put_page; else surplus++",
             shared::V4_put_page_unlocked, fp::V4_put_page_unlocked, true, SharedTable::none,
             out::V4_put_page_unlocked},
            {Step::V5, kSurplus, kLocked, "__free_huge_page", "hugetlb.c:1323-1328",
             "the temporary page: update_and_free_page (to buddy) under the lock",
             shared::V5_update_and_free_page, fp::V5_update_and_free_page, true},
            {Step::W3, kFault, kLocked, "alloc_huge_page", "hugetlb.c:2221-2225",
             "a reserved fault's surplus page: spin_lock, SetPagePrivate, resv_huge_pages--",
             resv::W3_resv_locked, fp::W3},
            {Step::M1, kMmap, kLocked, "gather_surplus_pages", "hugetlb.c:3321-3323 (1860-1874)",
             "hugetlb_acct_memory(+k): needed = resv + k - free; <= 0: resv += k; else unlock",
             resv::M1, fp::M1, false, SharedTable::none, out::M1_per_page},
            {Step::M2, kMmap, kLocked, "gather_surplus_pages", "hugetlb.c:1896-1934",
             "relock: needed again; retry, give up, or resv += k and enqueue the needed pages",
             resv::M2, fp::M2, false, SharedTable::none, out::M2},
            {Step::M3, kMmap, kLocked, "__free_huge_page", "hugetlb.c:1937-1938 (1284-1336)",
             "put_page of a page not needed: free_huge_page (surplus: to buddy)", resv::M3, fp::M3,
             false, SharedTable::none, out::M3},
            {Step::M4, kMmap, kLocked, "hugetlb_acct_memory", "hugetlb.c:1939,3324-3331",
             "relock; delta > cpuset_mems_nr: give it back; else the mapping has it", resv::M4,
             fp::M4, false, SharedTable::none, out::M4_per_page},
            {Step::X1, kUnreserve, kLocked, "return_unused_surplus_pages",
             "hugetlb.c:4870 (3334-3335, 1958-1994)",
             "hugetlb_acct_memory(-unused): per surplus page resv--, free it, cond_resched_lock",
             resv::X1, fp::X1, false, SharedTable::none, out::X1_per_page},
            {Step::X2, kUnreserve, kLocked, "cond_resched_lock", "hugetlb.c:1990",
             "relock inside cond_resched_lock: continue returning surplus pages", resv::X2, fp::X2,
             false, SharedTable::none, out::X2},
            {Step::U0, kUnmap, 0, "put_page", "include/linux/mm.h: put_page_testzero",
             "with frames: the refcount drops to 0 without a lock; free_huge_page next", resv::U0,
             fp::U0, false, SharedTable::none, out::U0},
            {Step::D1, kDissolve, kLocked, "dissolve_free_huge_page", "hugetlb.c:1624-1684",
             "refcount 0: not PageHugeFreed yet: retry; free - resv > 0: free--, max--, to buddy",
             resv::D1_freed_check, fp::D1, false, SharedTable::none, out::D1_freed_check},
            {Step::U1, kUnmap, kLocked, "__free_huge_page", "hugetlb.c:1284-1336",
             "free the owned page: to buddy if its node has surplus, else to the free list",
             shared::U1_free_huge_page, fp::U1_free_huge_page, false, SharedTable::none,
             out::U1_free_huge_page},
            {Step::R1, kResizeOps, kLocked, "set_max_huge_pages", "hugetlb.c:2484-2547,2565-2590",
             "count = v (private table copy) or v + nr - nr_node[nid]; convert; grow; shrink",
             shared::R1_private_table, fp::R1_private_table, false, SharedTable::none,
             out::R1_private_table},
            {Step::R4, kResizeOps, 0, "alloc_pool_huge_page", "hugetlb.c:1554-1572",
             "take a buddy block of an allowed node, cursor order on next_nid_to_alloc", shared::R4,
             fp::R4, false, SharedTable::none, out::R4},
            {Step::R5, kResizeOps, kLocked, "prep_new_huge_page", "hugetlb.c:1395-1405",
             "nr++, nr_huge_pages_node[n]++", shared::R5, fp::R5},
            {Step::R5b, kResizeOps, kLocked, "__free_huge_page", "hugetlb.c:1571 (1284-1336)",
             "put_page of the new page: to buddy if its node has surplus, else enqueue",
             shared::R5b, fp::R5b, false, SharedTable::none, out::R5b},
            {Step::R6, kResizeOps, kLocked, "set_max_huge_pages", "hugetlb.c:2551-2557",
             "relock after a successful allocation: grow check again, or shrink",
             shared::R6_under_lock, fp::R6_under_lock, false, SharedTable::none,
             out::R6_under_lock},
            {Step::R6f, kResizeOps, kLocked, "set_max_huge_pages", "hugetlb.c:2551-2553,2587-2589",
             "relock after a failed allocation: out: max_huge_pages = persistent",
             shared::R6f_under_lock, fp::R6f_under_lock},
            {Step::R7, kResizeOps, kLocked, "cond_resched_lock", "hugetlb.c:2581",
             "relock inside cond_resched_lock: continue the shrink loop", shared::R7_under_lock,
             fp::R7_under_lock, false, SharedTable::none, out::R7_under_lock},
            {Step::O1, kOvercommit, kLocked, "hugetlb_overcommit_handler", "hugetlb.c:3187-3213",
             "nr_overcommit_huge_pages = v (written into a private table copy)", shared::O1_value,
             fp::O1_value, false, SharedTable::none, out::O1_value},
        });
    return v;
}

}  // namespace hugecheck::model::variants
