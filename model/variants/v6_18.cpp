// Variant `v6.18`: mm/hugetlb.c of Linux 6.18.2 (gfunkmonk/linux-6.18.2; lines below are
// of that file). Against v6.6:
//  - alloc_surplus_hugetlb_folio accounts the new folio (account_new_hugetlb_folio:
//    nr++, nr_node++) in the same lock section as its surplus check and surplus++
//    ("mm/hugetlb: update nr_huge_pages and surplus_huge_pages together", 2025);
//  - set_max_huge_pages grows in a batch: the loop allocates folios without accounting
//    them (only_alloc_fresh_hugetlb_folio), counting them in `allocated`, and
//    prep_and_add_allocated_folios adds them all to the pool in one lock section; a new
//    folio is enqueued directly, never freed through free_huge_folio;
//  - the shrink's min_count counts free surplus pages out (persistent_free_count), and the
//    node-specific count uses the node's persistent pages.
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

std::string num(std::uint64_t v) {
    return std::to_string(v);
}

// V3: alloc_surplus_hugetlb_folio's second lock section: account_new_hugetlb_folio, then
// the re-check: surplus full → temporary folio, unlock, free_huge_folio (V5).
void V3(StepCtx& c) {
    kernel::prep_new_huge_page(c, static_cast<std::uint32_t>(c[c.self.page_node] - 1));
    if (!shared::surplus_recheck(c)) {
        c.note(
            [] { return std::string("surplus full: temporary folio, unlock, free_huge_folio"); });
        c.go(Step::V5);
    } else {
        resv::surplus_page(c);
    }
    c.emit();
}

// The shrink, in the lock section that reaches it: persistent_free_count leaves free
// surplus pages out of min_count; the pages to free are collected on page_list.
void collect(StepCtx& c) {
    const Vars& v = c.v;
    const std::uint64_t free = c[v.free_huge_pages];
    std::uint64_t persistent_free_count = free;
    if (free > c.persistent())
        persistent_free_count = free > c[v.surplus_huge_pages] ? free - c[v.surplus_huge_pages] : 0;
    const std::uint64_t min_count =
        std::max(c[c.self.count], c[v.resv_huge_pages] + c.persistent() - persistent_free_count);
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
        c.note([&] { return "remove_pool_hugetlb_folio takes a free page of node " + num(n); });
    }
    shared::after_collect(c);
}

// The grow loop's condition counts the folios allocated but not yet in the pool.
bool needs_more(StepCtx& c) {
    return c[c.self.count] > c.persistent() + kernel::page_list_length(c);
}

// R1: mutex_lock(&h->resize_lock), spin_lock: the count, loop1, then the grow loop's
// condition (allocated = 0) or the shrink.
void R1(StepCtx& c) {
    const Vars& v = c.v;
    if (c.op.kind == OpKind::resize) {
        c.w.set(c.self.count, c.op.value);
    } else {
        // count += persistent_huge_pages(h) - (nr_node[nid] - surplus_node[nid])
        const std::uint64_t node_persistent =
            c[v.nr_huge_pages_node[c.op.node]] - c[v.surplus_huge_pages_node[c.op.node]];
        const __int128 exact =
            (static_cast<__int128>(c[v.nr_huge_pages]) - c[v.surplus_huge_pages]) -
            (static_cast<__int128>(c[v.nr_huge_pages_node[c.op.node]]) -
             c[v.surplus_huge_pages_node[c.op.node]]);
        kernel::node_count(c, c.persistent() - node_persistent, exact, true);
    }
    kernel::convert_surplus_pages(c);
    if (needs_more(c)) {
        c.outcome(Outcome::grow);
        c.note([&] {
            return "count " + num(c[c.self.count]) + " > persistent " + num(c.persistent()) +
                   ": unlock and allocate";
        });
        c.go(Step::R4);
    } else {
        collect(c);
    }
    c.emit();
}

