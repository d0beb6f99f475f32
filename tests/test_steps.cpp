// Every RM step's effect on a hand-built state (RM §2). Each test builds the state before
// the step, writes down the state after it by hand, and compares with what the model
// generates for that actor.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace hugecheck {
namespace {

using model::Step;
using test::Successor;
using test::Values;

constexpr std::uint64_t node(std::uint32_t n) {
    return model::encode_index(n);
}

class Steps : public ::testing::Test {
  protected:
    // Two nodes; A faults from node 1, B and D resize, C writes the overcommit sysctl.
    Steps()
        : m(test::scenario(test::kTwoNodeSteps)),
          v(m.vars()),
          A(v.actor[0]),
          B(v.actor[1]),
          C(v.actor[2]),
          D(v.actor[3]),
          s0(Values::initial(m)) {}

    // The one successor of `actor`'s next step; checks its label.
    Values only(const Values& before, std::uint32_t actor, Step step) {
        const std::vector<Successor> out = test::successors(m, before, static_cast<int>(actor));
        EXPECT_EQ(out.size(), 1u);
        if (out.empty()) return before;
        EXPECT_EQ(out[0].transition.step, step);
        EXPECT_EQ(out[0].transition.actor, actor);
        return out[0].after;
    }

    void complete(Values& s, const model::ActorSlots& a) {  // what complete_op does
        s[a.op] += 1;
        s[a.pc] = 0;
        s[a.tmp] = s[a.count] = s[a.min_count] = s[a.ret] = 0;
        s[a.page_node] = model::kNone;
    }

    std::uint64_t pc(Step s) const { return m.variant().pc_code(s); }

