// Coverage (properties/coverage.hpp): each outcome a handler marks is the branch it took;
// the recorder changes nothing about the search; unreached steps and outcomes, and the
// vacuity flag; and, over the embedded scenarios, every declared outcome of every variant
// is reached (or listed below with the reason it is not).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "explorer/dfs.hpp"
#include "explorer/por.hpp"
#include "explorer/symmetry.hpp"
#include "model/independence.hpp"
#include "model/scenario_catalog.hpp"
#include "model/symmetry.hpp"
#include "model/variants/registry.hpp"
#include "properties/coverage.hpp"
#include "test_support.hpp"

namespace hugecheck {
namespace {

using model::Outcome;
using model::Step;
using properties::CoverageRecorder;
using test::Successor;
using test::Values;

// The outcomes a transition marked, by name.
std::vector<Outcome> taken(const model::HugetlbModel& m, const model::Transition& t) {
    std::vector<Outcome> out;
    const model::Outcomes& declared = m.step_def(t.step).outcomes;
    for (std::size_t k = 0; k < declared.size(); ++k)
        if (t.outcomes & (1u << k)) out.push_back(declared[k]);
    EXPECT_EQ(t.outcomes & model::kUndeclaredOutcome, 0) << "an undeclared outcome";
    return out;
}
using Os = std::vector<Outcome>;

// ---- each mark is what the handler did (hand-built states, as tests/test_steps.cpp) ----

class Marks : public ::testing::Test {
  protected:
    Marks()
        : m(test::scenario(test::kTwoNodeSteps)),
          v(m.vars()),
          A(v.actor[0]),
          B(v.actor[1]),
          D(v.actor[3]),
          s0(Values::initial(m)) {}

    std::vector<Successor> of(const Values& s, std::uint32_t actor) {
        return test::successors(m, s, static_cast<int>(actor));
    }
    Os only(const Values& s, std::uint32_t actor, Step step) {
        const std::vector<Successor> out = of(s, actor);
        EXPECT_EQ(out.size(), 1u);
        if (out.empty()) return {};
        EXPECT_EQ(out[0].transition.step, step);
        return taken(m, out[0].transition);
    }
    std::uint64_t pc(Step s) const { return m.variant().pc_code(s); }

