// Variant `v4.19`: mm/hugetlb.c of Linux 4.19 (0x88888888/Linux-4.19 at 74e90c5be; lines
// below are of that file). Against the seed:
//  - a fault's surplus page comes from alloc_surplus_huge_page: a locked check, the page
//    allocated and prepared (prep_new_huge_page: nr++, nr_node++ in its own lock section),
//    then a second locked check that accounts the surplus, or marks the page temporary and
//    put_page()s it while still holding hugetlb_lock. free_huge_page takes hugetlb_lock
//    again: a self-deadlock (fixed in 5.1, "mm/hugetlb.c: don't put_page in lock of
//    hugetlb_lock");
//  - nr_hugepages_overcommit's handler shares its ctl_table like nr_hugepages' does
//    (CVE-2020-25285, fixed in 5.9 by 17743798d812).
// set_max_huge_pages, the nr_hugepages handler and the node-specific count are the seed's.
#include <string>

#include "model/kernel.hpp"
#include "model/variants/footprints.hpp"
#include "model/variants/outcomes.hpp"
#include "model/variants/registry.hpp"
#include "model/variants/reservation_steps.hpp"
#include "model/variants/shared_steps.hpp"
#include "model/variants/step_table.hpp"

namespace hugecheck::model::variants {

namespace {

// OS1 / OS2 / O1: hugetlb_overcommit_handler with the shared ctl_table: tmp =
// nr_overcommit_huge_pages, table->data = &tmp; proc_doulongvec_minmax writes v through
// it; then nr_overcommit_huge_pages = tmp under the lock.
void OS1(StepCtx& c) {
    c.w.set(c.self.tmp, c[c.v.nr_overcommit_huge_pages]);
    c.w.set(c.v.overcommit_table_data, encode_index(c.a));
    c.go(Step::OS2);
    c.emit();
}
void OS2(StepCtx& c) {
    const auto t = static_cast<std::uint32_t>(c[c.v.overcommit_table_data] - 1);
    c.w.set(c.v.actor[t].tmp, c.op.value);
    c.outcome(t == c.a ? Outcome::own_tmp : Outcome::other_tmp);
    if (t != c.a) c.note([&] { return "table->data points to " + c.m.actor_name(t) + "'s tmp"; });
    c.go(Step::O1);
    c.emit();
}
void O1(StepCtx& c) {
    c.w.set(c.v.nr_overcommit_huge_pages, c[c.self.tmp]);
    c.complete();
    c.emit();
}

namespace local_fp {  // footprints of this file's handlers (model/variants/footprints.hpp)
using namespace fp;
inline constexpr Footprint O1 =
    reads(vars({own_tmp})) | writes(vars({nr_overcommit_huge_pages})) | ends_op;
inline constexpr Footprint OS1 =
    reads(vars({nr_overcommit_huge_pages})) | writes(vars({overcommit_table_data, own_tmp}));
inline constexpr Footprint OS2 =
    reads(vars({overcommit_table_data})) | writes(vars({own_tmp, any_tmp}));
}  // namespace local_fp

}  // namespace

const Variant& v4_19() {
    static const Variant v(
        "v4.19", "Linux 4.19: alloc_surplus_huge_page, put_page under hugetlb_lock",
        "0x88888888/Linux-4.19 @ 74e90c5be, mm/hugetlb.c",
        Features{.shared_nr_hugepages_table = true,
                 .shared_overcommit_table = true,
                 .hugetlb_lock_state = true,
                 .reservations = true,
                 .dissolve = true,
                 .frames = true},
        FirstSteps{.fault = Step::F1,
                   .unmap = Step::U1,
                   .resize = Step::S1,
                   .overcommit = Step::OS1,
                   .resize_node = Step::N1},
        {
            {Step::F1, kFault, kLocked, "dequeue_huge_page_vma", "hugetlb.c:2041-2049",
             "take a free page, home node first, if free - resv > 0; else V1", shared::F1_to_V1,
             fp::F1_to_V1, false, SharedTable::none, out::F1_to_V1},
            {Step::V1, kSurplus, kLocked, "alloc_surplus_huge_page", "hugetlb.c:1556-1559",
             "fail if surplus >= overcommit", shared::V1, fp::V1, true, SharedTable::none, out::V1},
            {Step::V2, kSurplus, 0, "alloc_buddy_huge_page", "hugetlb.c:1561 (1375-1392)",
             "take a buddy block, local node first; none: the fault fails", shared::V2, fp::V2,
             true, SharedTable::none, out::V2},
            {Step::V3, kSurplus, kLocked, "prep_new_huge_page", "hugetlb.c:1290-1299",
             "nr++, nr_huge_pages_node[n]++", shared::V3_prep, fp::V3_prep, true},
            {Step::V4, kSurplus, kLocked, "alloc_surplus_huge_page", "hugetlb.c:1565-1583",
             "surplus full: temporary page, put_page with the lock held; else surplus++",
             shared::V4_put_page_locked, fp::V4_put_page_locked, true, SharedTable::none,
             out::V4_put_page_locked},
            {Step::V5, kSurplus, kLocked, "free_huge_page", "hugetlb.c:1266-1276",
             "takes hugetlb_lock: the temporary page to buddy", shared::V5_update_and_free_page,
             fp::V5_update_and_free_page, true},
            {Step::W1, kFault, 0, "alloc_huge_page", "hugetlb.c:2053-2056",
             "a reserved fault's surplus page: SetPagePrivate, load resv_huge_pages, unlocked",
             resv::W1_load_resv, fp::W1},
            {Step::W2, kFault, 0, "alloc_huge_page", "hugetlb.c:2055",
             "store resv_huge_pages = the loaded value - 1, still unlocked (B7)",
             resv::W2_store_resv, fp::W2},
            {Step::M1, kMmap, kLocked, "gather_surplus_pages", "hugetlb.c:3062-3064 (1700-1711)",
             "hugetlb_acct_memory(+k): needed = resv + k - free; <= 0: resv += k; else unlock",
             resv::M1, fp::M1, false, SharedTable::none, out::M1_per_page},
            {Step::M2, kMmap, kLocked, "gather_surplus_pages", "hugetlb.c:1728-1764",
             "relock: needed again; retry, give up, or resv += k and enqueue the needed pages",
             resv::M2, fp::M2, false, SharedTable::none, out::M2},
            {Step::M3, kMmap, kLocked, "free_huge_page", "hugetlb.c:1769-1770 (1239-1288)",
             "put_page of a page not needed: free_huge_page (surplus: to buddy)", resv::M3, fp::M3,
             false, SharedTable::none, out::M3},
            {Step::M4, kMmap, kLocked, "hugetlb_acct_memory", "hugetlb.c:1771,3065-3073",
             "relock; delta > cpuset_mems_nr: give it back; else the mapping has it", resv::M4,
             fp::M4, false, SharedTable::none, out::M4_per_page},
            {Step::X1, kUnreserve, kLocked, "return_unused_surplus_pages",
             "hugetlb.c:4538 (3076-3077, 1790-1826)",
             "hugetlb_acct_memory(-unused): per surplus page resv--, free it, cond_resched_lock",
             resv::X1, fp::X1, false, SharedTable::none, out::X1_per_page},
            {Step::X2, kUnreserve, kLocked, "cond_resched_lock", "hugetlb.c:1822",
             "relock inside cond_resched_lock: continue returning surplus pages", resv::X2, fp::X2,
             false, SharedTable::none, out::X2},
            {Step::U0, kUnmap, 0, "put_page", "include/linux/mm.h: put_page_testzero",
             "with frames: the refcount drops to 0 without a lock; free_huge_page next", resv::U0,
             fp::U0, false, SharedTable::none, out::U0},
            {Step::D1, kDissolve, kLocked, "dissolve_free_huge_page", "hugetlb.c:1485-1515",
             "PageHuge && !page_count && free - resv > 0: free--, max--, update_and_free_page",
             resv::D1_update_and_free_page, fp::D1, false, SharedTable::none, out::D1},
            {Step::U1, kUnmap, kLocked, "free_huge_page", "hugetlb.c:1239-1288",
             "free the owned page: to buddy if its node has surplus, else to the free list",
             shared::U1_free_huge_page, fp::U1_free_huge_page, false, SharedTable::none,
             out::U1_free_huge_page},
            {Step::S1, kResize, 0, "hugetlb_sysctl_handler_common", "hugetlb.c:2903-2910",
             "tmp = max_huge_pages; table->data = &tmp (the shared ctl_table)", shared::S1, fp::S1},
            {Step::S2, kResize, 0, "proc_doulongvec_minmax", "hugetlb.c:2912",
             "write v to *table->data: the tmp of actor table->data", shared::S2, fp::S2, false,
             SharedTable::nr_hugepages, out::S2},
            {Step::N1, kNode, 0, "__nr_hugepages_store_common", "hugetlb.c:2425",
             "count = v + nr_huge_pages, loaded without the lock", shared::N1, fp::N1},
            {Step::N2, kNode, 0, "__nr_hugepages_store_common", "hugetlb.c:2425",
             "count -= nr_huge_pages_node[nid], loaded without the lock", shared::N2, fp::N2, false,
             SharedTable::none, out::N2},
            {Step::R1, kResize | kNode, kLocked, "set_max_huge_pages",
             "hugetlb.c:2297-2309,2333-2353",
             "count = tmp (RESIZE); convert surplus; grow check; shrink; adjust surplus",
             shared::R1_from_tmp, fp::R1_from_tmp, false, SharedTable::none, out::R1_from_tmp},
            {Step::R4, kResize | kNode, 0, "alloc_pool_huge_page", "hugetlb.c:1421-1432",
             "take a buddy block of an allowed node, cursor order on next_nid_to_alloc", shared::R4,
             fp::R4, false, SharedTable::none, out::R4},
            {Step::R5, kResize | kNode, kLocked, "prep_new_huge_page", "hugetlb.c:1290-1299",
             "nr++, nr_huge_pages_node[n]++", shared::R5, fp::R5},
            {Step::R5b, kResize | kNode, kLocked, "free_huge_page", "hugetlb.c:1436 (1239-1288)",
             "put_page of the new page: to buddy if its node has surplus, else enqueue",
             shared::R5b, fp::R5b, false, SharedTable::none, out::R5b},
            {Step::R6, kResize | kNode, kLocked, "set_max_huge_pages", "hugetlb.c:2315-2322",
             "relock after a successful allocation: grow check again, or shrink",
             shared::R6_after_unlock, fp::R6_after_unlock, false, SharedTable::none,
             out::R6_after_unlock},
            {Step::R6f, kResize | kNode, kLocked, "set_max_huge_pages",
             "hugetlb.c:2315-2317,2351-2353",
             "relock after a failed allocation: goto out, ret = persistent",
             shared::R6f_after_unlock, fp::R6f_after_unlock},
            {Step::R7, kResize | kNode, kLocked, "cond_resched_lock", "hugetlb.c:2345",
             "relock inside cond_resched_lock: continue the shrink loop", shared::R7_after_unlock,
             fp::R7_after_unlock, false, SharedTable::none, out::R7_after_unlock},
            {Step::R10, kResize | kNode, 0, "__nr_hugepages_store_common", "hugetlb.c:2430",
             "max_huge_pages = ret, after the lock is dropped", shared::R10, fp::R10},
            {Step::OS1, kOvercommit, 0, "hugetlb_overcommit_handler", "hugetlb.c:2951-2956",
             "tmp = nr_overcommit_huge_pages; table->data = &tmp (the shared ctl_table)", OS1,
             local_fp::OS1},
            {Step::OS2, kOvercommit, 0, "proc_doulongvec_minmax", "hugetlb.c:2958",
             "write v to *table->data: the tmp of actor table->data", OS2, local_fp::OS2, false,
             SharedTable::nr_overcommit_hugepages, out::write_through},
            {Step::O1, kOvercommit, kLocked, "hugetlb_overcommit_handler", "hugetlb.c:2962-2965",
             "nr_overcommit_huge_pages = tmp", O1, local_fp::O1},
        });
    return v;
}

}  // namespace hugecheck::model::variants
