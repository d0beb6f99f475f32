// Every property of the RM (§3) both firing and holding, on hand-built states and steps,
// and the line that explains each violation.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace hugecheck {
namespace {

using model::Step;
using model::Transition;
using properties::bit;
using properties::Checker;
using test::Values;

constexpr std::size_t P1 = 0, P2 = 1, P3 = 2, P4 = 3, P5 = 4, P6 = 5, P7 = 6, P8 = 7;

class Properties : public ::testing::Test {
  protected:
    Properties()
        : m(test::scenario(R"toml(
nodes = 2
mem = [2, 2]
pool = [1, 1]
overcommit = 1
[[actor]]
name = "A"
home = 0
script = ["FAULT"]
[[actor]]
name = "B"
home = 1
script = ["RESIZE(3)"]
[[actor]]
name = "C"
home = 1
script = ["RESIZE(1)"]
)toml")),
          v(m.vars()),
          all(m, properties::kAllProperties),
          s0(Values::initial(m)) {}

    properties::PropertySet state(const Values& s) const {
        return all.state_violations(s.packed().data());
    }
    properties::PropertySet edge(const Values& before, const Values& after, Transition t) const {
        return all.transition_violations(before.packed().data(), after.packed().data(), t);
    }
    Values done(Values s) const {
        for (const model::ActorSlots& a : v.actor)
            s[a.op] = 1;
        return s;
    }

    std::uint64_t pc(Step s) const { return m.variant().pc_code(s); }

    model::HugetlbModel m;
    const model::Vars& v;
    Checker all;
    Values s0;
};

TEST_F(Properties, EveryPropertyHoldsInTheInitialState) {
    EXPECT_EQ(state(s0), 0u);
    EXPECT_EQ(all.deadend_violations(done(s0).packed().data()), 0u);
}

TEST_F(Properties, P1FiresWhenAGlobalCounterIsAheadOfItsNodes) {
    Values s = s0;
    s[v.nr_huge_pages] = 3;  // B1's bump: the page is not on a node yet
    s[v.surplus_huge_pages] = 1;
    s[v.actor[0].pc] = pc(Step::B2);
    EXPECT_EQ(state(s) & bit(P1), bit(P1));
    EXPECT_EQ(all.explain(P1, s.packed().data(), nullptr, nullptr),
              "nr_huge_pages = 3 but Σ nr_huge_pages_node = 2");
    Values f = s0;
    f[v.free_huge_pages] = 1;
    EXPECT_EQ(state(f) & bit(P1), bit(P1));
    Values g = s0;
    g[v.surplus_huge_pages_node[1]] = 1;
    EXPECT_EQ(state(g) & bit(P1), bit(P1));
}

TEST_F(Properties, P2FiresWhenFreeOrSurplusExceedsNr) {
    Values s = s0;
    s[v.free_huge_pages_node[0]] = 2;
    s[v.free_huge_pages] = 3;
    EXPECT_EQ(state(s) & bit(P2), bit(P2));
    Values n = s0;
    n[v.surplus_huge_pages_node[1]] = 2;  // > nr_huge_pages_node[1] = 1
    n[v.surplus_huge_pages] = 2;
    EXPECT_EQ(state(n) & bit(P2), bit(P2));
    EXPECT_EQ(all.explain(P2, n.packed().data(), nullptr, nullptr),
              "surplus_huge_pages_node[1] = 2 > nr_huge_pages_node[1] = 1");
    Values ok = s0;
    ok[v.surplus_huge_pages] = ok[v.surplus_huge_pages_node[1]] = 1;
    EXPECT_EQ(state(ok) & bit(P2), 0u);
}

TEST_F(Properties, P2FiresOnAStepThatUnderflowsACounter) {
    Values before = s0;
    before[v.nr_huge_pages] = 0;
    Values after = before;
    after[v.nr_huge_pages] = ~std::uint64_t{0};
    const Transition t{0, Step::B3, model::event::underflow, 0};
    EXPECT_EQ(edge(before, after, t) & bit(P2), bit(P2));
    EXPECT_EQ(all.explain(P2, after.packed().data(), before.packed().data(), &t),
              "step B3 of A decrements a counter at 0: nr_huge_pages = 18446744073709551615 "
              "(wrapped)");
    const Transition clean{0, Step::B3, 0, 0};
    EXPECT_EQ(edge(s0, s0, clean) & bit(P2), 0u);
}

TEST_F(Properties, P3FiresOnlyOnQuiescentStates) {
    Values lost = s0;  // a page left node 0's pool without reaching the buddy allocator
    lost[v.nr_huge_pages] = lost[v.free_huge_pages] = 1;
    lost[v.nr_huge_pages_node[0]] = lost[v.free_huge_pages_node[0]] = 0;
    EXPECT_EQ(state(lost) & bit(P3), bit(P3));
    EXPECT_EQ(all.explain(P3, lost.packed().data(), nullptr, nullptr),
              "node 0: buddy 1 + nr_huge_pages_node 0 = 1 but mem = 2");
    Values busy = lost;  // the same numbers while B is inside its RESIZE: not checked
    busy[v.actor[1].pc] = pc(Step::R4);
    EXPECT_EQ(state(busy) & bit(P3), 0u);
}

TEST_F(Properties, P3CountsPagesInUseAgainstOwners) {
    Values s = s0;
    s[v.free_huge_pages] = 1;  // one page in use ...
    s[v.free_huge_pages_node[0]] = 0;
    EXPECT_EQ(state(s) & bit(P3), bit(P3));  // ... and nobody owns it
    s[v.actor[0].owned] = model::encode_index(0);
    s[v.actor[0].op] = 1;
    EXPECT_EQ(state(s) & bit(P3), 0u);
}

TEST_F(Properties, P4FiresWhenAlloc_buddy_huge_pageExceedsOvercommit) {
    Values before = s0;
    before[v.surplus_huge_pages] = 1;  // == overcommit 1
    Values after = before;
    after[v.surplus_huge_pages] = 2;
    after[v.nr_huge_pages] = 3;
    const Transition b1{0, Step::B1};
    EXPECT_EQ(edge(before, after, b1) & bit(P4), bit(P4));
    EXPECT_EQ(all.explain(P4, after.packed().data(), before.packed().data(), &b1),
              "surplus_huge_pages = 2 > nr_overcommit_huge_pages = 1 after B1 of A");
    // Within the limit, or a set_max_huge_pages step (the kernel lets a shrink go above).
    Values within = s0;
    within[v.surplus_huge_pages] = 1;
    EXPECT_EQ(edge(s0, within, {0, Step::B1}) & bit(P4), 0u);
    EXPECT_EQ(edge(before, after, {1, Step::R1}) & bit(P4), 0u);
}

TEST_F(Properties, P5FiresWhenS2WritesThroughAnotherWritersTable) {
    Values before = s0;
    before[v.actor[1].pc] = pc(Step::S2);
    before[v.table_data] = model::encode_index(2);  // C's S1 came after B's
    EXPECT_EQ(edge(before, before, {1, Step::S2}) & bit(P5), bit(P5));
    const Transition t{1, Step::S2};
    EXPECT_EQ(all.explain(P5, before.packed().data(), before.packed().data(), &t),
              "S2 of B writes through table->data = &C.tmp, not its own tmp");
    before[v.table_data] = model::encode_index(1);
    EXPECT_EQ(edge(before, before, {1, Step::S2}) & bit(P5), 0u);
}

TEST_F(Properties, P6FiresOnADeadEndWithAnActorNotDone) {
    Values stuck = s0;
    stuck[v.actor[0].op] = 1;
    stuck[v.actor[1].pc] = pc(Step::R4);
    EXPECT_EQ(all.deadend_violations(stuck.packed().data()), bit(P6));
    EXPECT_EQ(all.explain(P6, stuck.packed().data(), nullptr, nullptr),
              "no step is enabled but not every actor is done: B at R4; C at idle");
    EXPECT_EQ(all.deadend_violations(done(s0).packed().data()), 0u);
}

TEST_F(Properties, P7FiresOnATerminalStateWithAStaleMaxHugePages) {
    Values s = done(s0);
    s[v.max_huge_pages] = 1;  // persistent is 2
    EXPECT_EQ(state(s) & bit(P7), bit(P7));
    EXPECT_EQ(all.explain(P7, s.packed().data(), nullptr, nullptr),
              "max_huge_pages = 1 but persistent_huge_pages = nr_huge_pages 2 - "
              "surplus_huge_pages 0 = 2");
    Values running = s;  // not terminal: not checked
    running[v.actor[0].op] = 0;
    EXPECT_EQ(state(running) & bit(P7), 0u);
    EXPECT_EQ(state(done(s0)) & bit(P7), 0u);
}

TEST_F(Properties, P8FiresWhenLoop1CannotConvertASurplusPage) {
    Values before = s0;
    before[v.nr_huge_pages] = 3;
    before[v.surplus_huge_pages] = 1;
    const Transition t{1, Step::R1, model::event::loop1_adjust_failed, 0};
    EXPECT_EQ(edge(before, before, t) & bit(P8), bit(P8));
    EXPECT_EQ(all.explain(P8, before.packed().data(), before.packed().data(), &t),
              "adjust_pool_surplus(-1) of B fails while surplus_huge_pages = 1 but Σ "
              "surplus_huge_pages_node = 0: the surplus page is not converted");
    EXPECT_EQ(edge(before, before, {1, Step::R1}) & bit(P8), 0u);
}

TEST_F(Properties, OnlySelectedPropertiesAreChecked) {
    const Checker p2_only(m, bit(P2));
    Values s = s0;
    s[v.nr_huge_pages] = 3;  // P1 broken, P2 not
    EXPECT_EQ(p2_only.state_violations(s.packed().data()), 0u);
    const Checker none(m, 0);
    Values stuck = s0;
    stuck[v.actor[1].pc] = pc(Step::R4);
    EXPECT_EQ(none.deadend_violations(stuck.packed().data()), 0u);
}

TEST(PropertyList, ParsesIdsAndRejectsUnknownOnes) {
    EXPECT_EQ(properties::parse_property_list("P1,P8", "--property"), bit(P1) | bit(P8));
    EXPECT_EQ(properties::parse_property_list(" p3 , P4", "--property"), bit(P3) | bit(P4));
    EXPECT_EQ(properties::format_property_set(bit(P1) | bit(P8)), "P1 P8");
    try {
        properties::parse_property_list("P1,P14", "--skip");
        FAIL() << "P14 accepted";
    } catch (const InputError& e) {
        EXPECT_STREQ(e.what(),
                     "--skip: unknown property 'P14' (known: P1 to P13; see hugecheck list)");
    }
}

}  // namespace
}  // namespace hugecheck