    model::HugetlbModel m;
    const model::Vars& v;
    const model::ActorSlots &A, &B, &D;
    Values s0;
};

TEST_F(Marks, F1FromHomeFromAnotherNodeOrNone) {
    EXPECT_EQ(only(s0, 0, Step::F1), Os{Outcome::dequeued_home});
    Values s = s0;
    s[v.free_huge_pages] = 1;
    s[v.free_huge_pages_node[1]] = 0;
    EXPECT_EQ(only(s, 0, Step::F1), Os{Outcome::dequeued_other});
    s[v.free_huge_pages] = s[v.free_huge_pages_node[0]] = 0;
    EXPECT_EQ(only(s, 0, Step::F1), Os{Outcome::no_free_page});
    // The counters disagree with the lists: free - resv > 0 and no list has a page.
    s[v.free_huge_pages] = 1;
    EXPECT_EQ(only(s, 0, Step::F1), Os{Outcome::free_lists_empty});
}

TEST_F(Marks, B1FailsOrBumpsAndB3AccountsOrUndoes) {
    Values s = s0;
    s[A.pc] = pc(Step::B1);
    EXPECT_EQ(only(s, 0, Step::B1), Os{Outcome::surplus_bumped});
    s[v.surplus_huge_pages] = 2;  // = overcommit
    EXPECT_EQ(only(s, 0, Step::B1), Os{Outcome::surplus_full});
    s = s0;
    s[A.pc] = pc(Step::B2);
    EXPECT_EQ(only(s, 0, Step::B2), Os{Outcome::buddy_home});
    s[v.buddy[1]] = 0;
    EXPECT_EQ(only(s, 0, Step::B2), Os{Outcome::buddy_other});
    s[v.buddy[0]] = 0;
    EXPECT_EQ(only(s, 0, Step::B2), Os{Outcome::buddy_none});
    s = s0;
    s[A.pc] = pc(Step::B3);
    s[A.page_node] = model::encode_index(1);
    EXPECT_EQ(only(s, 0, Step::B3), Os{Outcome::page_accounted});
    s[A.page_node] = model::kNone;
    EXPECT_EQ(only(s, 0, Step::B3), Os{Outcome::bump_undone});
}

TEST_F(Marks, U1FreesToBuddyEnqueuesOrHasNothing) {
    Values s = s0;
    s[A.op] = 1;  // UNMAP
    EXPECT_EQ(only(s, 0, Step::U1), Os{Outcome::nothing_owned});
    s[A.owned] = model::encode_index(1);
    EXPECT_EQ(only(s, 0, Step::U1), Os{Outcome::enqueued});
    s[v.surplus_huge_pages] = s[v.surplus_huge_pages_node[1]] = 1;
    EXPECT_EQ(only(s, 0, Step::U1), Os{Outcome::freed_to_buddy});
}

TEST_F(Marks, S2OwnOrAnotherWritersTmp) {
    Values s = s0;
    s[B.pc] = pc(Step::S2);
    s[v.table_data] = model::encode_index(1);
    EXPECT_EQ(only(s, 1, Step::S2), Os{Outcome::own_tmp});
    s[v.table_data] = model::encode_index(3);
    EXPECT_EQ(only(s, 1, Step::S2), Os{Outcome::other_tmp});
}

TEST_F(Marks, R1Loop1ConvertsOrRaces) {
    Values s = s0;
    s[B.pc] = pc(Step::R1);
    s[B.tmp] = 4;
    s[v.nr_huge_pages] = 3;
    s[v.nr_huge_pages_node[0]] = 2;
    s[v.surplus_huge_pages] = s[v.surplus_huge_pages_node[0]] = 1;
    EXPECT_EQ(only(s, 1, Step::R1), (Os{Outcome::loop1_converts, Outcome::grow}));
    s[v.nr_huge_pages_node[0]] = 1;  // the race: the surplus page is on no node yet
    s[v.surplus_huge_pages_node[0]] = 0;
    EXPECT_EQ(only(s, 1, Step::R1), (Os{Outcome::loop1_race, Outcome::grow}));
}

TEST_F(Marks, R1CondReschedChoicesAreTheirOwnOutcomes) {
    Values s = s0;
    s[B.op] = 1;  // RESIZE(0): frees both pages, a cond_resched_lock choice after each
    s[B.pc] = pc(Step::R1);
    const std::vector<Successor> out = of(s, 1);
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(taken(m, out[0].transition), Os{Outcome::shrink_frees_unlock});
    EXPECT_EQ(taken(m, out[1].transition),
              (Os{Outcome::shrink_frees_unlock, Outcome::shrink_frees_keep}));
    EXPECT_EQ(taken(m, out[2].transition), Os{Outcome::shrink_frees_keep});
    // Nothing to free, everything in use: pages marked surplus instead.
    Values busy = s0;
    busy[B.op] = 1;
    busy[B.pc] = pc(Step::R1);
    busy[v.free_huge_pages] = busy[v.free_huge_pages_node[0]] = busy[v.free_huge_pages_node[1]] = 0;
    EXPECT_EQ(only(busy, 1, Step::R1), (Os{Outcome::no_shrink, Outcome::marks_surplus}));
}

TEST_F(Marks, R4AllocatesOrFails) {
    Values s = s0;
    s[D.pc] = pc(Step::R4);
    s[D.count] = 3;
    EXPECT_EQ(only(s, 3, Step::R4), Os{Outcome::pool_page});
    s[v.buddy[0]] = s[v.buddy[1]] = 0;
    EXPECT_EQ(only(s, 3, Step::R4), Os{Outcome::alloc_fails});
}

TEST_F(Marks, ASingleStepMarksNothing) {
    Values s = s0;
    s[B.pc] = pc(Step::R10);
    EXPECT_EQ(only(s, 1, Step::R10), Os{});
}

TEST(OutcomeMarks, V4RecheckOnV54AndV3OnV618) {
    const model::Scenario sc = test::scenario(R"toml(
nodes = 1
mem = [2]
pool = [0]
overcommit = 1
[[actor]]
name = "A"
home = 0
script = ["FAULT"]
)toml");
    for (const char* variant : {"v5.4", "v6.18"}) {
        const model::HugetlbModel m(sc, variant);
        const Step recheck = m.variant().has(Step::V4) ? Step::V4 : Step::V3;
        Values s = Values::initial(m);
        s[m.vars().actor[0].pc] = m.variant().pc_code(recheck);
        s[m.vars().actor[0].page_node] = model::encode_index(0);
        s[m.vars().nr_huge_pages] = s[m.vars().nr_huge_pages_node[0]] = 1;
        std::vector<Successor> out = test::successors(m, s, 0);
        ASSERT_EQ(out.size(), 1u) << variant;
        EXPECT_EQ(taken(m, out[0].transition), Os{Outcome::recheck_ok}) << variant;
        s[m.vars().surplus_huge_pages] = 1;  // another fault took the one surplus page
        out = test::successors(m, s, 0);
        ASSERT_EQ(out.size(), 1u) << variant;
        EXPECT_EQ(taken(m, out[0].transition), Os{Outcome::recheck_failed}) << variant;
    }
}

// ---- the recorder --------------------------------------------------------------------

template <class Sys>
explorer::Stats run(const Sys& sys, const model::HugetlbModel& m, unsigned threads = 1,
                    properties::PropertySet props = properties::kAllProperties) {
    explorer::Options o;
    o.keep_going = true;
    o.threads = threads;
    const properties::Checker checker(m, props);
    explorer::BreadthFirstSearch search(sys, checker, o);
    search.run();
    return search.stats();
}

std::uint64_t total_runs(const properties::CoverageCounts& c) {
    std::uint64_t n = 0;
    for (std::size_t s = 0; s < model::kStepCount; ++s)
        n += c.runs(static_cast<Step>(s));
    return n;
}

TEST(CoverageRecorder, PassesSuccessorsThroughUnchanged) {
    for (const char* name : {"surplus-race", "sysctl-race", "bench-small"}) {
        const model::HugetlbModel m(model::load_scenario(name), "seed");
        const explorer::Stats plain = run(m, m);
        for (unsigned threads : {1u, 3u}) {
            const CoverageRecorder rec(m);
            const explorer::Stats recorded = run(rec, m, threads);
            EXPECT_EQ(recorded.states, plain.states) << name;
            EXPECT_EQ(recorded.transitions, plain.transitions) << name;
            EXPECT_EQ(recorded.depth, plain.depth) << name;
            // Every edge counted once, whichever thread generated it.
            EXPECT_EQ(total_runs(rec.counts()), plain.transitions) << name << " " << threads;
        }
    }
}

TEST(CoverageRecorder, WrapsAndIsWrappedByTheReductions) {
    const model::HugetlbModel m(model::load_scenario("bench-small"), "v6.6");
    const properties::PropertySet props = properties::kAllProperties;
    const model::AmpleSets ample(m, properties::visibility(m, props));
    const explorer::PartialOrderReduction por(m, ample);
    const explorer::Stats reduced = run(por, m);

    const CoverageRecorder outside(por);  // what --por --coverage runs
    EXPECT_EQ(run(outside, m).states, reduced.states);
    const CoverageRecorder inner(m);  // processes() and unrepresentable() forwarded
    const explorer::PartialOrderReduction por_of_recorder(inner, ample);
    EXPECT_EQ(run(por_of_recorder, m).states, reduced.states);

    const model::ActorSymmetry symmetry(m);
    const explorer::SymmetryReduction orbits(m, symmetry);
    const CoverageRecorder of_orbits(orbits);
    EXPECT_EQ(run(of_orbits, m).states, run(orbits, m).states);
    // Actors swapped take the same steps and outcomes: symmetry keeps every outcome.
    const CoverageRecorder full(m);
    run(full, m);
    const properties::CoverageCounts a = full.counts(), b = of_orbits.counts();
    for (const model::StepDef& s : m.variant().steps()) {
        EXPECT_EQ(a.runs(s.label) > 0, b.runs(s.label) > 0) << model::step_name(s.label);
        for (std::size_t k = 0; k < s.outcomes.size(); ++k)
            EXPECT_EQ(a.outcome(s.label, k) > 0, b.outcome(s.label, k) > 0)
                << model::step_name(s.label) << " " << model::outcome_info(s.outcomes[k]).name;
    }
}

TEST(CoverageRecorder, DepthFirstSearchToo) {
    const model::HugetlbModel m(model::load_scenario("sysctl-race"), "seed");
    const CoverageRecorder rec(m);
    explorer::Options o;
    o.keep_going = true;
    explorer::DepthFirstSearch search(rec, explorer::NoProperties{}, o);
    search.run();
    EXPECT_EQ(total_runs(rec.counts()), search.stats().transitions);
}

// ---- the report ----------------------------------------------------------------------

properties::CoverageReport report_of(const model::HugetlbModel& m,
                                     properties::PropertySet props = properties::kAllProperties) {
    const CoverageRecorder rec(m);
    explorer::Options o;
    o.keep_going = true;
    const properties::Checker checker(m, props);
    explorer::BreadthFirstSearch search(rec, checker, o);
    const explorer::Status status = search.run();
    properties::PropertySet violated = 0;
    for (const auto& v : search.violations())
        violated |= properties::bit(v.property);
    return properties::coverage_report(m, rec.counts(),
                                       {props, violated, status == explorer::Status::complete});
}

bool unreached(const properties::CoverageReport& r, Step step) {
    for (const auto& u : r.unreached())
        if (u.step == step && !u.is_outcome) return true;
    return false;
}
bool unreached(const properties::CoverageReport& r, Step step, Outcome outcome) {
    for (const auto& u : r.unreached())
        if (u.step == step && u.is_outcome && u.outcome == outcome) return true;
    return false;
}
const properties::StepCoverage& step_of(const properties::CoverageReport& r, Step s) {
    return *std::find_if(r.steps.begin(), r.steps.end(),
                         [&](const properties::StepCoverage& x) { return x.step == s; });
}

const char* kGrowOnly = R"toml(
nodes = 1
mem = [2]
pool = [0]
overcommit = 0
[[actor]]
name = "B"
home = 0
script = ["RESIZE(1)"]
)toml";
const char* kShrink = R"toml(
nodes = 1
mem = [2]
pool = [2]
overcommit = 0
[[actor]]
name = "B"
home = 0
script = ["RESIZE(0)"]
)toml";