    model::HugetlbModel m;
    const model::Vars& v;
    const model::ActorSlots &A, &B, &C, &D;
    Values s0;
};

TEST_F(Steps, InitialStateIsTheRmInitialColumn) {
    EXPECT_EQ(s0[v.max_huge_pages], 2u);
    EXPECT_EQ(s0[v.nr_overcommit_huge_pages], 2u);
    EXPECT_EQ(s0[v.nr_huge_pages], 2u);
    EXPECT_EQ(s0[v.free_huge_pages], 2u);
    EXPECT_EQ(s0[v.resv_huge_pages], 0u);
    EXPECT_EQ(s0[v.surplus_huge_pages], 0u);
    EXPECT_EQ(s0[v.nr_huge_pages_node[0]], 1u);
    EXPECT_EQ(s0[v.free_huge_pages_node[1]], 1u);
    EXPECT_EQ(s0[v.buddy[0]], 2u);
    EXPECT_EQ(s0[v.buddy[1]], 1u);
    EXPECT_EQ(s0[v.table_data], model::kNone);
    EXPECT_EQ(s0[A.pc], 0);
}

TEST_F(Steps, F1DequeuesFromTheHomeNodeFirst) {
    Values want = s0;
    want[v.free_huge_pages] = 1;
    want[v.free_huge_pages_node[1]] = 0;  // A's home is node 1
    want[A.owned] = node(1);
    complete(want, A);
    EXPECT_EQ(only(s0, 0, Step::F1), want);
}

TEST_F(Steps, F1FallsBackToTheOtherNodes) {
    Values s = s0;
    s[v.free_huge_pages] = 1;
    s[v.free_huge_pages_node[1]] = 0;
    Values want = s;
    want[v.free_huge_pages] = 0;
    want[v.free_huge_pages_node[0]] = 0;
    want[A.owned] = node(0);
    complete(want, A);
    EXPECT_EQ(only(s, 0, Step::F1), want);
}

TEST_F(Steps, F1WithoutAFreePageGoesToB1) {
    Values s = s0;
    s[v.free_huge_pages] = s[v.free_huge_pages_node[0]] = s[v.free_huge_pages_node[1]] = 0;
    Values want = s;
    want[A.pc] = pc(Step::B1);
    EXPECT_EQ(only(s, 0, Step::F1), want);
}

TEST_F(Steps, F1CountsReservedPagesAsTaken) {
    Values s = s0;
    s[v.resv_huge_pages] = 2;  // free - resv == 0
    Values want = s;
    want[A.pc] = pc(Step::B1);
    EXPECT_EQ(only(s, 0, Step::F1), want);
}

TEST_F(Steps, B1AssumesTheSurplusAllocationSucceeds) {
    Values s = s0;
    s[A.pc] = pc(Step::B1);
    s[v.surplus_huge_pages] = 1;  // < overcommit 2
    Values want = s;
    want[v.nr_huge_pages] = 3;
    want[v.surplus_huge_pages] = 2;
    want[A.pc] = pc(Step::B2);
    EXPECT_EQ(only(s, 0, Step::B1), want);
}

TEST_F(Steps, B1FailsTheFaultAtTheOvercommitLimit) {
    Values s = s0;
    s[A.pc] = pc(Step::B1);
    s[v.surplus_huge_pages] = 2;  // == overcommit
    Values want = s;
    complete(want, A);
    EXPECT_EQ(only(s, 0, Step::B1), want);
}

TEST_F(Steps, B2TakesABuddyBlockHomeNodeFirst) {
    Values s = s0;
    s[A.pc] = pc(Step::B2);
    Values want = s;
    want[v.buddy[1]] = 0;
    want[A.page_node] = node(1);
    want[A.pc] = pc(Step::B3);
    EXPECT_EQ(only(s, 0, Step::B2), want);

    s[v.buddy[1]] = 0;  // home node empty: node 0
    want = s;
    want[v.buddy[0]] = 1;
    want[A.page_node] = node(0);
    want[A.pc] = pc(Step::B3);
    EXPECT_EQ(only(s, 0, Step::B2), want);
}

TEST_F(Steps, B2FailsWhenNoNodeHasABlock) {
    Values s = s0;
    s[A.pc] = pc(Step::B2);
    s[v.buddy[0]] = s[v.buddy[1]] = 0;
    Values want = s;
    want[A.page_node] = model::kNone;
    want[A.pc] = pc(Step::B3);
    EXPECT_EQ(only(s, 0, Step::B2), want);
}

TEST_F(Steps, B3AccountsThePageOnItsNode) {
    Values s = s0;
    s[A.pc] = pc(Step::B3);
    s[A.page_node] = node(0);
    s[v.nr_huge_pages] = 3;  // bumped by B1
    s[v.surplus_huge_pages] = 1;
    s[v.buddy[0]] = 1;
    Values want = s;
    want[v.nr_huge_pages_node[0]] = 2;
    want[v.surplus_huge_pages_node[0]] = 1;
    want[A.owned] = node(0);
    complete(want, A);
    EXPECT_EQ(only(s, 0, Step::B3), want);
}

TEST_F(Steps, B3UndoesTheBumpWithoutAPage) {
    Values s = s0;
    s[A.pc] = pc(Step::B3);
    s[v.nr_huge_pages] = 3;
    s[v.surplus_huge_pages] = 1;
    Values want = s;
    want[v.nr_huge_pages] = 2;
    want[v.surplus_huge_pages] = 0;
    complete(want, A);
    EXPECT_EQ(only(s, 0, Step::B3), want);
}

TEST_F(Steps, U1WithoutAPageOnlyCompletes) {
    Values s = s0;
    s[A.op] = 1;  // at UNMAP, owning nothing (the FAULT failed)
    Values want = s;
    complete(want, A);
    EXPECT_EQ(only(s, 0, Step::U1), want);
}

TEST_F(Steps, U1EnqueuesAPersistentPage) {
    Values s = s0;
    s[A.op] = 1;
    s[A.owned] = node(1);
    s[v.free_huge_pages] = 1;
    s[v.free_huge_pages_node[1]] = 0;
    Values want = s;
    want[v.free_huge_pages] = 2;
    want[v.free_huge_pages_node[1]] = 1;
    want[A.owned] = model::kNone;
    complete(want, A);
    EXPECT_EQ(only(s, 0, Step::U1), want);
}

TEST_F(Steps, U1FreesASurplusPageToBuddy) {
    Values s = s0;
    s[A.op] = 1;
    s[A.owned] = node(1);
    s[v.nr_huge_pages] = 3;
    s[v.nr_huge_pages_node[1]] = 2;
    s[v.surplus_huge_pages] = 1;
    s[v.surplus_huge_pages_node[1]] = 1;
    s[v.buddy[1]] = 0;
    Values want = s;
    want[v.nr_huge_pages] = 2;
    want[v.nr_huge_pages_node[1]] = 1;
    want[v.surplus_huge_pages] = 0;
    want[v.surplus_huge_pages_node[1]] = 0;
    want[v.buddy[1]] = 1;
    want[A.owned] = model::kNone;
    complete(want, A);
    EXPECT_EQ(only(s, 0, Step::U1), want);
}

TEST_F(Steps, S1PointsTheSharedTableAtItsTmp) {
    Values want = s0;
    want[B.tmp] = 2;  // max_huge_pages
    want[v.table_data] = model::encode_index(1);
    want[B.pc] = pc(Step::S2);
    EXPECT_EQ(only(s0, 1, Step::S1), want);
}

TEST_F(Steps, S2WritesItsOwnTmp) {
    Values s = s0;
    s[B.pc] = pc(Step::S2);
    s[B.tmp] = 2;
    s[v.table_data] = model::encode_index(1);
    Values want = s;
    want[B.tmp] = 3;  // RESIZE(3)
    want[B.pc] = pc(Step::R1);
    EXPECT_EQ(only(s, 1, Step::S2), want);
}

TEST_F(Steps, S2WritesTheTmpTableDataPointsTo) {
    Values s = s0;
    s[B.pc] = pc(Step::S2);
    s[B.tmp] = 2;
    s[D.pc] = pc(Step::S2);
    s[D.tmp] = 2;
    s[v.table_data] = model::encode_index(3);  // D ran S1 after B
    Values want = s;
    want[D.tmp] = 3;  // B's value lands in D's tmp
    want[B.pc] = pc(Step::R1);
    EXPECT_EQ(only(s, 1, Step::S2), want);
}

TEST_F(Steps, S2WritesTheTmpOfAWriterThatIsDone) {
    Values s = s0;
    s[B.pc] = pc(Step::S2);
    s[D.op] = 1;  // D's RESIZE completed, its tmp reset to 0
    s[v.table_data] = model::encode_index(3);
    Values want = s;
    want[D.tmp] = 3;  // and now holds B's value: it stays in the state
    want[B.pc] = pc(Step::R1);
    EXPECT_EQ(only(s, 1, Step::S2), want);
}

TEST_F(Steps, R1ConvertsSurplusPagesThenGrows) {
    Values s = s0;
    s[B.pc] = pc(Step::R1);
    s[B.tmp] = 4;
    s[v.nr_huge_pages] = 3;  // 1 surplus page, on node 0: persistent 2
    s[v.nr_huge_pages_node[0]] = 2;
    s[v.surplus_huge_pages] = 1;
    s[v.surplus_huge_pages_node[0]] = 1;
    s[v.buddy[0]] = 1;
    Values want = s;
    want[B.count] = 4;
    want[v.surplus_huge_pages] = 0;  // adjust_pool_surplus(-1) on node 0: persistent 3
    want[v.surplus_huge_pages_node[0]] = 0;
    want[v.next_nid_to_alloc] = 1;
    want[B.pc] = pc(Step::R4);  // loop1 ends with surplus 0; 4 > 3: grow
    const std::vector<Successor> out = test::successors(m, s, 1);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].after, want);
    EXPECT_EQ(out[0].transition.events & model::event::loop1_adjust_failed, 0);
}

