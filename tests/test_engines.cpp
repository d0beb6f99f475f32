// The search gives the same answers on every thread count: generated scenarios on every
// variant, explored with 1 and with 3 threads, must agree on the status, the counts, and
// every violation (property, where, state index, trace length), and every trace must
// replay. The pinned counts of test_counts.cpp then hold for all thread counts.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "model/scenario_catalog.hpp"
#include "test_support.hpp"

namespace hugecheck {
namespace {

struct Run {
    explorer::Status status;
    explorer::Stats stats;
    std::vector<explorer::Violation<model::Transition>> violations;
};

Run run(const model::HugetlbModel& m, unsigned threads, bool keep_going) {
    const properties::Checker checker(m, properties::kAllProperties);
    explorer::Options o;
    o.threads = threads;
    o.keep_going = keep_going;
    o.max_states = 300000;
    explorer::BreadthFirstSearch search(m, checker, o);
    Run r{search.run(), search.stats(), search.violations()};
    for (const auto& v : r.violations) {
        const counterexamples::Trace t = counterexamples::build_trace(m, checker, search, v);
        RC_ASSERT(counterexamples::replay(m, checker, t) == std::string());
        RC_ASSERT(t.steps.size() == v.trace_length);
    }
    return r;
}

RC_GTEST_PROP(EngineAgreement, ThreadCountsAgreeOnEveryVariant, ()) {
    const std::string toml = test::random_scenario_toml(true);
    RC_LOG() << toml;
    const model::Scenario sc = model::parse_scenario(toml, "generated.toml", "generated");
    const auto& variants = model::all_variants();
    const model::Variant& v = *variants[*rc::gen::inRange<std::size_t>(0, variants.size())];
    RC_LOG() << "variant " << v.name();
    const model::HugetlbModel m(sc, v);
    const bool keep_going = *rc::gen::arbitrary<bool>();
    const Run one = run(m, 1, keep_going), three = run(m, 3, keep_going);
    // A state budget stops threads wherever they are: only whole searches compare.
    RC_PRE(one.status != explorer::Status::state_limit &&
           three.status != explorer::Status::state_limit);
    RC_ASSERT(one.status == three.status);
    RC_ASSERT(one.stats.states == three.stats.states);
    RC_ASSERT(one.stats.transitions == three.stats.transitions);
    RC_ASSERT(one.stats.depth == three.stats.depth);
    RC_ASSERT(one.violations.size() == three.violations.size());
    for (std::size_t k = 0; k < one.violations.size(); ++k) {
        const auto &a = one.violations[k], &b = three.violations[k];
        RC_ASSERT(a.property == b.property);
        RC_ASSERT(a.where == b.where);
        RC_ASSERT(a.state == b.state);
        RC_ASSERT(a.trace_length == b.trace_length);
        RC_ASSERT(a.label == b.label);
        RC_ASSERT(a.successor == b.successor);
    }
}

// The RM scenarios: counts with 2 threads equal the pinned single-thread ones.
TEST(EngineAgreement, BenchLargeOnTwoThreads) {
    const model::HugetlbModel m(model::load_scenario("bench-large"));
    explorer::Options o;
    o.threads = 2;
    explorer::BreadthFirstSearch search(m, explorer::NoProperties{}, o);
    EXPECT_EQ(search.run(), explorer::Status::complete);
    EXPECT_EQ(search.stats().states, 47445u);
    EXPECT_EQ(search.stats().transitions, 169379u);
}

}  // namespace
}  // namespace hugecheck