TEST(CoverageReport, AnOutcomeTheScenarioCannotReachIsUnreached) {
    const properties::CoverageReport grow =
        report_of(model::HugetlbModel(test::scenario(kGrowOnly)));
    EXPECT_TRUE(unreached(grow, Step::R1, Outcome::shrink_frees_unlock));
    EXPECT_TRUE(unreached(grow, Step::R7));
    EXPECT_TRUE(unreached(grow, Step::R6f));  // the buddy allocator has room
    EXPECT_FALSE(unreached(grow, Step::R1, Outcome::grow));
    EXPECT_FALSE(unreached(grow, Step::R4));
    EXPECT_TRUE(grow.problems.empty());
    // One node: no fallback to another node; RESIZE only: no node count.
    const properties::StepCoverage& r1 = step_of(grow, Step::R1);
    for (const properties::OutcomeCoverage& o : r1.outcomes)
        EXPECT_EQ(o.applicable, o.outcome != Outcome::loop1_elsewhere)
            << model::outcome_info(o.outcome).name;
    // Operations the scenario does not run are not unreached, but elsewhere.
    EXPECT_FALSE(step_of(grow, Step::F1).in_scenario);
    EXPECT_EQ(step_of(grow, Step::F1).why_not, "FAULT");
    EXPECT_FALSE(step_of(grow, Step::G1).in_scenario);
    EXPECT_FALSE(unreached(grow, Step::F1));
    const std::string text = properties::coverage_text(grow);
    EXPECT_NE(text.find("unreached in cond_resched_lock:\n\tR7: "), std::string::npos) << text;
    EXPECT_NE(text.find("not in this scenario: F1 (FAULT), B1 B2 B3 (FAULT MMAP), "),
              std::string::npos)
        << text;

    const properties::CoverageReport shrink =
        report_of(model::HugetlbModel(test::scenario(kShrink)));
    EXPECT_FALSE(unreached(shrink, Step::R1, Outcome::shrink_frees_unlock));
    EXPECT_FALSE(unreached(shrink, Step::R1, Outcome::shrink_frees_keep));
    EXPECT_FALSE(unreached(shrink, Step::R7));
    EXPECT_TRUE(unreached(shrink, Step::R4));
}

