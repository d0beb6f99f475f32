// The steps that the variants add to the seed's, each on a hand-built state: the surplus
// allocator (V1..V6), the split free path (U2), the shared overcommit table (OS1, OS2), the
// node-specific count (N1/N2, and under the lock), set_max_huge_pages with max_huge_pages
// under the lock (v5.4), resize_lock and the collected shrink (v6.6), the batched grow
// (v6.18), and the locks: blocking, and the self-deadlock P6 reports.
#include <gtest/gtest.h>

#include "model/kernel.hpp"
#include "model/scenario_catalog.hpp"
#include "test_support.hpp"

namespace hugecheck {
namespace {

using model::Step;
using test::Successor;
using test::Values;

constexpr std::uint64_t node(std::uint32_t n) {
    return model::encode_index(n);
}
constexpr std::uint64_t actor(std::uint32_t a) {
    return model::encode_index(a);
}

// A: FAULT, UNMAP from node 1; B: RESIZE(3), RESIZE(0); C: OVERCOMMIT(5); D: RESIZE_NODE(1, 2).
constexpr const char* kScenario = R"toml(
nodes = 2
mem = [3, 2]
pool = [1, 1]
overcommit = 2
[[actor]]
name = "A"
home = 1
script = ["FAULT", "UNMAP"]
[[actor]]
name = "B"
home = 0
script = ["RESIZE(3)", "RESIZE(0)"]
[[actor]]
name = "C"
home = 0
script = ["OVERCOMMIT(5)"]
[[actor]]
name = "D"
home = 1
script = ["RESIZE_NODE(1, 2)"]
)toml";

class Variants : public ::testing::Test {
  public:
    struct Setup {
        model::HugetlbModel m;
        Values s0;
        explicit Setup(std::string_view variant)
            : m(test::scenario(kScenario), variant), s0(Values::initial(m)) {}
        const model::Vars& v() const { return m.vars(); }
        std::uint64_t pc(Step s) const { return m.variant().pc_code(s); }
        // The one successor of `a`'s next step, which must be `step`.
        Values only(const Values& before, std::uint32_t a, Step step) const {
            const std::vector<Successor> out = test::successors(m, before, static_cast<int>(a));
            EXPECT_EQ(out.size(), 1u);
            if (out.empty()) return before;
            EXPECT_EQ(out[0].transition.step, step);
            return out[0].after;
        }
        void complete(Values& s, std::uint32_t a) const {
            const model::ActorSlots& x = v().actor[a];
            s[x.op] += 1;
            s[x.pc] = 0;
            s[x.tmp] = s[x.count] = s[x.min_count] = s[x.ret] = s[x.page_node] = s[x.page_list] = 0;
        }
    };
};

constexpr std::uint32_t A = 0, B = 1, C = 2, D = 3;

// ---- the surplus allocator ----------------------------------------------------------

TEST_F(Variants, V1FailsTheFaultAtTheOvercommitLimit) {
    const Setup t("v4.19");
    Values s = t.s0;
    s[t.v().actor[A].pc] = t.pc(Step::V1);
    s[t.v().surplus_huge_pages] = 2;
    Values want = s;
    t.complete(want, A);
    EXPECT_EQ(t.only(s, A, Step::V1), want);
    s[t.v().surplus_huge_pages] = 1;
    want = s;
    want[t.v().actor[A].pc] = t.pc(Step::V2);
    EXPECT_EQ(t.only(s, A, Step::V1), want);
}

TEST_F(Variants, V2AllocatesHomeFirstOrFailsTheFault) {
    const Setup t("v5.4");
    Values s = t.s0;
    s[t.v().actor[A].pc] = t.pc(Step::V2);
    Values want = s;
    want[t.v().buddy[1]] = 0;  // A's home is node 1
    want[t.v().actor[A].page_node] = node(1);
    want[t.v().actor[A].pc] = t.pc(Step::V3);
    EXPECT_EQ(t.only(s, A, Step::V2), want);
    s[t.v().buddy[0]] = s[t.v().buddy[1]] = 0;
    want = s;
    t.complete(want, A);
    EXPECT_EQ(t.only(s, A, Step::V2), want);
}

TEST_F(Variants, V3PreparesThePageBeforeItIsSurplus) {
    const Setup t("v6.6");
    Values s = t.s0;
    s[t.v().actor[A].pc] = t.pc(Step::V3);
    s[t.v().actor[A].page_node] = node(1);
    s[t.v().buddy[1]] = 0;
    Values want = s;
    want[t.v().nr_huge_pages] = 3;
    want[t.v().nr_huge_pages_node[1]] = 2;
    want[t.v().actor[A].pc] = t.pc(Step::V4);
    EXPECT_EQ(t.only(s, A, Step::V3), want);
}

Values at_v4(const Variants::Setup& t, std::uint64_t surplus) {
    Values s = t.s0;
    s[t.v().actor[A].pc] = t.pc(Step::V4);
    s[t.v().actor[A].page_node] = node(1);
    s[t.v().buddy[1]] = 0;
    s[t.v().nr_huge_pages] = 3;
    s[t.v().nr_huge_pages_node[1]] = 2;
    s[t.v().surplus_huge_pages] = surplus;
    s[t.v().surplus_huge_pages_node[0]] = surplus;
    return s;
}

TEST_F(Variants, V4AccountsTheSurplusPage) {
    for (const char* variant : {"v4.19", "v5.4", "v6.6"}) {
        const Setup t(variant);
        const Values s = at_v4(t, 0);
        Values want = s;
        want[t.v().surplus_huge_pages] = 1;
        want[t.v().surplus_huge_pages_node[1]] = 1;
        want[t.v().actor[A].owned] = node(1);
        t.complete(want, A);
        EXPECT_EQ(t.only(s, A, Step::V4), want) << variant;
    }
}

TEST_F(Variants, V4OfV419PutsThePageWithTheLockHeld) {
    const Setup t("v4.19");
    const Values s = at_v4(t, 2);  // the surplus filled up meanwhile
    Values want = s;
    want[t.v().hugetlb_lock] = actor(A);
    want[t.v().actor[A].pc] = t.pc(Step::V5);
    const Values after = t.only(s, A, Step::V4);
    EXPECT_EQ(after, want);
    // A can never go on, and every locked step of the others is blocked.
    const std::vector<std::byte> packed = after.packed();
    EXPECT_TRUE(t.m.self_deadlocked(packed.data(), A));
    EXPECT_EQ(t.m.wait_text(packed.data(), A),
              "A at V5 (free_huge_page) takes hugetlb_lock, which it already holds");
    EXPECT_TRUE(test::successors(t.m, after, A).empty());
    EXPECT_EQ(t.m.blocked_on(packed.data(), C), 0);  // OS1 is unlocked
    Values c_at_o1 = after;
    c_at_o1[t.v().actor[C].pc] = t.pc(Step::O1);
    EXPECT_TRUE(test::successors(t.m, c_at_o1, C).empty());
    EXPECT_EQ(t.m.wait_text(c_at_o1.packed().data(), C),
              "C at O1 (hugetlb_overcommit_handler) waits for hugetlb_lock, held by A");
    const properties::Checker p6(t.m, properties::bit(5));
    EXPECT_EQ(p6.state_violations(packed.data()), properties::bit(5));
    EXPECT_EQ(p6.explain(5, packed.data(), nullptr, nullptr),
              "self-deadlock: A at V5 (free_huge_page) takes hugetlb_lock, which it already holds");
}

TEST_F(Variants, V4ThenV5FreeTheTemporaryPageUnlockedFromV54) {
    const Setup t("v5.4");
    const Values s = at_v4(t, 2);
    Values want = s;
    want[t.v().actor[A].pc] = t.pc(Step::V5);
    const Values after = t.only(s, A, Step::V4);
    EXPECT_EQ(after, want);
    // V5: update_and_free_page under the lock: nr--, nr_node--, buddy++ at once.
    Values freed = after;
    freed[t.v().nr_huge_pages] = 2;
    freed[t.v().nr_huge_pages_node[1]] = 1;
    freed[t.v().buddy[1]] = 1;
    t.complete(freed, A);
    EXPECT_EQ(t.only(after, A, Step::V5), freed);
}

TEST_F(Variants, V5AndV6OfV6xRemoveThenFree) {
    const Setup t("v6.6");
    Values s = at_v4(t, 2);
    s[t.v().actor[A].pc] = t.pc(Step::V5);
    Values removed = s;
    removed[t.v().nr_huge_pages] = 2;
    removed[t.v().nr_huge_pages_node[1]] = 1;
    removed[t.v().actor[A].pc] = t.pc(Step::V6);
    EXPECT_EQ(t.only(s, A, Step::V5), removed);  // buddy not yet
    Values freed = removed;
    freed[t.v().buddy[1]] = 1;
    t.complete(freed, A);
    EXPECT_EQ(t.only(removed, A, Step::V6), freed);
}

TEST_F(Variants, V3OfV618AccountsAndRechecksInOneSection) {
    const Setup t("v6.18");
    Values s = t.s0;
    s[t.v().actor[A].pc] = t.pc(Step::V3);
    s[t.v().actor[A].page_node] = node(1);
    s[t.v().buddy[1]] = 0;
    Values want = s;
    want[t.v().nr_huge_pages] = 3;
    want[t.v().nr_huge_pages_node[1]] = 2;
    want[t.v().surplus_huge_pages] = 1;
    want[t.v().surplus_huge_pages_node[1]] = 1;
    want[t.v().actor[A].owned] = node(1);
    t.complete(want, A);
    EXPECT_EQ(t.only(s, A, Step::V3), want);
    // Surplus full: accounted, then the lock is dropped before free_huge_folio (V5).
    s[t.v().surplus_huge_pages] = s[t.v().surplus_huge_pages_node[0]] = 2;
    want = s;
    want[t.v().nr_huge_pages] = 3;
    want[t.v().nr_huge_pages_node[1]] = 2;
    want[t.v().actor[A].pc] = t.pc(Step::V5);
    EXPECT_EQ(t.only(s, A, Step::V3), want);
}

// ---- UNMAP of v6.x -------------------------------------------------------------------

TEST_F(Variants, U1RemovesASurplusPageAndU2FreesIt) {
    const Setup t("v6.18");
    Values s = t.s0;
    s[t.v().actor[A].op] = 1;
    s[t.v().actor[A].owned] = node(1);
    s[t.v().nr_huge_pages] = 3;
    s[t.v().nr_huge_pages_node[1]] = 2;
    s[t.v().surplus_huge_pages] = s[t.v().surplus_huge_pages_node[1]] = 1;
    s[t.v().buddy[1]] = 0;
    Values removed = s;
    removed[t.v().nr_huge_pages] = 2;
    removed[t.v().nr_huge_pages_node[1]] = 1;
    removed[t.v().surplus_huge_pages] = removed[t.v().surplus_huge_pages_node[1]] = 0;
    removed[t.v().actor[A].owned] = model::kNone;
    removed[t.v().actor[A].page_node] = node(1);
    removed[t.v().actor[A].pc] = t.pc(Step::U2);
    EXPECT_EQ(t.only(s, A, Step::U1), removed);
    Values freed = removed;
    freed[t.v().buddy[1]] = 1;
    t.complete(freed, A);
    EXPECT_EQ(t.only(removed, A, Step::U2), freed);
}

// ---- OVERCOMMIT with the shared table (v4.19) ------------------------------------------

TEST_F(Variants, OvercommitWritesThroughTheSharedTable) {
    const Setup t("v4.19");
    Values want = t.s0;
    want[t.v().actor[C].tmp] = 2;  // nr_overcommit_huge_pages
    want[t.v().overcommit_table_data] = actor(C);
    want[t.v().actor[C].pc] = t.pc(Step::OS2);
    const Values after_os1 = t.only(t.s0, C, Step::OS1);
    EXPECT_EQ(after_os1, want);
    // Another writer (B, say) set the table after C: C's value lands in B's tmp.
    Values raced = after_os1;
    raced[t.v().overcommit_table_data] = actor(B);
    Values want_os2 = raced;
    want_os2[t.v().actor[B].tmp] = 5;
    want_os2[t.v().actor[C].pc] = t.pc(Step::O1);
    const std::vector<Successor> out = test::successors(t.m, raced, C);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].after, want_os2);
    const properties::Checker p5(t.m, properties::bit(4));
    EXPECT_EQ(p5.transition_violations(raced.packed().data(), out[0].after.packed().data(),
                                       out[0].transition),
              properties::bit(4));
    // O1 stores C's own tmp, which still holds the old value.
    Values want_o1 = want_os2;
    want_o1[t.v().nr_overcommit_huge_pages] = 2;
    t.complete(want_o1, C);
    EXPECT_EQ(t.only(want_os2, C, Step::O1), want_o1);
}

