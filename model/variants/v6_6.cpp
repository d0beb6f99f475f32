// Variant `v6.6`: mm/hugetlb.c of Linux 6.6.9
// (mihaelbh/adding-new-sched-policy-to-linux-6.6.9; its own commits do not touch
// hugetlb.c; lines below are of that file). Against v5.4:
//  - set_max_huge_pages holds h->resize_lock, a mutex, from start to end: resizers no
//    longer run concurrently;
//  - its shrink collects the pages to free under the lock (remove_pool_huge_page, no
//    cond_resched_lock) and gives them to buddy after the unlock
//    (update_and_free_pages_bulk), then takes the lock again to mark pages surplus;
//  - free_huge_folio removes a freed surplus or temporary page from the pool under the
//    lock (remove_hugetlb_folio) and gives it to buddy after the unlock.
// Still here: prep_new_hugetlb_folio's nr++ and alloc_surplus_hugetlb_folio's surplus++
// are in different lock sections (fixed in 2025).
// vmemmap optimisation (HVO) is off: update_and_free_hugetlb_folio frees at once.
#include <algorithm>
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

// Shrink in the same section: free pages collected on page_list while min_count <
// persistent, then unlock (→ R8 / R9).
void collect(StepCtx& c) {
    const Vars& v = c.v;
    const std::uint64_t in_use = c[v.resv_huge_pages] + c[v.nr_huge_pages] - c[v.free_huge_pages];
    const std::uint64_t min_count = std::max(c[c.self.count], in_use);
    if (min_count >= c.persistent()) c.outcome(Outcome::no_shrink);
    while (min_count < c.persistent()) {
        if (c.spinning()) break;
        const std::uint32_t n = kernel::remove_pool_huge_page(c);
        if (n == c.nodes) {
            c.outcome(Outcome::collect_no_free_page);
            break;
        }
        c.outcome(Outcome::collects_page);
        kernel::page_list_push(c, n);
        c.note(
            [&] { return "remove_pool_huge_page takes a free page of node " + std::to_string(n); });
    }
    shared::after_collect(c);
}

// The grow loop's condition, or the shrink.
void grow_or_collect(StepCtx& c) {
    if (c[c.self.count] > c.persistent()) {
        c.outcome(Outcome::grow);
        c.note([&] {
            return "count " + std::to_string(c[c.self.count]) + " > persistent " +
                   std::to_string(c.persistent()) + ": unlock and allocate";
        });
        c.go(Step::R4);
    } else {
        collect(c);
    }
    c.emit();
}

// R1: mutex_lock(&h->resize_lock), spin_lock: the count (a RESIZE_NODE's under the lock),
// loop1, the grow check or the shrink.
void R1(StepCtx& c) {
    shared::count_under_lock(c);
    kernel::convert_surplus_pages(c);
    grow_or_collect(c);
}

void R6(StepCtx& c) {
    grow_or_collect(c);
}

// R5b: free_huge_folio of the new folio: a surplus node's page is removed under the lock
// (remove_hugetlb_folio) and freed after it (R5c); any other is enqueued.
void R5b(StepCtx& c) {
    const auto n = static_cast<std::uint32_t>(c[c.self.page_node] - 1);
    if (c[c.v.surplus_huge_pages_node[n]] > 0) {
        c.outcome(Outcome::folio_removed);
        kernel::remove_hugetlb_folio(c, n, true, false);
        c.go(Step::R5c);
    } else {
        c.outcome(Outcome::enqueued);
        kernel::enqueue_huge_page(c, n);
        c.w.set(c.self.page_node, kNone);
        c.go(Step::R6);
    }
    c.emit();
}

void R5c(StepCtx& c) {
    kernel::free_to_buddy(c, static_cast<std::uint32_t>(c[c.self.page_node] - 1));
    c.w.set(c.self.page_node, kNone);
    c.go(Step::R6);
    c.emit();
}

namespace local_fp {  // footprints of this file's handlers (model/variants/footprints.hpp)
using namespace fp;
inline constexpr Footprint R1 = node_count | set_max_huge_pages_locked | loop1;
inline constexpr Footprint R5b = free_to_pool;
inline constexpr Footprint R5c = free_to_buddy;
inline constexpr Footprint R6 = set_max_huge_pages_locked;
}  // namespace local_fp

namespace local_out {  // outcomes of this file's handlers (model/variants/outcomes.hpp)
using enum Outcome;
inline constexpr Outcomes R1{count_wraps, count_clamped,   loop1_converts,
                             loop1_race,  loop1_elsewhere, grow,
                             no_shrink,   collects_page,   collect_no_free_page};
inline constexpr Outcomes R5b{folio_removed, enqueued};
inline constexpr Outcomes R6{grow, no_shrink, collects_page, collect_no_free_page};
}  // namespace local_out

}  // namespace