const char* kFaultFromPool = R"toml(
nodes = 1
mem = [1]
pool = [1]
overcommit = 1
[[actor]]
name = "A"
home = 0
script = ["FAULT"]
)toml";
const char* kFaultSurplus = R"toml(
nodes = 1
mem = [1]
pool = [0]
overcommit = 1
[[actor]]
name = "A"
home = 0
script = ["FAULT"]
)toml";

TEST(CoverageReport, VacuityFlagsAPropertyWhoseWritersNeverRan) {
    const model::HugetlbModel pool(test::scenario(kFaultFromPool));
    // P7 reads nr and surplus: the surplus allocator (B1, B3) writes them, F1 does not.
    const std::vector<Step> deps = properties::depends_on(pool, 6);
    EXPECT_NE(std::find(deps.begin(), deps.end(), Step::B1), deps.end());
    EXPECT_EQ(std::find(deps.begin(), deps.end(), Step::F1), deps.end());

    const properties::CoverageReport a = report_of(pool);
    const auto p7 =
        std::find_if(a.vacuity.begin(), a.vacuity.end(),
                     [](const properties::PropertyVacuity& v) { return v.property == 6; });
    ASSERT_NE(p7, a.vacuity.end());
    EXPECT_TRUE(p7->flagged());
    EXPECT_EQ(p7->unreached_steps, (std::vector<Step>{Step::B1, Step::B3}));
    EXPECT_NE(
        properties::coverage_text(a).find("P7 holds, but steps it depends on never ran: B1 B3"),
        std::string::npos)
        << properties::coverage_text(a);

    const properties::CoverageReport b =
        report_of(model::HugetlbModel(test::scenario(kFaultSurplus)));
    for (const properties::PropertyVacuity& v : b.vacuity) {
        if (v.property == 6) {
            EXPECT_FALSE(v.flagged());
        }
    }
    // A violated property has no vacuity entry; an unselected one neither.
    const properties::CoverageReport race = report_of(
        model::HugetlbModel(model::load_scenario("surplus-race")), properties::kAllProperties);
    for (const properties::PropertyVacuity& v : race.vacuity) {
        EXPECT_NE(v.property, 0u);  // P1
        EXPECT_NE(v.property, 7u);  // P8
    }
}

TEST(CoverageReport, TheViolationItselfIsNotAGap) {
    // surplus-race on v5.4: P8 holds, and R1's loop1_race (P8's own violation) is not listed
    // as an outcome P8 missed.
    const properties::CoverageReport r =
        report_of(model::HugetlbModel(model::load_scenario("surplus-race"), "v5.4"));
    bool checked = false;
    for (const properties::PropertyVacuity& v : r.vacuity) {
        if (v.property != 7) continue;
        checked = true;
        for (const properties::OutcomeRef& o : v.unreached_outcomes)
            EXPECT_NE(o.outcome, Outcome::loop1_race);
    }
    EXPECT_TRUE(checked);
}