// ---- RESIZE_NODE ---------------------------------------------------------------------

TEST_F(Variants, N1N2ComputeTheNodeCountWithoutTheLock) {
    const model::HugetlbModel m(test::scenario(R"toml(
nodes = 1
mem = [2]
pool = [0]
overcommit = 0
[[actor]]
name = "D"
home = 0
script = ["RESIZE_NODE(0, 0)"]
)toml"),
                                "v4.19");
    const model::Vars& v = m.vars();
    const Values s0 = Values::initial(m);
    const std::vector<Successor> n1 = test::successors(m, s0, 0);
    ASSERT_EQ(n1.size(), 1u);
    EXPECT_EQ(n1[0].transition.step, Step::N1);
    EXPECT_EQ(n1[0].after[v.actor[0].count], 0u);  // v 0 + nr_huge_pages 0
    Values grown = n1[0].after;                    // between the two loads, node 0 gained a page
    grown[v.nr_huge_pages] = grown[v.nr_huge_pages_node[0]] = grown[v.free_huge_pages] = 1;
    grown[v.free_huge_pages_node[0]] = 1;
    const std::vector<Successor> n2 = test::successors(m, grown, 0);
    ASSERT_EQ(n2.size(), 1u);
    EXPECT_EQ(n2[0].transition.step, Step::N2);
    EXPECT_EQ(n2[0].after[v.actor[0].count], ~std::uint64_t{0});  // 0 - 1 wraps
    EXPECT_NE(n2[0].transition.events & model::event::underflow, 0);
    EXPECT_EQ(n2[0].after[v.actor[0].pc], m.variant().pc_code(Step::R1));
    const properties::Checker p2(m, properties::bit(1));
    EXPECT_EQ(p2.explain(1, n2[0].after.packed().data(), grown.packed().data(), &n2[0].transition),
              "step N2 of D computes a count below zero: D.count = 18446744073709551615 (wrapped)");
}

