#include "properties/pfn/queries.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <sstream>
#include <thread>

#include "model/input_error.hpp"
#include "properties/pfn/symbolic.hpp"

namespace hugecheck::pfn {

namespace {

template <class D>
struct Witness {
    U<D> k;  // the scan's round
    U<D> j;  // a pfn of the scanned range
    U<D> o;  // the order the outer_start search stops at
};

// The zone of a node spans its ranges: from the first's start to the last non-empty end.
template <class D>
Range<D> zone_hull(const D& d, const std::array<Range<D>, Layout<D>::kRangesPerNode>& r) {
    return {r[0].start, d.ite(d.eq(r[1].start, r[1].end), r[0].end, r[1].end)};
}

template <class D>
B<D> empty(const D& d, const Range<D>& r) {
    return d.eq(r.start, r.end);
}

// Every layout and configuration the bounds allow. `limit` bounds every pfn; with
// `bound_witnesses`, the witnesses too (small searches, for readable counterexamples).
template <class D>
B<D> well_formed(const D& d, const Layout<D>& l, const Orders<D>& o, const Witness<D>& w,
                 const U<D>& limit, const Bounds& b, bool bound_witnesses) {
    B<D> ok = d.truth(true);
    for (int n = 0; n < Layout<D>::kNodes; ++n) {
        const auto& r = l.mem[n];
        ok = ok && d.ult(r[0].start, r[0].end) && d.ule(r[0].end, r[1].start) &&
             d.ule(r[1].start, r[1].end) && d.ule(r[1].end, limit);
    }
    for (const Range<D>& r : l.mem[0])
        for (const Range<D>& s : l.mem[1])
            ok = ok &&
                 (empty(d, r) || empty(d, s) || d.ule(r.end, s.start) || d.ule(s.end, r.start));
    for (const Range<D>* r : {&l.reserved, &l.in_use, &l.huge})
        ok = ok && d.ule(r->start, r->end) && d.ule(r->end, limit);
    ok = ok && d.ule(d.lit(b.max_order_min), o.max_order) &&
         d.ule(o.max_order, d.lit(b.max_order_max)) && d.ult(o.pageblock_order, o.max_order) &&
         d.ule(o.max_order, o.order) && d.ule(o.order, d.lit(b.order_max));
    if (bound_witnesses) ok = ok && d.ult(w.k, limit) && d.ult(w.j, limit) && d.ult(w.o, limit);
    return ok;
}

// [start, start + nr) lies in the zone.
template <class D>
B<D> inside(const D& d, const Range<D>& zone, const U<D>& start, const U<D>& nr) {
    return d.ule(zone.start, start) && d.ult(start, zone.end) && d.ule(nr, zone.end - start);
}

template <class D>
B<D> violation(const D& d, const std::string& id, const Layout<D>& l, const Orders<D>& o,
               const Witness<D>& w, RangeCheck check) {
    const Range<D>& zone = l.zone[0];  // alloc_gigantic_page(node 0); the nodes are alike
    const U<D> nr = nr_pages(d, o);
    const U<D> pfn = scan_pfn(d, zone, o, w.k);
    const B<D> reaches = scan_reaches(d, zone, o, w.k);
    if (id == "scan-in-zone")
        return reaches && !(d.eq(pfn & (nr - d.lit(1)), d.lit(0)) && inside(d, zone, pfn, nr));
    if (id == "range-in-zone")
        return reaches && pfn_range_valid_gigantic(d, l, 0, pfn, nr, check) &&
               in_range(d, Range<D>{pfn, pfn + nr}, w.j) && !page_in_zone_of(d, l, w.j, 0);
    if (id == "isolation-in-zone")
        return reaches && d.ult(w.o, o.max_order) &&
               !(d.ule(zone.start, pfn_max_align_down(d, o, pfn)) &&
                 d.ule(pfn_max_align_up(d, o, pfn + nr), zone.end) &&
                 d.ule(zone.start, outer_start(d, pfn, w.o)));
    if (id == "no-wrap") {
        const U<D> unit = isolation_unit(d, o);
        const U<D> k_times_nr = d.shl(w.k, o.order);
        return add_wraps(d, zone.start, nr - d.lit(1)) ||               // ALIGN(zone_start_pfn, nr)
               !d.eq(nr, d.shl(d.lit(1), o.order)) ||                   // the int shift 1 << order
               (reaches && (!d.eq(d.lshr(k_times_nr, o.order), w.k) ||  // pfn += nr_pages
                            add_wraps(d, pfn, nr) ||                    // end = start + nr_pages
                            add_wraps(d, pfn + nr, unit - d.lit(1))));  // pfn_max_align_up(end)
    }
    throw InputError("--query", 0, "", "unknown query '" + id + "'");
}

struct QueryInfo {
    const char* id;
    const char* statement;
    bool reads_check;  // runs once per range check
};

constexpr QueryInfo kQueries[] = {
    {"scan-in-zone",
     "every range alloc_gigantic_page scans lies inside its zone's span and is aligned to "
     "nr_pages",
     false},
    {"range-in-zone",
     "every pfn of a range that pfn_range_valid_gigantic accepts belongs to the zone being "
     "scanned",
     true},
    {"isolation-in-zone",
     "alloc_contig_range's isolation envelope [pfn_max_align_down(start), "
     "pfn_max_align_up(end)) and its outer_start stay inside the zone, for every scanned range",
     false},
    {"no-wrap",
     "no pfn computation of the scan and of alloc_contig_range wraps around 2^64, and "
     "nr_pages = 1 << order is 2^order",
     false},
};

// Every number of the layout an unknown; the zones are the hulls of their nodes' ranges.
Layout<Symbolic> symbolic_layout(const Symbolic& d) {
    auto range = [&](const std::string& name) {
        return Range<Symbolic>{d.var(name + "_start"), d.var(name + "_end")};
    };
    auto node = [&](int n) {
        const std::string p = "node" + std::to_string(n) + "_mem";
        return std::array<Range<Symbolic>, 2>{range(p + "0"), range(p + "1")};
    };
    const std::array<std::array<Range<Symbolic>, 2>, 2> mem{node(0), node(1)};
    return Layout<Symbolic>{mem,
                            {zone_hull(d, mem[0]), zone_hull(d, mem[1])},
                            range("reserved"),
                            range("in_use"),
                            range("huge")};
}

std::uint64_t value(const z3::model& m, const z3::expr& e) {
    return m.eval(e, true).get_numeral_uint64();
}

ConcreteCase from_model(const z3::model& m, const Layout<Symbolic>& l, const Orders<Symbolic>& o,
                        const Witness<Symbolic>& w) {
    const Concrete c;
    ConcreteCase out;
    for (int n = 0; n < Layout<Concrete>::kNodes; ++n) {
        for (int r = 0; r < Layout<Concrete>::kRangesPerNode; ++r)
            out.layout.mem[n][r] = {value(m, l.mem[n][r].start), value(m, l.mem[n][r].end)};
        out.layout.zone[n] = zone_hull(c, out.layout.mem[n]);
    }
    out.layout.reserved = {value(m, l.reserved.start), value(m, l.reserved.end)};
    out.layout.in_use = {value(m, l.in_use.start), value(m, l.in_use.end)};
    out.layout.huge = {value(m, l.huge.start), value(m, l.huge.end)};
    out.orders = {value(m, o.max_order), value(m, o.pageblock_order), value(m, o.order)};
    out.k = value(m, w.k);
    out.j = value(m, w.j);
    out.o = value(m, w.o);
    return out;
}

std::string range_text(const Range<Concrete>& r) {
    return "[" + std::to_string(r.start) + ", " + std::to_string(r.end) + ")";
}

const char* check_name(RangeCheck c) {
    return c == RangeCheck::seed ? "seed" : "same-zone";
}

// One search: every layout with pfns < 2^bits (and, below the full bounds, witnesses as
// small), for a layout that violates the query.
struct Search {
    z3::context ctx;
    Symbolic d{ctx};
    Layout<Symbolic> l = symbolic_layout(d);
    Orders<Symbolic> o{d.var("MAX_ORDER"), d.var("pageblock_order"), d.var("order")};
    Witness<Symbolic> w{d.var("k"), d.var("j"), d.var("o")};
    z3::solver s{ctx};