TEST(CoverageReport, JsonHasTheSameContent) {
    const properties::CoverageReport r =
        report_of(model::HugetlbModel(model::load_scenario("surplus-race")));
    const nlohmann::json j = properties::coverage_json(r);
    EXPECT_EQ(j["scenario"], "surplus-race");
    EXPECT_EQ(j["variant"], "seed");
    EXPECT_EQ(j["summary"]["steps"], r.steps_in_scenario());
    EXPECT_EQ(j["summary"]["outcomes_reached"], r.outcomes_reached());
    EXPECT_EQ(j["steps"].size(), r.steps.size());
    EXPECT_EQ(j["unreached"].size(), r.unreached().size());
    EXPECT_EQ(j["vacuity"].size(), r.vacuity.size());
    EXPECT_TRUE(j["problems"].empty());
}

// ---- every declared outcome is reached by some embedded scenario ----------------------

// What a set of scenarios reached on one variant: "R1" for a step, "R1 grow" for an
// outcome, with the transitions that took it; and what the reports found wrong.
struct Reached {
    std::map<std::string, std::uint64_t> count;  // every declared step and outcome
    std::set<std::string> applicable;  // in some scenario (not O1 gigantic_einval of v5.4)
    std::vector<std::string> problems;
    void add(const model::HugetlbModel& m, std::uint64_t max_states, const std::string& name) {
        const CoverageRecorder rec(m);
        explorer::Options o;
        o.keep_going = true;
        o.threads = 2;
        o.max_states = max_states;
        explorer::BreadthFirstSearch search(rec, explorer::NoProperties{}, o);
        search.run();
        const properties::CoverageReport r = properties::coverage_report(m, rec.counts(), {});
        for (const std::string& p : r.problems)
            problems.push_back(name + ": " + p);
        for (const properties::StepCoverage& s : r.steps) {
            const std::string step(model::step_name(s.step));
            count[step] += s.runs;
            applicable.insert(step);
            for (const properties::OutcomeCoverage& oc : s.outcomes) {
                const std::string what =
                    step + " " + std::string(model::outcome_info(oc.outcome).name);
                count[what] += oc.count;
                if (oc.applicable) applicable.insert(what);
            }
        }
    }
    // Not reached, though some scenario of `where` could have.
    std::set<std::string> missing(const Reached& where) const {
        std::set<std::string> out;
        for (const auto& [what, n] : count)
            if (n == 0 && where.applicable.count(what)) out.insert(what);
        return out;
    }
};

Reached embedded(const model::Variant& variant) {
    Reached r;
    for (const model::EmbeddedScenario& e : model::embedded_scenarios()) {
        model::Scenario sc = model::load_scenario(e.name);
        if (!model::HugetlbModel::missing_features(sc, variant).empty()) continue;
        // The bench scenarios, bounded: the rest of them adds nothing but time.
        r.add(model::HugetlbModel(std::move(sc), variant),
              e.name.starts_with("bench-") ? 200000 : 0, std::string(e.name));
    }
    return r;
}