TEST_F(Variants, NodeCountUnderTheLockAndItsNodeMask) {
    const Setup t("v5.4");
    // count = 2 + nr 2 - nr_node[1] 1 = 3 > persistent 2: grow, on node 1 only.
    Values want = t.s0;
    want[t.v().actor[D].count] = 3;
    want[t.v().actor[D].pc] = t.pc(Step::R4);
    const Values after = t.only(t.s0, D, Step::R1);
    EXPECT_EQ(after, want);
    Values at_r4 = after;
    at_r4[t.v().next_nid_to_alloc] = 0;  // the cursor is not allowed: node 1 is tried
    Values want_r4 = at_r4;
    want_r4[t.v().buddy[1]] = 0;
    want_r4[t.v().next_nid_to_alloc] = 1;  // next_node_in(1, {1}) = 1
    want_r4[t.v().actor[D].page_node] = node(1);
    want_r4[t.v().actor[D].pc] = t.pc(Step::R5);
    EXPECT_EQ(t.only(at_r4, D, Step::R4), want_r4);
    at_r4[t.v().buddy[1]] = 0;  // node 1 has no block: node 0's does not count
    Values failed = at_r4;
    failed[t.v().next_nid_to_alloc] = 1;
    failed[t.v().actor[D].pc] = t.pc(Step::R6f);
    EXPECT_EQ(t.only(at_r4, D, Step::R4), failed);
}

