// Variant `v2.6.24`: mm/hugetlb.c of Linux 2.6.24 (sndrzt/linux-source-2.6.24 @ e8fc8216;
// lines below are of that file), the first kernel with surplus pages and overcommit. One
// global pool, no hstate, no per-node sysfs file (RESIZE_NODE), no memory offline
// (DISSOLVE), no gigantic pages. Against the seed (≈ v4.0):
//  - the reservation is committed late: gather_surplus_pages never touches resv, and
//    hugetlb_acct_memory does `resv_huge_pages += delta` after gather's lock drops, the
//    unlocked put_page of each page not needed among them (B3: "hugetlb: Close a difficult
//    to trigger reservation race", 2.6.25). A failed allocation frees everything gathered;
//    the cpuset check fails without giving the pages back;
//  - alloc_huge_page: a mapping with reservations is a shared one, whose fault dequeues
//    (resv--) or fails with VM_FAULT_OOM, no buddy fallback; a private one dequeues only if
//    free > resv, else alloc_buddy_huge_page (the seed's B1..B3, bump first);
//  - return_unused_surplus_pages never drops the lock, and spins with it held while no node
//    has a free surplus page (UnusedStyle::upfront_spin);
//  - hugetlb_sysctl_handler: table->data is &max_huge_pages; the store and the load that
//    feeds set_max_huge_pages are both unlocked (S1, S2); nr_overcommit_hugepages is a
//    plain unlocked store (O1);
//  - set_max_huge_pages' shrink dequeues pages home node first and never drops the lock
//    (no R7); adjust_pool_surplus has one cursor for both directions and
//    return_unused_surplus_pages its own (Features::own_cursors).
#include "model/variants/footprints.hpp"
#include "model/variants/outcomes.hpp"
#include "model/variants/registry.hpp"
#include "model/variants/reservation_steps.hpp"
#include "model/variants/shared_steps.hpp"
#include "model/variants/step_table.hpp"