TEST_F(Steps, R1GrowCheckUnlocksToAllocate) {
    Values s = s0;
    s[B.pc] = pc(Step::R1);
    s[B.tmp] = 3;
    Values want = s;
    want[B.count] = 3;
    want[B.pc] = pc(Step::R4);  // 3 > persistent 2; min_count untouched
    EXPECT_EQ(only(s, 1, Step::R1), want);
}

TEST_F(Steps, R1Loop1FailsWhenTheSurplusIsNotOnAnyNode) {
    // The surplus conversion race: A's B1 bumped surplus_huge_pages, its page is not
    // accounted on a node yet.
    Values s = s0;
    s[B.pc] = pc(Step::R1);
    s[B.tmp] = 3;
    s[v.nr_huge_pages] = 3;
    s[v.surplus_huge_pages] = 1;
    s[v.next_nid_to_alloc] = 1;
    Values want = s;
    want[B.count] = 3;
    want[v.next_nid_to_alloc] = 1;  // two tries on two nodes: back where it started
    want[B.pc] = pc(Step::R4);      // persistent 2 < 3
    const std::vector<Successor> out = test::successors(m, s, 1);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].after, want);
    EXPECT_NE(out[0].transition.events & model::event::loop1_adjust_failed, 0);
}

TEST_F(Steps, R1ShrinkOffersEveryCondReschedDrop) {
    Values s = s0;
    s[B.op] = 1;  // RESIZE(0)
    s[B.pc] = pc(Step::R1);
    s[B.tmp] = 0;
    const std::vector<Successor> out = test::successors(m, s, 1);
    ASSERT_EQ(out.size(), 3u);

    // free_pool_huge_page on node 0 (next_nid_to_free 0), then the lock is dropped.
    Values first = s;
    first[B.count] = 0;
    first[B.min_count] = 0;  // max(0, resv 0 + nr 2 - free 2)
    first[v.free_huge_pages] = 1;
    first[v.free_huge_pages_node[0]] = 0;
    first[v.nr_huge_pages] = 1;
    first[v.nr_huge_pages_node[0]] = 0;
    first[v.buddy[0]] = 3;
    first[v.next_nid_to_free] = 1;
    first[B.pc] = pc(Step::R7);
    EXPECT_EQ(out[0].after, first);
    EXPECT_EQ(out[0].transition.choice, 0u);

    // ... kept, then node 1 freed and the lock dropped after the last free too.
    Values second = first;
    second[v.free_huge_pages] = 0;
    second[v.free_huge_pages_node[1]] = 0;
    second[v.nr_huge_pages] = 0;
    second[v.nr_huge_pages_node[1]] = 0;
    second[v.buddy[1]] = 2;
    second[v.next_nid_to_free] = 0;
    EXPECT_EQ(out[1].after, second);
    EXPECT_EQ(out[1].transition.choice, 1u);

    // ... or kept to the end: finish, ret = persistent = 0.
    Values third = second;
    third[B.pc] = pc(Step::R10);
    third[B.ret] = 0;
    EXPECT_EQ(out[2].after, third);
    EXPECT_EQ(out[2].transition.choice, 2u);
}