TEST_F(Variants, NodeCountOfV618UsesPersistentPages) {
    const Setup t("v6.18");
    Values s = t.s0;
    // node 0: 1 page, node 1: 3 pages of which 2 surplus. persistent = 4 - 2 = 2.
    s[t.v().nr_huge_pages] = s[t.v().free_huge_pages] = 4;
    s[t.v().nr_huge_pages_node[1]] = s[t.v().free_huge_pages_node[1]] = 3;
    s[t.v().surplus_huge_pages] = s[t.v().surplus_huge_pages_node[1]] = 2;
    s[t.v().buddy[1]] = 0;
    // count = 2 + persistent 2 - (3 - 2) = 3
    const std::vector<Successor> out = test::successors(t.m, s, D);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].after[t.v().actor[D].count], 3u);
}

TEST(NextNodeIn, WrapsWithinTheMask) {
    EXPECT_EQ(model::kernel::next_node_in(0, 0b111, 3), 1u);
    EXPECT_EQ(model::kernel::next_node_in(2, 0b111, 3), 0u);
    EXPECT_EQ(model::kernel::next_node_in(1, 0b010, 3), 1u);
    EXPECT_EQ(model::kernel::next_node_in(0, 0b100, 3), 2u);
    EXPECT_EQ(model::kernel::next_node_in(2, 0b101, 3), 0u);
}