namespace hugecheck::model::variants {

namespace {

namespace local_fp {  // footprints of this file's handlers (model/variants/footprints.hpp)
using namespace fp;
inline constexpr Footprint F1 = F1_to_B1;
inline constexpr Footprint S1 = writes(vars({max_huge_pages}));
inline constexpr Footprint S2 = reads(vars({max_huge_pages}));
inline constexpr Footprint R1 = set_max_huge_pages_locked | loop1;
// With no page to put back, gather_surplus_pages returns in M2's section and
// hugetlb_acct_memory ends the op there.
inline constexpr Footprint M2 = fp::M2 | ends_op;
// return_unused_surplus_pages' loop, its own cursor, and the lock it keeps when it spins.
inline constexpr Footprint X1 =
    return_unused | read_write(vars({unused_nid})) | writes(vars({hugetlb_lock}));
}  // namespace local_fp

namespace local_out {  // outcomes of this file's handlers (model/variants/outcomes.hpp)
using enum Outcome;
inline constexpr Outcomes F1{dequeued_home,    dequeued_other,    no_free_page,
                             free_lists_empty, dequeued_reserved, shared_fault_oom};
// set_max_huge_pages without cond_resched_lock in the shrink.
inline constexpr Outcomes R1{loop1_converts, loop1_race,      loop1_elsewhere,     grow,
                             no_shrink,      shrink_dequeues, shrink_no_free_page, marks_surplus,
                             mark_fails};
inline constexpr Outcomes R6{grow,          no_shrink, shrink_dequeues, shrink_no_free_page,
                             marks_surplus, mark_fails};
inline constexpr Outcomes M1{resv_commits, must_gather, acct_done, acct_cpuset_short};
inline constexpr Outcomes M2{gather_more, gather_enough, gather_gives_up,
                             acct_done,   acct_failed,   acct_cpuset_short};
inline constexpr Outcomes M4{acct_done, acct_failed, acct_cpuset_short};
inline constexpr Outcomes X1{unused_frees_keep, unused_spins, unused_done};
}  // namespace local_out

}  // namespace

const Variant& v2_6_24() {
    static const Variant v(
        "v2.6.24",
        "Linux 2.6.24: surplus pages, the reservation committed after gather_surplus_pages "
        "(B3)",
        "sndrzt/linux-source-2.6.24 @ e8fc8216, mm/hugetlb.c",
        Features{.hugetlb_lock_state = true,
                 .reservations = true,
                 .unused = UnusedStyle::upfront_spin,
                 .frames = true,
                 .resize_node = false,
                 .shrink_dequeues = true,
                 .own_cursors = true},
        FirstSteps{.fault = Step::F1,
                   .unmap = Step::U1,
                   .resize = Step::S1,
                   .overcommit = Step::O1,
                   .resize_node = Step::S1},
        {
            {Step::F1, kFault, kLocked, "alloc_huge_page", "hugetlb.c:398-429 (73-99)",
             "shared (reserved): dequeue, resv--, or VM_FAULT_OOM; private: dequeue if "
             "free > resv, else B1",
             shared::F1_shared_or_private, local_fp::F1, false, SharedTable::none, local_out::F1},
            {Step::B1, kSurplus, kLocked, "alloc_buddy_huge_page", "hugetlb.c:255-263",
             "fail if surplus >= overcommit, else assume success: nr++, surplus++", shared::B1,
             fp::B1, true, SharedTable::none, out::B1},
            {Step::B2, kSurplus, 0, "alloc_pages", "hugetlb.c:265-266",
             "take a buddy block, home node first", shared::B2, fp::B2, true, SharedTable::none,
             out::alloc_pages},
            {Step::B3, kSurplus, kLocked, "alloc_buddy_huge_page", "hugetlb.c:268-281",
             "account the page on its node (nr_node++, surplus_node++), or undo the B1 bump",
             shared::B3, fp::B3, true, SharedTable::none, out::B3},
            {Step::U1, kUnmap, kLocked, "free_huge_page", "hugetlb.c:116-137",
             "free the owned page: to buddy if its node has surplus, else to the free list",
             shared::U1_free_huge_page, fp::U1_free_huge_page, false, SharedTable::none,
             out::U1_free_huge_page},
            {Step::S1, kResize, 0, "proc_doulongvec_minmax", "hugetlb.c:591",
             "max_huge_pages = v (table->data is &max_huge_pages), without the lock",
             shared::S1_store_max, local_fp::S1},
            {Step::S2, kResize, 0, "hugetlb_sysctl_handler", "hugetlb.c:592",
             "count = max_huge_pages, loaded without the lock for set_max_huge_pages",
             shared::S2_load_max, local_fp::S2},
            {Step::R1, kResize, kLocked, "set_max_huge_pages", "hugetlb.c:532-545,568-583",
             "convert surplus; grow check; shrink (dequeue, no lock drop); adjust surplus",
             shared::R1_from_count, local_fp::R1, false, SharedTable::none, local_out::R1},
            {Step::R4, kResize, 0, "alloc_fresh_huge_page", "hugetlb.c:193-225 (178-180)",
             "take a buddy block of a node, cursor order on hugetlb_next_nid", shared::R4, fp::R4,
             false, SharedTable::none, out::R4},
            {Step::R5, kResize, kLocked, "alloc_fresh_huge_page_node", "hugetlb.c:183-186",
             "nr++, nr_huge_pages_node[n]++", shared::R5, fp::R5},
            {Step::R5b, kResize, kLocked, "free_huge_page", "hugetlb.c:187 (116-137)",
             "put_page of the new page: to buddy if its node has surplus, else enqueue",
             shared::R5b, fp::R5b, false, SharedTable::none, out::R5b},
            {Step::R6, kResize, kLocked, "set_max_huge_pages", "hugetlb.c:547-551,568-583",
             "relock after a successful allocation: grow check again, or shrink",
             shared::R6_after_unlock, fp::R6_after_unlock, false, SharedTable::none, local_out::R6},
            {Step::R6f, kResize, kLocked, "set_max_huge_pages", "hugetlb.c:547-550,582-583",
             "relock after a failed allocation: goto out, ret = persistent",
             shared::R6f_after_unlock, fp::R6f_after_unlock},
            {Step::R10, kResize, 0, "hugetlb_sysctl_handler", "hugetlb.c:592",
             "max_huge_pages = ret, after the lock is dropped", shared::R10, fp::R10},
            {Step::O1, kOvercommit, 0, "proc_doulongvec_minmax", "kernel/sysctl.c:909-914",
             "nr_overcommit_huge_pages = v, without the lock", shared::O1_value, fp::O1_value,
             false, SharedTable::none, out::O1_value},
            {Step::M1, kMmap, kLocked, "gather_surplus_pages", "hugetlb.c:1172,1191 (297-306)",
             "hugetlb_acct_memory(+k): needed = resv + k - free; <= 0: cpuset check, resv += "
             "k; else unlock",
             resv::M1_commit_late, fp::M1, false, SharedTable::none, local_out::M1},
            {Step::M2, kMmap, kLocked, "gather_surplus_pages", "hugetlb.c:315-317,328-345",
             "relock: a failed allocation frees all; needed again; retry, or enqueue the "
             "needed pages (resv unchanged); none to put back: M4's work here",
             resv::M2_commit_late, local_fp::M2, false, SharedTable::none, local_out::M2},
            {Step::M3, kMmap, kLocked, "free_huge_page", "hugetlb.c:353-355 (116-137)",
             "put_page of a page not needed, the lock dropped around it: to buddy if surplus",
             resv::M3, fp::M3, false, SharedTable::none, out::M3},
            {Step::M4, kMmap, kLocked, "hugetlb_acct_memory", "hugetlb.c:355-359,1194-1199",
             "relock; cpuset check (no pages given back); resv += k only now (B3)",
             resv::M4_commit_late, fp::M4, false, SharedTable::none, local_out::M4},
            {Step::X1, kUnreserve, kLocked, "return_unused_surplus_pages",
             "hugetlb.c:1236 (1199-1201, 367-395)",
             "hugetlb_acct_memory(-unused): resv -= unused; free surplus pages, never "
             "dropping the lock; none free: spin",
             resv::X1, local_fp::X1, false, SharedTable::none, local_out::X1},
            {Step::X2, kUnreserve, kLocked, "return_unused_surplus_pages", "hugetlb.c:375-394",
             "the loop's spin with hugetlb_lock held: never gets past it", resv::X2, fp::X2},
            {Step::U0, kUnmap, 0, "put_page", "include/linux/mm.h: put_page_testzero",
             "with frames: the refcount drops to 0 without a lock; free_huge_page next", resv::U0,
             fp::U0, false, SharedTable::none, out::U0},
        });
    return v;
}

}  // namespace hugecheck::model::variants
