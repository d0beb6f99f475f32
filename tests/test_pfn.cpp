// The pfn arithmetic of the gigantic-page path: each formula on numbers worked out by hand,
// the 2016 zone-interleave layout, the proof suite's verdicts on small bounds (and Z3's
// unknown reported as such), and RapidCheck: the concrete evaluation and Z3's evaluation of
// the same formulas agree on every generated layout.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>  // after gtest/gtest.h

#include "model/input_error.hpp"
#include "properties/pfn/queries.hpp"
#include "properties/pfn/symbolic.hpp"

namespace hugecheck::pfn {
namespace {

const Concrete C;

// Node 0 owns [0, 1) and [2, 4), node 1 owns [1, 2): node 1's page sits inside node 0's
// zone span [0, 4). Gigantic order 2: one candidate, [0, 4).
ConcreteCase interleaved() {
    ConcreteCase c;
    c.layout.mem = {{{{{0, 1}, {2, 4}}}, {{{1, 2}, {2, 2}}}}};
    c.layout.zone = {{{0, 4}, {1, 2}}};
    c.layout.reserved = c.layout.in_use = c.layout.huge = {0, 0};
    c.orders = {2, 0, 2};  // MAX_ORDER 2, pageblock_order 0, order 2
    c.k = 0;
    c.j = 1;
    return c;
}

TEST(PfnFormulas, AlignAndNrPages) {
    EXPECT_EQ(align(C, std::uint64_t{5}, std::uint64_t{4}), 8u);
    EXPECT_EQ(align(C, std::uint64_t{8}, std::uint64_t{4}), 8u);
    EXPECT_EQ(align(C, ~std::uint64_t{0} - 1, std::uint64_t{4}), 0u);  // wraps
    EXPECT_EQ(nr_pages(C, Orders<Concrete>{11, 9, 18}), 1u << 18);
    // `unsigned long nr_pages = 1 << order` with order 31 is an int shift: sign-extended.
    EXPECT_EQ(nr_pages(C, Orders<Concrete>{11, 9, 31}), 0xffffffff80000000u);
    EXPECT_EQ(max_order_nr_pages(C, Orders<Concrete>{11, 9, 18}), 1024u);
    EXPECT_EQ(isolation_unit(C, Orders<Concrete>{11, 9, 18}), 1024u);
    EXPECT_EQ(isolation_unit(C, Orders<Concrete>{3, 5, 18}), 32u);  // the larger of the two
}

TEST(PfnFormulas, ZoneSpansAndTheScan) {
    const Range<Concrete> zone{3, 20};
    const Orders<Concrete> o{2, 0, 2};                                                // nr_pages 4
    EXPECT_TRUE(zone_spans_last_pfn(C, zone, std::uint64_t{16}, std::uint64_t{4}));   // 19 < 20
    EXPECT_FALSE(zone_spans_last_pfn(C, zone, std::uint64_t{17}, std::uint64_t{4}));  // 20
    EXPECT_EQ(scan_pfn(C, zone, o, std::uint64_t{0}), 4u);                            // ALIGN(3, 4)
    EXPECT_EQ(scan_pfn(C, zone, o, std::uint64_t{3}), 16u);
    EXPECT_TRUE(scan_reaches(C, zone, o, std::uint64_t{3}));   // [16, 20)
    EXPECT_FALSE(scan_reaches(C, zone, o, std::uint64_t{4}));  // [20, 24) is past the zone
}

TEST(PfnFormulas, RangeValidityWithAndWithoutTheZoneCheck) {
    const ConcreteCase c = interleaved();
    EXPECT_TRUE(pfn_range_valid_gigantic(C, c.layout, 0, std::uint64_t{0}, std::uint64_t{4},
                                         RangeCheck::seed));
    EXPECT_FALSE(pfn_range_valid_gigantic(C, c.layout, 0, std::uint64_t{0}, std::uint64_t{4},
                                          RangeCheck::same_zone));
    ConcreteCase reserved = c;
    reserved.layout.reserved = {3, 4};
    EXPECT_FALSE(pfn_range_valid_gigantic(C, reserved.layout, 0, std::uint64_t{0}, std::uint64_t{4},
                                          RangeCheck::seed));
    // The kernel's loop runs no round when the end wraps below the start.
    EXPECT_TRUE(pfn_range_valid_gigantic(C, c.layout, 0, ~std::uint64_t{0} - 1, std::uint64_t{4},
                                         RangeCheck::same_zone));
}

TEST(PfnFormulas, IsolationEnvelopeAndOuterStart) {
    const Orders<Concrete> o{3, 1, 5};  // MAX_ORDER_NR_PAGES 4, pageblock 2: unit 4
    EXPECT_EQ(pfn_max_align_down(C, o, std::uint64_t{13}), 12u);
    EXPECT_EQ(pfn_max_align_up(C, o, std::uint64_t{13}), 16u);
    EXPECT_EQ(outer_start(C, std::uint64_t{13}, std::uint64_t{0}), 13u);
    EXPECT_EQ(outer_start(C, std::uint64_t{13}, std::uint64_t{2}), 12u);
}

TEST(PfnQueries, TheZoneInterleaveLayoutViolatesOnlyTheSeedsCheck) {
    const ConcreteCase c = interleaved();
    EXPECT_TRUE(well_formed(c, Bounds{}));
    EXPECT_TRUE(violates("range-in-zone", c, RangeCheck::seed));
    EXPECT_FALSE(violates("range-in-zone", c, RangeCheck::same_zone));
    EXPECT_FALSE(violates("scan-in-zone", c, RangeCheck::seed));
    EXPECT_FALSE(violates("no-wrap", c, RangeCheck::seed));
    EXPECT_EQ(describe_case("range-in-zone", c, RangeCheck::seed),
              "node 0: memory [0, 1) and [2, 4); its zone spans [0, 4)\n"
              "node 1: memory [1, 2); its zone spans [1, 2)\n"
              "PageReserved: none; page_count > 0: none; PageHuge: none\n"
              "MAX_ORDER 2 (MAX_ORDER_NR_PAGES 2), pageblock_order 0, gigantic order 2 "
              "(nr_pages 4)\n"
              "alloc_gigantic_page(node 0) scans zone [0, 4); round 0 reaches [0, 4): "
              "pfn_range_valid_gigantic (seed) accepts it, but pfn 1 is memory of node 1");
}

Bounds small() {
    Bounds b;
    b.phys_bits = 20;  // pfns < 2^8
    b.max_order_max = 4;
    b.order_max = 6;
    return b;
}

TEST(PfnQueries, SuiteVerdictsOnSmallBounds) {
    const std::vector<QueryResult> r =
        prove_pfn(small(), {RangeCheck::seed, RangeCheck::same_zone}, {}, 2);
    ASSERT_EQ(r.size(), 5u);
    EXPECT_EQ(r[0].id, "scan-in-zone");
    EXPECT_EQ(r[0].verdict, Verdict::proved);
    EXPECT_EQ(r[1].id, "range-in-zone");
    EXPECT_EQ(r[1].check, RangeCheck::seed);
    EXPECT_EQ(r[1].verdict, Verdict::counterexample);
    EXPECT_TRUE(r[1].replayed);
    EXPECT_TRUE(r[1].replay_agrees);
    EXPECT_NE(r[1].counterexample.find("is memory of node 1"), std::string::npos)
        << r[1].counterexample;
    EXPECT_EQ(r[2].check, RangeCheck::same_zone);
    EXPECT_EQ(r[2].verdict, Verdict::proved);
    EXPECT_EQ(r[3].id, "isolation-in-zone");
    EXPECT_EQ(r[3].verdict, Verdict::proved);
    EXPECT_EQ(r[4].id, "no-wrap");
    EXPECT_EQ(r[4].verdict, Verdict::proved);
}

TEST(PfnQueries, TheIntShiftOfNrPagesIsFoundBeyondOrder30) {
    Bounds b = small();
    b.order_max = 31;
    const std::vector<QueryResult> r = prove_pfn(b, {RangeCheck::same_zone}, {"no-wrap"});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].verdict, Verdict::counterexample);
    EXPECT_TRUE(r[0].replay_agrees);
    EXPECT_NE(r[0].counterexample.find("nr_pages = 1 << 31 is an int shift"), std::string::npos)
        << r[0].counterexample;
}