// R4: alloc_pool_huge_folio, lock dropped: the folio goes on page_list (allocated++); no
// folio: prep_and_add_allocated_folios of what is there, then out.
void R4(StepCtx& c) {
    const std::uint32_t n = kernel::alloc_pool_huge_page_node(c);
    if (n != c.nodes) {
        c.outcome(Outcome::pool_page);
        kernel::page_list_push(c, n);
        c.go(Step::R6);
    } else {
        const bool none = kernel::page_list_empty(c);
        c.outcome(none ? Outcome::alloc_fails : Outcome::alloc_fails_batch);
        c.go(none ? Step::R6f : Step::RAf);
    }
    c.emit();
}

// R6: spin_lock after an allocation: the loop's condition again; done: unlock and add the
// batch (RA).
void R6(StepCtx& c) {
    const bool more = needs_more(c);
    c.outcome(more ? Outcome::grow : Outcome::batch_done);
    c.go(more ? Step::R4 : Step::RA);
    c.emit();
}

// prep_and_add_allocated_folios: one lock section accounts and enqueues every folio.
void prep_and_add(StepCtx& c) {
    std::uint64_t added = 0;
    while (!kernel::page_list_empty(c)) {
        const std::uint32_t n = kernel::page_list_pop(c);
        kernel::prep_new_huge_page(c, n);
        kernel::enqueue_huge_page(c, n);
        ++added;
    }
    c.note([&] { return "adds " + num(added) + " new folio(s) to the pool"; });
}

void RA(StepCtx& c) {
    prep_and_add(c);
    c.go(Step::RS);
    c.emit();
}

void RAf(StepCtx& c) {
    prep_and_add(c);
    c.go(Step::R6f);
    c.emit();
}

// RS: spin_lock after the batch: the shrink.
void RS(StepCtx& c) {
    collect(c);
    c.emit();
}

namespace local_fp {  // footprints of this file's handlers (model/variants/footprints.hpp)
using namespace fp;
inline constexpr Footprint R1 = node_count | set_max_huge_pages_locked | loop1;
inline constexpr Footprint R4 = alloc_pool_huge_page;
inline constexpr Footprint R6 = persistent;
inline constexpr Footprint RA = read_write(kPool);
inline constexpr Footprint RAf = read_write(kPool);
inline constexpr Footprint RS = set_max_huge_pages_locked;
inline constexpr Footprint V3 =
    reads(vars({nr_overcommit_huge_pages})) | read_write(kPool) | ends_op;
}  // namespace local_fp

namespace local_out {  // outcomes of this file's handlers (model/variants/outcomes.hpp)
using enum Outcome;
inline constexpr Outcomes R1{count_wraps, count_clamped,   loop1_converts,
                             loop1_race,  loop1_elsewhere, grow,
                             no_shrink,   collects_page,   collect_no_free_page};
inline constexpr Outcomes R4{pool_page, alloc_fails, alloc_fails_batch};
inline constexpr Outcomes R6{grow, batch_done};
}  // namespace local_out

}  // namespace