TEST_F(Steps, R1FinishMarksPagesInUseSurplus) {
    // Both pages in use: nothing to free, so the pool shrinks by surplus accounting.
    Values s = s0;
    s[D.pc] = pc(Step::R1);
    s[D.tmp] = 1;
    s[v.free_huge_pages] = s[v.free_huge_pages_node[0]] = s[v.free_huge_pages_node[1]] = 0;
    Values want = s;
    want[D.count] = 1;
    want[D.min_count] = 2;           // max(1, 0 + 2 - 0)
    want[v.surplus_huge_pages] = 1;  // adjust_pool_surplus(+1): node 0, surplus 0 < nr 1
    want[v.surplus_huge_pages_node[0]] = 1;
    want[v.next_nid_to_free] = 1;
    want[D.ret] = 1;
    want[D.pc] = pc(Step::R10);
    EXPECT_EQ(only(s, 3, Step::R1), want);
}

TEST_F(Steps, R4AllocatesInCursorOrder) {
    Values s = s0;
    s[B.pc] = pc(Step::R4);
    s[v.next_nid_to_alloc] = 1;
    Values want = s;
    want[v.buddy[1]] = 0;
    want[v.next_nid_to_alloc] = 0;
    want[B.page_node] = node(1);
    want[B.pc] = pc(Step::R5);
    EXPECT_EQ(only(s, 1, Step::R4), want);

    s[v.buddy[1]] = 0;  // node 1 tried first and empty: node 0; two tries advance twice
    want = s;
    want[v.buddy[0]] = 1;
    want[v.next_nid_to_alloc] = 1;
    want[B.page_node] = node(0);
    want[B.pc] = pc(Step::R5);
    EXPECT_EQ(only(s, 1, Step::R4), want);
}