// Outcomes no embedded scenario reaches, and a small scenario for each that does: the
// embedded ones are about bugs, not about every branch. `covers` lists, per variant, what
// the witness is there for (nothing else may be missing from the embedded scenarios).
struct Witness {
    const char* toml;
    std::map<std::string, std::set<std::string>> covers;
    const char* only = nullptr;  // run on this variant alone (its own witnesses)
};
const std::vector<Witness>& witnesses() {
    static const std::vector<Witness> list = {
        // Reservations and memory offline with pages with identity: mmaps that gather
        // surplus pages and give them back, a bound task whose reserved fault takes a
        // surplus page, dissolves of a node with no huge page and of busy pages.
        {R"toml(
nodes = 2
frames = true
mem = [2, 1]
pool = [0, 0]
overcommit = 2
[[actor]]
name = "A"
home = 0
script = ["MMAP(2)", "MUNMAP"]
[[actor]]
name = "B"
home = 1
policy = "bind"
script = ["MMAP(1)", "FAULT", "UNMAP", "MUNMAP"]
[[actor]]
name = "C"
home = 0
script = ["DISSOLVE(1)", "DISSOLVE(0)"]
)toml",
         // (The embedded history scenarios reach the rest: B5 gathers and returns surplus
         // pages, K2 and B14 dissolve, B7 and K1 fault with a reservation.)
         {{"seed",
           {"D1 dissolve_no_page", "F1 dequeued_reserved", "F1 free_lists_empty",
            "M4 unused_frees_keep", "M4 unused_frees_unlock", "M4 unused_no_free_page",
            "U0 nothing_owned", "X2 unused_no_free_page"}},
          {"seed-zone-check",
           {"D1 dissolve_no_page", "F1 dequeued_reserved", "F1 free_lists_empty",
            "M4 unused_frees_keep", "M4 unused_frees_unlock", "M4 unused_no_free_page",
            "U0 nothing_owned", "X2 unused_no_free_page"}},
          {"v4.19", {"D1 dissolve_no_page", "F1 dequeued_reserved", "U0 nothing_owned"}},
          {"v5.4", {"D1 dissolve_no_page", "F1 dequeued_reserved", "U0 nothing_owned"}},
          {"v6.6", {"D1 dissolve_no_page", "F1 dequeued_reserved", "U0 nothing_owned"}},
          {"v6.18", {"D1 dissolve_no_page", "F1 dequeued_reserved", "U0 nothing_owned"}}}},
        // A RESIZE_NODE with the surplus on the other node (loop1_elsewhere), shrinks of
        // one node while the free pages are on the other (no free page, nothing to mark),
        // and a buddy allocator that runs out (faults and grows that fail).
        {R"toml(
nodes = 2
mem = [3, 1]
pool = [0, 0]
overcommit = 1
[[actor]]
name = "A"
home = 1
script = ["RESIZE(1)", "RESIZE_NODE(0, 3)"]
[[actor]]
name = "B"
home = 1
script = ["FAULT", "RESIZE_NODE(1, 0)"]
[[actor]]
name = "C"
home = 0
script = ["FAULT"]
)toml",
         {{"seed",
           {"B2 buddy_none", "B3 bump_undone", "R1 loop1_elsewhere", "R1 mark_fails",
            "R1 shrink_no_free_page", "R6 mark_fails", "R6 marks_surplus", "R6 shrink_no_free_page",
            "R7 mark_fails"}},
          {"seed-zone-check",
           {"B2 buddy_none", "B3 bump_undone", "R1 loop1_elsewhere", "R1 mark_fails",
            "R1 shrink_no_free_page", "R6 mark_fails", "R6 marks_surplus", "R6 shrink_no_free_page",
            "R7 mark_fails"}},
          {"v4.19",
           {"R1 loop1_elsewhere", "R1 mark_fails", "R1 shrink_no_free_page", "R6 mark_fails",
            "R6 marks_surplus", "R6 shrink_no_free_page", "R7 mark_fails", "V2 buddy_none"}},
          {"v5.4",
           {"R1 loop1_elsewhere", "R1 mark_fails", "R1 shrink_no_free_page", "R4 alloc_fails",
            "R6 mark_fails", "R6 marks_surplus", "R6 shrink_no_free_page", "R6f", "R7 mark_fails",
            "V2 buddy_none"}},
          {"v6.6",
           {"R1 collect_no_free_page", "R1 loop1_elsewhere", "R4 alloc_fails", "R6f",
            "R9 mark_fails"}},
          {"v6.18",
           {"R1 collect_no_free_page", "R1 loop1_elsewhere", "R4 alloc_fails_batch", "R6f",
            "R9 mark_fails", "RAf", "RS collects_page"}}}},
        // v2.6.24 (no DISSOLVE, no RESIZE_NODE): pages with identity, a shared mapping that
        // faults and unmaps, a bound private fault, shrinks and grows.
        {R"toml(
nodes = 2
frames = true
mem = [2, 1]
pool = [1, 0]
overcommit = 1
[[actor]]
name = "A"
home = 0
script = ["MMAP(1)", "FAULT", "UNMAP", "MUNMAP"]
[[actor]]
name = "B"
home = 1
policy = "bind"
script = ["FAULT", "UNMAP"]
[[actor]]
name = "C"
home = 0
script = ["RESIZE(0)", "RESIZE(2)"]
)toml",
         {{"v2.6.24",
           {"B2 buddy_none", "B3 bump_undone", "F1 dequeued_reserved", "F1 free_lists_empty",
            "M3 enqueued", "U0", "U0 nothing_owned", "U0 refcount_dropped"}}},
         "v2.6.24"},
        // v2.6.24: the free page an mmap counts on is taken while it gives its surplus page
        // back, and its cpuset check fails (no reservation is committed).
        {R"toml(
nodes = 2
mem = [1, 1]
pool = [1, 0]
overcommit = 1
[[actor]]
name = "A"
home = 0
script = ["MMAP(1)"]
[[actor]]
name = "B"
home = 0
script = ["FAULT", "UNMAP", "FAULT"]
)toml",
         {{"v2.6.24", {"M4 acct_cpuset_short"}}},
         "v2.6.24"},
        // v2.6.24: a bound shared fault with no page on its node (VM_FAULT_OOM), pool grows the
        // buddy allocator cannot satisfy.
        {R"toml(
nodes = 2
mem = [1, 1]
pool = [0, 1]
overcommit = 1
[[actor]]
name = "A"
home = 0
policy = "bind"
script = ["MMAP(1)", "FAULT"]
[[actor]]
name = "B"
home = 0
script = ["RESIZE(0)", "FAULT", "RESIZE(2)"]
[[actor]]
name = "C"
home = 1
script = ["MMAP(1)", "UNMAP"]
)toml",
         {{"v2.6.24", {"R4 alloc_fails", "R6f"}}},
         "v2.6.24"},
        // v2.6.24: a bound resizer whose node has no free page to shrink.
        {R"toml(
nodes = 2
mem = [2, 1]
pool = [1, 1]
overcommit = 1
[[actor]]
name = "A"
home = 0
policy = "bind"
script = ["FAULT", "RESIZE(1)", "UNMAP"]
[[actor]]
name = "B"
home = 1
script = ["RESIZE(0)", "RESIZE(3)"]
)toml",
         {{"v2.6.24", {"R1 shrink_no_free_page"}}},
         "v2.6.24"},
        // v2.6.24: a bound resizer that relocks after its allocation to find the pool grown by
        // another writer and pages in use: no free page on its node, pages marked surplus.
        {R"toml(
nodes = 2
mem = [3, 1]
pool = [0, 0]
overcommit = 0
[[actor]]
name = "A"
home = 0
script = ["FAULT"]
[[actor]]
name = "D"
home = 0
script = ["FAULT"]
[[actor]]
name = "B"
home = 1
policy = "bind"
script = ["RESIZE(1)"]
[[actor]]
name = "C"
home = 0
script = ["RESIZE(4)"]
)toml",
         {{"v2.6.24", {"R6 marks_surplus", "R6 shrink_no_free_page"}}},
         "v2.6.24"},
        // Two writers of nr_overcommit_hugepages (v4.19's shared table), and grows the
        // buddy allocator cannot satisfy at all.
        {R"toml(
nodes = 1
mem = [3]
pool = [3]
overcommit = 1
[[actor]]
name = "A"
home = 0
script = ["RESIZE(4)", "OVERCOMMIT(1)"]
[[actor]]
name = "B"
home = 0
script = ["RESIZE(2)", "RESIZE_NODE(0, 0)", "OVERCOMMIT(1)"]
)toml",
         {{"v4.19", {"OS2 other_tmp"}}, {"v6.18", {"R4 alloc_fails"}}}},
        // Gigantic: an ALLOC that finds its home node full and then nothing, a FREE with
        // nothing held.
        {R"toml(
nodes = 2
overcommit = 0
[gigantic]
order = 2
max_order = 2
pageblock_order = 1
memory = [[0, 0, 4], [1, 4, 8]]
pool = []
[[actor]]
name = "A"
home = 0
script = ["ALLOC", "FREE"]
[[actor]]
name = "B"
home = 1
script = ["RESIZE(2)"]
)toml",
         {{"seed", {"A1 no_free_pfn", "A1 pfn_other", "A2 nothing_owned"}},
          {"seed-zone-check", {"A1 no_free_pfn", "A1 pfn_other", "A2 nothing_owned"}}}},
        // OVERCOMMIT of a gigantic hstate: -EINVAL.
        {R"toml(
nodes = 1
overcommit = 1
[gigantic]
order = 2
max_order = 2
pageblock_order = 1
memory = [[0, 0, 16]]
pool = []
[[actor]]
name = "A"
home = 0
script = ["OVERCOMMIT(2)"]
)toml",
         {{"seed", {"O1 gigantic_einval"}}, {"seed-zone-check", {"O1 gigantic_einval"}}}},
    };
    return list;
}