const Variant& v6_18() {
    static const Variant v(
        "v6.18", "Linux 6.18.2: nr and surplus accounted together, batched grow",
        "gfunkmonk/linux-6.18.2 @ HEAD, mm/hugetlb.c",
        Features{.resize_lock = true,
                 .page_list = true,
                 .reservations = true,
                 .dissolve = true,
                 .unused = UnusedStyle::collect,
                 .gather_mbind = true,
                 .acct_mbind = true,
                 .frames = true},
        FirstSteps{.fault = Step::F1,
                   .unmap = Step::U1,
                   .resize = Step::R1,
                   .overcommit = Step::O1,
                   .resize_node = Step::R1},
        {
            {Step::F1, kFault, kLocked, "dequeue_hugetlb_folio_vma", "hugetlb.c:3018-3026 (1364)",
             "take a free page, home node first, if free - resv > 0; else V1", shared::F1_to_V1,
             fp::F1_to_V1, false, SharedTable::none, out::F1_to_V1},
            {Step::V1, kSurplus, kLocked, "alloc_surplus_hugetlb_folio", "hugetlb.c:2218-2221",
             "fail if surplus >= overcommit", shared::V1, fp::V1, true, SharedTable::none, out::V1},
            {Step::V2, kSurplus, 0, "alloc_fresh_hugetlb_folio", "hugetlb.c:2223 (1998-2007)",
             "take a buddy block, local node first; none: the fault fails", shared::V2, fp::V2,
             true, SharedTable::none, out::V2},
            {Step::V3, kSurplus, kLocked, "alloc_surplus_hugetlb_folio", "hugetlb.c:2227-2254",
             "account_new_hugetlb_folio; surplus full: temporary folio; else surplus++", V3,
             local_fp::V3, true, SharedTable::none, out::surplus_recheck},
            {Step::V5, kSurplus, kLocked, "free_huge_folio", "hugetlb.c:1860,1871-1874",
             "the temporary folio: remove_hugetlb_folio (nr--, nr_node--)",
             shared::V5_remove_hugetlb_folio, fp::V5_remove_hugetlb_folio, true},
            {Step::V6, kSurplus, 0, "update_and_free_hugetlb_folio", "hugetlb.c:1874 (1697)",
             "the temporary folio back to buddy, lock dropped", shared::V6, fp::V6, true},
            {Step::W3, kFault, kLocked, "alloc_hugetlb_folio", "hugetlb.c:3036-3043",
             "a reserved fault's surplus folio: spin_lock, restore_reserve, resv_huge_pages--",
             resv::W3_resv_locked, fp::W3},
            {Step::M1, kMmap, kLocked, "gather_surplus_pages", "hugetlb.c:5306-5331 (2397-2407)",
             "hugetlb_acct_memory(+k): needed = resv + k - free; <= 0: resv += k; else unlock",
             resv::M1, fp::M1, false, SharedTable::none, out::M1_collect},
            {Step::M2, kMmap, kLocked, "gather_surplus_pages", "hugetlb.c:2430-2463",
             "relock: needed again; retry, give up, or resv += k and enqueue the needed folios",
             resv::M2, fp::M2, false, SharedTable::none, out::M2},
            {Step::M3, kMmap, kLocked, "free_huge_folio", "hugetlb.c:2469-2470 (1819-1884)",
             "a folio not needed: surplus: remove_hugetlb_folio, unlock (M5); else enqueue",
             resv::M3_folio, fp::M3_folio, false, SharedTable::none, out::M3_folio},
            {Step::M5, kMmap, 0, "update_and_free_hugetlb_folio", "hugetlb.c:2470 (1871-1874)",
             "the surplus folio not needed back to buddy, lock dropped", resv::M5, fp::M5},
            {Step::M4, kMmap, kLocked, "hugetlb_acct_memory", "hugetlb.c:2471,5334-5337",
             "relock; delta > cpuset_mems_nr: give it back; else the mapping has it", resv::M4,
             fp::M4, false, SharedTable::none, out::M4_collect},
            {Step::X1, kUnreserve, kLocked, "return_unused_surplus_pages",
             "hugetlb.c:7465 (5342, 2492-2524)",
             "hugetlb_acct_memory(-unused): resv -= unused; collect surplus folios off the pool",
             resv::X1, fp::X1, false, SharedTable::none, out::X1_collect},
            {Step::X3, kUnreserve, 0, "update_and_free_pages_bulk", "hugetlb.c:2523",
             "one collected folio back to buddy, lock dropped", resv::X3, fp::X3, false,
             SharedTable::none, out::X3},
            {Step::U0, kUnmap, 0, "folio_put", "include/linux/mm.h: folio_put_testzero",
             "with frames: the refcount drops to 0 without a lock; free_huge_folio next", resv::U0,
             fp::U0, false, SharedTable::none, out::U0},
            {Step::D1, kDissolve, kLocked, "dissolve_free_hugetlb_folio", "hugetlb.c:2096-2140",
             "refcount 0: not freed yet: retry; available: remove_hugetlb_folio (surplus if the "
             "node "
             "has surplus), max--, unlock",
             resv::D1_remove_hugetlb_folio_node_surplus, fp::D1, false, SharedTable::none,
             out::D1_remove_hugetlb_folio},
            {Step::D2, kDissolve, 0, "update_and_free_hugetlb_folio", "hugetlb.c:2155",
             "the dissolved folio back to buddy, lock dropped", resv::D2, fp::D2},
            {Step::U1, kUnmap, kLocked, "free_huge_folio", "hugetlb.c:1819-1884",
             "a surplus node's page: remove_hugetlb_folio, then U2; else enqueue",
             shared::U1_free_huge_folio, fp::U1_free_huge_folio, false, SharedTable::none,
             out::U1_free_huge_folio},
            {Step::U2, kUnmap, 0, "update_and_free_hugetlb_folio", "hugetlb.c:1879 (1697)",
             "the page back to buddy, lock dropped", shared::U2, fp::U2},
            {Step::R1, kResizeOps, lock::resize | kLocked, "set_max_huge_pages",
             "hugetlb.c:3841-3864,3886-3905,3961-3985",
             "take resize_lock; count; convert surplus; grow check, or collect pages to free", R1,
             local_fp::R1, false, SharedTable::none, local_out::R1},
            {Step::R4, kResizeOps, 0, "alloc_pool_huge_folio", "hugetlb.c:3912-3922 (2031-2049)",
             "allocate a folio of an allowed node (cursor order), onto page_list", R4, local_fp::R4,
             false, SharedTable::none, local_out::R4},
            {Step::R6, kResizeOps, kLocked, "set_max_huge_pages", "hugetlb.c:3931,3905",
             "relock: allocate again, or unlock and add the batch", R6, local_fp::R6, false,
             SharedTable::none, local_out::R6},
            {Step::RA, kResizeOps, kLocked, "prep_and_add_allocated_folios",
             "hugetlb.c:3935-3938 (2009-2025)",
             "account and enqueue every allocated folio in one lock section", RA, local_fp::RA},
            {Step::RAf, kResizeOps, kLocked, "prep_and_add_allocated_folios",
             "hugetlb.c:3915-3918 (2009-2025)",
             "after a failed allocation: add the batch, then out", RAf, local_fp::RAf},
            {Step::RS, kResizeOps, kLocked, "set_max_huge_pages", "hugetlb.c:3938,3961-3985",
             "relock after the batch: collect pages to free", RS, local_fp::RS, false,
             SharedTable::none, out::collect},
            {Step::R6f, kResizeOps, kLocked, "set_max_huge_pages", "hugetlb.c:3917,3996-3999",
             "out: max_huge_pages = persistent, unlock both", shared::R6f_release, fp::R6f_release},
            {Step::R8, kResizeOps, 0, "update_and_free_pages_bulk", "hugetlb.c:3988 (1767-1806)",
             "one collected page back to buddy, lock dropped", shared::R8, fp::R8, false,
             SharedTable::none, out::R8},
            {Step::R9, kResizeOps, kLocked, "set_max_huge_pages", "hugetlb.c:3990-3999",
             "relock: mark pages surplus; out: max_huge_pages = persistent; unlock both",
             shared::R9, fp::R9, false, SharedTable::none, out::R9},
            {Step::O1, kOvercommit, kLocked, "hugetlb_overcommit_handler", "hugetlb.c:5152-5180",
             "nr_overcommit_huge_pages = v (written into a private table copy)", shared::O1_value,
             fp::O1_value, false, SharedTable::none, out::O1_value},
        });
    return v;
}

}  // namespace hugecheck::model::variants
