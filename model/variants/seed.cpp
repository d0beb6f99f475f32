// Variant `seed`: the reference model (RM, ../shared/spec/reference-model.md) of the seed
// documents' 4.x-era mm/hugetlb.c, exactly; plus RESIZE_NODE from the seed's
// __nr_hugepages_store_common, and the gigantic-page path (G1..G5, with ALLOC and FREE
// competing for pfns) for scenarios with a [gigantic] table. Seed lines: 000 =
// 000_b63d739d60be1cdb.txt, 002 = 002_7e58ff0a064bff4b.txt.
// Reservations, memory offline and pages with identity (docs/reservations.md) are not in
// the seed documents; they follow v4.0.5, the seed's era ("4.0:" lines): the fault's
// surplus page never consumes its reservation (a88c76954804, v4.4, is absent: the reserve
// count leaks), return_unused_surplus_pages uncommits all of it before its
// cond_resched_lock loop (B5: e5bbc8a6c992, v4.10, is absent), and
// dissolve_free_huge_page does not check free - resv (K2: "mm/hugetlb: check for reserved
// hugepages during memory offline", v4.9, is absent) nor whether the page is really free
// (B14).
#include <string>

#include "model/frames.hpp"
#include "model/kernel.hpp"
#include "model/variants/footprints.hpp"
#include "model/variants/gigantic_steps.hpp"
#include "model/variants/outcomes.hpp"
#include "model/variants/registry.hpp"
#include "model/variants/reservation_steps.hpp"
#include "model/variants/shared_steps.hpp"
#include "model/variants/step_table.hpp"