// ---- set_max_huge_pages of v5.4: max_huge_pages under the lock ---------------------------

TEST_F(Variants, V54StoresMaxHugePagesAtOut) {
    const Setup t("v5.4");
    Values s = t.s0;
    s[t.v().actor[B].op] = 1;  // RESIZE(0), from idle: R1 is its first step
    const std::vector<Successor> out = test::successors(t.m, s, B);
    ASSERT_EQ(out.size(), 3u);  // drop after page 1, after page 2, keep to the end
    Values done = s;
    done[t.v().nr_huge_pages] = done[t.v().free_huge_pages] = 0;
    done[t.v().nr_huge_pages_node[0]] = done[t.v().free_huge_pages_node[0]] = 0;
    done[t.v().nr_huge_pages_node[1]] = done[t.v().free_huge_pages_node[1]] = 0;
    done[t.v().buddy[0]] = 3;
    done[t.v().buddy[1]] = 2;
    done[t.v().max_huge_pages] = 0;
    t.complete(done, B);
    EXPECT_EQ(out[2].after, done);
    EXPECT_EQ(out[0].after[t.v().actor[B].pc], t.pc(Step::R7));
}

// ---- set_max_huge_pages of v6.6: resize_lock, collected shrink -----------------------------

TEST_F(Variants, ResizeLockIsHeldAcrossStepsAndBlocksOtherResizers) {
    const Setup t("v6.6");
    const Values after = t.only(t.s0, B, Step::R1);  // RESIZE(3): grow
    EXPECT_EQ(after[t.v().resize_lock], actor(B));
    EXPECT_EQ(after[t.v().actor[B].pc], t.pc(Step::R4));
    EXPECT_TRUE(test::successors(t.m, after, D).empty());  // D's R1 waits
    EXPECT_EQ(t.m.wait_text(after.packed().data(), D),
              "D at R1 (set_max_huge_pages) waits for resize_lock, held by B");
    EXPECT_FALSE(t.m.self_deadlocked(after.packed().data(), D));
    EXPECT_EQ(test::successors(t.m, after, A).size(), 1u);  // faults go on
}

TEST_F(Variants, CollectedShrinkFreesAfterTheUnlock) {
    const Setup t("v6.6");
    Values s = t.s0;
    s[t.v().actor[B].op] = 1;  // RESIZE(0)
    Values collected = s;      // both free pages removed under the lock, node 0 first
    collected[t.v().nr_huge_pages] = collected[t.v().free_huge_pages] = 0;
    collected[t.v().nr_huge_pages_node[0]] = collected[t.v().free_huge_pages_node[0]] = 0;
    collected[t.v().nr_huge_pages_node[1]] = collected[t.v().free_huge_pages_node[1]] = 0;
    collected[t.v().next_nid_to_free] = 0;            // tried 0 (taken), 1 (taken)
    collected[t.v().actor[B].page_list] = 1 * 3 + 2;  // [1,0]: node 1, collected last, first
    collected[t.v().actor[B].count] = 0;
    collected[t.v().resize_lock] = actor(B);
    collected[t.v().actor[B].pc] = t.pc(Step::R8);
    const Values after = t.only(s, B, Step::R1);  // no cond_resched_lock choice
    EXPECT_EQ(after, collected);
    EXPECT_EQ(t.m.format_value(t.v().actor[B].page_list, after[t.v().actor[B].page_list]), "[1,0]");
    Values one = collected;  // the head (node 1) first
    one[t.v().buddy[1]] = 2;
    one[t.v().actor[B].page_list] = 1;
    EXPECT_EQ(t.only(collected, B, Step::R8), one);
    Values two = one;
    two[t.v().buddy[0]] = 3;
    two[t.v().actor[B].page_list] = 0;
    two[t.v().actor[B].pc] = t.pc(Step::R9);
    EXPECT_EQ(t.only(one, B, Step::R8), two);
    Values out = two;  // R9: nothing to mark surplus; out; both locks released
    out[t.v().max_huge_pages] = 0;
    out[t.v().resize_lock] = model::kNone;
    t.complete(out, B);
    EXPECT_EQ(t.only(two, B, Step::R9), out);
}

