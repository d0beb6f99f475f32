// The pfn arithmetic of the gigantic-page path, once, over a domain (pfn/concrete.hpp,
// properties/pfn/symbolic.hpp): the
// seed's alloc_gigantic_page scan (000:201-272), pfn_range_valid_gigantic (the seed's,
// 000:222-245, and with the same-zone check of "mm/hugetlb: add same zone check in
// pfn_range_valid_gigantic()", 2016), and alloc_contig_range's isolation envelope
// (pfn_max_align_down/up) and outer_start search (000:354-392). The explorer's gigantic
// actors evaluate these with Concrete; `hugecheck prove pfn` builds Z3 terms from them.
// This module depends on nothing else of hugecheck: the model and the proofs both use it.
#pragma once

#include <array>
#include <cstdint>

namespace hugecheck::pfn {

// [start, end) in pfns.
template <class D>
struct Range {
    typename D::U start, end;
};

// A memory layout: each node's memory ranges (pfn_valid there), which may interleave with
// the other nodes', the zone of each node spanning its ranges (zone_start_pfn,
// zone_end_pfn), and pfns a gigantic page must not take. It is also the page source the
// range check reads (see Pages below): the proofs' pages are intervals.
template <class D>
struct Layout {
    static constexpr int kNodes = 2;
    static constexpr int kRangesPerNode = 2;
    std::array<std::array<Range<D>, kRangesPerNode>, kNodes> mem;
    std::array<Range<D>, kNodes> zone;
    Range<D> reserved;  // PageReserved
    Range<D> in_use;    // page_count > 0
    Range<D> huge;      // PageHuge

