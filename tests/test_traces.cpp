// Counterexamples: the exact text of the seed's races, the JSON form, and replay (which
// must accept every trace the search builds and reject a tampered one).
#include <gtest/gtest.h>

#include "model/scenario_catalog.hpp"
#include "test_support.hpp"

namespace hugecheck {
namespace {

const counterexamples::Trace& trace_of(const test::Explored& e, std::size_t property) {
    for (const auto& t : e.traces)
        if (t.property == property) return t;
    throw std::runtime_error("no trace");
}

TEST(Traces, SurplusRaceP1ReadsLikeTheKernel) {
    const model::HugetlbModel m(model::load_scenario("surplus-race"));
    const test::Explored e = test::explore(m);
    EXPECT_EQ(counterexamples::render_table(m, trace_of(e, 0)),
              "P1 nr = Σnode violated — scenario surplus-race, variant seed, 2 steps\n"
              "initial: max_huge_pages=0 nr_overcommit_huge_pages=1 nr_huge_pages=0 "
              "free_huge_pages=0 resv_huge_pages=0 surplus_huge_pages=0 nr_huge_pages_node=[0] "
              "free_huge_pages_node=[0] surplus_huge_pages_node=[0] buddy=[2]\n"
              " #  actor  step  function               source       changes\n"
              " 1  A      F1    dequeue_huge_page_vma  002:63-68    (no free huge page) → B1\n"
              " 2  A      B1    alloc_buddy_huge_page  002:138-146  nr_huge_pages 0→1, "
              "surplus_huge_pages 0→1 → B2\n"
              "nr_huge_pages = 1 but Σ nr_huge_pages_node = 0\n");
}

TEST(Traces, SurplusRaceP8ShowsTheFailedConversion) {
    const model::HugetlbModel m(model::load_scenario("surplus-race"));
    const test::Explored e = test::explore(m);
    EXPECT_EQ(counterexamples::render_table(m, trace_of(e, 7)),
              "P8 surplus conversion violated — scenario surplus-race, variant seed, 5 steps\n"
              "initial: max_huge_pages=0 nr_overcommit_huge_pages=1 nr_huge_pages=0 "
              "free_huge_pages=0 resv_huge_pages=0 surplus_huge_pages=0 nr_huge_pages_node=[0] "
              "free_huge_pages_node=[0] surplus_huge_pages_node=[0] buddy=[2]\n"
              " #  actor  step  function                       source               changes\n"
              " 1  A      F1    dequeue_huge_page_vma          002:63-68            (no free huge "
              "page) → B1\n"
              " 2  A      B1    alloc_buddy_huge_page          002:138-146          nr_huge_pages "
              "0→1, surplus_huge_pages 0→1 → B2\n"
              " 3  B      S1    hugetlb_sysctl_handler_common  000:31,37            table->data "
              "none→&B.tmp → S2\n"
              " 4  B      S2    proc_doulongvec_minmax         000:39               B.tmp 0→1 → "
              "R1\n"
              " 5  B      R1    set_max_huge_pages             000:121-128,166-181  B.count 0→1 "
              "(adjust_pool_surplus(-1) fails: surplus_huge_pages = 1 but no node has a surplus "
              "page; count 1 > persistent 0: unlock and allocate) → R4\n"
              "adjust_pool_surplus(-1) of B fails while surplus_huge_pages = 1 but Σ "
              "surplus_huge_pages_node = 0: the surplus page is not converted\n");
}

TEST(Traces, SysctlRaceP5NamesTheOtherWritersTmp) {
    const model::HugetlbModel m(model::load_scenario("sysctl-race"));
    const test::Explored e = test::explore(m);
    const std::string text = counterexamples::render_table(m, trace_of(e, 4));
    EXPECT_NE(text.find(" 3  A      S2    proc_doulongvec_minmax         000:39     B.tmp 0→1 "
                        "(table->data points to B's tmp) → R1\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("S2 of A writes through table->data = &B.tmp, not its own tmp\n"),
              std::string::npos)
        << text;
}

TEST(Traces, JsonHasTheDocumentedShape) {
    const model::HugetlbModel m(model::load_scenario("surplus-race"));
    const test::Explored e = test::explore(m);
    const nlohmann::json doc = counterexamples::traces_json(m, e.traces);
    EXPECT_EQ(doc["format"], "hugecheck-trace/1");
    EXPECT_EQ(doc["scenario"]["name"], "surplus-race");
    EXPECT_EQ(doc["scenario"]["source"], "scenarios/surplus-race.toml");
    EXPECT_EQ(doc["scenario"]["hash"].get<std::string>().rfind("xxh3:", 0), 0u);
    EXPECT_EQ(doc["variant"], "seed");
    ASSERT_EQ(doc["counterexamples"].size(), 2u);
    const nlohmann::json& p1 = doc["counterexamples"][0];
    EXPECT_EQ(p1["property"]["id"], "P1");
    EXPECT_EQ(p1["property"]["kind"], "invariant, every state");
    EXPECT_EQ(p1["length"], 2);
    EXPECT_EQ(p1["violation"], "nr_huge_pages = 1 but Σ nr_huge_pages_node = 0");
    const nlohmann::json& step2 = p1["steps"][1];
    EXPECT_EQ(step2["index"], 2);
    EXPECT_EQ(step2["actor"], "A");
    EXPECT_EQ(step2["label"], "B1");
    EXPECT_EQ(step2["function"], "alloc_buddy_huge_page");
    EXPECT_EQ(step2["source"], "002:138-146");
    EXPECT_EQ(step2["next"], "B2");
    EXPECT_EQ(step2["changes"], nlohmann::json::parse(R"([{"var":"nr_huge_pages","old":0,"new":1},
                                        {"var":"surplus_huge_pages","old":0,"new":1}])"));
    EXPECT_EQ(p1["initial_state"]["buddy[0]"], 2);
    EXPECT_EQ(p1["final_state"]["nr_huge_pages"], 1);
    EXPECT_EQ(p1["final_state"]["A.pc"], "B2");
    EXPECT_EQ(p1["final_state"]["table->data"], "none");
}

TEST(Traces, EveryTraceReplays) {
    for (const char* name : {"surplus-race", "sysctl-race", "bench-small", "bench-medium"}) {
        const model::HugetlbModel m(model::load_scenario(name));
        const properties::Checker checker(m, properties::kAllProperties);
        const test::Explored e = test::explore(m);
        EXPECT_FALSE(e.traces.empty()) << name;
        for (const auto& t : e.traces)
            EXPECT_EQ(counterexamples::replay(m, checker, t), "") << name;
    }
}

TEST(Traces, ReplayRejectsATamperedTrace) {
    const model::HugetlbModel m(model::load_scenario("surplus-race"));
    const properties::Checker checker(m, properties::kAllProperties);
    const test::Explored e = test::explore(m);
    counterexamples::Trace t = trace_of(e, 0);

    counterexamples::Trace wrong_actor = t;
    wrong_actor.steps[1].transition.actor = 1;  // B is at S1, not at B1
    EXPECT_EQ(counterexamples::replay(m, checker, wrong_actor), "step 2 (B B1) is not enabled");

    counterexamples::Trace wrong_state = t;
    wrong_state.steps[0].after[0] ^= std::byte{1};
    EXPECT_EQ(counterexamples::replay(m, checker, wrong_state),
              "step 1 (A F1) reaches a different state");

    counterexamples::Trace no_violation = t;
    no_violation.steps.pop_back();  // after F1 alone, P1 holds
    EXPECT_EQ(counterexamples::replay(m, checker, no_violation),
              "the last state does not violate P1");
}

}  // namespace
}  // namespace hugecheck