TEST_F(Variants, NewPageOfASurplusNodeGoesBackAfterTheUnlock) {
    const Setup t("v6.6");
    Values s = t.s0;
    s[t.v().actor[B].pc] = t.pc(Step::R5b);
    s[t.v().actor[B].count] = 3;
    s[t.v().resize_lock] = actor(B);
    s[t.v().actor[B].page_node] = node(0);
    s[t.v().nr_huge_pages] = 4;
    s[t.v().nr_huge_pages_node[0]] = 3;
    s[t.v().buddy[0]] = 0;
    s[t.v().surplus_huge_pages] = s[t.v().surplus_huge_pages_node[0]] = 1;
    Values removed = s;
    removed[t.v().nr_huge_pages] = 3;
    removed[t.v().nr_huge_pages_node[0]] = 2;
    removed[t.v().surplus_huge_pages] = removed[t.v().surplus_huge_pages_node[0]] = 0;
    removed[t.v().actor[B].pc] = t.pc(Step::R5c);
    EXPECT_EQ(t.only(s, B, Step::R5b), removed);
    Values freed = removed;
    freed[t.v().buddy[0]] = 1;
    freed[t.v().actor[B].page_node] = model::kNone;
    freed[t.v().actor[B].pc] = t.pc(Step::R6);
    EXPECT_EQ(t.only(removed, B, Step::R5c), freed);
}

// ---- set_max_huge_pages of v6.18: the batched grow ------------------------------------------

TEST_F(Variants, BatchedGrowAddsAllPagesInOneSection) {
    const Setup t("v6.18");
    Values s = t.s0;  // B: RESIZE(3) from 2 pages; one folio needed
    const Values r1 = t.only(s, B, Step::R1);
    EXPECT_EQ(r1[t.v().actor[B].pc], t.pc(Step::R4));
    const Values r4 = t.only(r1, B, Step::R4);  // cursor 0: node 0, onto page_list
    EXPECT_EQ(r4[t.v().buddy[0]], 1u);
    EXPECT_EQ(r4[t.v().actor[B].page_list], 1u);  // [0]
    EXPECT_EQ(r4[t.v().nr_huge_pages], 2u);       // not accounted yet
    EXPECT_EQ(r4[t.v().actor[B].pc], t.pc(Step::R6));
    const Values r6 = t.only(r4, B, Step::R6);  // 3 > 2 + 1 allocated? no: add the batch
    EXPECT_EQ(r6[t.v().actor[B].pc], t.pc(Step::RA));
    Values added = r6;
    added[t.v().nr_huge_pages] = added[t.v().free_huge_pages] = 3;
    added[t.v().nr_huge_pages_node[0]] = added[t.v().free_huge_pages_node[0]] = 2;
    added[t.v().actor[B].page_list] = 0;
    added[t.v().actor[B].pc] = t.pc(Step::RS);
    EXPECT_EQ(t.only(r6, B, Step::RA), added);
    const Values rs = t.only(added, B, Step::RS);  // nothing to collect
    EXPECT_EQ(rs[t.v().actor[B].pc], t.pc(Step::R9));
}