    typename D::B valid(const D& d, const typename D::U& pfn) const;
    typename D::B in_zone_of(const D& d, const typename D::U& pfn, int node) const;
    typename D::B reserved_page(const D& d, const typename D::U& pfn) const;
    typename D::B counted(const D& d, const typename D::U& pfn) const;
    typename D::B huge_page(const D& d, const typename D::U& pfn) const;
};

// What pfn_range_valid_gigantic asks of a page: a page source P provides
//   valid(d, pfn)            pfn_valid(pfn)
//   in_zone_of(d, pfn, n)    page_zone(pfn_to_page(pfn)) is node n's zone
//   reserved_page(d, pfn)    PageReserved
//   counted(d, pfn)          page_count(page) > 0
//   huge_page(d, pfn)        PageHuge
// The proofs' Layout answers from intervals; the explorer's gigantic state answers from
// each pfn's state (model/gigantic.hpp), with the same range check.

// The page-size constants of a configuration, and the gigantic hstate's order.
template <class D>
struct Orders {
    typename D::U max_order;        // MAX_ORDER
    typename D::U pageblock_order;  // pageblock_order
    typename D::U order;            // huge_page_order(h) of the gigantic hstate
};

// Which pfn_range_valid_gigantic: the seed's, or with the 2016 same-zone check.
enum class RangeCheck { seed, same_zone };

template <class D>
using U = typename D::U;
template <class D>
using B = typename D::B;

// ALIGN(x, a): (x + a - 1) & ~(a - 1).
template <class D>
U<D> align(const D& d, const U<D>& x, const U<D>& a) {
    return (x + a - d.lit(1)) & ~(a - d.lit(1));
}

template <class D>
B<D> in_range(const D& d, const Range<D>& r, const U<D>& pfn) {
    return d.ule(r.start, pfn) && d.ult(pfn, r.end);
}

// x + y wraps around 2^64.
template <class D>
B<D> add_wraps(const D& d, const U<D>& x, const U<D>& y) {
    return d.ult(x + y, x);
}

// unsigned long nr_pages = 1 << order;  — an int shift, sign-extended from order 31 on.
template <class D>
U<D> nr_pages(const D& d, const Orders<D>& o) {
    return d.sext32(d.shl(d.lit(1), o.order));
}

// MAX_ORDER_NR_PAGES = 1 << (MAX_ORDER - 1); pageblock_nr_pages = 1 << pageblock_order.
template <class D>
U<D> max_order_nr_pages(const D& d, const Orders<D>& o) {
    return d.shl(d.lit(1), o.max_order - d.lit(1));
}
template <class D>
U<D> pageblock_nr_pages(const D& d, const Orders<D>& o) {
    return d.shl(d.lit(1), o.pageblock_order);
}
// max_t(unsigned long, MAX_ORDER_NR_PAGES, pageblock_nr_pages)
template <class D>
U<D> isolation_unit(const D& d, const Orders<D>& o) {
    const U<D> m = max_order_nr_pages(d, o), p = pageblock_nr_pages(d, o);
    return d.ite(d.ult(m, p), p, m);
}

// zone_spans_pfn: zone->zone_start_pfn <= pfn && pfn < zone_end_pfn(zone)
template <class D>
B<D> zone_spans_pfn(const D& d, const Range<D>& zone, const U<D>& pfn) {
    return in_range(d, zone, pfn);
}

// zone_spans_last_pfn: the range's last pfn, start_pfn + nr_pages - 1, is in the zone.
template <class D>
B<D> zone_spans_last_pfn(const D& d, const Range<D>& zone, const U<D>& start_pfn, const U<D>& nr) {
    return zone_spans_pfn(d, zone, start_pfn + nr - d.lit(1));
}

// alloc_gigantic_page's k-th candidate: pfn = ALIGN(zone->zone_start_pfn, nr_pages), then
// pfn += nr_pages each round: ALIGN(...) + k * nr_pages (k << order), modulo 2^64.
template <class D>
U<D> scan_pfn(const D& d, const Range<D>& zone, const Orders<D>& o, const U<D>& k) {
    return align(d, zone.start, nr_pages(d, o)) + d.shl(k, o.order);
}

// The scan reaches its k-th candidate: `while (zone_spans_last_pfn(z, pfn, nr_pages))` held
// for candidates 0..k.
template <class D>
B<D> scan_reaches(const D& d, const Range<D>& zone, const Orders<D>& o, const U<D>& k) {
    const U<D> nr = nr_pages(d, o);
    return d.all_upto(d.lit(0), k, [&](const U<D>& j) {
        return zone_spans_last_pfn(d, zone, scan_pfn(d, zone, o, j), nr);
    });
}

// pfn_valid: the pfn is memory of some node.
template <class D>
B<D> pfn_valid(const D& d, const Layout<D>& l, const U<D>& pfn) {
    B<D> any = d.truth(false);
    for (const auto& node : l.mem)
        for (const Range<D>& r : node)
            any = any || in_range(d, r, pfn);
    return any;
}

// page_zone(pfn_to_page(pfn)) == the zone of node `n`: the pfn is memory of that node.
template <class D>
B<D> page_in_zone_of(const D& d, const Layout<D>& l, const U<D>& pfn, int n) {
    B<D> any = d.truth(false);
    for (const Range<D>& r : l.mem[n])
        any = any || in_range(d, r, pfn);
    return any;
}

template <class D>
typename D::B Layout<D>::valid(const D& d, const typename D::U& pfn) const {
    return pfn_valid(d, *this, pfn);
}
template <class D>
typename D::B Layout<D>::in_zone_of(const D& d, const typename D::U& pfn, int node) const {
    return page_in_zone_of(d, *this, pfn, node);
}
template <class D>
typename D::B Layout<D>::reserved_page(const D& d, const typename D::U& pfn) const {
    return in_range(d, reserved, pfn);
}
template <class D>
typename D::B Layout<D>::counted(const D& d, const typename D::U& pfn) const {
    return in_range(d, in_use, pfn);
}
template <class D>
typename D::B Layout<D>::huge_page(const D& d, const typename D::U& pfn) const {
    return in_range(d, huge, pfn);
}

// The body of pfn_range_valid_gigantic's loop for one pfn, scanning the zone of node `n`.
template <class D, class Pages>
B<D> gigantic_pfn_ok(const D& d, const Pages& pages, const U<D>& pfn, int n, RangeCheck check) {
    B<D> ok = pages.valid(d, pfn);
    if (check == RangeCheck::same_zone) ok = ok && pages.in_zone_of(d, pfn, n);
    return ok && !pages.reserved_page(d, pfn) && !pages.counted(d, pfn) && !pages.huge_page(d, pfn);
}

// pfn_range_valid_gigantic: for (i = start_pfn; i < end_pfn; i++) { ... }
template <class D, class Pages>
B<D> pfn_range_valid_gigantic(const D& d, const Pages& pages, int n, const U<D>& start_pfn,
                              const U<D>& nr, RangeCheck check) {
    return d.all_in(start_pfn, start_pfn + nr,
                    [&](const U<D>& i) { return gigantic_pfn_ok(d, pages, i, n, check); });
}

// alloc_contig_range isolates [pfn_max_align_down(start), pfn_max_align_up(end)).
template <class D>
U<D> pfn_max_align_down(const D& d, const Orders<D>& o, const U<D>& pfn) {
    return pfn & ~(isolation_unit(d, o) - d.lit(1));
}
template <class D>
U<D> pfn_max_align_up(const D& d, const Orders<D>& o, const U<D>& pfn) {
    return align(d, pfn, isolation_unit(d, o));
}

// The outer_start search stops at some order below MAX_ORDER:
// outer_start = start & (~0UL << order).
template <class D>
U<D> outer_start(const D& d, const U<D>& start, const U<D>& order) {
    return start & d.shl(~d.lit(0), order);
}

}  // namespace hugecheck::pfn
