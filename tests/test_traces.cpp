// Counterexamples: the exact text of the seed's races, the JSON form, and replay (which
// must accept every trace the search builds and reject a tampered one).
#include <gtest/gtest.h>

#include <cstring>

#include "counterexamples/replay.hpp"
#include "model/input_error.hpp"
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
    EXPECT_EQ(
        counterexamples::render_table(m, trace_of(e, 0)),
        "P1 nr = Σnode violated — scenario surplus-race, variant seed, 2 steps, 0 preemptions\n"
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
              "P8 surplus conversion violated — scenario surplus-race, variant seed, 5 steps, 1 "
              "preemption\n"
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

// --- trace files (hugecheck replay, counterexamples/replay.hpp) ----------------------------

// Every trace the search writes to a trace file is re-executed from the file alone, step by
// step, to the same states and the same violation.
TEST(TraceFiles, EveryWrittenTraceReplaysFromTheFile) {
    const std::vector<std::pair<const char*, const char*>> runs = {
        {"surplus-race", "seed"},
        {"sysctl-race", "seed"},
        {"bench-small", "seed"},
        {"bench-medium", "seed"},
        {"gigantic-interleave", "seed"},
        {"surplus-race", "v4.19"},
        {"history/b13-nr-surplus-split", "v5.4"},
        {"history/b12-put-page-under-lock", "v4.19"},
        {"history/hc1-temporary-folio-window", "v6.6"},
        {"bench-small", "v6.18"}};
    for (const auto& [name, variant] : runs) {
        const model::HugetlbModel m(model::load_scenario(name), variant);
        const test::Explored e = test::explore(m);
        const nlohmann::json doc =
            nlohmann::json::parse(counterexamples::traces_json(m, e.traces).dump());
        const counterexamples::TraceFileHeader h =
            counterexamples::read_trace_header(doc, "t.json");
        EXPECT_EQ(h.scenario, name);
        EXPECT_EQ(h.variant, m.variant().name());
        EXPECT_EQ(h.scenario_hash, counterexamples::scenario_hash(m.scenario()));
        const auto results = counterexamples::replay_trace_file(m, doc, "t.json");
        EXPECT_FALSE(e.traces.empty()) << name << " " << variant;
        ASSERT_EQ(results.size(), e.traces.size()) << name << " " << variant;
        for (std::size_t k = 0; k < results.size(); ++k) {
            const counterexamples::Trace& want = e.traces[k];
            const counterexamples::Trace& got = results[k].trace;
            ASSERT_TRUE(results[k].reproduced) << name << " " << variant << ": " << results[k].why;
            EXPECT_EQ(got.where, want.where);
            EXPECT_EQ(got.violation, want.violation);
            ASSERT_EQ(got.steps.size(), want.steps.size());
            for (std::size_t i = 0; i < got.steps.size(); ++i) {
                EXPECT_EQ(got.steps[i].transition, want.steps[i].transition);
                EXPECT_EQ(std::memcmp(got.steps[i].after.data(), want.steps[i].after.data(),
                                      m.state_bytes()),
                          0);
            }
        }
    }
}

// After a change, replay names the first step that no longer applies, or the property
// that now holds at the end.
TEST(TraceFiles, ReplayNamesWhatNoLongerHappens) {
    const model::HugetlbModel m(model::load_scenario("surplus-race"));
    const test::Explored e = test::explore(m);
    const nlohmann::json doc = counterexamples::traces_json(m, e.traces);
    ASSERT_EQ(doc["counterexamples"].size(), 2u);  // P1, P8

    nlohmann::json changed = doc;
    changed["counterexamples"][1]["steps"][2]["label"] = "V3";  // B is at S1
    auto r = counterexamples::replay_trace_file(m, changed, "t.json");
    EXPECT_TRUE(r[0].reproduced);
    EXPECT_FALSE(r[1].reproduced);
    EXPECT_EQ(r[1].failed_step, 3u);
    EXPECT_EQ(r[1].why,
              "step 3 (B V3) no longer applies: the model does not take it in the state the steps "
              "before it reach");
    EXPECT_EQ(r[1].trace.steps.size(), 2u);

    nlohmann::json shorter = doc;
    shorter["counterexamples"][0]["steps"].erase(1);  // after F1 alone, P1 holds
    r = counterexamples::replay_trace_file(m, shorter, "t.json");
    EXPECT_FALSE(r[0].reproduced);
    EXPECT_EQ(r[0].failed_step, 0u);
    EXPECT_EQ(r[0].why, "every step applies, but P1 is not violated after step 1");
}

TEST(TraceFiles, AMalformedFileNamesTheField) {
    const model::HugetlbModel m(model::load_scenario("surplus-race"));
    const test::Explored e = test::explore(m);
    const nlohmann::json doc = counterexamples::traces_json(m, e.traces);
    auto message = [&](const nlohmann::json& d) -> std::string {
        try {
            (void)counterexamples::read_trace_header(d, "t.json");
            (void)counterexamples::replay_trace_file(m, d, "t.json");
        } catch (const InputError& err) {
            return err.what();
        }
        return "";
    };
    nlohmann::json d = doc;
    d["format"] = "hugecheck-trace/9";
    EXPECT_EQ(message(d), "t.json: field 'format': 'hugecheck-trace/9' is not hugecheck-trace/1");
    d = doc;
    d["counterexamples"][0]["steps"][0]["actor"] = "Z";
    EXPECT_EQ(message(d),
              "t.json: field 'counterexamples[0].steps[0].actor': no actor 'Z' in the scenario");
    d = doc;
    d["counterexamples"][1]["steps"][0].erase("choice");
    EXPECT_EQ(message(d), "t.json: field 'counterexamples[1].steps[0].choice': missing");
    d = doc;
    d["counterexamples"][0]["property"]["id"] = "P99";
    EXPECT_EQ(message(d), "t.json: field 'counterexamples[0].property.id': unknown property 'P99'");
    EXPECT_EQ(message(nlohmann::json::array()),
              "t.json: not a hugecheck trace file (a JSON object)");
}

}  // namespace
}  // namespace hugecheck
