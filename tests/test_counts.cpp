// State and transition counts: small scenarios derived by hand (the derivation is in each
// test), the RM scenarios' verdicts and shortest trace lengths.
#include <gtest/gtest.h>

#include <algorithm>

#include "model/scenario_catalog.hpp"
#include "test_support.hpp"

namespace hugecheck {
namespace {

explorer::Stats count(const std::string& toml) {
    const model::HugetlbModel m(test::scenario(toml));
    const test::Explored e = test::explore(m, 0);
    EXPECT_EQ(e.status, explorer::Status::complete);
    return e.stats;
}

constexpr const char* kOneNode = "nodes = 1\nmem = [%M]\npool = [%P]\novercommit = %O\n";

std::string one_node(int mem, int pool, int overcommit, const std::string& actors) {
    std::string s = kOneNode;
    s.replace(s.find("%M"), 2, std::to_string(mem));
    s.replace(s.find("%P"), 2, std::to_string(pool));
    s.replace(s.find("%O"), 2, std::to_string(overcommit));
    return s + actors;
}

TEST(HandCounts, FaultOnAFreePage) {
    // init --F1 (dequeue)--> done.  2 states, 1 transition, depth 1.
    const explorer::Stats s = count(one_node(1, 1, 0, R"toml(
[[actor]]
name = "A"
home = 0
script = ["FAULT"]
)toml"));
    EXPECT_EQ(s.states, 2u);
    EXPECT_EQ(s.transitions, 1u);
    EXPECT_EQ(s.depth, 1u);
}

TEST(HandCounts, FaultThroughTheSurplusAllocator) {
    // init --F1--> at B1 --B1 (nr 1, surplus 1)--> at B2 --B2 (buddy 0, page_node 0)-->
    // at B3 --B3 (nr_node 1, surplus_node 1, owned 0)--> done: a chain of 5 states.
    const explorer::Stats s = count(one_node(1, 0, 1, R"toml(
[[actor]]
name = "A"
home = 0
script = ["FAULT"]
)toml"));
    EXPECT_EQ(s.states, 5u);
    EXPECT_EQ(s.transitions, 4u);
    EXPECT_EQ(s.depth, 4u);
}

TEST(HandCounts, FaultThatFailsAtTheOvercommitLimit) {
    // init --F1--> at B1 --B1 (surplus 0 >= overcommit 0: ENOSPC)--> done.  3 states.
    const explorer::Stats s = count(one_node(1, 0, 0, R"toml(
[[actor]]
name = "A"
home = 0
script = ["FAULT"]
)toml"));
    EXPECT_EQ(s.states, 3u);
    EXPECT_EQ(s.transitions, 2u);
}

TEST(HandCounts, TwoFaultsOnTwoFreePages) {
    // Each F1 takes a page of node 0 in one step. init, A done, B done, both done (reached
    // by A,B and by B,A: the same state, free 0, both own node 0).
    // 4 states; edges: init 2, A-done 1, B-done 1 = 4.
    const explorer::Stats s = count(one_node(2, 2, 0, R"toml(
[[actor]]
name = "A"
home = 0
script = ["FAULT"]
[[actor]]
name = "B"
home = 0
script = ["FAULT"]
)toml"));
    EXPECT_EQ(s.states, 4u);
    EXPECT_EQ(s.transitions, 4u);
}

TEST(HandCounts, TwoOvercommitWritersInBothOrders) {
    // init (overcommit 0); A done (1); B done (2); both done after A,B (2) and after B,A
    // (1): two different states. 5 states, 4 transitions.
    const explorer::Stats s = count(one_node(1, 0, 0, R"toml(
[[actor]]
name = "A"
home = 0
script = ["OVERCOMMIT(1)"]
[[actor]]
name = "B"
home = 0
script = ["OVERCOMMIT(2)"]
)toml"));
    EXPECT_EQ(s.states, 5u);
    EXPECT_EQ(s.transitions, 4u);
}

TEST(HandCounts, AResizeThatGrowsByOnePage) {
    // init -S1 (tmp 0, table_data A)-> S2 -S2 (tmp 1)-> R1 -R1 (count 1 > persistent 0)->
    // R4 -R4 (buddy 0, page_node 0; N = 1 so the cursor stays 0)-> R5 -R5 (nr 1)-> R5b
    // -R5b (no surplus: enqueue, free 1)-> R6 -R6 (1 > 1 no; min_count max(1, 0+1-1) = 1;
    // no shrink; ret 1)-> R10 -R10 (max_huge_pages 1, locals reset)-> done.
    // A chain: 9 states, 8 transitions.
    const explorer::Stats s = count(one_node(1, 0, 0, R"toml(
[[actor]]
name = "A"
home = 0
script = ["RESIZE(1)"]
)toml"));
    EXPECT_EQ(s.states, 9u);
    EXPECT_EQ(s.transitions, 8u);
    EXPECT_EQ(s.depth, 8u);
}

TEST(HandCounts, AResizeThatShrinksOffersEveryCondReschedDrop) {
    // pool 2, RESIZE(0). init -S1-> S2 -S2 (tmp 0)-> R1. R1: count 0, min_count 0, the
    // shrink loop frees page 1, then page 2, with a cond_resched_lock choice after each:
    //   Y = drop after page 1 (R7, nr 1); X = drop after page 2 (R7, nr 0);
    //   Z = keep to the end (R10, nr 0, ret 0).
    // Y -R7-> frees page 2: drop -> X, keep -> Z (2 edges). X -R7-> nothing to free,
    // finish -> Z (1 edge). Z -R10-> done.
    // States: init, S2, R1, Y, X, Z, done = 7. Edges: 1 + 1 + 3 + 2 + 1 + 1 = 9.
    const explorer::Stats s = count(one_node(2, 2, 0, R"toml(
[[actor]]
name = "A"
home = 0
script = ["RESIZE(0)"]
)toml"));
    EXPECT_EQ(s.states, 7u);
    EXPECT_EQ(s.transitions, 9u);
}

TEST(HandCounts, UnmapWithoutAPageAfterAFailedFault) {
    // overcommit 0, no free page: F1 -> B1 (fails) -> U1 (nothing owned).
    // init, at B1, FAULT done (op 1), UNMAP done = 4 states, 3 transitions.
    const explorer::Stats s = count(one_node(1, 0, 0, R"toml(
[[actor]]
name = "A"
home = 0
script = ["FAULT", "UNMAP"]
)toml"));
    EXPECT_EQ(s.states, 4u);
    EXPECT_EQ(s.transitions, 3u);
}

// The RM §4 verdicts on the seed model, with the shortest trace lengths.
TEST(SeedVerdicts, SurplusRace) {
    const model::HugetlbModel m(model::load_scenario("surplus-race"));
    const test::Explored e = test::explore(m);
    EXPECT_EQ(e.status, explorer::Status::complete);
    EXPECT_EQ(e.shortest, (std::map<std::string, std::uint32_t>{{"P1", 2}, {"P8", 5}}));
    // The P1 trace is F1 B1 of A.
    for (const auto& t : e.traces)
        if (t.property == 0) {
            ASSERT_EQ(t.steps.size(), 2u);
            EXPECT_EQ(t.steps[0].transition.step, model::Step::F1);
            EXPECT_EQ(t.steps[1].transition.step, model::Step::B1);
        }
}

TEST(SeedVerdicts, SurplusRaceReachesTheLeakedSurplusState) {
    // RM §4: "the terminal state nr=2, surplus=1, free=1 is reachable".
    const model::HugetlbModel m(model::load_scenario("surplus-race"));
    const model::Vars& v = m.vars();
    explorer::BreadthFirstSearch search(m, explorer::NoProperties{}, explorer::Options{});
    search.run();
    bool found = false;
    for (explorer::StateIndex i = 0; i < search.store().size(); ++i) {
        const std::byte* s = search.store().state(i);
        found =
            found || (m.all_done(s) && m.read(s, v.nr_huge_pages) == 2 &&
                      m.read(s, v.surplus_huge_pages) == 1 && m.read(s, v.free_huge_pages) == 1);
    }
    EXPECT_TRUE(found);
}

TEST(SeedVerdicts, SysctlRace) {
    const model::HugetlbModel m(model::load_scenario("sysctl-race"));
    const test::Explored e = test::explore(m);
    EXPECT_EQ(e.status, explorer::Status::complete);
    ASSERT_EQ(e.shortest.count("P5"), 1u);
    ASSERT_EQ(e.shortest.count("P7"), 1u);
    EXPECT_EQ(e.shortest.at("P5"), 3u);  // A S1, B S1, A S2 writes B's tmp
    EXPECT_EQ(e.shortest.size(), 2u);
}

TEST(SeedVerdicts, DocumentedExpectationsMatch) {
    // Every embedded scenario that documents `expect` gets exactly those violations.
    for (const model::EmbeddedScenario& es : model::embedded_scenarios()) {
        const model::Scenario sc = model::load_scenario(es.name);
        if (sc.expect.empty()) continue;
        const model::HugetlbModel m(sc);
        const test::Explored e = test::explore(m);
        std::vector<std::string> got, want = sc.expect;
        for (const auto& [id, len] : e.shortest)
            got.push_back(id);
        auto by_number = [](const std::string& a, const std::string& b) {
            return std::stoi(a.substr(1)) < std::stoi(b.substr(1));
        };
        std::sort(got.begin(), got.end(), by_number);
        std::sort(want.begin(), want.end(), by_number);
        EXPECT_EQ(got, want) << es.name;
    }
}

}  // namespace
}  // namespace hugecheck
