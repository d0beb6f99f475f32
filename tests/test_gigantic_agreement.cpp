// The explorer's gigantic runs against the symbolic queries of `hugecheck prove pfn`, on
// layouts RapidCheck generates in the proofs' shape (two nodes, up to two memory ranges
// each, a reserved and an in-use interval): every candidate the scan hands to
// alloc_contig_range, and every page it creates, is checked against the same query
// evaluated concretely on that layout (properties/pfn/queries.hpp), so that the explorer
// never contradicts a query the proofs prove, and finds a cross-zone page exactly where
// the query says there is one. Then generated gigantic scenarios with every kind of actor:
// the guarantees of each variant hold and every trace replays.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>  // after gtest/gtest.h

#include <algorithm>
#include <deque>
#include <string>
#include <unordered_set>

#include "cli/pfn_scenario.hpp"
#include "properties/pfn/queries.hpp"
#include "test_support.hpp"

namespace hugecheck {
namespace {

using model::Step;
constexpr std::size_t kP10 = 9;  // P10, gigantic page in one zone

struct GeneratedLayout {
    // [start, end) per node and range; a node's second range may be empty.
    std::array<std::array<std::pair<std::uint64_t, std::uint64_t>, 2>, 2> mem{};
    std::pair<std::uint64_t, std::uint64_t> reserved{0, 0}, in_use{0, 0};
    std::uint32_t max_order = 2, pageblock_order = 0, order = 2;
};

// A value in [lo, hi), drawn at full size: RapidCheck scales inRange with its size, which
// would make most early layouts too small for a single page.
template <class T>
T uniform(T lo, T hi) {
    return *rc::gen::resize(100, rc::gen::inRange<T>(lo, hi));
}

// Runs of pfns owned by node 0 or node 1, one or two per node in any order, with holes
// between some of them (always between two runs of one node).
GeneratedLayout generate_layout() {
    GeneratedLayout g;
    std::vector<int> owners;
    for (int n = 0; n < 2; ++n)
        for (int k = uniform(1, 3); k > 0; --k)
            owners.push_back(n);
    std::vector<std::vector<int>> orders;
    std::sort(owners.begin(), owners.end());
    do {
        orders.push_back(owners);
    } while (std::next_permutation(owners.begin(), owners.end()));
    owners = orders[static_cast<std::size_t>(uniform<std::size_t>(0, orders.size()))];
    std::uint64_t at = uniform<std::uint64_t>(0, 3);  // a leading hole
    std::array<std::size_t, 2> used{0, 0};
    for (std::size_t k = 0; k < owners.size(); ++k) {
        if (k > 0 && (owners[k] == owners[k - 1] || uniform(0, 4) == 0))
            at += uniform<std::uint64_t>(1, 4);
        const std::uint64_t len = uniform<std::uint64_t>(2, 14);
        const auto n = static_cast<std::size_t>(owners[k]);
        g.mem[n][used[n]++] = {at, at + len};
        at += len;
    }
    for (std::size_t n = 0; n < 2; ++n)
        if (used[n] == 1) g.mem[n][1] = {g.mem[n][0].second, g.mem[n][0].second};
    const std::uint64_t end = std::max(std::max(g.mem[0][0].second, g.mem[0][1].second),
                                       std::max(g.mem[1][0].second, g.mem[1][1].second));
    for (auto* r : {&g.reserved, &g.in_use}) {
        const std::uint64_t lo = uniform<std::uint64_t>(0, end);
        *r = {lo, std::min(end, lo + uniform<std::uint64_t>(0, 3))};
    }
    // The proofs' smallest MAX_ORDER and the orders just above it: pages of 4 to 16 pfns,
    // so that most layouts have room for one.
    g.max_order = *rc::gen::weightedElement<std::uint32_t>({{3, 2}, {1, 3}});
    g.pageblock_order = uniform(0u, g.max_order);
    g.order = g.max_order + *rc::gen::weightedElement<std::uint32_t>({{3, 0}, {1, 1}});
    return g;
}

int node_of(const GeneratedLayout& g, std::uint64_t pfn) {
    for (int n = 0; n < 2; ++n)
        for (const auto& r : g.mem[static_cast<std::size_t>(n)])
            if (r.first <= pfn && pfn < r.second) return n;
    return -1;
}

std::string scenario_toml(const GeneratedLayout& g, const std::string& actors) {
    std::string memory, reserved, in_use;
    for (std::size_t n = 0; n < 2; ++n)
        for (const auto& r : g.mem[n])
            if (r.first < r.second)
                memory += (memory.empty() ? "" : ", ") + std::string("[") + std::to_string(n) +
                          ", " + std::to_string(r.first) + ", " + std::to_string(r.second) + "]";
    // Only pfns of memory can be listed; a hole fails pfn_valid before anything else.
    for (std::uint64_t p = g.reserved.first; p < g.reserved.second; ++p)
        if (node_of(g, p) >= 0) reserved += (reserved.empty() ? "" : ", ") + std::to_string(p);
    for (std::uint64_t p = g.in_use.first; p < g.in_use.second; ++p)
        if (node_of(g, p) >= 0 && (p < g.reserved.first || p >= g.reserved.second))
            in_use += (in_use.empty() ? "" : ", ") + std::to_string(p);
    return "nodes = 2\novercommit = 0\n[gigantic]\norder = " + std::to_string(g.order) +
           "\nmax_order = " + std::to_string(g.max_order) +
           "\npageblock_order = " + std::to_string(g.pageblock_order) + "\nmemory = [" + memory +
           "]\nreserved = [" + reserved + "]\nin_use = [" + in_use + "]\n" + actors;
}

pfn::ConcreteCase concrete_case(const GeneratedLayout& g) {
    pfn::ConcreteCase c;
    for (std::size_t n = 0; n < 2; ++n) {
        for (std::size_t i = 0; i < 2; ++i)
            c.layout.mem[n][i] = {g.mem[n][i].first, g.mem[n][i].second};
        c.layout.zone[n] = {g.mem[n][0].first, std::max(g.mem[n][0].second, g.mem[n][1].second)};
    }
    c.layout.reserved = {g.reserved.first, g.reserved.second};
    c.layout.in_use = {g.in_use.first, g.in_use.second};
    c.layout.huge = {0, 0};
    c.orders = {g.max_order, g.pageblock_order, g.order};
    return c;
}

// Every transition of the state space, breadth-first.
template <class Visit>
void for_each_transition(const model::HugetlbModel& m, Visit&& visit) {
    std::unordered_set<std::string> seen;
    std::deque<std::vector<std::byte>> queue;
    std::vector<std::byte> s(m.state_bytes() + model::kPackSlack);
    m.initial_state(s.data());
    seen.emplace(reinterpret_cast<const char*>(s.data()), m.state_bytes());
    queue.push_back(s);
    model::HugetlbModel::Context ctx = m.make_context();
    while (!queue.empty()) {
        const std::vector<std::byte> cur = queue.front();
        queue.pop_front();
        m.for_each_successor(
            ctx, cur.data(), [&](const std::byte* next, const model::Transition& t) {
                visit(t, test::Values::of(m, next));
                if (seen.emplace(reinterpret_cast<const char*>(next), m.state_bytes()).second) {
                    std::vector<std::byte> copy(next, next + m.state_bytes());
                    copy.resize(m.state_bytes() + model::kPackSlack);
                    queue.push_back(std::move(copy));
                }
            });
    }
}

RC_GTEST_PROP(GiganticAgreement, ExplorerNeverContradictsTheQueries, ()) {
    const GeneratedLayout g = generate_layout();
    pfn::ConcreteCase base = concrete_case(g);
    RC_ASSERT(pfn::well_formed(base, pfn::Bounds{}));  // inside what the proofs cover
    // Node 0 alone scans: the queries are stated for alloc_gigantic_page(node 0).
    const std::string toml =
        scenario_toml(g, "[[actor]]\nname = \"A\"\nhome = 0\nscript = [\"RESIZE_NODE(0, 3)\"]\n");
    RC_LOG() << toml;
    const model::Scenario sc = model::parse_scenario(toml, "generated.toml", "generated");
    for (const auto& [variant, check] :
         {std::pair{"seed", pfn::RangeCheck::seed},
          std::pair{"seed-zone-check", pfn::RangeCheck::same_zone}}) {
        const model::HugetlbModel m(sc, variant);
        const model::GiganticLayout& layout = *m.gigantic();
        const std::uint64_t nr = layout.nr_pages();
        const pfn::Concrete d;
        const std::uint64_t first = pfn::align(d, layout.zone(0).start, nr);
        const model::ActorSlots& a = m.vars().actor[0];
        std::size_t candidates = 0, cross_pages = 0;
        for_each_transition(m, [&](const model::Transition& t, const test::Values& after) {
            const bool picked = t.step == Step::G1 && after[a.pc] == m.variant().pc_code(Step::G2);
            if (!picked && t.step != Step::G4) return;
            const std::uint64_t start = after[a.gigantic_pfn] - 1;
            RC_ASSERT(start >= first);
            RC_ASSERT((start - first) % nr == 0);
            pfn::ConcreteCase c = base;
            c.k = (start - first) / nr;
            if (picked) {
                ++candidates;
                // scan-in-zone and isolation-in-zone hold for this layout, and so does what
                // the explorer did.
                RC_ASSERT(!pfn::violates("scan-in-zone", c, check));
                for (c.o = 0; c.o < g.max_order; ++c.o)
                    RC_ASSERT(!pfn::violates("isolation-in-zone", c, check));
                RC_ASSERT(start % nr == 0);
                RC_ASSERT(layout.zone(0).start <= start && start + nr <= layout.zone(0).end);
                return;
            }
            // A page: it has a pfn of another zone exactly when range-in-zone says so.
            bool cross = false, query = false;
            for (c.j = start; c.j < start + nr; ++c.j) {
                cross = cross || layout.node_of(c.j) != 0;
                query = query || pfn::violates("range-in-zone", c, check);
            }
            RC_ASSERT(cross == query);
            cross_pages += cross;
            if (check == pfn::RangeCheck::same_zone) RC_ASSERT(!cross);  // proved
        });
        RC_TAG(variant, candidates > 0 ? "a candidate" : "no candidate",
               cross_pages > 0 ? "a cross-zone page" : "");
    }
}

// A random gigantic scenario: the generated layout, two to three actors.
std::string random_gigantic_toml() {
    const GeneratedLayout g = generate_layout();
    std::string actors;
    const int count = uniform(2, 4);
    for (int k = 0; k < count; ++k) {
        static const char* const kScripts[] = {
            "\"RESIZE(2)\"",        "\"RESIZE(1)\", \"RESIZE(0)\"", "\"RESIZE_NODE(1, 1)\"",
            "\"FAULT\", \"UNMAP\"", "\"ALLOC\", \"FREE\"",          "\"ALLOC\"",
            "\"OVERCOMMIT(1)\"",
        };
        actors += "[[actor]]\nname = \"" + std::string(1, static_cast<char>('A' + k)) +
                  "\"\nhome = " + std::to_string(uniform(0, 2)) + "\nscript = [" +
                  kScripts[uniform(0, 7)] + "]\n";
    }
    return scenario_toml(g, actors);
}

RC_GTEST_PROP(GiganticAgreement, GuaranteesHoldAndTracesReplay, ()) {
    const std::string toml = random_gigantic_toml();
    RC_LOG() << toml;
    const model::Scenario sc = model::parse_scenario(toml, "generated.toml", "generated");
    for (const char* variant : {"seed", "seed-zone-check"}) {
        const model::HugetlbModel m(sc, variant);
        explorer::Options bound;
        bound.max_states = 200000;
        const test::Explored e = test::explore(m, properties::kAllProperties, bound);
        RC_PRE(e.status == explorer::Status::complete);
        const properties::Checker checker(m, properties::kAllProperties);
        for (const counterexamples::Trace& t : e.traces)
            RC_ASSERT(counterexamples::replay(m, checker, t) == std::string());
        auto holds = [&](const char* id) { return e.shortest.count(id) == 0; };
        // The gigantic path counts each page once, in one section (P1); no step takes a
        // pfn twice (P9). With the same-zone check, every page is in one zone (P10) and
        // counted on its head's node, so no page is lost (P3).
        RC_ASSERT(holds("P1"));
        RC_ASSERT(holds("P9"));
        if (std::string(variant) == "seed-zone-check") {
            RC_ASSERT(holds("P10"));
            RC_ASSERT(holds("P3"));
        }
    }
}

// prove pfn's counterexample for the seed's check, as a scenario: the explorer allocates the
// page it describes (P10), and the patched check refuses it.
TEST(GiganticAgreement, ProveCounterexampleRunsInTheExplorer) {
    pfn::Bounds small;
    small.phys_bits = 20;
    small.max_order_min = small.max_order_max = 2;
    small.order_max = 3;
    const std::vector<pfn::QueryResult> results = pfn::prove_pfn(
        small, {pfn::RangeCheck::seed, pfn::RangeCheck::same_zone}, {"range-in-zone"});
    ASSERT_EQ(results.size(), 2u);
    ASSERT_EQ(results[0].verdict, pfn::Verdict::counterexample);
    EXPECT_EQ(results[1].verdict, pfn::Verdict::proved);
    std::string why;
    EXPECT_FALSE(cli::counterexample_scenario(results[1], &why));
    EXPECT_EQ(why, "only a range-in-zone counterexample is a gigantic scenario");
    const std::optional<std::string> toml = cli::counterexample_scenario(results[0], &why);
    ASSERT_TRUE(toml) << why;
    const model::Scenario sc =
        model::parse_scenario(*toml, "counterexample.toml", "counterexample");
    const test::Explored seed =
        test::explore(model::HugetlbModel(sc, "seed"), properties::bit(kP10));
    EXPECT_EQ(seed.shortest.count("P10"), 1u) << *toml;
    const test::Explored fixed =
        test::explore(model::HugetlbModel(sc, "seed-zone-check"), properties::bit(kP10));
    EXPECT_TRUE(fixed.shortest.empty()) << *toml;
}

}  // namespace
}  // namespace hugecheck