TEST(PfnQueries, WrapsAreFoundWithoutAnAddressBound) {
    Bounds b = small();
    b.phys_bits = 76;  // pfns up to 2^64
    const std::vector<QueryResult> r = prove_pfn(b, {RangeCheck::same_zone}, {"no-wrap"});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].verdict, Verdict::counterexample);
    EXPECT_TRUE(r[0].replay_agrees);
}

TEST(PfnQueries, ATimeoutIsUnknownNeverProved) {
    Bounds b;  // the default bounds: scan-in-zone needs far more than a second
    b.timeout_seconds = 1;
    const std::vector<QueryResult> r = prove_pfn(b, {RangeCheck::same_zone}, {"scan-in-zone"});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].verdict, Verdict::unknown);
    EXPECT_NE(r[0].reason.find("Z3: "), std::string::npos) << r[0].reason;
}

TEST(PfnQueries, UnknownQueryIsAnInputError) {
    EXPECT_THROW(prove_pfn(small(), {RangeCheck::seed}, {"no-such-query"}), hugecheck::InputError);
}

// ---- concrete and Z3 evaluation agree ---------------------------------------------------

Range<Symbolic> lift(const Symbolic& d, const Range<Concrete>& r) {
    return {d.lit(r.start), d.lit(r.end)};
}

