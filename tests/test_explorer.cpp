// The explorer on toy transition systems that know nothing of hugetlb: counts, levels,
// shortest traces, dead ends, budgets. The counts are derived in the comments.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstring>

#include "explorer/bfs.hpp"

namespace hugecheck::explorer {
namespace {

// A K x K grid: a state is (x, y) in one byte each; a step increments x or y (label 0 or
// 1) below K. Reachable: (K+1)^2 states; (x, y) has one edge per coordinate below K, so
// 2 * K * (K+1) edges; the deepest state (K, K) is at depth 2K and is the only dead end.
struct Grid {
    struct Label {
        std::uint8_t axis;
    };
    struct Context {};
    int k;

    std::size_t state_bytes() const { return 2; }
    Context make_context() const { return {}; }
    void initial_state(std::byte* out) const { out[0] = out[1] = std::byte{0}; }
    template <class Sink>
    void for_each_successor(Context&, const std::byte* s, Sink&& sink) const {
        std::byte next[2 + kStateSlack] = {};
        for (std::uint8_t axis = 0; axis < 2; ++axis) {
            if (static_cast<int>(s[axis]) >= k) continue;
            next[0] = s[0];
            next[1] = s[1];
            next[axis] = static_cast<std::byte>(static_cast<int>(s[axis]) + 1);
            sink(static_cast<const std::byte*>(next), Label{axis});
        }
    }
};
static_assert(TransitionSystem<Grid>);

// Properties of the grid: 0 = "x + y != target" on states, 1 = "no step on the y axis
// from a state with x == 2" on edges, 2 = deadlock.
struct GridProperties {
    int target;
    PropertyMask mask = 7;
    PropertyMask selected() const { return mask; }
    PropertyMask state_violations(const std::byte* s) const {
        return (mask & 1) && static_cast<int>(s[0]) + static_cast<int>(s[1]) == target ? 1 : 0;
    }
    PropertyMask transition_violations(const std::byte* from, const std::byte*,
                                       const Grid::Label& l) const {
        return (mask & 2) && l.axis == 1 && static_cast<int>(from[0]) == 2 ? 2 : 0;
    }
    PropertyMask deadend_violations(const std::byte*) const { return mask & 4; }
};
static_assert(PropertyHooks<GridProperties, Grid::Label>);

TEST(Explorer, CountsEveryStateAndEdgeOfTheGrid) {
    const Grid g{5};
    BreadthFirstSearch search(g, NoProperties{}, Options{});
    EXPECT_EQ(search.run(), Status::complete);
    EXPECT_EQ(search.stats().states, 36u);       // 6 * 6
    EXPECT_EQ(search.stats().transitions, 60u);  // 2 * 5 * 6
    EXPECT_EQ(search.stats().depth, 10u);        // (5, 5)
    EXPECT_EQ(search.stats().expanded, 36u);
    EXPECT_GT(search.stats().storage_bytes, 36u * 2);
}

TEST(Explorer, StoresStatesInLevelOrder) {
    const Grid g{3};
    BreadthFirstSearch search(g, NoProperties{}, Options{});
    search.run();
    // Level d holds the states with x + y == d, and parents point one level up.
    for (StateIndex i = 0; i < search.store().size(); ++i) {
        const std::byte* s = search.store().state(i);
        const std::uint32_t d = static_cast<std::uint32_t>(s[0]) + static_cast<std::uint32_t>(s[1]);
        EXPECT_EQ(search.depth_of(i), d);
        if (i > 0) {
            EXPECT_EQ(search.depth_of(search.store().parent(i)) + 1, d);
        }
    }
}

TEST(Explorer, FindsAShortestTraceAndStopsThere) {
    const Grid g{6};
    const GridProperties props{4, 1};
    BreadthFirstSearch search(g, props, Options{});
    EXPECT_EQ(search.run(), Status::stopped_at_violation);
    ASSERT_EQ(search.violations().size(), 1u);
    const auto& v = search.violations()[0];
    EXPECT_EQ(v.where, Where::state);
    EXPECT_EQ(v.trace_length, 4u);
    const std::vector<StateIndex> path = search.path_to(v.state);
    ASSERT_EQ(path.size(), 5u);
    EXPECT_EQ(path.front(), 0u);
    const std::byte* last = search.store().state(path.back());
    EXPECT_EQ(static_cast<int>(last[0]) + static_cast<int>(last[1]), 4);
    // Stopped early: not every state was stored.
    EXPECT_LT(search.stats().states, 49u);
}

TEST(Explorer, KeepGoingRecordsOneShortestViolationPerProperty) {
    const Grid g{4};
    Options o;
    o.keep_going = true;
    BreadthFirstSearch search(g, GridProperties{3}, o);
    EXPECT_EQ(search.run(), Status::complete);
    EXPECT_EQ(search.stats().states, 25u);
    ASSERT_EQ(search.violations().size(), 3u);
    EXPECT_EQ(search.violated(), 7u);
    for (const auto& v : search.violations()) {
        switch (v.property) {
            case 0: EXPECT_EQ(v.trace_length, 3u); break;
            case 1:  // first y-step from x == 2: from (2, 0), at depth 2
                EXPECT_EQ(v.where, Where::transition);
                EXPECT_EQ(v.trace_length, 3u);
                EXPECT_EQ(v.label.axis, 1);
                EXPECT_EQ(static_cast<int>(v.successor[0]), 2);
                EXPECT_EQ(static_cast<int>(v.successor[1]), 1);
                EXPECT_EQ(v.successor.size(), 2 + kStateSlack);
                break;
            case 2:  // the dead end (4, 4)
                EXPECT_EQ(v.where, Where::deadend);
                EXPECT_EQ(v.trace_length, 8u);
                break;
            default: ADD_FAILURE() << "unexpected property " << v.property;
        }
    }
}

TEST(Explorer, InitialStateViolationHasAnEmptyTrace) {
    const Grid g{2};
    BreadthFirstSearch search(g, GridProperties{0, 1}, Options{});
    EXPECT_EQ(search.run(), Status::stopped_at_violation);
    ASSERT_EQ(search.violations().size(), 1u);
    EXPECT_EQ(search.violations()[0].trace_length, 0u);
    EXPECT_EQ(search.path_to(search.violations()[0].state).size(), 1u);
}

TEST(Explorer, StateBudgetStopsAsIncomplete) {
    const Grid g{50};
    Options o;
    o.max_states = 100;
    BreadthFirstSearch search(g, NoProperties{}, o);
    EXPECT_EQ(search.run(), Status::state_limit);
    EXPECT_GE(search.stats().states, 100u);
    EXPECT_LE(search.stats().states, 102u);  // at most one expansion's successors more
}

TEST(Explorer, MemoryBudgetStopsAsIncomplete) {
    const Grid g{200};  // 40401 states
    Options o;
    o.max_memory_bytes = 64 * 1024;
    BreadthFirstSearch search(g, NoProperties{}, o);
    EXPECT_EQ(search.run(), Status::memory_limit);
    EXPECT_LT(search.stats().states, 40401u);
    EXPECT_LE(search.stats().storage_bytes, 64u * 1024);
}

TEST(Explorer, TimeBudgetStopsAsIncomplete) {
    const Grid g{200};
    Options o;
    o.time_limit_seconds = 1e-9;  // checked every 1024 expansions
    BreadthFirstSearch search(g, NoProperties{}, o);
    EXPECT_EQ(search.run(), Status::time_limit);
    EXPECT_EQ(search.stats().expanded, 1024u);
}

TEST(Explorer, InterruptStopsAfterTheCurrentState) {
    const Grid g{10};
    std::atomic<bool> stop{true};
    Options o;
    o.interrupt = &stop;
    BreadthFirstSearch search(g, NoProperties{}, o);
    EXPECT_EQ(search.run(), Status::interrupted);
    EXPECT_EQ(search.stats().expanded, 1u);
    EXPECT_EQ(search.stats().states, 3u);  // (0,0) and its two successors
}

// Two edges from the initial state to the same state: both are transitions, one state.
struct Diamond {
    struct Label {
        int choice;
    };
    struct Context {};
    std::size_t state_bytes() const { return 1; }
    Context make_context() const { return {}; }
    void initial_state(std::byte* out) const { out[0] = std::byte{0}; }
    template <class Sink>
    void for_each_successor(Context&, const std::byte* s, Sink&& sink) const {
        std::byte next[1 + kStateSlack] = {std::byte{1}};
        if (s[0] == std::byte{0})
            for (int c = 0; c < 2; ++c)
                sink(static_cast<const std::byte*>(next), Label{c});
    }
};

TEST(Explorer, CountsParallelEdgesAsTransitions) {
    const Diamond d;
    BreadthFirstSearch search(d, NoProperties{}, Options{});
    EXPECT_EQ(search.run(), Status::complete);
    EXPECT_EQ(search.stats().states, 2u);
    EXPECT_EQ(search.stats().transitions, 2u);
    EXPECT_EQ(search.stats().depth, 1u);
}

TEST(VisitedSet, GrowsWithoutLosingStates) {
    StateStore store(4);
    VisitedSet set(store, 1);
    auto append = [&](const std::byte* s) { return store.append(s, kNoParent); };
    // 2^17 slots at first: 300 000 states make it grow twice.
    for (int round = 0; round < 2; ++round)
        for (std::uint32_t i = 0; i < 300000; ++i) {
            std::byte s[4 + kStateSlack] = {};
            std::memcpy(s, &i, 4);
            StateIndex index = kNoParent;
            const auto outcome = set.insert_settled(s, hash_state(s, 4), append, index);
            EXPECT_EQ(outcome,
                      round == 0 ? VisitedSet::Outcome::added : VisitedSet::Outcome::known);
            EXPECT_EQ(index, i);
        }
    EXPECT_EQ(store.size(), 300000u);
    EXPECT_GE(set.table_bytes(), 300000u * 8 * 4 / 3);
}

// Pending states: found again they keep the smallest discovery key; growing between
// rounds keeps them; settling turns them into store indices that are found afterwards.
TEST(VisitedSet, PendingStatesKeepTheirFirstKeyThroughGrowthAndSettle) {
    StateStore store(4);
    VisitedSet set(store, 2);
    const std::uint32_t n = 200000;
    auto state = [](std::uint32_t i) {
        std::array<std::byte, 4 + kStateSlack> s{};
        std::memcpy(s.data(), &i, 4);
        return s;
    };
    for (std::uint32_t i = 0; i < n; ++i) {
        if (set.wants_growth(1)) set.grow(1);
        const auto s = state(i);
        EXPECT_EQ(set.insert_pending(i % 2, s.data(), hash_state(s.data(), 4), 1000 + i),
                  VisitedSet::Outcome::added);
    }
    for (std::uint32_t i = 0; i < n; ++i) {  // found again with a smaller key, then a larger
        const auto s = state(i);
        EXPECT_EQ(set.insert_pending(1, s.data(), hash_state(s.data(), 4), i),
                  VisitedSet::Outcome::pending_again);
        EXPECT_EQ(set.insert_pending(0, s.data(), hash_state(s.data(), 4), 5000000 + i),
                  VisitedSet::Outcome::pending_again);
    }
    EXPECT_EQ(set.pending_count(), n);
    store.extend(n);
    for (unsigned t = 0; t < 2; ++t)
        for (std::uint64_t p = 0; p < set.pending_size(t); ++p) {
            const VisitedSet::DiscoveryKey key = set.pending_key(t, p);
            std::uint32_t value = 0;
            std::memcpy(&value, set.pending_state(t, p), 4);
            EXPECT_EQ(key, value);
            store.put(static_cast<StateIndex>(key), set.pending_state(t, p), kNoParent);
            set.settle(t, p, static_cast<StateIndex>(key));
        }
    set.clear_pending();
    EXPECT_EQ(set.used(), n);
    StateIndex index = kNoParent;
    for (std::uint32_t i = 0; i < n; i += 997) {
        const auto s = state(i);
        EXPECT_EQ(set.insert_settled(
                      s.data(), hash_state(s.data(), 4),
                      [](const std::byte*) { return StateIndex{0}; }, index),
                  VisitedSet::Outcome::known);
        EXPECT_EQ(index, i);
    }
}

// A system with a wide, deep, heavily re-converging state space: the state is a 32-bit
// value v < limit; successors are v * 3 % limit, v + 1, v + 7, v ^ 5 (mod limit). Used to
// hold every thread count to the sequential search's numbering.
struct Mixer {
    struct Label {
        std::uint8_t rule;
    };
    struct Context {};
    std::uint32_t limit;
    std::size_t state_bytes() const { return 4; }
    Context make_context() const { return {}; }
    void initial_state(std::byte* out) const { std::memset(out, 0, 4); }
    template <class Sink>
    void for_each_successor(Context&, const std::byte* s, Sink&& sink) const {
        std::uint32_t v = 0;
        std::memcpy(&v, s, 4);
        const std::uint32_t next[4] = {
            static_cast<std::uint32_t>((std::uint64_t{v} * 3 + 1) % limit), (v + 1) % limit,
            (v + 7) % limit, (v ^ 5) % limit};
        for (std::uint8_t r = 0; r < 4; ++r) {
            std::byte out[4 + kStateSlack] = {};
            std::memcpy(out, &next[r], 4);
            sink(static_cast<const std::byte*>(out), Label{r});
        }
    }
};

struct MixerProperties {  // 0: v != bad (state); 1: no rule 3 from a multiple of 1000
    std::uint32_t bad;
    PropertyMask selected() const { return 3; }
    PropertyMask state_violations(const std::byte* s) const {
        std::uint32_t v = 0;
        std::memcpy(&v, s, 4);
        return v == bad ? 1 : 0;
    }
    PropertyMask transition_violations(const std::byte* from, const std::byte*,
                                       const Mixer::Label& l) const {
        std::uint32_t v = 0;
        std::memcpy(&v, from, 4);
        return l.rule == 3 && v % 1000 == 999 ? 2 : 0;
    }
    PropertyMask deadend_violations(const std::byte*) const { return 0; }
};

TEST(Explorer, EveryThreadCountNumbersStatesAsTheSequentialSearch) {
    const Mixer m{300000};
    Options one;
    BreadthFirstSearch reference(m, NoProperties{}, one);
    ASSERT_EQ(reference.run(), Status::complete);
    EXPECT_EQ(reference.stats().states, 300000u);
    for (unsigned threads : {2u, 3u, 8u}) {
        Options o;
        o.threads = threads;
        BreadthFirstSearch search(m, NoProperties{}, o);
        ASSERT_EQ(search.run(), Status::complete);
        EXPECT_EQ(search.stats().states, reference.stats().states);
        EXPECT_EQ(search.stats().transitions, reference.stats().transitions);
        EXPECT_EQ(search.stats().depth, reference.stats().depth);
        for (StateIndex i = 0; i < search.store().size(); ++i) {
            ASSERT_EQ(std::memcmp(search.store().state(i), reference.store().state(i), 4), 0)
                << threads << " threads, state " << i;
            ASSERT_EQ(search.store().parent(i), reference.store().parent(i));
        }
    }
}

TEST(Explorer, EveryThreadCountReportsTheSameViolations) {
    const Mixer m{200000};
    for (bool keep_going : {false, true}) {
        Options one;
        one.keep_going = keep_going;
        BreadthFirstSearch reference(m, MixerProperties{123457}, one);
        const Status expected = reference.run();
        ASSERT_FALSE(reference.violations().empty());
        for (unsigned threads : {2u, 5u}) {
            Options o = one;
            o.threads = threads;
            BreadthFirstSearch search(m, MixerProperties{123457}, o);
            EXPECT_EQ(search.run(), expected);
            ASSERT_EQ(search.violations().size(), reference.violations().size());
            for (std::size_t k = 0; k < search.violations().size(); ++k) {
                const auto& a = search.violations()[k];
                const auto& b = reference.violations()[k];
                EXPECT_EQ(a.property, b.property);
                EXPECT_EQ(a.where, b.where);
                EXPECT_EQ(a.state, b.state);
                EXPECT_EQ(a.trace_length, b.trace_length);
                EXPECT_EQ(a.label.rule, b.label.rule);
                EXPECT_EQ(a.successor, b.successor);
            }
            if (keep_going) {
                EXPECT_EQ(search.stats().states, reference.stats().states);
            }
        }
    }
}

}  // namespace
}  // namespace hugecheck::explorer
