// Preemptions: the count of a trace, the search for the trace with the fewest (checked
// against brute-force enumeration of every path), and context bounding (checked against
// the unbounded search and against that search).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstring>
#include <limits>
#include <set>

#include "counterexamples/preemptions.hpp"
#include "explorer/context_bound.hpp"
#include "explorer/dfs.hpp"
#include "model/scenario_catalog.hpp"
#include "test_support.hpp"

namespace hugecheck {
namespace {

using counterexamples::count_preemptions;
using counterexamples::fewest_preemptions;
using counterexamples::Trace;

const Trace& trace_for(const test::Explored& e, const char* id) {
    for (const Trace& t : e.traces)
        if (properties::kProperties[t.property].id == std::string_view(id)) return t;
    throw std::runtime_error(std::string("no trace of ") + id);
}

TEST(Preemptions, CountsOnlySwitchesAwayFromAnActorThatCouldGoOn) {
    const model::HugetlbModel m(model::load_scenario("surplus-race"));
    const test::Explored e = test::explore(m);
    // P1: A alone. P8: A F1 B1, then B S1 S2 R1: A could go on (B2) when B took over.
    EXPECT_EQ(count_preemptions(m, trace_for(e, "P1")), 0u);
    EXPECT_EQ(count_preemptions(m, trace_for(e, "P8")), 1u);
    // A switch away from an actor that is done is free: the same trace with A's op
    // finished first has no preemption.
    Trace t = trace_for(e, "P8");
    t.steps.erase(t.steps.begin() + 2, t.steps.end());  // A: F1 B1 (A waits at B2)
    EXPECT_EQ(count_preemptions(m, t), 0u);
}

// Every path of at most `max_length` steps, depth first: the fewest preemptions of a path
// that violates the trace's property where it says, and the fewest steps among those.
// nullopt: none, or more than `budget` paths.
struct Best {
    std::size_t preemptions = std::numeric_limits<std::size_t>::max(), length = 0;
};
std::optional<Best> brute_force(const model::HugetlbModel& m, const properties::Checker& checker,
                                std::size_t property, explorer::Where where, std::size_t max_length,
                                std::size_t budget = 3'000'000) {
    const std::size_t bytes = m.state_bytes();
    const properties::PropertySet want = properties::bit(property);
    Best best;
    bool found = false;
    std::size_t visited = 0;
    auto consider = [&](std::size_t p, std::size_t len) {
        if (!found || p < best.preemptions || (p == best.preemptions && len < best.length))
            best = {p, len};
        found = true;
    };
    std::function<bool(const std::vector<std::byte>&, int, std::size_t, std::size_t)> walk =
        [&](const std::vector<std::byte>& s, int last, std::size_t p, std::size_t len) {
            if (++visited > budget) return false;
            auto ctx = m.make_context();
            std::vector<std::pair<model::Transition, std::vector<std::byte>>> succ;
            m.for_each_successor(ctx, s.data(),
                                 [&](const std::byte* n, const model::Transition& t) {
                                     std::vector<std::byte> copy(bytes + model::kPackSlack);
                                     std::memcpy(copy.data(), n, bytes);
                                     succ.emplace_back(t, std::move(copy));
                                 });
            if (succ.empty()) {
                if (where == explorer::Where::deadend &&
                    (checker.deadend_violations(s.data()) & want))
                    consider(p, len);
                return true;
            }
            if (len == max_length) return true;
            bool last_enabled = false;
            for (const auto& [t, n] : succ)
                last_enabled = last_enabled || t.actor == last;
            for (const auto& [t, n] : succ) {
                const std::size_t q = p + (last_enabled && t.actor != last ? 1 : 0);
                const bool violates =
                    where == explorer::Where::state
                        ? (checker.state_violations(n.data()) & want) != 0
                        : where == explorer::Where::transition &&
                              (checker.transition_violations(s.data(), n.data(), t) & want) != 0;
                if (violates) {
                    consider(q, len + 1);
                    continue;
                }
                if (!walk(n, t.actor, q, len + 1)) return false;
            }
            return true;
        };
    std::vector<std::byte> initial(bytes + model::kPackSlack);
    m.initial_state(initial.data());
    if (!walk(initial, -1, 0, 0)) return std::nullopt;
    if (!found) return std::nullopt;
    return best;
}

// The fewest-preemption trace of every violated property equals brute force's optimum,
// replays, and is as short as the search's shortest trace.
void expect_optimal(const model::HugetlbModel& m, std::size_t extra_length = 0) {
    const test::Explored e = test::explore(m);
    ASSERT_FALSE(e.traces.empty());
    const properties::Checker checker(m, properties::kAllProperties);
    for (const Trace& shortest : e.traces) {
        SCOPED_TRACE(std::string(properties::kProperties[shortest.property].id));
        const std::size_t bound = shortest.steps.size() + extra_length;
        const auto oracle = brute_force(m, checker, shortest.property, shortest.where, bound);
        ASSERT_TRUE(oracle.has_value()) << "brute force ran out of budget";
        const auto fewest =
            fewest_preemptions(m, checker, shortest.property, shortest.where, bound);
        ASSERT_TRUE(fewest.trace.has_value());
        EXPECT_EQ(count_preemptions(m, *fewest.trace), oracle->preemptions);
        EXPECT_EQ(fewest.trace->steps.size(), oracle->length);
        EXPECT_LE(count_preemptions(m, *fewest.trace), count_preemptions(m, shortest));
        if (extra_length == 0) {
            EXPECT_EQ(fewest.trace->steps.size(), shortest.steps.size());
        }
        EXPECT_EQ(counterexamples::replay(m, checker, *fewest.trace), "");
    }
}

TEST(Preemptions, FewestAmongTheShortestIsOptimal) {
    for (const char* variant : {"seed", "v4.19", "v5.4", "v6.6"}) {
        SCOPED_TRACE(variant);
        expect_optimal(model::HugetlbModel(model::load_scenario("surplus-race"), variant));
    }
    expect_optimal(
        model::HugetlbModel(model::load_scenario("history/b13-nr-surplus-split"), "v4.19"));
    expect_optimal(
        model::HugetlbModel(model::load_scenario("history/hc1-temporary-folio-window"), "v5.4"));
}

TEST(Preemptions, LongerTracesCanHaveFewer) {
    // surplus-race on v4.19: the shortest P8 trace (9 steps) needs one preemption, none
    // do in up to 3 more steps... brute force decides; the search must agree with it.
    expect_optimal(model::HugetlbModel(model::load_scenario("surplus-race"), "v4.19"), 3);
    expect_optimal(model::HugetlbModel(model::load_scenario("sysctl-race"), "seed"), 2);
}

TEST(Preemptions, TheSearchImprovesOnTheBreadthFirstTrace) {
    // bench-small on v6.18: the first shortest P2 trace switches 5 times; 3 suffice.
    const model::HugetlbModel m(model::load_scenario("bench-small"), "v6.18");
    const test::Explored e = test::explore(m);
    const Trace& first = trace_for(e, "P2");
    const properties::Checker checker(m, properties::kAllProperties);
    const auto fewest =
        fewest_preemptions(m, checker, first.property, first.where, first.steps.size());
    ASSERT_TRUE(fewest.trace.has_value());
    EXPECT_EQ(first.steps.size(), 19u);
    EXPECT_EQ(count_preemptions(m, first), 5u);
    EXPECT_EQ(count_preemptions(m, *fewest.trace), 3u);
    EXPECT_EQ(fewest.trace->steps.size(), 19u);
}

TEST(Preemptions, GivesUpAtItsBudget) {
    const model::HugetlbModel m(model::load_scenario("bench-small"), "v6.18");
    const properties::Checker checker(m, properties::kAllProperties);
    const auto r = fewest_preemptions(m, checker, 1, explorer::Where::state, 19, 50);
    EXPECT_TRUE(r.budget_exhausted);
    EXPECT_FALSE(r.trace.has_value());
}

// --- context bounding -------------------------------------------------------------------

struct Bounded {
    explorer::Status status = explorer::Status::complete;
    properties::PropertySet violated = 0;
    std::set<std::string> model_states;  // the states without the two bytes
    std::vector<Trace> traces;
};

Bounded bounded_search(const model::HugetlbModel& m, unsigned bound) {
    const properties::Checker checker(m, properties::kAllProperties);
    const explorer::ContextBound sys(m, bound);
    explorer::Options o;
    o.keep_going = true;
    explorer::BreadthFirstSearch search(sys, checker, o);
    Bounded out;
    out.status = search.run();
    out.violated = search.violated();
    for (explorer::StateIndex i = 0; i < search.stats().states; ++i) {
        const std::vector<std::byte> s = search.state_copy(i);
        out.model_states.emplace(reinterpret_cast<const char*>(s.data()), m.state_bytes());
    }
    for (const auto& v : search.violations())
        out.traces.push_back(counterexamples::build_trace(m, checker, search, v));
    return out;
}

TEST(ContextBound, AHighBoundReachesEveryStateOfTheModel) {
    for (const char* name : {"surplus-race", "sysctl-race", "bench-small"}) {
        SCOPED_TRACE(name);
        const model::HugetlbModel m(model::load_scenario(name));
        const test::Explored full = test::explore(m);
        const Bounded b = bounded_search(m, 254);
        EXPECT_EQ(b.status, explorer::Status::complete);
        EXPECT_EQ(b.model_states.size(), full.stats.states);
        properties::PropertySet full_violated = 0;
        for (const Trace& t : full.traces)
            full_violated |= properties::bit(t.property);
        EXPECT_EQ(b.violated, full_violated);
    }
}

TEST(ContextBound, ZeroPreemptionsRunsTheActorsOneAfterAnother) {
    const model::HugetlbModel m(model::load_scenario("surplus-race"));
    const Bounded b = bounded_search(m, 0);
    // P1 needs no switch (the fault's own window), P8 needs the resize in the middle of
    // the fault.
    EXPECT_EQ(b.violated, properties::bit(0));
    EXPECT_LT(b.model_states.size(), test::explore(m).stats.states);
}

// The least bound at which a property breaks is the fewest preemptions of any trace that
// breaks it: two independent searches must agree, and every trace keeps its bound.
void expect_bounds_agree(const model::HugetlbModel& m) {
    const test::Explored full = test::explore(m);
    const properties::Checker checker(m, properties::kAllProperties);
    std::vector<Bounded> by_bound;
    for (unsigned k = 0; k <= 4; ++k)
        by_bound.push_back(bounded_search(m, k));
    for (unsigned k = 0; k + 1 < by_bound.size(); ++k)
        EXPECT_EQ(by_bound[k].violated & ~by_bound[k + 1].violated, 0u) << "monotone in K";
    for (unsigned k = 0; k < by_bound.size(); ++k)
        for (const Trace& t : by_bound[k].traces) {
            EXPECT_LE(count_preemptions(m, t), k);
            EXPECT_EQ(counterexamples::replay(m, checker, t), "");
        }
    for (const Trace& t : full.traces) {
        SCOPED_TRACE(std::string(properties::kProperties[t.property].id));
        const auto fewest = fewest_preemptions(m, checker, t.property, t.where, 10000);
        ASSERT_TRUE(fewest.trace.has_value());
        const std::size_t least = count_preemptions(m, *fewest.trace);
        for (unsigned k = 0; k < by_bound.size(); ++k)
            EXPECT_EQ((by_bound[k].violated & properties::bit(t.property)) != 0, k >= least)
                << "bound " << k << ", fewest preemptions " << least;
    }
}

TEST(ContextBound, TheLeastBoundIsTheFewestPreemptions) {
    expect_bounds_agree(model::HugetlbModel(model::load_scenario("bench-small"), "v6.18"));
    expect_bounds_agree(
        model::HugetlbModel(model::load_scenario("history/hc1-temporary-folio-window"), "v6.6"));
    expect_bounds_agree(model::HugetlbModel(model::load_scenario("sysctl-race"), "seed"));
}

TEST(ContextBound, DepthFirstAgreesWithBreadthFirst) {
    const model::HugetlbModel m(model::load_scenario("bench-small"), "v5.4");
    const properties::Checker checker(m, properties::kAllProperties);
    for (unsigned k = 0; k <= 2; ++k) {
        const explorer::ContextBound sys(m, k);
        explorer::Options o;
        o.keep_going = true;
        explorer::BreadthFirstSearch bfs(sys, checker, o);
        explorer::DepthFirstSearch dfs(sys, checker, o);
        EXPECT_EQ(bfs.run(), explorer::Status::complete);
        EXPECT_EQ(dfs.run(), explorer::Status::complete);
        EXPECT_EQ(bfs.violated(), dfs.violated());
        EXPECT_EQ(bfs.stats().states, dfs.stats().states);
    }
}

RC_GTEST_PROP(Preemptions, GeneratedScenariosAgreeWithBruteForce, ()) {
    const model::Scenario sc = test::scenario(test::random_scenario_toml(false), "generated");
    const auto& variants = model::all_variants();
    const model::Variant& v = *variants[*rc::gen::inRange<std::size_t>(0, variants.size())];
    RC_LOG() << "variant " << v.name();
    const model::HugetlbModel m(sc, v);
    const properties::Checker checker(m, properties::kAllProperties);
    explorer::Options o;
    o.keep_going = true;
    o.max_states = 20000;
    explorer::BreadthFirstSearch search(m, checker, o);
    RC_PRE(search.run() == explorer::Status::complete);
    for (const auto& viol : search.violations()) {
        if (viol.trace_length > 12) continue;
        const Trace shortest = counterexamples::build_trace(m, checker, search, viol);
        const auto oracle =
            brute_force(m, checker, viol.property, viol.where, viol.trace_length, 200'000);
        if (!oracle) continue;  // too many paths to enumerate
        const auto fewest =
            fewest_preemptions(m, checker, viol.property, viol.where, viol.trace_length);
        RC_ASSERT(fewest.trace.has_value());
        RC_ASSERT(count_preemptions(m, *fewest.trace) == oracle->preemptions);
        RC_ASSERT(fewest.trace->steps.size() == shortest.steps.size());
        RC_ASSERT(counterexamples::replay(m, checker, *fewest.trace).empty());
    }
}

}  // namespace
}  // namespace hugecheck