TEST_F(Steps, R4FailsToR6f) {
    Values s = s0;
    s[B.pc] = pc(Step::R4);
    s[v.buddy[0]] = s[v.buddy[1]] = 0;
    s[v.next_nid_to_alloc] = 1;
    Values want = s;
    want[B.pc] = pc(Step::R6f);
    EXPECT_EQ(only(s, 1, Step::R4), want);
}

TEST_F(Steps, R5PreparesTheNewPage) {
    Values s = s0;
    s[B.pc] = pc(Step::R5);
    s[B.page_node] = node(0);
    s[v.buddy[0]] = 1;
    Values want = s;
    want[v.nr_huge_pages] = 3;
    want[v.nr_huge_pages_node[0]] = 2;
    want[B.pc] = pc(Step::R5b);
    EXPECT_EQ(only(s, 1, Step::R5), want);
}

TEST_F(Steps, R5bEnqueuesTheNewPage) {
    Values s = s0;
    s[B.pc] = pc(Step::R5b);
    s[B.page_node] = node(0);
    s[v.nr_huge_pages] = 3;
    s[v.nr_huge_pages_node[0]] = 2;
    Values want = s;
    want[v.free_huge_pages] = 3;
    want[v.free_huge_pages_node[0]] = 2;
    want[B.page_node] = model::kNone;
    want[B.pc] = pc(Step::R6);
    EXPECT_EQ(only(s, 1, Step::R5b), want);
}

TEST_F(Steps, R5bGivesTheNewPageBackWhenItsNodeHasSurplus) {
    Values s = s0;
    s[B.pc] = pc(Step::R5b);
    s[B.page_node] = node(0);
    s[v.nr_huge_pages] = 4;
    s[v.nr_huge_pages_node[0]] = 3;
    s[v.surplus_huge_pages] = 1;
    s[v.surplus_huge_pages_node[0]] = 1;
    s[v.buddy[0]] = 0;
    Values want = s;
    want[v.nr_huge_pages] = 3;
    want[v.nr_huge_pages_node[0]] = 2;
    want[v.surplus_huge_pages] = 0;
    want[v.surplus_huge_pages_node[0]] = 0;
    want[v.buddy[0]] = 1;
    want[B.page_node] = model::kNone;
    want[B.pc] = pc(Step::R6);
    EXPECT_EQ(only(s, 1, Step::R5b), want);
}

TEST_F(Steps, R6GrowsAgainWhileThePoolIsSmall) {
    Values s = s0;
    s[B.pc] = pc(Step::R6);
    s[B.count] = 3;
    Values want = s;
    want[B.pc] = pc(Step::R4);  // 3 > 2, and no loop1 at R6
    EXPECT_EQ(only(s, 1, Step::R6), want);
}

TEST_F(Steps, R6FinishesWhenThePoolIsBigEnough) {
    Values s = s0;
    s[B.pc] = pc(Step::R6);
    s[B.count] = 2;
    Values want = s;
    want[B.min_count] = 2;
    want[B.ret] = 2;
    want[B.pc] = pc(Step::R10);
    EXPECT_EQ(only(s, 1, Step::R6), want);
}

TEST_F(Steps, R6fReturnsThePersistentSize) {
    Values s = s0;
    s[B.pc] = pc(Step::R6f);
    s[B.count] = 3;
    s[v.nr_huge_pages] = 3;
    s[v.surplus_huge_pages] = 1;
    Values want = s;
    want[B.ret] = 2;
    want[B.pc] = pc(Step::R10);
    EXPECT_EQ(only(s, 1, Step::R6f), want);
}

