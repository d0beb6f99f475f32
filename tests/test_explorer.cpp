// The explorer on toy transition systems that know nothing of hugetlb: counts, levels,
// shortest traces, dead ends, budgets. The counts are derived in the comments.
#include <gtest/gtest.h>

#include <atomic>

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
    VisitedSet set(store, 4);  // 16 slots: grows many times
    for (std::uint32_t i = 0; i < 5000; ++i) {
        std::byte s[4 + kStateSlack] = {};
        std::memcpy(s, &i, 4);
        const auto found = set.insert(s, kNoParent);
        EXPECT_TRUE(found.inserted);
        EXPECT_EQ(found.index, i);
    }
    for (std::uint32_t i = 0; i < 5000; ++i) {
        std::byte s[4 + kStateSlack] = {};
        std::memcpy(s, &i, 4);
        const auto found = set.insert(s, kNoParent);
        EXPECT_FALSE(found.inserted);
        EXPECT_EQ(found.index, i);
    }
    EXPECT_EQ(store.size(), 5000u);
}

}  // namespace
}  // namespace hugecheck::explorer
