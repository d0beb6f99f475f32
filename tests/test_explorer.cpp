// The explorer on toy transition systems that know nothing of hugetlb: counts, levels,
// shortest traces, dead ends, budgets, and tree compression against the plain store. The
// counts are derived in the comments.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

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
    // Committing the new states of a level in rounds (commit_pending) numbers them alike.
    for (const auto& [threads, commit_pending] :
         {std::pair{2u, std::uint64_t{1} << 20}, std::pair{3u, std::uint64_t{1} << 20},
          std::pair{8u, std::uint64_t{1} << 20}, std::pair{2u, std::uint64_t{1000}},
          std::pair{3u, std::uint64_t{1}}}) {
        Options o;
        o.threads = threads;
        o.commit_pending = commit_pending;
        BreadthFirstSearch search(m, NoProperties{}, o);
        ASSERT_EQ(search.run(), Status::complete);
        EXPECT_EQ(search.stats().states, reference.stats().states);
        EXPECT_EQ(search.stats().transitions, reference.stats().transitions);
        EXPECT_EQ(search.stats().depth, reference.stats().depth);
        for (StateIndex i = 0; i < search.store().size(); ++i) {
            ASSERT_EQ(std::memcmp(search.store().state(i), reference.store().state(i), 4), 0)
                << threads << " threads, commit_pending " << commit_pending << ", state " << i;
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
            o.commit_pending = threads == 5 ? 300 : o.commit_pending;  // rounds within levels
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

// --- tree compression (explorer/tree_store.hpp) ------------------------------------------

std::uint64_t test_key(std::uint64_t i) {  // distinct keys, low and high bits both busy
    return mix64(i * 0x9e3779b97f4a7c15ULL + 1);
}

TEST(TreeStore, NodeTableFindsEveryKeyThroughGrowth) {
    NodeTable table;  // 1024 slots at first: 300 000 keys make it grow fourteen times
    for (std::uint64_t i = 0; i < 300000; ++i) {
        bool added = false;
        ASSERT_EQ(table.insert(test_key(i), added), i);
        ASSERT_TRUE(added);
    }
    EXPECT_EQ(table.size(), 300000u);
    for (std::uint64_t i = 0; i < 300000; ++i) {
        bool added = true;
        ASSERT_EQ(table.insert(test_key(i), added), i);
        ASSERT_FALSE(added);
        ASSERT_EQ(table.find(test_key(i)), i);
        ASSERT_EQ(table.key(i), test_key(i));
    }
    for (std::uint64_t i = 300000; i < 310000; ++i)
        ASSERT_EQ(table.find(test_key(i)), NodeTable::kAbsent);
    // At most 80 % full, and grown by half (a page's worth of slots rounds it up) from a
    // table that had passed 80 %: between 375 000 and 1.5 x 375 000 + 1024 slots.
    EXPECT_GE(table.index_bytes(), 300000u * 4 * 5 / 4);
    EXPECT_LE(table.index_bytes(), (375000u * 3 / 2 + 1024) * 4);
    EXPECT_EQ(table.index_bytes() % 4096, 0u);
}

// Inner keys are pairs of child indices packed in as many bits as the indices need: the
// widths grow with them, and every key reads back the same.
TEST(TreeStore, PackedKeysWidenWithTheirIndices) {
    NodeTable table(1, 1);
    std::vector<std::uint64_t> keys;
    for (std::uint64_t i = 0; i < 200000; ++i) {
        const std::uint64_t lo = i / 3, hi = i % 3 + 3 * ((i * 7919) % (i + 1));
        keys.push_back(lo | hi << 32);
        bool added = false;
        ASSERT_EQ(table.insert(keys.back(), added), i);
        if (i % 997 == 0 || (i & (i - 1)) == 0) {  // now and then, and after each widening
            for (std::uint64_t k = 0; k <= i; k += 1 + i / 64)
                ASSERT_EQ(table.key(k), keys[k]) << k << " of " << i;
        }
    }
    for (std::uint64_t k = 0; k < keys.size(); ++k)
        ASSERT_EQ(table.find(keys[k]), k);
    // 16 + 18 bits a key, not 64.
    EXPECT_LT(table.used_bytes(), 200000u * 5 + table.index_bytes());
}

// The threaded commit: keys appended unindexed, then indexed by several threads at once.
TEST(TreeStore, KeysIndexedByThreadsAreFound) {
    NodeTable table;
    bool added = false;
    for (std::uint64_t i = 0; i < 1000; ++i)
        table.insert(test_key(i), added);
    const std::uint64_t n = 100000;
    table.reserve(n);
    for (std::uint64_t i = 1000; i < 1000 + n; ++i)
        table.append_unindexed(test_key(i));
    {
        std::vector<std::jthread> threads;
        for (std::uint64_t t = 0; t < 3; ++t)
            threads.emplace_back([&, t] {
                for (std::uint64_t i = 1000 + t; i < 1000 + n; i += 3)
                    table.index_concurrently(i);
            });
    }
    for (std::uint64_t i = 0; i < 1000 + n; ++i)
        ASSERT_EQ(table.find(test_key(i)), i);
    EXPECT_EQ(table.find(test_key(1000 + n)), NodeTable::kAbsent);
}

// States of every length, in both shapes, read back byte for byte and are found again;
// a successor that differs from a stored state in one word is found through the cursor.
TEST(TreeStore, StoresStatesOfEveryLength) {
    for (std::size_t bytes = 1; bytes <= 40; ++bytes) {
        std::vector<std::vector<std::byte>> states;
        for (std::uint32_t i = 0; i < 2000; ++i) {
            std::vector<std::byte> s(bytes + kStateSlack);
            for (std::size_t b = 0; b < bytes; ++b)  // few values per byte: shared halves
                s[b] = static_cast<std::byte>((i >> (b % 11)) % (3 + b % 5));
            std::memcpy(s.data(), &i, std::min<std::size_t>(bytes, 2));
            states.push_back(s);
        }
        auto at = [&](std::uint64_t i) { return states[i].data(); };
        for (const TreeShape& shape :
             {TreeShape::balanced(bytes), TreeShape::fitted(bytes, states.size(), at)}) {
            TreeStore tree(bytes, shape);
            TreeStore::Cursor c = tree.cursor(), near = tree.cursor();
            std::vector<StateIndex> index;
            for (const auto& s : states) {
                bool added = false;
                index.push_back(tree.insert(s.data(), nullptr, c, added));
                ASSERT_LT(index.back(), tree.size());
                if (added) {
                    ASSERT_EQ(index.back() + 1, tree.size()) << bytes;
                }
            }
            std::vector<std::byte> out(bytes + kStateSlack);
            for (std::size_t i = 0; i < states.size(); ++i) {
                tree.get(index[i], out.data(), near);
                ASSERT_EQ(std::memcmp(out.data(), states[i].data(), bytes), 0) << bytes;
                ASSERT_EQ(tree.find(states[i].data(), &near, c), index[i]);
                ASSERT_EQ(tree.find(states[i].data(), nullptr, c), index[i]);
                if (bytes > 2) {  // no stored state has 0xee past its first two bytes
                    std::vector<std::byte> other = states[i];
                    other[bytes - 1] = std::byte{0xee};
                    ASSERT_EQ(tree.find(other.data(), &near, c), TreeStore::kAbsent);
                }
            }
            if (bytes > 8) {
                EXPECT_GT(tree.nodes(), 0u);
            }
        }
    }
}

// The fitted shape puts words that vary together in one leaf: words 0 and 3 carry x,
// words 1 and 2 carry y, so leaves {0, 3} and {1, 2} hold 100 keys each, where the
// balanced leaves {0, 1} and {2, 3} would hold 10 000 each.
TEST(TreeStore, FittedShapePairsWordsThatVaryTogether) {
    std::vector<std::array<std::uint32_t, 4 + 2>> sample;
    for (std::uint32_t x = 0; x < 100; ++x)
        for (std::uint32_t y = 0; y < 100; ++y)
            sample.push_back({x, y, y * 3, x * 5, 0, 0});
    const TreeShape shape = TreeShape::fitted(16, sample.size(), [&](std::uint64_t i) {
        return reinterpret_cast<const std::byte*>(sample[i].data());
    });
    ASSERT_EQ(shape.positions.size(), 3u);
    EXPECT_EQ(shape.positions[0].word_lo, 0u);
    EXPECT_EQ(shape.positions[0].word_hi, 3u);
    EXPECT_EQ(shape.positions[1].word_lo, 1u);
    EXPECT_EQ(shape.positions[1].word_hi, 2u);
    EXPECT_EQ(shape.positions[2].left, 0);
    EXPECT_EQ(shape.positions[2].right, 1);
}

// A system with wide states for the tree: `k` counters of 32 bits (the last one of 24),
// each below `m`; step 2c adds 1 to counter c, step 2c + 1 maps it to 3v + 1 (mod m).
// Many states share halves, and several parents reach most states.
struct Counters {
    struct Label {
        std::uint8_t rule;
    };
    struct Context {};
    unsigned k;
    std::uint32_t m;
    std::size_t state_bytes() const { return 4 * k - 1; }
    Context make_context() const { return {}; }
    void initial_state(std::byte* out) const { std::memset(out, 0, state_bytes()); }
    template <class Sink>
    void for_each_successor(Context&, const std::byte* s, Sink&& sink) const {
        std::array<std::byte, 64> out{};
        for (unsigned r = 0; r < 2 * k; ++r) {
            std::memcpy(out.data(), s, state_bytes());
            const unsigned c = r / 2, width = c + 1 == k ? 3 : 4;
            std::uint32_t v = 0;
            std::memcpy(&v, out.data() + 4 * c, width);
            v = r % 2 ? (v * 3 + 1) % m : (v + 1) % m;
            std::memcpy(out.data() + 4 * c, &v, width);
            sink(static_cast<const std::byte*>(out.data()), Label{static_cast<std::uint8_t>(r)});
        }
    }
};

// The plain store's search and the tree's agree on everything: counts, every state at
// every index, every path (the tree's rebuilt backwards), on every thread count.
template <class Sys>
void expect_same_search(const Sys& sys, unsigned threads, double at_most_of_the_bytes = 1e9) {
    BreadthFirstSearch plain(sys, NoProperties{}, Options{});
    ASSERT_EQ(plain.run(), Status::complete);
    Options o;
    o.threads = threads;
    o.tree_compression = true;
    BreadthFirstSearch tree(sys, NoProperties{}, o);
    ASSERT_EQ(tree.run(), Status::complete);
    EXPECT_TRUE(tree.keeps_traces());
    ASSERT_NE(tree.tree(), nullptr);
    EXPECT_EQ(tree.store().size(), 0u);
    EXPECT_EQ(tree.stats().states, plain.stats().states);
    EXPECT_EQ(tree.stats().transitions, plain.stats().transitions);
    EXPECT_EQ(tree.stats().depth, plain.stats().depth);
    EXPECT_LT(static_cast<double>(tree.stats().used_bytes),
              at_most_of_the_bytes * static_cast<double>(plain.stats().used_bytes));
    const std::size_t bytes = sys.state_bytes();
    for (StateIndex i = 0; i < plain.store().size(); ++i) {
        ASSERT_EQ(std::memcmp(tree.state_copy(i).data(), plain.store().state(i), bytes), 0)
            << threads << " threads, state " << i;
        ASSERT_EQ(tree.depth_of(i), plain.depth_of(i));
    }
    const std::uint64_t n = plain.store().size();
    for (std::uint64_t i = 0; i < n; i += 1 + n / 40)
        ASSERT_EQ(tree.path_to(static_cast<StateIndex>(i)),
                  plain.path_to(static_cast<StateIndex>(i)))
            << threads << " threads, state " << i;
    ASSERT_EQ(tree.path_to(static_cast<StateIndex>(n - 1)),
              plain.path_to(static_cast<StateIndex>(n - 1)));
}

TEST(TreeCompression, AgreesWithThePlainStoreOnEveryThreadCount) {
    for (unsigned threads : {1u, 2u, 3u}) {
        expect_same_search(Counters{5, 7}, threads, threads == 1 ? 0.5 : 1e9);  // 19 bytes
        expect_same_search(Counters{3, 40}, threads);  // 64 000 states of 11 bytes
        expect_same_search(Mixer{100000}, threads);    // 4 bytes: the root is the only leaf
        expect_same_search(Grid{20}, threads);
    }
}

// Two parents reach most states (x, y) of the grid, (x - 1, y) and (x, y - 1): the plain
// store records the one that found it first, and the path rebuilt backwards from the tree
// takes the same one, through states one level apart.
TEST(TreeCompression, RebuildsThePathThroughTheFirstParent) {
    const Grid g{8};
    BreadthFirstSearch plain(g, NoProperties{}, Options{});
    plain.run();
    Options o;
    o.tree_compression = true;
    BreadthFirstSearch tree(g, NoProperties{}, o);
    tree.run();
    for (StateIndex i = 0; i < plain.store().size(); ++i) {
        const std::vector<StateIndex> path = tree.path_to(i);
        ASSERT_EQ(path, plain.path_to(i));
        ASSERT_EQ(path.size(), tree.depth_of(i) + 1u);
        for (std::size_t k = 1; k < path.size(); ++k) {
            const auto a = tree.state_copy(path[k - 1]), b = tree.state_copy(path[k]);
            EXPECT_EQ(static_cast<int>(a[0]) + static_cast<int>(a[1]) + 1,
                      static_cast<int>(b[0]) + static_cast<int>(b[1]));
        }
    }
}

TEST(TreeCompression, FindsTheSameViolationsAndTraces) {
    const Mixer m{200000};
    for (bool keep_going : {false, true}) {
        Options one;
        one.keep_going = keep_going;
        BreadthFirstSearch reference(m, MixerProperties{123457}, one);
        const Status expected = reference.run();
        ASSERT_FALSE(reference.violations().empty());
        for (unsigned threads : {1u, 2u, 3u}) {
            Options o = one;
            o.threads = threads;
            o.tree_compression = true;
            BreadthFirstSearch search(m, MixerProperties{123457}, o);
            EXPECT_EQ(search.run(), expected);
            EXPECT_EQ(search.stats().states, reference.stats().states);
            ASSERT_EQ(search.violations().size(), reference.violations().size());
            for (std::size_t k = 0; k < search.violations().size(); ++k) {
                const auto& a = search.violations()[k];
                const auto& b = reference.violations()[k];
                EXPECT_EQ(a.property, b.property);
                EXPECT_EQ(a.where, b.where);
                EXPECT_EQ(a.state, b.state);
                EXPECT_EQ(a.trace_length, b.trace_length);
                EXPECT_EQ(a.successor, b.successor);
                EXPECT_EQ(search.path_to(a.state), reference.path_to(b.state));
            }
        }
    }
}

// A system that reads the sink's answer, as a reduction's cycle proviso does: from v it
// emits v * 3 + 1, and only if that one is old (stored before v's level) also v + 1 and
// v ^ 5; else v + 7. Every answer it got is recorded by (state, edge): the searches and
// the tree's backward rebuild of paths must give the same answers, or the state spaces
// (and the paths) differ.
struct Proviso {
    struct Label {
        std::uint8_t rule;
    };
    struct Answers {
        std::mutex mutex;
        std::map<std::pair<std::uint32_t, int>, bool> seen;
        bool conflict = false;
        void record(std::uint32_t v, int edge, bool old) {
            std::lock_guard<std::mutex> lock(mutex);
            const auto [it, fresh] = seen.emplace(std::pair{v, edge}, old);
            if (!fresh && it->second != old) conflict = true;
        }
    };
    struct Context {
        Answers* answers;
    };
    std::uint32_t limit;
    Answers* answers;
    std::size_t state_bytes() const { return 12; }  // v, v % 97, v / 97: a tree of 3 positions
    Context make_context() const { return {answers}; }
    void initial_state(std::byte* out) const { std::memset(out, 0, 12); }
    template <class Sink>
    void for_each_successor(Context& ctx, const std::byte* s, Sink&& sink) const {
        std::uint32_t v = 0;
        std::memcpy(&v, s, 4);
        int edge = 0;
        auto emit = [&](std::uint32_t next, std::uint8_t rule) {
            const std::uint32_t words[3 + 2] = {next, next % 97, next / 97, 0, 0};
            const bool old = sink(reinterpret_cast<const std::byte*>(words), Label{rule});
            ctx.answers->record(v, edge++, old);
            return old;
        };
        if (emit(static_cast<std::uint32_t>((std::uint64_t{v} * 3 + 1) % limit), 0)) {
            emit((v + 1) % limit, 1);
            emit((v ^ 5) % limit, 2);
        } else {
            emit((v + 7) % limit, 3);
        }
    }
};

TEST(TreeCompression, GivesTheSinkTheSameAnswers) {
    Proviso::Answers answers;
    const Proviso p{30000, &answers};
    BreadthFirstSearch plain(p, NoProperties{}, Options{});
    ASSERT_EQ(plain.run(), Status::complete);
    for (StateIndex i = 0; i < plain.store().size(); i += 499)
        plain.path_to(i);
    ASSERT_FALSE(answers.conflict);
    const std::size_t recorded = answers.seen.size();
    for (unsigned threads : {1u, 2u, 3u}) {
        Options o;
        o.threads = threads;
        o.tree_compression = true;
        BreadthFirstSearch tree(p, NoProperties{}, o);
        ASSERT_EQ(tree.run(), Status::complete);
        EXPECT_EQ(tree.stats().states, plain.stats().states);
        EXPECT_EQ(tree.stats().transitions, plain.stats().transitions);
        for (StateIndex i = 0; i < plain.store().size(); i += 499)
            ASSERT_EQ(tree.path_to(i), plain.path_to(i)) << threads << " threads, state " << i;
        EXPECT_FALSE(answers.conflict) << threads << " threads";
        EXPECT_EQ(answers.seen.size(), recorded);
        // The plain engine with threads answers the same too.
        Options t;
        t.threads = threads;
        BreadthFirstSearch plain_threads(p, NoProperties{}, t);
        plain_threads.run();
        EXPECT_FALSE(answers.conflict) << threads << " threads, plain";
    }
    // The answers shaped the state space: both kinds occurred.
    std::size_t old = 0;
    for (const auto& [key, answer] : answers.seen)
        old += answer;
    EXPECT_GT(old, 0u);
    EXPECT_LT(old, answers.seen.size());
}

TEST(TreeCompression, StopsAtTheBudgets) {
    const Counters c{6, 7};  // 117 649 states
    Options o;
    o.tree_compression = true;
    o.max_memory_bytes = 1024 * 1024;  // 2^18 slots of the roots' index would be all of it
    BreadthFirstSearch small(c, NoProperties{}, o);
    EXPECT_EQ(small.run(), Status::memory_limit);
    EXPECT_GT(small.stats().states, 16384u);  // past the first levels, stored plainly
    EXPECT_LT(small.stats().states, 117649u);
    EXPECT_LE(small.stats().storage_bytes, 1024u * 1024);
    for (unsigned threads : {1u, 2u}) {
        Options s;
        s.tree_compression = true;
        s.threads = threads;
        s.max_states = 30000;
        BreadthFirstSearch few(c, NoProperties{}, s);
        EXPECT_EQ(few.run(), Status::state_limit);
        EXPECT_GE(few.stats().states, 30000u);
        // A stopped search still has consistent levels: the last state's path rebuilds.
        const auto last = static_cast<StateIndex>(few.stats().states - 1);
        EXPECT_EQ(few.path_to(last).size(), few.depth_of(last) + 1u);
    }
}

TEST(TreeCompression, RefusesHashCompaction) {
    Options o;
    o.tree_compression = o.hash_compaction = true;
    const Grid g{2};
    EXPECT_THROW(BreadthFirstSearch(g, NoProperties{}, o), std::invalid_argument);
}

}  // namespace
}  // namespace hugecheck::explorer