TEST_F(Variants, BatchedGrowAddsWhatItHasWhenAllocationFails) {
    const Setup t("v6.18");
    Values s = t.s0;
    s[t.v().actor[B].pc] = t.pc(Step::R4);
    s[t.v().actor[B].count] = 5;
    s[t.v().resize_lock] = actor(B);
    s[t.v().actor[B].page_list] = 1;  // [0]: one folio of node 0 allocated
    s[t.v().buddy[0]] = s[t.v().buddy[1]] = 0;
    Values want = s;
    want[t.v().actor[B].pc] = t.pc(Step::RAf);
    EXPECT_EQ(t.only(s, B, Step::R4), want);
    Values added = want;
    added[t.v().nr_huge_pages] = added[t.v().free_huge_pages] = 3;
    added[t.v().nr_huge_pages_node[0]] = added[t.v().free_huge_pages_node[0]] = 2;
    added[t.v().actor[B].page_list] = 0;
    added[t.v().actor[B].pc] = t.pc(Step::R6f);
    EXPECT_EQ(t.only(want, B, Step::RAf), added);
    Values out = added;
    out[t.v().max_huge_pages] = 3;
    out[t.v().resize_lock] = model::kNone;
    t.complete(out, B);
    EXPECT_EQ(t.only(added, B, Step::R6f), out);
}

TEST_F(Variants, ShrinkOfV618UsesTheFreePersistentCount) {
    // 3 pages: node 0's two (one free, one in use and surplus), node 1's one in use.
    // persistent = 3 - 1 = 2. v6.6: min_count = resv + nr - free = 2: nothing to free.
    // v6.18: free 1 <= persistent, so persistent_free_count = 1 and min_count =
    // resv + persistent - 1 = 1 < 2: the free page is collected.
    auto state = [](const Setup& t) {
        Values s = t.s0;
        s[t.v().actor[B].op] = 1;  // RESIZE(0)
        s[t.v().nr_huge_pages] = 3;
        s[t.v().nr_huge_pages_node[0]] = 2;
        s[t.v().free_huge_pages] = s[t.v().free_huge_pages_node[0]] = 1;
        s[t.v().free_huge_pages_node[1]] = 0;
        s[t.v().surplus_huge_pages] = s[t.v().surplus_huge_pages_node[0]] = 1;
        s[t.v().buddy[0]] = 1;
        return s;
    };
    const Setup t618("v6.18");
    const Values after618 = t618.only(state(t618), B, Step::R1);
    EXPECT_EQ(after618[t618.v().actor[B].page_list], 1u);  // [0]
    EXPECT_EQ(after618[t618.v().actor[B].pc], t618.pc(Step::R8));
    const Setup t66("v6.6");
    const Values after66 = t66.only(state(t66), B, Step::R1);
    EXPECT_EQ(after66[t66.v().actor[B].page_list], 0u);
    EXPECT_EQ(after66[t66.v().actor[B].pc], t66.pc(Step::R9));
}

// ---- every variant on every RM scenario: structural facts ----------------------------------

TEST(VariantFacts, VersionsAfterTheSeedKeepGlobalAndNodeCountersTogether) {
    // From v4.19 on, every counter moves with its node counter in one section: P1 and P8
    // hold whatever the scenario.
    for (const char* variant : {"v4.19", "v5.4", "v6.6", "v6.18"})
        for (const char* name : {"surplus-race", "sysctl-race", "bench-small", "bench-medium"}) {
            const model::HugetlbModel m(model::load_scenario(name), variant);
            const test::Explored e = test::explore(m, properties::bit(0) | properties::bit(7));
            EXPECT_TRUE(e.shortest.empty()) << variant << " " << name;
            EXPECT_EQ(e.status, explorer::Status::complete);
        }
}

TEST(VariantFacts, EveryTraceOfEveryVariantReplays) {
    for (const model::Variant* v : model::all_variants())
        for (const char* name :
             {"bench-small", "bench-medium", "history/hc1-temporary-folio-window"}) {
            const model::HugetlbModel m(model::load_scenario(name), v->name());
            const properties::Checker checker(m, properties::kAllProperties);
            const test::Explored e = test::explore(m);
            for (const auto& trace : e.traces)
                EXPECT_EQ(counterexamples::replay(m, checker, trace), "")
                    << v->name() << " " << name;
        }
}

}  // namespace
}  // namespace hugecheck
