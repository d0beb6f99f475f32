// The search gives the same answers on every thread count: generated scenarios on every
// variant, explored with 1 and with 3 threads, must agree on the status, the counts, and
// every violation (property, where, state index, trace length), and every trace must
// replay. The pinned counts of test_counts.cpp then hold for all thread counts. Hash
// compaction must agree with the exact search on counts, verdicts and lengths, tree
// compression on everything.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstring>
#include <map>

#include "explorer/dfs.hpp"
#include "model/scenario_catalog.hpp"
#include "test_support.hpp"

namespace hugecheck {
namespace {

struct Run {
    explorer::Status status;
    explorer::Stats stats;
    std::vector<explorer::Violation<model::Transition>> violations;
};

Run run(const model::HugetlbModel& m, unsigned threads, bool keep_going,
        std::uint64_t commit_pending = std::uint64_t{1} << 20) {
    const properties::Checker checker(m, properties::kAllProperties);
    explorer::Options o;
    o.threads = threads;
    o.commit_pending = commit_pending;
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

// A generated scenario (logged, shown if the property fails).
model::Scenario generated() {
    const std::string toml = test::random_scenario_toml(true);
    RC_LOG() << toml;
    return model::parse_scenario(toml, "generated.toml", "generated");
}

// Keep going, within a bound that generated scenarios rarely reach.
explorer::Options reference_options() {
    explorer::Options o;
    o.keep_going = true;
    o.max_states = 300000;
    return o;
}

RC_GTEST_PROP(EngineAgreement, ThreadCountsAgreeOnEveryVariant, ()) {
    const model::Scenario sc = generated();
    const model::Variant& v = test::any_variant_for(sc);
    RC_LOG() << "variant " << v.name();
    const model::HugetlbModel m(sc, v);
    const bool keep_going = *rc::gen::arbitrary<bool>();
    // Levels committed in rounds of a few states, or at their end: the same numbering.
    const std::uint64_t commit_pending =
        *rc::gen::element<std::uint64_t>(std::uint64_t{1} << 20, 7, 100);
    const Run one = run(m, 1, keep_going), three = run(m, 3, keep_going, commit_pending);
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

RC_GTEST_PROP(EngineAgreement, HashCompactionAgreesWithTheExactSearch, ()) {
    const model::HugetlbModel m(generated(), "seed");
    const properties::Checker checker(m, properties::kAllProperties);
    explorer::Options o = reference_options();
    explorer::BreadthFirstSearch exact(m, checker, o);
    RC_PRE(exact.run() == explorer::Status::complete);
    o.hash_compaction = true;
    o.threads = *rc::gen::inRange(1u, 4u);
    explorer::BreadthFirstSearch compact(m, checker, o);
    RC_ASSERT(compact.run() == explorer::Status::complete);
    RC_ASSERT(compact.stats().states == exact.stats().states);
    RC_ASSERT(compact.stats().transitions == exact.stats().transitions);
    RC_ASSERT(compact.violated() == exact.violated());
    for (std::size_t k = 0; k < exact.violations().size(); ++k)
        RC_ASSERT(compact.violations()[k].trace_length == exact.violations()[k].trace_length);
}

// Depth-first search reaches the same states and finds the same properties violated (with
// keep-going), each with a trace that replays and is no shorter than the shortest.
RC_GTEST_PROP(EngineAgreement, DepthFirstAgreesWithBreadthFirst, ()) {
    const model::HugetlbModel m(generated(), "seed");
    const properties::Checker checker(m, properties::kAllProperties);
    explorer::Options o = reference_options();
    explorer::BreadthFirstSearch bfs(m, checker, o);
    RC_PRE(bfs.run() == explorer::Status::complete);
    o.hash_compaction = *rc::gen::arbitrary<bool>();
    explorer::DepthFirstSearch dfs(m, checker, o);
    RC_ASSERT(dfs.run() == explorer::Status::complete);
    RC_ASSERT(dfs.stats().states == bfs.stats().states);
    RC_ASSERT(dfs.stats().transitions == bfs.stats().transitions);
    RC_ASSERT(dfs.violated() == bfs.violated());
    std::map<unsigned, std::uint32_t> shortest;
    for (const auto& v : bfs.violations())
        shortest[v.property] = v.trace_length;
    for (std::size_t k = 0; k < dfs.violations().size(); ++k) {
        const auto& v = dfs.violations()[k];
        RC_ASSERT(v.trace_length >= shortest[v.property]);
        std::vector<const std::byte*> path;
        for (const auto& state : dfs.path(k))
            path.push_back(state.data());
        const counterexamples::Trace t = counterexamples::trace_from_path(m, checker, path, v);
        RC_ASSERT(t.steps.size() == v.trace_length);
        RC_ASSERT(counterexamples::replay(m, checker, t) == std::string());
    }
}

TEST(DepthFirst, CountsTheBenchScenarios) {
    for (const char* name : {"surplus-race", "sysctl-race", "bench-medium", "bench-large"}) {
        const model::HugetlbModel m(model::load_scenario(name));
        explorer::BreadthFirstSearch bfs(m, explorer::NoProperties{}, explorer::Options{});
        bfs.run();
        explorer::DepthFirstSearch dfs(m, explorer::NoProperties{}, explorer::Options{});
        EXPECT_EQ(dfs.run(), explorer::Status::complete);
        EXPECT_EQ(dfs.stats().states, bfs.stats().states) << name;
        EXPECT_EQ(dfs.stats().transitions, bfs.stats().transitions) << name;
    }
}

// Hash compaction finds the same states (no fingerprint collides on these sizes: the
// probability it prints is below 1e-8) and the same shortest violation lengths, keeps no
// traces, and holds only the levels still to expand.
TEST(HashCompaction, SameCountsAndLengthsAsTheExactSearch) {
    for (const char* name : {"surplus-race", "bench-small", "bench-large"}) {
        const model::HugetlbModel m(model::load_scenario(name));
        const properties::Checker checker(m, properties::kAllProperties);
        explorer::Options exact_options;
        exact_options.keep_going = true;
        explorer::BreadthFirstSearch exact(m, checker, exact_options);
        exact.run();
        for (unsigned threads : {1u, 2u}) {
            explorer::Options o = exact_options;
            o.hash_compaction = true;
            o.threads = threads;
            explorer::BreadthFirstSearch compact(m, checker, o);
            EXPECT_EQ(compact.run(), explorer::Status::complete) << name;
            EXPECT_FALSE(compact.keeps_traces());
            EXPECT_EQ(compact.stats().states, exact.stats().states) << name;
            EXPECT_EQ(compact.stats().transitions, exact.stats().transitions) << name;
            EXPECT_EQ(compact.stats().depth, exact.stats().depth) << name;
            EXPECT_EQ(compact.violated(), exact.violated()) << name;
            ASSERT_EQ(compact.violations().size(), exact.violations().size());
            for (std::size_t k = 0; k < exact.violations().size(); ++k) {
                EXPECT_EQ(compact.violations()[k].property, exact.violations()[k].property);
                EXPECT_EQ(compact.violations()[k].trace_length, exact.violations()[k].trace_length);
            }
            EXPECT_LT(compact.omission_probability(), 1e-8);
            EXPECT_GT(compact.omission_probability(), 0);
        }
    }
}

TEST(HashCompaction, DropsExpandedLevels) {
    const model::HugetlbModel m(model::load_scenario("bench-large"));
    explorer::Options o;
    o.hash_compaction = true;
    explorer::BreadthFirstSearch compact(m, explorer::NoProperties{}, o);
    compact.run();
    explorer::BreadthFirstSearch exact(m, explorer::NoProperties{}, explorer::Options{});
    exact.run();
    // The store keeps at most the last levels; the exact one keeps every state.
    EXPECT_LT(compact.store().memory_bytes() * 3, exact.store().memory_bytes());
    EXPECT_LT(compact.stats().bytes_per_state(), exact.stats().bytes_per_state() / 2);
}

// Options::max_depth expands no deeper level, and says so.
TEST(DepthLimit, StopsBelowTheDepthAndKeepsShorterViolations) {
    const model::HugetlbModel m(model::load_scenario("bench-large"));
    const properties::Checker checker(m, properties::kAllProperties);
    explorer::Options o;
    o.keep_going = true;
    o.max_depth = 3;
    explorer::BreadthFirstSearch search(m, checker, o);
    EXPECT_EQ(search.run(), explorer::Status::depth_limit);
    EXPECT_EQ(search.stats().depth, 4u);  // level 4 is found (and checked), not expanded
    for (const auto& v : search.violations())
        EXPECT_LE(v.trace_length, 4u);
}

// Tree compression (--compress) against the plain store, on generated scenarios, every
// variant and 1 to 3 threads: the same status, counts and depth, every state at the same
// index, every violation at the same state, and traces equal step by step (the tree's
// rebuilt backwards, without parents).
RC_GTEST_PROP(EngineAgreement, TreeCompressionAgreesWithThePlainStore, ()) {
    const model::Scenario sc = generated();
    const model::Variant& v = test::any_variant_for(sc);
    RC_LOG() << "variant " << v.name();
    const model::HugetlbModel m(sc, v);
    const properties::Checker checker(m, properties::kAllProperties);
    explorer::Options o = reference_options();
    o.keep_going = *rc::gen::arbitrary<bool>();
    explorer::BreadthFirstSearch plain(m, checker, o);
    const explorer::Status status = plain.run();
    RC_PRE(status != explorer::Status::state_limit);
    o.tree_compression = true;
    o.threads = *rc::gen::inRange(1u, 4u);
    o.commit_pending = *rc::gen::element<std::uint64_t>(std::uint64_t{1} << 20, 5, 60);
    RC_LOG() << o.threads << " threads, keep going " << o.keep_going << ", commit_pending "
             << o.commit_pending;
    explorer::BreadthFirstSearch tree(m, checker, o);
    RC_ASSERT(tree.run() == status);
    RC_ASSERT(tree.stats().states == plain.stats().states);
    RC_ASSERT(tree.stats().transitions == plain.stats().transitions);
    RC_ASSERT(tree.stats().depth == plain.stats().depth);
    for (explorer::StateIndex i = 0; i < plain.store().size(); ++i)
        RC_ASSERT(std::memcmp(tree.state_copy(i).data(), plain.store().state(i), m.state_bytes()) ==
                  0);
    RC_ASSERT(tree.violations().size() == plain.violations().size());
    for (std::size_t k = 0; k < plain.violations().size(); ++k) {
        const auto &a = tree.violations()[k], &b = plain.violations()[k];
        RC_ASSERT(a.property == b.property);
        RC_ASSERT(a.where == b.where);
        RC_ASSERT(a.state == b.state);
        RC_ASSERT(a.trace_length == b.trace_length);
        RC_ASSERT(a.label == b.label);
        RC_ASSERT(a.successor == b.successor);
        const counterexamples::Trace x = counterexamples::build_trace(m, checker, tree, a);
        const counterexamples::Trace y = counterexamples::build_trace(m, checker, plain, b);
        RC_ASSERT(x.initial == y.initial);
        RC_ASSERT(x.steps.size() == y.steps.size());
        for (std::size_t step = 0; step < x.steps.size(); ++step) {
            RC_ASSERT(x.steps[step].transition == y.steps[step].transition);
            RC_ASSERT(x.steps[step].before == y.steps[step].before);
            RC_ASSERT(x.steps[step].after == y.steps[step].after);
        }
        RC_ASSERT(x.violation == y.violation);
        RC_ASSERT(counterexamples::replay(m, checker, x) == std::string());
    }
}

// An RM scenario: the pinned counts on one and two threads; on one thread (no table for
// a level's new states, which is sized for a thread's blocks in flight) in well under half
// the bytes per state of the plain store.
TEST(TreeCompression, BenchLargeOnOneAndTwoThreads) {
    const model::HugetlbModel m(model::load_scenario("bench-large"));
    explorer::BreadthFirstSearch exact(m, explorer::NoProperties{}, explorer::Options{});
    exact.run();
    for (unsigned threads : {1u, 2u}) {
        explorer::Options o;
        o.threads = threads;
        o.tree_compression = true;
        explorer::BreadthFirstSearch tree(m, explorer::NoProperties{}, o);
        EXPECT_EQ(tree.run(), explorer::Status::complete);
        EXPECT_EQ(tree.stats().states, 47445u);
        EXPECT_EQ(tree.stats().transitions, 169379u);
        EXPECT_GT(tree.stats().tree_nodes, tree.stats().tree_leaves);
        if (threads == 1) {
            EXPECT_LT(tree.stats().bytes_per_state(), exact.stats().bytes_per_state() / 2);
        }
    }
}
}  // namespace
}  // namespace hugecheck