// Declared, and reached by no scenario at all: why.
const std::map<std::string, std::set<std::string>>& unreachable() {
    // free - resv > 0 with every free list empty needs free_huge_pages ahead of the
    // nodes' counters; every step changes both in one lock section (P1 would fire). (A task
    // under policy = "bind" can find its node's list empty: see v6.x below.)
    const std::string lists = "F1 free_lists_empty";
    // loop1_race is the seed's surplus conversion race (B1): from v4.16 on,
    // alloc_surplus_huge_page counts surplus with surplus_node, so the global surplus never
    // exceeds the nodes'. count_wraps / count_clamped: the node count is computed under
    // hugetlb_lock from v5.4 on, where nr_huge_pages >= nr_huge_pages_node[nid].
    // hugetlb_acct_memory's "delta > cpuset_mems_nr(free_huge_pages_node)" after
    // gather_surplus_pages committed resv += delta needs free < resv: P12 broken first. So
    // do the return_unused_surplus_pages outcomes behind it (every node is in the cpuset).
    const std::set<std::string> cpuset = {"M1 acct_cpuset_short",   "M4 acct_cpuset_short",
                                          "M1 unused_done",         "M4 unused_done",
                                          "M1 unused_no_free_page", "M4 unused_no_free_page"};
    std::set<std::string> per_page = cpuset, collect = cpuset;
    per_page.insert({"M1 unused_frees_keep", "M1 unused_frees_unlock", "M4 unused_frees_keep",
                     "M4 unused_frees_unlock"});
    collect.insert({"M1 unused_collects", "M4 unused_collects"});
    // Not reached by the witnesses, though the kernel has the branch: gather_surplus_pages
    // still short after its allocations (another task's reservation in between), an
    // unneeded surplus page on a node whose surplus a shrink took (M3 enqueued). (A MUNMAP
    // that finds no free surplus page: K3's scenario, a surplus page still in allocation.)
    for (std::set<std::string>* s : {&per_page, &collect})
        s->insert({"M2 gather_more", "M3 enqueued"});
    per_page.insert("X2 unused_no_free_page");
    // v6.x checks a reservation against the free pages of the task's mbind nodes
    // (allowed_mems_nr): a bound task's mmap fails when its node has too few, which the
    // embedded B7 scenario does (M1 acct_cpuset_short, unused_done), and its faults are then
    // unreserved ones that find no allowed free page (F1 free_lists_empty). Its reserved
    // fault needs another task to take the free page of its node after the mmap: not in the
    // witnesses, though the kernel allows it (F1 reserved_no_page, W3).
    collect.erase("M1 acct_cpuset_short");
    collect.erase("M1 unused_done");
    collect.insert({"F1 reserved_no_page", "W3"});
    auto with = [](std::set<std::string> a, const std::set<std::string>& b) {
        a.insert(b.begin(), b.end());
        return a;
    };
    // The seed (v4.0): hugetlb_acct_memory's commit in M1 (needed <= 0) leaves delta <=
    // free - resv <= free, so M1's cpuset branch cannot fail on any variant that counts every
    // node. M4's can on the seed, because its B5 and K2 break P12 first.
    const std::set<std::string> seed = {
        "M1 acct_cpuset_short", "M1 unused_done",         "M1 unused_no_free_page",
        "M1 unused_frees_keep", "M1 unused_frees_unlock", "M2 gather_more",
        "M3 enqueued"};
    static const std::map<std::string, std::set<std::string>> list = {
        // 2.6.24: M1 as everywhere; M2 ends the op only when gather enqueued every page it
        // allocated, so free >= resv + delta >= delta there. X2 is the spin of
        // return_unused_surplus_pages, which never gets past its own lock (K3).
        // adjust_pool_surplus(+1) failing needs every node's surplus_node >= nr_node while
        // persistent > count: no witness found one, though the branch exists.
        {"v2.6.24",
         {"M1 acct_cpuset_short", "M2 acct_cpuset_short", "M2 gather_more", "R1 mark_fails",
          "R6 mark_fails", "X2"}},
        {"seed", seed},
        // With the same-zone check, a range lies in the zone of the node scanned.
        {"seed-zone-check", with(seed, {"G4 head_elsewhere"})},
        // V4 put_page()s the temporary page with hugetlb_lock held: V5 takes the lock its
        // own actor holds, a self-deadlock (P6), and never runs.
        {"v4.19", with({lists, "R1 loop1_race", "V5"}, per_page)},
        {"v5.4", with({lists, "R1 loop1_race", "R1 count_wraps", "R1 count_clamped"}, per_page)},
        // R6 / RS shrink right after a grow: with the free pages all on other nodes than the
        // RESIZE_NODE's no scenario found it (1,500 random two-node ones neither); kept,
        // since the kernel has the branch.
        {"v6.6",
         with({"R1 loop1_race", "R1 count_wraps", "R1 count_clamped", "R6 collect_no_free_page"},
              collect)},
        {"v6.18",
         with({"R1 loop1_race", "R1 count_wraps", "R1 count_clamped", "RS collect_no_free_page"},
              collect)},
    };
    return list;
}