namespace hugecheck::model::variants {

const Variant& seed() {
    static const Variant v(
        "seed",
        "the seed documents' 4.x-era mm/hugetlb.c: the reference model (RM), plus RESIZE_NODE "
        "and the gigantic-page path",
        "../shared/seeds (000_b63d739d60be1cdb.txt, 002_7e58ff0a064bff4b.txt); reservations "
        "and offline: zhanglin496/linux-4.0.5 @ ecb857bb, mm/hugetlb.c",
        Features{.shared_nr_hugepages_table = true,
                 .gigantic = true,
                 .reservations = true,
                 .dissolve = true,
                 .unused = UnusedStyle::upfront_resched,
                 .frames = true},
        FirstSteps{.fault = Step::F1,
                   .unmap = Step::U1,
                   .resize = Step::S1,
                   .overcommit = Step::O1,
                   .resize_node = Step::N1},
        {
            // The reserved branch (no free - resv check, resv--) is 4.0:593-594; the source
            // names only the seed file so that the RM's traces read as before.
            {Step::F1, kFault, kLocked, "dequeue_huge_page_vma", "002:63-68",
             "a free page, home node first, if free - resv > 0 (reserved: any, resv--); else B1",
             shared::F1_to_B1, fp::F1_to_B1, false, SharedTable::none, out::F1_to_B1},
            {Step::B1, kSurplus, kLocked, "alloc_buddy_huge_page", "002:138-146",
             "fail if surplus >= overcommit, else assume success: nr++, surplus++", shared::B1,
             fp::B1, true, SharedTable::none, out::B1},
            {Step::B2, kSurplus, 0, "alloc_pages", "002:148-155",
             "take a buddy block, home node first", shared::B2, fp::B2, true, SharedTable::none,
             out::alloc_pages},
            {Step::B3, kSurplus, kLocked, "alloc_buddy_huge_page", "002:162-179",
             "account the page on its node (nr_node++, surplus_node++), or undo the B1 bump",
             shared::B3, fp::B3, true, SharedTable::none, out::B3},
            {Step::U1, kUnmap, kLocked, "free_huge_page", "002:166 (dtor); 000:129-132",
             "free the owned page: to buddy if its node has surplus, else to the free list",
             shared::U1_free_huge_page, fp::U1_free_huge_page, false, SharedTable::none,
             out::U1_free_huge_page},
            {Step::S1, kResize, 0, "hugetlb_sysctl_handler_common", "000:31,37",
             "tmp = max_huge_pages; table->data = &tmp (the shared ctl_table)", shared::S1, fp::S1},
            {Step::S2, kResize, 0, "proc_doulongvec_minmax", "000:39",
             "write v to *table->data: the tmp of actor table->data", shared::S2, fp::S2, false,
             SharedTable::nr_hugepages, out::S2},
            {Step::N1, kNode, 0, "__nr_hugepages_store_common", "000:84",
             "count = v + nr_huge_pages, loaded without the lock", shared::N1, fp::N1},
            {Step::N2, kNode, 0, "__nr_hugepages_store_common", "000:84",
             "count -= nr_huge_pages_node[nid], loaded without the lock", shared::N2, fp::N2, false,
             SharedTable::none, out::N2},
            {Step::R1, kResize | kNode, kLocked, "set_max_huge_pages", "000:121-128,166-181",
             "count = tmp (RESIZE); convert surplus; grow check; shrink; adjust surplus",
             shared::R1_from_tmp, fp::R1_from_tmp, false, SharedTable::none, out::R1_from_tmp},
            {Step::R4, kResize | kNode, 0, "alloc_fresh_huge_page", "000:134-141",
             "take a buddy block of an allowed node, cursor order on next_nid_to_alloc", shared::R4,
             fp::R4, false, SharedTable::none, out::R4},
            {Step::R5, kResize | kNode, kLocked, "prep_new_huge_page", "000:141 (cf. 000:193)",
             "nr++, nr_huge_pages_node[n]++", shared::R5, fp::R5},
            {Step::R5b, kResize | kNode, kLocked, "free_huge_page", "000:129-132",
             "put_page of the new page: to buddy if its node has surplus, else enqueue",
             shared::R5b, fp::R5b, false, SharedTable::none, out::R5b},
            {Step::R6, kResize | kNode, kLocked, "set_max_huge_pages", "000:142-149,166-181",
             "relock after a successful allocation: grow check again, or shrink",
             shared::R6_after_unlock, fp::R6_after_unlock, false, SharedTable::none,
             out::R6_after_unlock},
            {Step::R6f, kResize | kNode, kLocked, "set_max_huge_pages", "000:142-144,178-180",
             "relock after a failed allocation: goto out, ret = persistent",
             shared::R6f_after_unlock, fp::R6f_after_unlock},
            {Step::R7, kResize | kNode, kLocked, "cond_resched_lock", "000:169-181",
             "relock inside cond_resched_lock: continue the shrink loop", shared::R7_after_unlock,
             fp::R7_after_unlock, false, SharedTable::none, out::R7_after_unlock},
            {Step::R10, kResize | kNode, 0, "__nr_hugepages_store_common", "000:89",
             "max_huge_pages = ret, after the lock is dropped", shared::R10, fp::R10},
            {Step::O1, kOvercommit, kLocked, "hugetlb_overcommit_handler", "(not in the seed)",
             "nr_overcommit_huge_pages = v (a gigantic hstate: -EINVAL)", shared::O1_value,
             fp::O1_value, false, SharedTable::none, out::O1_value},
            {Step::G1, kResize | kNode, kZone, "alloc_gigantic_page", "000:201-272",
             "the next node; scan its zone for a range pfn_range_valid_gigantic accepts (seed: "
             "no same-zone check): G2; none: the next node, or fail (R6f)",
             shared::G1_seed, fp::G1_seed, false, SharedTable::none, out::G1_seed},
            {Step::G2, kResize | kNode, kZone, "start_isolate_page_range", "000:354-357",
             "isolate the pageblocks around the range, or -EBUSY: pfn += nr_pages (G1)", shared::G2,
             fp::G2, false, SharedTable::none, out::G2},
            {Step::G3, kResize | kNode, kZone, "alloc_contig_range", "000:385-419",
             "test_pages_isolated, take [start, end), undo the isolation; or -EBUSY (G1)",
             shared::G3, fp::G3, false, SharedTable::none, out::G3},
            {Step::G4, kResize | kNode, kLocked, "prep_new_huge_page", "000:186-196",
             "the range becomes a compound page; nr++, nr_huge_pages_node[nid]++ (nid scanned)",
             shared::G4, fp::G4, false, SharedTable::none, out::G4},
            {Step::G5, kResize | kNode, kLocked, "free_huge_page",
             "000:196 (put_page); 000:129-132",
             "put_page: to buddy if page_to_nid(head) has surplus, else enqueue; then R6",
             shared::G5, fp::G5, false, SharedTable::none, out::G5},
            {Step::A1, kAlloc, kZone, "alloc_pages", "(page allocator)",
             "take a free pfn outside isolated pageblocks, home node first", shared::A1, fp::A1,
             false, SharedTable::none, out::A1},
            {Step::A2, kFree, kZone, "__free_pages", "(page allocator)", "free the ALLOC's pfn",
             shared::A2, fp::A2, false, SharedTable::none, out::A2},
            // Reservations and memory offline: the seed documents do not show them, so these
            // steps follow v4.0.5 (zhanglin496/linux-4.0.5 @ ecb857bb; "4.0:" lines), which
            // has the seed's alloc_buddy_huge_page and set_max_huge_pages.
            {Step::M1, kMmap, kLocked, "gather_surplus_pages", "4.0:2416 (1206-1225)",
             "hugetlb_acct_memory(+k): needed = resv + k - free; <= 0: resv += k; else unlock",
             resv::M1, fp::M1, false, SharedTable::none, out::M1_per_page},
            {Step::M2, kMmap, kLocked, "gather_surplus_pages", "4.0:1240-1276",
             "relock: needed again; retry, give up, or resv += k and enqueue the needed pages",
             resv::M2, fp::M2, false, SharedTable::none, out::M2},
            {Step::M3, kMmap, kLocked, "free_huge_page", "4.0:1281-1282 (858-895)",
             "put_page of a page not needed: free_huge_page (surplus: to buddy)", resv::M3, fp::M3,
             false, SharedTable::none, out::M3},
            {Step::M4, kMmap, kLocked, "hugetlb_acct_memory", "4.0:1283,2419-2431",
             "relock; delta > cpuset_mems_nr: give it back; else the mapping has it", resv::M4,
             fp::M4, false, SharedTable::none, out::M4_per_page},
            {Step::X1, kUnreserve, kLocked, "return_unused_surplus_pages",
             "4.0:3527 (2427-2428, 1294-1321)",
             "hugetlb_acct_memory(-unused): resv -= unused first; per surplus page: free it, "
             "cond_resched_lock",
             resv::X1, fp::X1, false, SharedTable::none, out::X1_per_page},
            {Step::X2, kUnreserve, kLocked, "cond_resched_lock", "4.0:1319",
             "relock inside cond_resched_lock: free the next surplus page, resv already lower "
             "(B5)",
             resv::X2, fp::X2, false, SharedTable::none, out::X2},
            {Step::U0, kUnmap, 0, "put_page", "include/linux/mm.h: put_page_testzero",
             "with frames: the refcount drops to 0 without a lock; free_huge_page next", resv::U0,
             fp::U0, false, SharedTable::none, out::U0},
            {Step::D1, kDissolve, kLocked, "dissolve_free_huge_page", "4.0:1068-1080",
             "PageHuge && !page_count: free--, update_and_free_page; no free - resv check",
             resv::D1_unchecked, fp::D1, false, SharedTable::none, out::D1_unchecked},
        });
    return v;
}

// Variant `seed-zone-check`: the seed with "mm/hugetlb: add same zone check in
// pfn_range_valid_gigantic()" (2016): a range is valid only if every pfn is in the zone
// being scanned. A variant for a patch is the patched variant's table with the steps the
// patch changes swapped in.
const Variant& seed_zone_check() {
    static const Variant v = seed().patched(
        "seed-zone-check",
        "the seed with the 2016 same-zone check in pfn_range_valid_gigantic (a patch variant)",
        "../shared/seeds + \"mm/hugetlb: add same zone check in pfn_range_valid_gigantic()\"",
        {
            {Step::G1, kResize | kNode, kZone, "alloc_gigantic_page", "000:201-272 + the patch",
             "the next node; scan its zone for a range pfn_range_valid_gigantic accepts, every "
             "pfn in that zone: G2; none: the next node, or fail (R6f)",
             shared::G1_same_zone, fp::G1_same_zone, false, SharedTable::none, out::G1_same_zone},
        });
    return v;
}

}  // namespace hugecheck::model::variants