const Variant& v6_6() {
    static const Variant v(
        "v6.6", "Linux 6.6.9: resize_lock, collected shrink, folios freed after the unlock",
        "mihaelbh/adding-new-sched-policy-to-linux-6.6.9 @ HEAD, mm/hugetlb.c",
        Features{.resize_lock = true,
                 .page_list = true,
                 .reservations = true,
                 .dissolve = true,
                 .unused = UnusedStyle::collect,
                 .acct_mbind = true,
                 .frames = true},
        FirstSteps{.fault = Step::F1,
                   .unmap = Step::U1,
                   .resize = Step::R1,
                   .overcommit = Step::O1,
                   .resize_node = Step::R1},
        {
            {Step::F1, kFault, kLocked, "dequeue_hugetlb_folio_vma", "hugetlb.c:3106-3114 (1396)",
             "take a free page, home node first, if free - resv > 0; else V1", shared::F1_to_V1,
             fp::F1_to_V1, false, SharedTable::none, out::F1_to_V1},
            {Step::V1, kSurplus, kLocked, "alloc_surplus_hugetlb_folio", "hugetlb.c:2415-2418",
             "fail if surplus >= overcommit", shared::V1, fp::V1, true, SharedTable::none, out::V1},
            {Step::V2, kSurplus, 0, "alloc_buddy_hugetlb_folio", "hugetlb.c:2420 (2127-2187)",
             "take a buddy block, local node first; none: the fault fails", shared::V2, fp::V2,
             true, SharedTable::none, out::V2},
            {Step::V3, kSurplus, kLocked, "prep_new_hugetlb_folio", "hugetlb.c:1980-1985",
             "nr++, nr_huge_pages_node[n]++", shared::V3_prep, fp::V3_prep, true},
            {Step::V4, kSurplus, kLocked, "alloc_surplus_hugetlb_folio", "hugetlb.c:2424-2443",
             "surplus full: temporary folio, unlock, free_huge_folio; else surplus++",
             shared::V4_put_page_unlocked, fp::V4_put_page_unlocked, true, SharedTable::none,
             out::V4_put_page_unlocked},
            {Step::V5, kSurplus, kLocked, "free_huge_folio", "hugetlb.c:1935,1944-1946",
             "the temporary folio: remove_hugetlb_folio (nr--, nr_node--)",
             shared::V5_remove_hugetlb_folio, fp::V5_remove_hugetlb_folio, true},
            {Step::V6, kSurplus, 0, "update_and_free_hugetlb_folio", "hugetlb.c:1947 (1852)",
             "the temporary folio back to buddy, lock dropped", shared::V6, fp::V6, true},
            {Step::W3, kFault, kLocked, "alloc_hugetlb_folio", "hugetlb.c:3117-3124",
             "a reserved fault's surplus folio: spin_lock, restore_reserve, resv_huge_pages--",
             resv::W3_resv_locked, fp::W3},
            {Step::M1, kMmap, kLocked, "gather_surplus_pages", "hugetlb.c:4795-4820 (2554-2564)",
             "hugetlb_acct_memory(+k): needed = resv + k - free; <= 0: resv += k; else unlock",
             resv::M1, fp::M1, false, SharedTable::none, out::M1_collect},
            {Step::M2, kMmap, kLocked, "gather_surplus_pages", "hugetlb.c:2581-2614",
             "relock: needed again; retry, give up, or resv += k and enqueue the needed folios",
             resv::M2, fp::M2, false, SharedTable::none, out::M2},
            {Step::M3, kMmap, kLocked, "free_huge_folio", "hugetlb.c:2620-2621 (1894-1958)",
             "a folio not needed: surplus: remove_hugetlb_folio, unlock (M5); else enqueue",
             resv::M3_folio, fp::M3_folio, false, SharedTable::none, out::M3_folio},
            {Step::M5, kMmap, 0, "update_and_free_hugetlb_folio", "hugetlb.c:2621 (1945-1947)",
             "the surplus folio not needed back to buddy, lock dropped", resv::M5, fp::M5},
            {Step::M4, kMmap, kLocked, "hugetlb_acct_memory", "hugetlb.c:2622,4823-4826",
             "relock; delta > cpuset_mems_nr: give it back; else the mapping has it", resv::M4,
             fp::M4, false, SharedTable::none, out::M4_collect},
            {Step::X1, kUnreserve, kLocked, "return_unused_surplus_pages",
             "hugetlb.c:6906 (4831, 2644-2674)",
             "hugetlb_acct_memory(-unused): resv -= unused; collect surplus folios off the pool",
             resv::X1, fp::X1, false, SharedTable::none, out::X1_collect},
            {Step::X3, kUnreserve, 0, "update_and_free_pages_bulk", "hugetlb.c:2673",
             "one collected folio back to buddy, lock dropped", resv::X3, fp::X3, false,
             SharedTable::none, out::X3},
            {Step::U0, kUnmap, 0, "folio_put", "include/linux/mm.h: folio_put_testzero",
             "with frames: the refcount drops to 0 without a lock; free_huge_folio next", resv::U0,
             fp::U0, false, SharedTable::none, out::U0},
            {Step::D1, kDissolve, kLocked, "dissolve_free_huge_page", "hugetlb.c:2302-2344",
             "refcount 0: not freed yet: retry; available: remove_hugetlb_folio, max--, unlock",
             resv::D1_remove_hugetlb_folio, fp::D1, false, SharedTable::none,
             out::D1_remove_hugetlb_folio},
            {Step::D2, kDissolve, 0, "update_and_free_hugetlb_folio", "hugetlb.c:2356",
             "the dissolved folio back to buddy, lock dropped", resv::D2, fp::D2},
            {Step::U1, kUnmap, kLocked, "free_huge_folio", "hugetlb.c:1894-1958",
             "a surplus node's page: remove_hugetlb_folio, then U2; else enqueue",
             shared::U1_free_huge_folio, fp::U1_free_huge_folio, false, SharedTable::none,
             out::U1_free_huge_folio},
            {Step::U2, kUnmap, 0, "update_and_free_hugetlb_folio", "hugetlb.c:1952 (1852)",
             "the page back to buddy, lock dropped", shared::U2, fp::U2},
            {Step::R1, kResizeOps, lock::resize | kLocked, "set_max_huge_pages",
             "hugetlb.c:3481-3497,3525-3538,3565-3590",
             "take resize_lock; count; convert surplus; grow check, or collect pages to free", R1,
             local_fp::R1, false, SharedTable::none, local_out::R1},
            {Step::R4, kResizeOps, 0, "alloc_pool_huge_page", "hugetlb.c:2235-2252",
             "take a buddy block of an allowed node, cursor order on next_nid_to_alloc", shared::R4,
             fp::R4, false, SharedTable::none, out::R4},
            {Step::R5, kResizeOps, kLocked, "prep_new_hugetlb_folio", "hugetlb.c:1980-1985",
             "nr++, nr_huge_pages_node[n]++", shared::R5, fp::R5},
            {Step::R5b, kResizeOps, kLocked, "free_huge_folio", "hugetlb.c:2246 (1894-1958)",
             "the new folio: a surplus node's is removed (R5c), any other enqueued", R5b,
             local_fp::R5b, false, SharedTable::none, local_out::R5b},
            {Step::R5c, kResizeOps, 0, "update_and_free_hugetlb_folio", "hugetlb.c:1952 (1852)",
             "the removed folio back to buddy, lock dropped", R5c, local_fp::R5c},
            {Step::R6, kResizeOps, kLocked, "set_max_huge_pages", "hugetlb.c:3551-3558",
             "relock after a successful allocation: grow check again, or collect", R6, local_fp::R6,
             false, SharedTable::none, local_out::R6},
            {Step::R6f, kResizeOps, kLocked, "set_max_huge_pages", "hugetlb.c:3551-3553,3599-3602",
             "relock after a failed allocation: out: max_huge_pages = persistent, unlock both",
             shared::R6f_release, fp::R6f_release},
            {Step::R8, kResizeOps, 0, "update_and_free_pages_bulk", "hugetlb.c:3591 (1871-1882)",
             "one collected page back to buddy, lock dropped", shared::R8, fp::R8, false,
             SharedTable::none, out::R8},
            {Step::R9, kResizeOps, kLocked, "set_max_huge_pages", "hugetlb.c:3593-3602",
             "relock: mark pages surplus; out: max_huge_pages = persistent; unlock both",
             shared::R9, fp::R9, false, SharedTable::none, out::R9},
            {Step::O1, kOvercommit, kLocked, "hugetlb_overcommit_handler", "hugetlb.c:4640-4667",
             "nr_overcommit_huge_pages = v (written into a private table copy)", shared::O1_value,
             fp::O1_value, false, SharedTable::none, out::O1_value},
        });
    return v;
}

}  // namespace hugecheck::model::variants