TEST(CoverageMeta, EveryDeclaredOutcomeIsReached) {
    for (const model::Variant* variant : model::all_variants()) {
        const std::string name = variant->name();
        const Reached mine = embedded(*variant);
        EXPECT_TRUE(mine.problems.empty()) << name << ": " << mine.problems.front();

        Reached all = mine;
        for (const Witness& w : witnesses()) {
            if (w.only && name != w.only) continue;
            model::Scenario sc = test::scenario(w.toml, "witness");
            if (!model::HugetlbModel::missing_features(sc, *variant).empty()) continue;
            Reached one;
            one.add(model::HugetlbModel(std::move(sc), *variant), 0, "witness");
            EXPECT_TRUE(one.problems.empty()) << name << ": " << one.problems.front();
            if (auto it = w.covers.find(name); it != w.covers.end()) {
                for (const std::string& what : it->second)
                    EXPECT_GT(one.count[what], 0u) << name << ": the witness for " << what;
            }
            for (const auto& [what, n] : one.count)
                all.count[what] += n;
            all.applicable.insert(one.applicable.begin(), one.applicable.end());
        }
        EXPECT_EQ(all.missing(all), unreachable().at(name)) << name;

        // What the embedded scenarios miss is exactly what the witnesses are for and what is
        // unreachable: a declared outcome its handler never marks shows up here.
        std::set<std::string> expected = unreachable().at(name);
        for (const Witness& w : witnesses())
            if (auto it = w.covers.find(name); it != w.covers.end())
                expected.insert(it->second.begin(), it->second.end());
        EXPECT_EQ(mine.missing(all), expected) << name;
    }
}

TEST(CoverageMeta, OutcomeNamesAreUniqueAndEveryStepListsEachOnce) {
    std::set<std::string_view> names;
    for (std::size_t k = 0; k < model::kOutcomeCount; ++k)
        EXPECT_TRUE(names.insert(model::outcome_info(static_cast<Outcome>(k)).name).second);
    EXPECT_EQ(model::outcome_info(Outcome::normal_page_freed).name, "normal_page_freed");
    for (const model::Variant* variant : model::all_variants())
        for (const model::StepDef& s : variant->steps())
            EXPECT_LE(s.outcomes.size(), model::kMaxOutcomes);
}

}  // namespace
}  // namespace hugecheck