    Search(const QueryInfo& q, RangeCheck check, const Bounds& b, unsigned bits, bool full) {
        z3::params p(ctx);
        p.set("timeout", b.timeout_seconds * 1000u);
        s.set(p);
        s.add(well_formed(d, l, o, w, limit(bits), b, !full));
        s.add(violation(d, q.id, l, o, w, check));
    }
    z3::expr limit(unsigned bits) const {
        return bits >= 64 ? d.lit(~std::uint64_t{0}) : d.lit(std::uint64_t{1} << bits);
    }

    // Makes a small search's counterexample readable: each simplification that keeps it a
    // counterexample stays (empty intervals it does not need, the smallest orders, round 0,
    // pfns from 0), then every pfn is kept as small as it can be.
    void simplify() {
        auto keep_if_sat = [&](const z3::expr& c) {
            s.push();
            s.add(c);
            if (s.check() == z3::sat) return true;
            s.pop();
            return false;
        };
        auto empty_at = [&](const Range<Symbolic>& r, const z3::expr& at) {
            return r.start == at && r.end == at;
        };
        for (const Range<Symbolic>* r : {&l.reserved, &l.in_use, &l.huge})
            keep_if_sat(empty_at(*r, d.lit(0)));
        for (int n = Layout<Symbolic>::kNodes - 1; n >= 0; --n)
            keep_if_sat(empty_at(l.mem[n][1], l.mem[n][0].end));
        keep_if_sat(l.mem[0][0].start == d.lit(0));
        keep_if_sat(o.order == o.max_order);
        keep_if_sat(o.pageblock_order == d.lit(0));
        for (std::uint64_t v = 1; v <= 11; ++v)
            if (keep_if_sat(o.max_order == d.lit(v))) break;
        keep_if_sat(w.k == d.lit(0));
        keep_if_sat(w.o == d.lit(0));
        std::vector<z3::expr> pfns;
        for (const auto& node : l.mem)
            for (const Range<Symbolic>& r : node)
                pfns.insert(pfns.end(), {r.start, r.end});
        for (const Range<Symbolic>* r : {&l.reserved, &l.in_use, &l.huge})
            pfns.insert(pfns.end(), {r->start, r->end});
        for (std::uint64_t bound = 1; bound <= (1u << 16); bound *= 2) {
            z3::expr all = d.truth(true);
            for (const z3::expr& v : pfns)
                all = all && d.ule(v, d.lit(bound));
            if (keep_if_sat(all)) break;
        }
        s.check();  // the model of what was kept
    }
};

QueryResult run_query(const QueryInfo& q, RangeCheck check, const Bounds& b) {
    QueryResult result;
    result.id = q.id;
    result.statement = q.statement;
    result.check = check;
    const auto start = std::chrono::steady_clock::now();
    auto done = [&] {
        result.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return result;
    };
    // A counterexample that needs pfns beyond 2^16 (a wrap around 2^64) is shown as Z3
    // found it: simplifying searches at that size take long and gain little.
    auto counterexample = [&](Search& search, bool small) {
        if (small) search.simplify();
        const ConcreteCase c = from_model(search.s.get_model(), search.l, search.o, search.w);
        result.verdict = Verdict::counterexample;
        result.counterexample = describe_case(q.id, c, check);
        result.example = c;
        result.replayed = true;
        result.replay_agrees = well_formed(c, b) && violates(q.id, c, check);
    };

    // The proof: every layout within the bounds.
    Search full(q, check, b, b.pfn_bits(), true);
    const z3::check_result r = full.s.check();
    if (r == z3::unsat) {
        result.verdict = Verdict::proved;
        return done();
    }
    if (r == z3::unknown) {
        result.verdict = Verdict::unknown;
        result.reason = "Z3: " + full.s.reason_unknown() + " (timeout " +
                        std::to_string(b.timeout_seconds) + " s per search)";
        return done();
    }
    // A counterexample exists; look for a small one to show.
    for (unsigned bits : {6u, 10u, 16u}) {
        if (bits >= b.pfn_bits()) break;
        Search small(q, check, b, bits, false);
        if (small.s.check() == z3::sat) {
            counterexample(small, true);
            return done();
        }
    }
    counterexample(full, false);
    return done();
}

}  // namespace

std::string Bounds::describe() const {
    std::ostringstream s;
    s << "2 nodes with up to 2 memory ranges each, which may interleave with the other node's; "
         "each node's zone spans its ranges; one PageReserved, one in-use (page_count > 0) and "
         "one PageHuge pfn interval anywhere; every pfn < 2^"
      << pfn_bits() << " (" << phys_bits << "-bit physical addresses, " << (1u << page_shift) / 1024
      << " KiB pages); MAX_ORDER " << max_order_min << ".." << max_order_max
      << " (MAX_ORDER_NR_PAGES = 2^(MAX_ORDER-1)); pageblock_order 0..MAX_ORDER-1; gigantic "
         "order MAX_ORDER.."
      << order_max << " (nr_pages = 1 << order); the scanned zone is node 0's";
    return s.str();
}

std::vector<std::string> query_ids() {
    std::vector<std::string> ids;
    for (const QueryInfo& q : kQueries)
        ids.push_back(q.id);
    return ids;
}

std::vector<QueryResult> prove_pfn(const Bounds& bounds, const std::vector<RangeCheck>& checks,
                                   const std::vector<std::string>& only, unsigned threads) {
    const std::vector<std::string> ids = query_ids();
    for (const std::string& id : only)
        if (std::find(ids.begin(), ids.end(), id) == ids.end())
            throw InputError("--query", 0, "",
                             "unknown query '" + id +
                                 "' (known: scan-in-zone, "
                                 "range-in-zone, isolation-in-zone, no-wrap)");
    std::vector<std::pair<const QueryInfo*, RangeCheck>> jobs;
    for (const QueryInfo& q : kQueries) {
        if (!only.empty() && std::find(only.begin(), only.end(), q.id) == only.end()) continue;
        if (q.reads_check)
            for (RangeCheck c : checks)
                jobs.emplace_back(&q, c);
        else
            jobs.emplace_back(&q, RangeCheck::same_zone);
    }
    // Each query has a Z3 context of its own, so queries run on parallel threads.
    std::vector<QueryResult> out(jobs.size());
    std::atomic<std::size_t> next{0};
    std::exception_ptr error;
    std::mutex error_lock;
    auto worker = [&] {
        for (std::size_t k; (k = next.fetch_add(1)) < jobs.size();) {
            try {
                out[k] = run_query(*jobs[k].first, jobs[k].second, bounds);
            } catch (...) {
                const std::lock_guard<std::mutex> guard(error_lock);
                if (!error) error = std::current_exception();
            }
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < std::max(1u, std::min<unsigned>(threads, jobs.size())); ++t)
        pool.emplace_back(worker);
    worker();
    for (std::thread& t : pool)
        t.join();
    if (error) std::rethrow_exception(error);
    return out;
}

bool violates(const std::string& id, const ConcreteCase& c, RangeCheck check) {
    const Concrete d;
    return violation(d, id, c.layout, c.orders, Witness<Concrete>{c.k, c.j, c.o}, check);
}

bool well_formed(const ConcreteCase& c, const Bounds& b) {
    const Concrete d;
    const std::uint64_t limit =
        b.pfn_bits() >= 64 ? ~std::uint64_t{0} : std::uint64_t{1} << b.pfn_bits();
    Layout<Concrete> hull = c.layout;
    for (int n = 0; n < Layout<Concrete>::kNodes; ++n)
        hull.zone[n] = zone_hull(d, hull.mem[n]);
    return well_formed(d, c.layout, c.orders, Witness<Concrete>{c.k, c.j, c.o}, limit, b, false) &&
           hull.zone[0].start == c.layout.zone[0].start &&
           hull.zone[0].end == c.layout.zone[0].end &&
           hull.zone[1].start == c.layout.zone[1].start && hull.zone[1].end == c.layout.zone[1].end;
}

std::string describe_case(const std::string& id, const ConcreteCase& c, RangeCheck check) {
    const Concrete d;
    const Layout<Concrete>& l = c.layout;
    std::ostringstream s;
    for (int n = 0; n < Layout<Concrete>::kNodes; ++n) {
        s << "node " << n << ": memory " << range_text(l.mem[n][0]);
        if (l.mem[n][1].start != l.mem[n][1].end) s << " and " << range_text(l.mem[n][1]);
        s << "; its zone spans " << range_text(l.zone[n]) << "\n";
    }
    auto interval = [&](const char* what, const Range<Concrete>& r) {
        s << what << (r.start == r.end ? std::string("none") : range_text(r));
    };
    interval("PageReserved: ", l.reserved);
    interval("; page_count > 0: ", l.in_use);
    interval("; PageHuge: ", l.huge);
    const std::uint64_t nr = nr_pages(d, c.orders);
    s << "\nMAX_ORDER " << c.orders.max_order << " (MAX_ORDER_NR_PAGES "
      << max_order_nr_pages(d, c.orders) << "), pageblock_order " << c.orders.pageblock_order
      << ", gigantic order " << c.orders.order << " (nr_pages " << nr << ")\n";
    const std::uint64_t pfn = scan_pfn(d, l.zone[0], c.orders, c.k);
    if (id == "no-wrap") {
        // Which of the computations wraps.
        s << "alloc_gigantic_page(node 0) scans zone " << range_text(l.zone[0]);
        if (add_wraps(d, l.zone[0].start, nr - 1))
            s << "; ALIGN(zone_start_pfn " << l.zone[0].start << ", nr_pages " << nr
              << ") wraps around 2^64 to " << align(d, l.zone[0].start, nr);
        if (nr != d.shl(1, c.orders.order))
            s << "; nr_pages = 1 << " << c.orders.order << " is an int shift: " << nr << ", not 2^"
              << c.orders.order;
        if (scan_reaches(d, l.zone[0], c.orders, c.k)) {
            s << "; round " << c.k << " reaches pfn " << pfn;
            if (d.lshr(d.shl(c.k, c.orders.order), c.orders.order) != c.k)
                s << ", and pfn += nr_pages wraps";
            if (add_wraps(d, pfn, nr)) s << ", and pfn + nr_pages wraps";
            if (add_wraps(d, pfn + nr, isolation_unit(d, c.orders) - 1))
                s << ", and pfn_max_align_up(pfn + nr_pages) wraps";
        }
        return s.str();
    }
    s << "alloc_gigantic_page(node 0) scans zone " << range_text(l.zone[0]) << "; round " << c.k
      << " reaches [" << pfn << ", " << pfn + nr << ")";
    if (id == "range-in-zone")
        s << ": pfn_range_valid_gigantic (" << check_name(check) << ") accepts it, but pfn " << c.j
          << " is memory of node 1";
    if (id == "scan-in-zone") s << ", which is not an aligned range inside the zone";
    if (id == "isolation-in-zone")
        s << ": alloc_contig_range isolates [" << pfn_max_align_down(d, c.orders, pfn) << ", "
          << pfn_max_align_up(d, c.orders, pfn + nr) << "), outer_start at order " << c.o << " is "
          << outer_start(d, pfn, c.o);
    return s.str();
}

}  // namespace hugecheck::pfn
