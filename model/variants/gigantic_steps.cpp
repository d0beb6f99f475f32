#include "model/variants/gigantic_steps.hpp"

#include <algorithm>
#include <string>

#include "model/gigantic.hpp"
#include "model/kernel.hpp"
#include "pfn/gigantic.hpp"

namespace hugecheck::model::shared {

namespace {

using pfn::Concrete;

std::string num(std::uint64_t v) {
    return std::to_string(v);
}
std::string range_text(std::uint64_t start, std::uint64_t end) {
    return "[" + num(start) + ", " + num(end) + ")";
}

std::uint32_t scan_node(const StepCtx& c) {
    return static_cast<std::uint32_t>(c[c.self.page_node] - 1);
}
std::uint64_t candidate(const StepCtx& c) {
    return c[c.self.gigantic_pfn] - 1;
}

// -EBUSY from alloc_contig_range: alloc_gigantic_page takes the zone lock again and goes
// on with pfn += nr_pages (G1).
void contig_busy(StepCtx& c) {
    c.w.set(c.self.gigantic_pfn, candidate(c) + c.m.gigantic()->nr_pages() + 1);
    c.go(Step::G1);
}

// The envelope start_isolate_page_range and undo_isolate_page_range work on, as pageblock
// indices [first, last).
struct Blocks {
    std::uint64_t first, last;
};
Blocks isolation_blocks(const StepCtx& c) {
    const GiganticLayout& g = *c.m.gigantic();
    const Concrete d;
    const std::uint64_t start = candidate(c);
    const std::uint64_t lo = pfn::pfn_max_align_down(d, g.orders(), start);
    const std::uint64_t hi = pfn::pfn_max_align_up(d, g.orders(), start + g.nr_pages());
    const std::uint64_t per = g.pageblock_nr_pages();
    return {lo / per, std::min((hi + per - 1) / per, g.pageblocks())};
}

void undo_isolate_page_range(StepCtx& c) {
    const Blocks b = isolation_blocks(c);
    for (std::uint64_t k = b.first; k < b.last; ++k)
        if (c[c.v.isolated[k]]) c.w.set(c.v.isolated[k], 0);
}

// has_unmovable_pages of the seed's era: reserved pages and pages with references that
// are not on the LRU are unmovable; huge pages count as movable (they are skipped).
bool unmovable(const StepCtx& c, std::uint64_t pfn) {
    const GiganticLayout& g = *c.m.gigantic();
    if (g.kind(pfn) == PfnKind::reserved || g.kind(pfn) == PfnKind::in_use) return true;
    if (g.kind(pfn) != PfnKind::ram) return false;
    const std::uint64_t st = c[c.v.pfn[pfn]];
    return st == pfn_state::normal || st == pfn_state::taken;
}

void alloc_gigantic_page(StepCtx& c, pfn::RangeCheck check) {
    const GiganticLayout& g = *c.m.gigantic();
    const Concrete d;
    const std::uint64_t nr = g.nr_pages();
    std::uint64_t pfn = 0;
    std::uint32_t nid = 0;
    if (c[c.self.gigantic_pfn] == 0) {
        // for_each_node_mask_to_alloc: the next node of hstate_next_node_to_alloc.
        const auto tries = c[c.self.gigantic_tries];
        nid = kernel::first_in_cursor_order(c, c.v.next_nid_to_alloc,
                                            [](std::uint32_t) { return true; });
        c.w.set(c.self.gigantic_tries, tries + 1);
        c.w.set(c.self.page_node, encode_index(nid));
        pfn = pfn::align(d, g.zone(nid).start, nr);
        c.note([&] {
            return "alloc_gigantic_page(node " + num(nid) + "): zone " +
                   range_text(g.zone(nid).start, g.zone(nid).end) + ", pfn = ALIGN(" +
                   num(g.zone(nid).start) + ", " + num(nr) + ") = " + num(pfn);
        });
    } else {
        nid = scan_node(c);
        pfn = candidate(c);
    }
    const kernel::PfnPages pages(c);
    while (pfn::zone_spans_last_pfn(d, g.zone(nid), pfn, nr)) {
        if (pfn::pfn_range_valid_gigantic(d, pages, static_cast<int>(nid), pfn, nr, check)) {
            c.outcome(Outcome::range_found);
            c.w.set(c.self.gigantic_pfn, pfn + 1);
            c.note([&] {
                return "pfn_range_valid_gigantic(" + num(pfn) + ", " + num(nr) +
                       ") holds: unlock the zone, alloc_contig_range" + range_text(pfn, pfn + nr);
            });
            c.go(Step::G2);
            return c.emit();
        }
        pfn += nr;
    }
    c.w.set(c.self.gigantic_pfn, 0);
    // nodes_weight(nodes_allowed) nodes tried: alloc_fresh_gigantic_page returns 0 and
    // set_max_huge_pages takes hugetlb_lock again (R6f).
    if (c[c.self.gigantic_tries] == static_cast<std::uint64_t>(__builtin_popcount(c.mask))) {
        c.outcome(Outcome::alloc_fails);
        c.note([&] {
            return "no range of node " + num(nid) +
                   "'s zone is valid, and no allowed node is left: the allocation fails";
        });
        c.go(Step::R6f);
    } else {
        c.outcome(Outcome::next_node);
        c.note([&] { return "no range of node " + num(nid) + "'s zone is valid: the next node"; });
        c.go(Step::G1);
    }
    c.emit();
}

}  // namespace

void G1_seed(StepCtx& c) {
    alloc_gigantic_page(c, pfn::RangeCheck::seed);
}

void G1_same_zone(StepCtx& c) {
    alloc_gigantic_page(c, pfn::RangeCheck::same_zone);
}

void G2(StepCtx& c) {
    const GiganticLayout& g = *c.m.gigantic();
    const Blocks b = isolation_blocks(c);
    for (std::uint64_t k = b.first; k < b.last; ++k) {
        if (!g.block_has_memory(k)) continue;
        const std::uint64_t lo = k * g.pageblock_nr_pages();
        const std::uint64_t hi = std::min(lo + g.pageblock_nr_pages(), g.pfn_end());
        std::uint64_t busy = kernel::kNoPfn;
        for (std::uint64_t p = lo; p < hi && busy == kernel::kNoPfn; ++p)
            if (unmovable(c, p)) busy = p;
        if (c[c.v.isolated[k]] || busy != kernel::kNoPfn) {
            c.outcome(c[c.v.isolated[k]] ? Outcome::busy_isolated : Outcome::busy_unmovable);
            c.note([&] {
                const std::string why =
                    c[c.v.isolated[k]]
                        ? "is MIGRATE_ISOLATE already"
                        : "has an unmovable page at pfn " + num(busy) + " (" +
                              (g.kind(busy) == PfnKind::ram ? pfn_state_text(c[c.v.pfn[busy]])
                               : g.kind(busy) == PfnKind::reserved ? std::string("reserved")
                                                                   : std::string("in use")) +
                              ")";
                return "start_isolate_page_range: pageblock " + range_text(lo, hi) + " " + why +
                       ": -EBUSY, pfn += nr_pages";
            });
            contig_busy(c);
            return c.emit();
        }
    }
    for (std::uint64_t k = b.first; k < b.last; ++k)
        if (g.block_has_memory(k)) c.w.set(c.v.isolated[k], 1);
    c.outcome(Outcome::isolated);
    c.note([&] {
        return "start_isolate_page_range" +
               range_text(b.first * g.pageblock_nr_pages(), b.last * g.pageblock_nr_pages()) +
               ": MIGRATE_ISOLATE";
    });
    c.go(Step::G3);
    c.emit();
}

void G3(StepCtx& c) {
    const GiganticLayout& g = *c.m.gigantic();
    const std::uint64_t start = candidate(c), end = start + g.nr_pages();
    // Free pages are order-0 buddies here, and start is aligned to nr_pages >=
    // MAX_ORDER_NR_PAGES: if start is free, outer_start = start; if not, whatever
    // outer_start the search finds, test_pages_isolated sees start busy.
    for (std::uint64_t p = start; p < end; ++p) {
        if (g.kind(p) == PfnKind::ram && c[c.v.pfn[p]] == pfn_state::free) continue;
        c.outcome(Outcome::contig_busy);
        c.note([&] {
            return "test_pages_isolated" + range_text(start, end) + ": pfn " + num(p) + " is " +
                   (g.kind(p) == PfnKind::ram ? pfn_state_text(c[c.v.pfn[p]]) : "not ram") +
                   ", -EBUSY; undo_isolate_page_range, pfn += nr_pages";
        });
        undo_isolate_page_range(c);
        contig_busy(c);
        return c.emit();
    }
    c.outcome(Outcome::contig_taken);
    for (std::uint64_t p = start; p < end; ++p)
        kernel::take_pfn(c, p, pfn_state::taken);
    undo_isolate_page_range(c);
    c.note([&] {
        return "isolate_freepages_range takes " + range_text(start, end) +
               "; undo_isolate_page_range";
    });
    c.go(Step::G4);
    c.emit();
}

void G4(StepCtx& c) {
    const GiganticLayout& g = *c.m.gigantic();
    const std::uint64_t head = candidate(c);
    const std::uint32_t nid = scan_node(c);
    c.w.set(c.v.pfn[head], pfn_state::head_in_use);
    for (std::uint64_t p = head + 1; p < head + g.nr_pages(); ++p)
        c.w.set(c.v.pfn[p], pfn_state::tail);
    kernel::prep_new_huge_page(c, nid);
    const bool elsewhere = g.node_of(head) != static_cast<int>(nid);
    c.outcome(elsewhere ? Outcome::head_elsewhere : Outcome::head_on_node);
    if (elsewhere)
        c.note([&] {
            return "prep_new_huge_page(h, page, " + num(nid) + "): the page's head pfn " +
                   num(head) + " is on node " + num(static_cast<std::uint64_t>(g.node_of(head)));
        });
    c.go(Step::G5);
    c.emit();
}

void G5(StepCtx& c) {
    kernel::free_gigantic_huge_page(c, candidate(c));
    for (Slot s : {c.self.gigantic_pfn, c.self.gigantic_tries, c.self.page_node})
        c.w.set(s, 0);
    c.go(Step::R6);
    c.emit();
}

void A1(StepCtx& c) {
    const GiganticLayout& g = *c.m.gigantic();
    for (std::uint32_t n : c.m.home_first(c.a)) {
        bool any = false;
        for (std::uint64_t p = 0; p < g.pfn_end(); ++p) {
            if (g.kind(p) != PfnKind::ram || g.node_of(p) != static_cast<int>(n) ||
                c[c.v.pfn[p]] != pfn_state::free || c[c.v.isolated[p / g.pageblock_nr_pages()]])
                continue;
            if (!any)
                c.outcome(n == c.m.home_first(c.a)[0] ? Outcome::pfn_home : Outcome::pfn_other);
            any = true;
            const std::uint64_t op = c[c.self.op], page = c[c.self.normal_page];
            kernel::take_pfn(c, p, pfn_state::normal);
            c.w.set(c.self.normal_page, p + 1);
            c.note([&] { return "alloc_pages takes pfn " + num(p) + " of node " + num(n); });
            c.complete();
            c.emit();
            // The next choice starts from the state before this one.
            c.w.drop_note();
            c.w.set(c.v.pfn[p], pfn_state::free);
            c.w.set(c.self.normal_page, page);
            c.w.set(c.self.op, op);
        }
        if (any) return;
    }
    c.outcome(Outcome::no_free_pfn);
    c.note([] { return std::string("alloc_pages: no free page outside isolated pageblocks"); });
    c.complete();
    c.emit();
}

void A2(StepCtx& c) {
    const std::uint64_t page = c[c.self.normal_page];
    if (page == 0) {
        c.outcome(Outcome::nothing_owned);
        c.note([] { return std::string("no page held: nothing to free"); });
    } else {
        c.outcome(Outcome::normal_page_freed);
        c.w.set(c.v.pfn[page - 1], pfn_state::free);
        c.w.set(c.self.normal_page, 0);
        c.note([&] { return "__free_pages(pfn " + num(page - 1) + ")"; });
    }
    c.complete();
    c.emit();
}

}  // namespace hugecheck::model::shared