TEST_F(Steps, R7ContinuesWithTheStoredMinCount) {
    // R1 computed min_count 2 while pages were in use; they are free now. R7 does not
    // recompute it (that would give max(count 0, 3 - 3) = 0 and free every page).
    Values s = s0;
    s[B.op] = 1;
    s[B.pc] = pc(Step::R7);
    s[B.count] = 0;
    s[B.min_count] = 2;
    s[v.nr_huge_pages] = s[v.free_huge_pages] = 3;
    s[v.nr_huge_pages_node[0]] = s[v.free_huge_pages_node[0]] = 2;
    s[v.buddy[0]] = 1;
    const std::vector<Successor> out = test::successors(m, s, 1);
    ASSERT_EQ(out.size(), 2u);
    for (const Successor& x : out)
        EXPECT_EQ(x.transition.step, Step::R7);

    Values freed = s;  // free_pool_huge_page: node 0 (next_nid_to_free 0)
    freed[v.nr_huge_pages] = freed[v.free_huge_pages] = 2;
    freed[v.nr_huge_pages_node[0]] = freed[v.free_huge_pages_node[0]] = 1;
    freed[v.buddy[0]] = 2;
    freed[v.next_nid_to_free] = 1;
    EXPECT_EQ(out[0].after, freed);  // cond_resched_lock dropped the lock: still R7

    Values finished = freed;  // 2 < 2 ends the loop; count 0 < persistent 2: two pages surplus
    finished[v.surplus_huge_pages] = 2;
    finished[v.surplus_huge_pages_node[1]] = 1;  // cursor 1 first
    finished[v.surplus_huge_pages_node[0]] = 1;
    finished[v.next_nid_to_free] = 1;
    finished[B.ret] = 0;
    finished[B.pc] = pc(Step::R10);
    EXPECT_EQ(out[1].after, finished);
}

TEST_F(Steps, R10StoresMaxHugePagesAndResetsTheLocals) {
    Values s = s0;
    s[B.pc] = pc(Step::R10);
    s[B.tmp] = s[B.count] = 3;
    s[B.min_count] = 2;
    s[B.ret] = 3;
    Values want = s;
    want[v.max_huge_pages] = 3;
    complete(want, B);
    EXPECT_EQ(want[B.tmp], 0u);
    EXPECT_EQ(only(s, 1, Step::R10), want);
}

TEST_F(Steps, O1WritesTheOvercommitLimit) {
    Values want = s0;
    want[v.nr_overcommit_huge_pages] = 5;
    complete(want, C);
    EXPECT_EQ(only(s0, 2, Step::O1), want);
}

TEST_F(Steps, ADoneActorHasNoStep) {
    Values s = s0;
    s[C.op] = 1;
    EXPECT_TRUE(test::successors(m, s, 2).empty());
}

TEST_F(Steps, DecrementingAZeroCounterWrapsAndIsReported) {
    // B3 without a page when the bump was already undone by a bug: nr_huge_pages 0 - 1.
    Values s = s0;
    s[A.pc] = pc(Step::B3);
    s[v.nr_huge_pages] = 0;
    s[v.surplus_huge_pages] = 0;
    const std::vector<Successor> out = test::successors(m, s, 0);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].after[v.nr_huge_pages], ~std::uint64_t{0});  // unsigned long wraps
    EXPECT_NE(out[0].transition.events & model::event::underflow, 0);
}

TEST_F(Steps, SuccessorsComeInActorOrder) {
    const std::vector<Successor> out = test::successors(m, s0);
    ASSERT_EQ(out.size(), 4u);  // A F1, B S1, C O1, D S1
    EXPECT_EQ(out[0].transition.step, Step::F1);
    EXPECT_EQ(out[1].transition.step, Step::S1);
    EXPECT_EQ(out[2].transition.step, Step::O1);
    EXPECT_EQ(out[3].transition.step, Step::S1);
    for (std::uint8_t a = 0; a < 4; ++a)
        EXPECT_EQ(out[a].transition.actor, a);
}

}  // namespace
}  // namespace hugecheck
