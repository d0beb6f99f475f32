// hugecheck export: the Promela and Murphi models of the reference model. That SPIN and
// Rumur count the same states as hugecheck is tests/peer_counts.sh's; here: what is
// refused, and the structure of the text (a d_step or rule per step, every label, the
// scenario's constants).
#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <string>

#include "model/scenario_catalog.hpp"
#include "peers/murphi.hpp"
#include "peers/promela.hpp"
#include "test_support.hpp"

namespace hugecheck {
namespace {

std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

// The message of the InputError `f` throws ("" if it throws none).
template <class F>
std::string refusal(F&& f) {
    try {
        f();
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

void expect_refused(const model::Scenario& sc, const std::string& why) {
    for (const std::string& message :
         {refusal([&] { peers::to_promela(sc); }), refusal([&] { peers::to_murphi(sc); })}) {
        EXPECT_NE(message.find(why), std::string::npos) << message;
        EXPECT_NE(message.find("reference model"), std::string::npos) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << "not one line: " << message;
    }
}

constexpr const char* kTwoActors = R"toml(nodes = 1
mem = [2]
pool = [0]
overcommit = 1
[[actor]]
name = "A"
home = 0
script = ["FAULT", "UNMAP"]
[[actor]]
name = "B"
home = 0
script = ["RESIZE(1)", "RESIZE_NODE(0, 2)"]
)toml";

TEST(Export, RefusesGiganticScenarios) {
    for (const char* name : {"gigantic-interleave", "gigantic-contention", "gigantic-drift"}) {
        SCOPED_TRACE(name);
        expect_refused(model::load_scenario(name), "gigantic");
    }
}

TEST(Export, RefusesResizeNode) {
    expect_refused(test::scenario(kTwoActors), "actor B runs RESIZE_NODE(0, 2)");
}

TEST(Export, RefusesAllocAndFree) {
    // The parser allows ALLOC and FREE only with a [gigantic] table, which is refused
    // first; the exporters refuse the ops themselves as well.
    model::Scenario sc = test::scenario(kTwoActors);
    sc.actors[1].script.pop_back();
    sc.actors[0].script[1] = model::Operation{model::OpKind::alloc};
    expect_refused(sc, "actor A runs ALLOC");
    sc.actors[0].script[1] = model::Operation{model::OpKind::free};
    expect_refused(sc, "actor A runs FREE");
}

TEST(Export, TheCliRefusalNamesTheFile) {
    const std::string message = refusal([] { peers::to_promela(test::scenario(kTwoActors)); });
    EXPECT_EQ(message.rfind("test.toml: field 'actor[1].script': export --promela", 0), 0u)
        << message;
}

// The RM's steps of each kind of op, and the ones with a cond_resched_lock choice.
const std::vector<std::string> kFaultSteps = {"F1", "B1", "B2", "B3"};
const std::vector<std::string> kResizeSteps = {"S1",  "S2", "R1",  "R4", "R5",
                                               "R5b", "R6", "R6f", "R7", "R10"};
bool has_choice(const std::string& label) {
    return label == "R1" || label == "R6" || label == "R7";
}

TEST(Export, PromelaHasOneDStepPerStepAndOutcome) {
    const std::string pml = peers::to_promela(model::load_scenario("bench-small"));
    // bench-small: A FAULT,UNMAP; B FAULT; C RESIZE(2),RESIZE(0); Σ mem = 4: outcomes 0..4.
    const std::size_t outcomes = 5;
    for (const std::string actor : {"A", "B"})
        for (const std::string& label : kFaultSteps) {
            EXPECT_EQ(occurrences(pml, "    /* " + actor + " " + label + " "), 1u)
                << actor << " " << label;
            const std::string guard = label == "F1"
                                          ? "pc[" + actor + "] == IDLE && op[" + actor + "] == 0 ->"
                                          : "pc[" + actor + "] == " + label + " ->";
            EXPECT_EQ(occurrences(pml, ":: d_step { " + guard), 1u) << guard;
        }
    EXPECT_EQ(occurrences(pml, ":: d_step { pc[A] == IDLE && op[A] == 1 -> U1_free_huge_page(A) }"),
              1u);
    for (const std::string& label : kResizeSteps) {
        EXPECT_EQ(occurrences(pml, "    /* C " + label + " "), 1u) << label;
        if (label == "S1") continue;
        EXPECT_EQ(occurrences(pml, ":: d_step { pc[C] == " + label + " "),
                  has_choice(label) ? outcomes : 1u)
            << label;
    }
    // ... and the one that only reads every variable (PromelaReadsEveryVariable).
    EXPECT_EQ(occurrences(pml, ":: d_step {"), 2 * 4 + 1 + 7 + 3 * outcomes + 1);
    EXPECT_NE(pml.find(":: d_step { pc[C] == R7 && free_pages_on_nodes >= 4 -> "
                       "R7_cond_resched_lock(C, 4) }"),
              std::string::npos);
    // One process whose loop holds every step; each d_step on one line.
    EXPECT_EQ(occurrences(pml, "proctype"), 1u);
    EXPECT_EQ(occurrences(pml, "active proctype hugetlb()\n{\nend:\n    do\n"), 1u);
    std::istringstream lines(pml);
    for (std::string line; std::getline(lines, line);)
        if (line.find("d_step {") != std::string::npos && line.find("> R10") == std::string::npos) {
            EXPECT_EQ(line.back(), '}') << line;
        }
}

TEST(Export, PromelaReadsEveryVariable) {
    // SPIN drops a global that no statement reads from the state vector: a scenario without
    // UNMAP never reads owned, and SPIN would merge states that differ only in it. One
    // option, never enabled, reads them all.
    const std::string pml = peers::to_promela(model::load_scenario("surplus-race"));
    const std::size_t at = pml.find(":: d_step { pc[0] > R10 &&");
    ASSERT_NE(at, std::string::npos);
    const std::string guard = pml.substr(at, pml.find("-> skip }", at) - at);
    for (const char* variable : {"max_huge_pages",
                                 "nr_overcommit_huge_pages",
                                 "nr_huge_pages",
                                 "free_huge_pages",
                                 "resv_huge_pages",
                                 "surplus_huge_pages",
                                 "nr_huge_pages_node[0]",
                                 "free_huge_pages_node[0]",
                                 "surplus_huge_pages_node[0]",
                                 "buddy[0]",
                                 "next_nid_to_alloc",
                                 "next_nid_to_free",
                                 "table_data",
                                 "op[0]",
                                 "tmp[0]",
                                 "count[0]",
                                 "page_node[0]",
                                 "min_count[0]",
                                 "ret[0]",
                                 "owned[0]"})
        EXPECT_NE(guard.find(variable), std::string::npos) << variable;
}

TEST(Export, PromelaHasTheScenarioConstants) {
    const std::string pml = peers::to_promela(model::load_scenario("bench-xl"));
    for (const char* expected : {
             "scenario bench-xl (scenarios/bench-xl.toml)",
             "hugecheck export --promela --scenario bench-xl",
             "3 nodes, mem [4, 4, 3], pool [1, 1, 1], overcommit 3",
             "spin -a bench-xl.pml",
             "gcc -O2 -DNOREDUCE -DSAFETY",
             "#define N 3 ",
             "#define NACTORS 6\n",
             "#define MAX_FREES 11 ",
             "#define A 0\n",
             "#define F 5\n",
             "short max_huge_pages = 3;",
             "short nr_overcommit_huge_pages = 3;",
             "short nr_huge_pages_node[N] = {1, 1, 1};",
             "short free_huge_pages_node[N] = {1, 1, 1};",
             "short buddy[N] = {3, 3, 2};",
             "byte table_data = NO_ACTOR;",
             "hidden byte nid;",
             "F1_dequeue_huge_page_vma(C, 2)",
             "S2_proc_doulongvec_minmax(E, (op[E] == 0 -> 5 : 1))",
             "O1_hugetlb_overcommit_handler(F, (op[F] == 0 -> 1 : 4))",
             "pc[E] == IDLE && (op[E] == 0 || op[E] == 1) -> S1_hugetlb_sysctl_handler_common(E)",
         })
        EXPECT_NE(pml.find(expected), std::string::npos) << expected;
}

TEST(Export, MurphiHasOneRulePerStep) {
    const std::string m = peers::to_murphi(model::load_scenario("bench-small"));
    for (const std::string actor : {"A", "B"})
        for (const std::string& label : kFaultSteps)
            EXPECT_EQ(occurrences(m, "rule \"" + actor + " " + label + " "), 1u)
                << actor << " " << label;
    EXPECT_EQ(occurrences(m, "rule \"A U1 free_huge_page\""), 1u);
    for (const std::string& label : kResizeSteps) {
        EXPECT_EQ(occurrences(m, "rule \"C " + label + " "), 1u) << label;
        EXPECT_EQ(occurrences(m, "-- C " + label + " "), 1u) << label;
    }
    // The choice: a ruleset over the outcome, for R1, R6 and R7.
    EXPECT_EQ(occurrences(m, "ruleset k: choice_t do\n  rule \"C R"), 3u);
    EXPECT_NE(m.find("    pc[C] = R7 & k <= free_pages_on_nodes()\n"), std::string::npos);
    EXPECT_EQ(occurrences(m, "rule \""), 2 * 4 + 1 + 10);
    EXPECT_EQ(occurrences(m, "startstate"), 1u);
    // Counts are taken without properties: P1 is there, commented out.
    EXPECT_NE(m.find("-- invariant \"P1 nr = Σnode\" nodes_agree();"), std::string::npos);
}

TEST(Export, MurphiHasTheScenarioConstantsAndRanges) {
    const std::string m = peers::to_murphi(model::load_scenario("bench-xl"));
    for (const char* expected : {
             "-- scenario bench-xl (scenarios/bench-xl.toml)",
             "Generated by hugecheck: hugecheck export --murphi --scenario bench-xl",
             "rumur --deadlock-detection off --symmetry-reduction off bench-xl.m",
             "  N: 3; ",
             "  NACTORS: 6;\n",
             "  MAX_FREES: 11; ",
             "  MAX_SCRIPT: 3; ",
             "  A: 0;\n",
             "  F: 5;\n",
             // hugecheck's widths: counters 6 bits (Σ mem + actors = 17), nodes 4 bits (mem 4)
             "  counter_t: -32..31;",
             "  node_counter_t: -8..7;",
             "  local_t: -32..31;",
             "  max_huge_pages := 3;",
             "  nr_overcommit_huge_pages := 3;",
             "  nr_huge_pages_node[2] := 1;",
             "  buddy[2] := 2;",
             "  table_data := NO_ACTOR;",
             "F1_dequeue_huge_page_vma(C, 2);",
             "S2_proc_doulongvec_minmax(E, (op[E] = 0 ? 5 : 1));",
             "O1_hugetlb_overcommit_handler(F, (op[F] = 0 ? 1 : 4));",
         })
        EXPECT_NE(m.find(expected), std::string::npos) << expected;
}

TEST(Export, ActorNamesThatAreNoIdentifiersAreRenamed) {
    const model::Scenario sc = test::scenario(R"toml(nodes = 1
mem = [1]
pool = [0]
overcommit = 0
[[actor]]
name = "R1"
home = 0
script = ["FAULT"]
[[actor]]
name = "cpu-0"
home = 0
script = ["OVERCOMMIT(1)"]
[[actor]]
name = "Writer"
home = 0
script = ["OVERCOMMIT(2)"]
)toml");
    const std::string pml = peers::to_promela(sc);
    EXPECT_NE(pml.find("#define actor_0 0\n"), std::string::npos);
    EXPECT_NE(pml.find("#define actor_1 1\n"), std::string::npos);
    EXPECT_NE(pml.find("#define Writer 2\n"), std::string::npos);
    EXPECT_NE(pml.find(" *   R1 (as actor_0), home 0: FAULT"), std::string::npos);
    const std::string m = peers::to_murphi(sc);
    EXPECT_NE(m.find("  actor_0: 0;\n"), std::string::npos);
    EXPECT_NE(m.find("--   cpu-0 (as actor_1), home 0: OVERCOMMIT(1)"), std::string::npos);
    // Murphi's keywords are not case-sensitive: an actor "Begin" cannot be a constant.
    model::Scenario keyword = sc;
    keyword.actors[2].name = "Begin";
    EXPECT_NE(peers::to_murphi(keyword).find("  actor_2: 2;\n"), std::string::npos);
}

}  // namespace
}  // namespace hugecheck