Layout<Symbolic> lift(const Symbolic& d, const Layout<Concrete>& l) {
    auto node = [&](int n) {
        return std::array<Range<Symbolic>, 2>{lift(d, l.mem[n][0]), lift(d, l.mem[n][1])};
    };
    return {{node(0), node(1)},
            {lift(d, l.zone[0]), lift(d, l.zone[1])},
            lift(d, l.reserved),
            lift(d, l.in_use),
            lift(d, l.huge)};
}

// A number Z3 computed from literals.
std::uint64_t number(const z3::expr& e) {
    return e.simplify().get_numeral_uint64();
}

// A closed formula: true iff Z3 finds it satisfiable.
bool truth(z3::context& ctx, const z3::expr& e) {
    z3::solver s(ctx);
    s.add(e);
    return s.check() == z3::sat;
}

RC_GTEST_PROP(PfnAgreement, ConcreteAndSymbolicEvaluationAgree, ()) {
    auto pfn = [] { return static_cast<std::uint64_t>(*rc::gen::inRange(0, 40)); };
    auto range = [&] {
        const std::uint64_t a = pfn(), b = pfn();
        return Range<Concrete>{std::min(a, b), std::max(a, b)};
    };
    Layout<Concrete> l;
    for (auto& node : l.mem)
        for (auto& r : node)
            r = range();
    for (auto& z : l.zone)
        z = range();
    l.reserved = range();
    l.in_use = range();
    l.huge = range();
    const std::uint64_t max_order = *rc::gen::inRange(1, 6);
    const Orders<Concrete> o{max_order, *rc::gen::inRange<std::uint64_t>(0, max_order),
                             *rc::gen::inRange<std::uint64_t>(max_order, 8)};
    const std::uint64_t k = *rc::gen::inRange(0, 12), x = pfn(), y = pfn();
    const RangeCheck check = *rc::gen::element(RangeCheck::seed, RangeCheck::same_zone);

    z3::context ctx;
    const Symbolic d(ctx);
    const Layout<Symbolic> sl = lift(d, l);
    const Orders<Symbolic> so{d.lit(o.max_order), d.lit(o.pageblock_order), d.lit(o.order)};
    const z3::expr sk = d.lit(k), sx = d.lit(x), sy = d.lit(y);

    RC_ASSERT(number(align(d, sx, d.lit(4))) == align(C, x, std::uint64_t{4}));
    RC_ASSERT(number(nr_pages(d, so)) == nr_pages(C, o));
    RC_ASSERT(number(scan_pfn(d, sl.zone[0], so, sk)) == scan_pfn(C, l.zone[0], o, k));
    RC_ASSERT(number(pfn_max_align_down(d, so, sx)) == pfn_max_align_down(C, o, x));
    RC_ASSERT(number(pfn_max_align_up(d, so, sx)) == pfn_max_align_up(C, o, x));
    RC_ASSERT(number(outer_start(d, sx, d.lit(y % 8))) == outer_start(C, x, y % 8));
    RC_ASSERT(truth(ctx, zone_spans_last_pfn(d, sl.zone[0], sx, nr_pages(d, so))) ==
              zone_spans_last_pfn(C, l.zone[0], x, nr_pages(C, o)));
    RC_ASSERT(truth(ctx, scan_reaches(d, sl.zone[0], so, sk)) == scan_reaches(C, l.zone[0], o, k));
    RC_ASSERT(truth(ctx, pfn_range_valid_gigantic(d, sl, 0, sx, d.lit(y % 16), check)) ==
              pfn_range_valid_gigantic(C, l, 0, x, y % 16, check));
    RC_ASSERT(truth(ctx, page_in_zone_of(d, sl, sy, 1)) == page_in_zone_of(C, l, y, 1));
}

}  // namespace
}  // namespace hugecheck::pfn
