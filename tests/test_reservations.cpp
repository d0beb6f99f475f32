// Reservations (MMAP, MUNMAP, a FAULT that consumes one), memory offline (DISSOLVE), pages
// with identity (frames) and the properties P11-P13 (docs/frames.md,
// docs/reservations.md): parsing, each step's effect, the properties firing and holding,
// and page-level runs agreeing with counter-level runs on every counter property.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "model/frames.hpp"
#include "model/scenario_catalog.hpp"
#include "test_support.hpp"

namespace hugecheck {
namespace {

using model::Step;
using test::Values;

const model::Vars& vars(const model::HugetlbModel& m) {
    return m.vars();
}

// The frames of node n, as the state stores them (sorted).
std::vector<std::uint64_t> frames_of(const Values& x, std::uint32_t n) {
    std::vector<std::uint64_t> out;
    for (model::Slot s : x.m->vars().frames[n])
        out.push_back(x[s]);
    return out;
}

std::vector<test::Successor> of_actor(const model::HugetlbModel& m, const Values& x,
                                      std::uint32_t a) {
    return test::successors(m, x, static_cast<int>(a));
}

// kMapper's actor at its FAULT with one reservation and no free page (node 0's page back in
// buddy): the reserved fault's slow path.
Values reserved_fault_without_free_page(const model::HugetlbModel& m) {
    const auto& v = m.vars();
    Values x = Values::initial(m);
    x[v.actor[0].op] = 1;
    x[v.actor[0].reserved] = 1;
    x[v.resv_huge_pages] = 1;
    x[v.free_huge_pages] = 0;
    x[v.free_huge_pages_node[0]] = 0;
    x[v.nr_huge_pages] = 0;
    x[v.nr_huge_pages_node[0]] = 0;
    x[v.buddy[0]] = 2;
    x[v.frames[0][1]] = model::frames::buddy;
    return x;
}

// Runs actor a's steps while it has only one successor and its op does not change; the
// labels taken.
std::vector<Step> run_op(const model::HugetlbModel& m, Values& x, std::uint32_t a) {
    const auto& v = m.vars();
    const std::uint64_t op = x[v.actor[a].op];
    std::vector<Step> steps;
    while (x[v.actor[a].op] == op) {
        const auto next = of_actor(m, x, a);
        if (next.size() != 1) break;
        steps.push_back(next[0].transition.step);
        x = next[0].after;
    }
    return steps;
}

// ---- parsing ---------------------------------------------------------------------------

constexpr const char* kOneMapping = R"toml(
nodes = 2
mem = [2, 2]
pool = [1, 0]
overcommit = 2
[[actor]]
name = "A"
home = 0
policy = "bind"
script = ["MMAP(2)", "FAULT", "UNMAP", "MUNMAP"]
[[actor]]
name = "B"
home = 1
script = ["DISSOLVE(1)"]
)toml";

TEST(ReservationScenario, ParsesTheNewOperationsAndThePolicy) {
    const model::Scenario sc = test::scenario(kOneMapping);
    ASSERT_EQ(sc.actors.size(), 2u);
    EXPECT_TRUE(sc.actors[0].bind);
    EXPECT_FALSE(sc.actors[1].bind);
    EXPECT_EQ(model::format_operation(sc.actors[0].script[0]), "MMAP(2)");
    EXPECT_EQ(sc.actors[0].script[0].value, 2u);
    EXPECT_EQ(model::format_operation(sc.actors[0].script[3]), "MUNMAP");
    EXPECT_EQ(model::format_operation(sc.actors[1].script[0]), "DISSOLVE(1)");
    EXPECT_EQ(sc.actors[1].script[0].node, 1u);
    EXPECT_FALSE(sc.frames);
}

TEST(ReservationScenario, FramesAsAListOrAFlag) {
    const model::Scenario listed = test::scenario(R"toml(
nodes = 2
frames = [0, 1, 1]
pool = [0, 1]
overcommit = 0
[[actor]]
name = "A"
home = 0
script = ["FAULT"]
)toml");
    EXPECT_TRUE(listed.frames);
    EXPECT_EQ(listed.mem, (std::vector<std::uint64_t>{1, 2}));
    model::Scenario flagged = test::scenario(kOneMapping);
    const std::string before = flagged.text;
    model::enable_frames(flagged);
    EXPECT_TRUE(flagged.frames);
    // The recorded text says so, so that a trace file replays with frames.
    EXPECT_TRUE(model::parse_scenario(flagged.text, "again.toml", "again").frames);
    EXPECT_NE(flagged.text, before);
}

struct BadInput {
    const char* replace;  // a line of kOneMapping ...
    const char* with;     // ... and what it becomes
    const char* field;
    const char* message;
};

TEST(ReservationScenario, BadInputNamesTheField) {
    const BadInput cases[] = {
        {"\"MMAP(2)\"", "\"MMAP(0)\"", "actor[0].script[0]", "MMAP(k) reserves 1 to 64 pages"},
        {"\"MMAP(2)\"", "\"MUNMAP\"", "actor[0].script[0]", "MUNMAP without an MMAP before it"},
        {"\"UNMAP\", \"MUNMAP\"", "\"MMAP(1)\"", "actor[0].script[2]",
         "MMAP while the mapping of an earlier MMAP is still there"},
        {"DISSOLVE(1)", "DISSOLVE(2)", "actor[1].script[0]", "node index 2 is out of range"},
        {"DISSOLVE(1)", "DISSOLVE", "actor[1].script[0]", "DISSOLVE needs a node"},
        {"policy = \"bind\"", "policy = \"interleave\"", "actor[0].policy",
         "unknown policy 'interleave'"},
        {"overcommit = 2", "overcommit = 2\nframes = 3", "frames",
         "expected true, false or a list of the frames' nodes"},
        {"mem = [2, 2]", "mem = [20, 20]\nframes = true", "frames",
         "40 frames is more than the limit 24"},
    };
    for (const BadInput& c : cases) {
        std::string toml = kOneMapping;
        toml.replace(toml.find(c.replace), std::string(c.replace).size(), c.with);
        try {
            test::scenario(toml);
            ADD_FAILURE() << "accepted: " << c.with;
        } catch (const InputError& e) {
            EXPECT_EQ(e.field(), c.field) << c.with;
            EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos)
                << c.with << ": " << e.what();
        }
    }
}

TEST(ReservationScenario, EveryVariantModelsReservationsAndFrames) {
    // v2.6.24 has no memory offline of huge pages (3.12) and no per-node file (2.6.33).
    for (const model::Variant* v : model::all_variants()) {
        EXPECT_TRUE(v->features().reservations && v->features().frames) << v->name();
        EXPECT_EQ(v->features().dissolve, v->name() != "v2.6.24") << v->name();
    }
    EXPECT_EQ(model::HugetlbModel::missing_features(test::scenario(kOneMapping),
                                                    model::find_variant("v2.6.24")),
              "memory offline (DISSOLVE)");
    try {
        model::HugetlbModel(test::scenario(kOneMapping), "v2.6.24");
        ADD_FAILURE() << "v2.6.24 took DISSOLVE";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("variants that do: seed, seed-zone-check, v4.19"),
                  std::string::npos)
            << e.what();
    }
}

// ---- the steps -------------------------------------------------------------------------

constexpr const char* kMapper = R"toml(
nodes = 2
frames = true
mem = [2, 2]
pool = [1, 0]
overcommit = 2
[[actor]]
name = "A"
home = 0
script = ["MMAP(2)", "FAULT", "UNMAP", "MUNMAP"]
)toml";

// M1: needed = resv + k - free > 0: unlock and allocate surplus pages (V1).
TEST(ReservationSteps, M1AllocatesWhatTheFreePagesDoNotCover) {
    const model::HugetlbModel m(test::scenario(kMapper), "v4.19");
    const auto& v = vars(m);
    const Values x = Values::initial(m);
    const auto next = of_actor(m, x, 0);
    ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(next[0].transition.step, Step::M1);
    EXPECT_EQ(next[0].after[v.actor[0].count], 1u);  // 0 + 2 - 1
    EXPECT_EQ(next[0].after[v.resv_huge_pages], 0u);
    EXPECT_EQ(m.variant().step_of_pc(next[0].after[v.actor[0].pc]), Step::V1);
}

// M1 with enough free pages: resv += k and the mapping holds the reservation.
TEST(ReservationSteps, M1CommitsWhenThePoolCoversIt) {
    const model::HugetlbModel m(test::scenario(kMapper), "v5.4");
    const auto& v = vars(m);
    Values x = Values::initial(m);
    x[v.free_huge_pages] = 2;
    x[v.free_huge_pages_node[1]] = 1;
    x[v.nr_huge_pages] = 2;
    x[v.nr_huge_pages_node[1]] = 1;
    x[v.buddy[1]] = 1;
    x[v.frames[1][1]] = model::frames::free;
    const auto next = of_actor(m, x, 0);
    ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(next[0].after[v.resv_huge_pages], 2u);
    EXPECT_EQ(next[0].after[v.actor[0].reserved], 2u);
    EXPECT_EQ(next[0].after[v.actor[0].op], 1u);  // the op completed
}

// The whole MMAP(2) on the mapper scenario: one surplus page gathered and enqueued, resv 2,
// and (no other actor) a single path.
TEST(ReservationSteps, GatherSurplusPagesRunsToTheEnd) {
    const model::HugetlbModel m(test::scenario(kMapper), "v4.19");
    const auto& v = vars(m);
    Values x = Values::initial(m);
    std::vector<Step> steps;
    while (x[v.actor[0].op] == 0) {
        const auto next = of_actor(m, x, 0);
        ASSERT_EQ(next.size(), 1u);
        steps.push_back(next[0].transition.step);
        x = next[0].after;
    }
    EXPECT_EQ(steps, (std::vector<Step>{Step::M1, Step::V1, Step::V2, Step::V3, Step::V4, Step::M2,
                                        Step::M4}));
    EXPECT_EQ(x[v.resv_huge_pages], 2u);
    EXPECT_EQ(x[v.free_huge_pages], 2u);
    EXPECT_EQ(x[v.surplus_huge_pages], 1u);
    EXPECT_EQ(x[v.actor[0].reserved], 2u);
    EXPECT_EQ(frames_of(x, 0),
              (std::vector<std::uint64_t>{model::frames::free, model::frames::free}));
}

// A FAULT with a reservation takes a free page and consumes it (resv--, reserved--).
TEST(ReservationSteps, AReservedFaultConsumesItsReservation) {
    const model::HugetlbModel m(test::scenario(kMapper), "v6.6");
    const auto& v = vars(m);
    Values x = Values::initial(m);
    x[v.actor[0].op] = 1;
    x[v.actor[0].reserved] = 1;
    x[v.resv_huge_pages] = 1;
    const auto next = of_actor(m, x, 0);
    ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(next[0].after[v.resv_huge_pages], 0u);
    EXPECT_EQ(next[0].after[v.actor[0].reserved], 0u);
    EXPECT_EQ(next[0].after[v.free_huge_pages], 0u);
    EXPECT_EQ(next[0].after[v.actor[0].owned], model::encode_index(0));
    EXPECT_EQ(frames_of(next[0].after, 0)[1], model::frames::held(0, model::frames::Role::in_use));
}

// B7: v4.19 loads resv_huge_pages (W1) and stores it minus one (W2) without the lock; v5.4
// decrements it in a lock section (W3).
TEST(ReservationSteps, TheSlowPathDecrementsResvUnlockedUpToTheFix) {
    for (const char* variant : {"v4.19", "v5.4"}) {
        const model::HugetlbModel m(test::scenario(kMapper), variant);
        const auto& v = vars(m);
        Values x = reserved_fault_without_free_page(m);
        const std::vector<Step> steps = run_op(m, x, 0);
        EXPECT_EQ(x[v.actor[0].op], 2u) << variant;
        const Step last = std::string(variant) == "v4.19" ? Step::W2 : Step::W3;
        EXPECT_EQ(steps.back(), last) << variant;
        if (last == Step::W2) {
            EXPECT_EQ(steps[steps.size() - 2], Step::W1);
        }
        EXPECT_EQ(x[v.resv_huge_pages], 0u) << variant;
        EXPECT_EQ(x[v.actor[0].reserved], 0u) << variant;
        EXPECT_EQ(x[v.surplus_huge_pages], 1u) << variant;
    }
}

// MUNMAP from v4.10: per surplus page resv--, the page freed, and cond_resched_lock's
// choice to drop the lock (X2) or keep it.
TEST(ReservationSteps, MunmapReturnsSurplusPagesOneByOne) {
    const model::HugetlbModel m(test::scenario(kMapper), "v5.4");
    const auto& v = vars(m);
    Values x = Values::initial(m);
    x[v.actor[0].op] = 3;
    x[v.actor[0].reserved] = 2;
    x[v.resv_huge_pages] = 2;
    x[v.nr_huge_pages] = 2;
    x[v.free_huge_pages] = 2;
    x[v.surplus_huge_pages] = 1;
    x[v.nr_huge_pages_node[0]] = 2;
    x[v.free_huge_pages_node[0]] = 2;
    x[v.surplus_huge_pages_node[0]] = 1;
    x[v.buddy[0]] = 0;
    x[v.frames[0][0]] = model::frames::free;
    const auto next = of_actor(m, x, 0);
    ASSERT_EQ(next.size(), 2u);  // drop the lock after the page, or keep it
    for (const auto& s : next) {
        EXPECT_EQ(s.after[v.surplus_huge_pages], 0u);
        EXPECT_EQ(s.after[v.nr_huge_pages], 1u);
        EXPECT_EQ(s.after[v.buddy[0]], 1u);
        EXPECT_EQ(s.after[v.actor[0].reserved], 0u);
    }
    EXPECT_EQ(next[0].after[v.resv_huge_pages], 1u);  // dropped: one page still covered
    EXPECT_EQ(m.variant().step_of_pc(next[0].after[v.actor[0].pc]), Step::X2);
    EXPECT_EQ(next[1].after[v.resv_huge_pages], 0u);  // kept: the rest given back
    EXPECT_EQ(next[1].after[v.actor[0].op], 4u);
}

// v6.x: resv -= unused first, the surplus pages collected off the pool, X3 frees them.
TEST(ReservationSteps, MunmapCollectsOnV6) {
    const model::HugetlbModel m(test::scenario(kMapper), "v6.18");
    const auto& v = vars(m);
    Values x = Values::initial(m);
    x[v.actor[0].op] = 3;
    x[v.actor[0].reserved] = 1;
    x[v.resv_huge_pages] = 1;
    x[v.surplus_huge_pages] = 1;
    x[v.surplus_huge_pages_node[0]] = 1;
    auto next = of_actor(m, x, 0);
    ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(next[0].transition.step, Step::X1);
    EXPECT_EQ(next[0].after[v.resv_huge_pages], 0u);
    EXPECT_EQ(next[0].after[v.nr_huge_pages], 0u);
    EXPECT_EQ(next[0].after[v.buddy[0]], 1u);  // not yet: the page is leaving
    EXPECT_EQ(m.variant().step_of_pc(next[0].after[v.actor[0].pc]), Step::X3);
    next = of_actor(m, next[0].after, 0);
    ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(next[0].after[v.buddy[0]], 2u);
    EXPECT_EQ(frames_of(next[0].after, 0),
              (std::vector<std::uint64_t>{model::frames::buddy, model::frames::buddy}));
}

constexpr const char* kUnmapDissolve = R"toml(
nodes = 1
frames = true
mem = [2]
pool = [2]
overcommit = 0
[[actor]]
name = "A"
home = 0
script = ["FAULT", "UNMAP"]
[[actor]]
name = "B"
home = 0
script = ["DISSOLVE(0)"]
)toml";

// With frames UNMAP is U0 (the refcount drop) and then the variant's U1.
TEST(ReservationSteps, U0DropsTheReferenceWithoutTheLock) {
    const model::HugetlbModel m(test::scenario(kUnmapDissolve), "v6.6");
    const auto& v = vars(m);
    Values x = of_actor(m, Values::initial(m), 0)[0].after;  // A faulted
    const auto next = of_actor(m, x, 0);
    ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(next[0].transition.step, Step::U0);
    EXPECT_EQ(frames_of(next[0].after, 0)[1], model::frames::held(0, model::frames::Role::dropped));
    EXPECT_EQ(m.variant().step_of_pc(next[0].after[v.actor[0].pc]), Step::U1);
    EXPECT_EQ(next[0].after[v.free_huge_pages], x[v.free_huge_pages]);
}

// DISSOLVE with frames: one choice per distinct state of the node's huge pages. v4.19
// dissolves the dropped page (B14); v5.4 retries, leaving the state as it was; v6.6
// dissolves only the free one, in two steps (D1 under the lock, D2 to buddy).
TEST(ReservationSteps, DissolveChoosesAmongTheNodesPages) {
    for (const char* variant : {"v4.19", "v5.4", "v6.6"}) {
        const model::HugetlbModel m(test::scenario(kUnmapDissolve), variant);
        const auto& v = vars(m);
        Values x = of_actor(m, Values::initial(m), 0)[0].after;
        x = of_actor(m, x, 0)[0].after;  // U0
        const auto next = of_actor(m, x, 1);
        ASSERT_EQ(next.size(), 2u) << variant;  // the free page, the dropped one
        // The free page: dissolved by every version.
        EXPECT_EQ(next[0].after[v.free_huge_pages], 0u) << variant;
        EXPECT_EQ(next[0].after[v.max_huge_pages], 1u) << variant;
        const auto dropped = next[1].after;
        if (std::string(variant) == "v4.19") {
            EXPECT_EQ(dropped[v.free_huge_pages], 0u);  // a page that was not free
            EXPECT_EQ(frames_of(dropped, 0)[1],
                      model::frames::held(0, model::frames::Role::dissolved));
        } else {
            EXPECT_EQ(dropped, x) << variant;  // retry
        }
        if (std::string(variant) == "v6.6") {
            EXPECT_EQ(m.variant().step_of_pc(next[0].after[v.actor[1].pc]), Step::D2);
            EXPECT_EQ(next[0].after[v.buddy[0]], 0u);
        } else {
            EXPECT_EQ(next[0].after[v.buddy[0]], 1u) << variant;
        }
    }
}

// Counter-level DISSOLVE: a free page of the node, if free - resv > 0.
TEST(ReservationSteps, DissolveWithoutFramesTakesAFreePage) {
    std::string toml = kUnmapDissolve;
    toml.erase(toml.find("frames = true\n"), 14);
    const model::HugetlbModel m(test::scenario(toml), "v4.19");
    const auto& v = vars(m);
    Values x = Values::initial(m);
    auto next = of_actor(m, x, 1);
    ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(next[0].after[v.free_huge_pages], 1u);
    EXPECT_EQ(next[0].after[v.nr_huge_pages], 1u);
    x[v.resv_huge_pages] = 2;  // every free page reserved: -EBUSY
    next = of_actor(m, x, 1);
    ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(next[0].after[v.free_huge_pages], 2u);
}

// ---- the seed (v4.0.5's reservation and offline code) ---------------------------------

// The seed's MMAP gathers its surplus pages through alloc_buddy_huge_page (B1-B3).
TEST(SeedReservations, GatherSurplusPagesUsesAllocBuddyHugePage) {
    const model::HugetlbModel m(test::scenario(kMapper), "seed");
    const auto& v = vars(m);
    Values x = Values::initial(m);
    std::vector<Step> steps;
    while (x[v.actor[0].op] == 0) {
        const auto next = of_actor(m, x, 0);
        ASSERT_EQ(next.size(), 1u);
        steps.push_back(next[0].transition.step);
        x = next[0].after;
    }
    EXPECT_EQ(steps,
              (std::vector<Step>{Step::M1, Step::B1, Step::B2, Step::B3, Step::M2, Step::M4}));
    EXPECT_EQ(x[v.resv_huge_pages], 2u);
    EXPECT_EQ(x[v.free_huge_pages], 2u);
    EXPECT_EQ(x[v.surplus_huge_pages], 1u);
    EXPECT_EQ(x[v.actor[0].reserved], 2u);
}

// K1: before a88c76954804 a reserved fault that gets a surplus page consumes the mapping's
// reservation but leaves resv_huge_pages as it was.
TEST(SeedReservations, AReservedSurplusFaultLeaksTheReserveCount) {
    const model::HugetlbModel m(test::scenario(kMapper), "seed");
    const auto& v = vars(m);
    Values x = reserved_fault_without_free_page(m);
    EXPECT_EQ(run_op(m, x, 0), (std::vector<Step>{Step::F1, Step::B1, Step::B2, Step::B3}));
    EXPECT_EQ(x[v.actor[0].reserved], 0u);
    EXPECT_EQ(x[v.resv_huge_pages], 1u);  // the leak
    EXPECT_EQ(x[v.surplus_huge_pages], 1u);
    EXPECT_EQ(x[v.actor[0].owned], model::encode_index(0));
}

// B5: the seed's return_unused_surplus_pages gives back the whole reservation first, then
// frees surplus pages with cond_resched_lock between them.
TEST(SeedReservations, MunmapUncommitsTheReservationBeforeFreeing) {
    const model::HugetlbModel m(test::scenario(kMapper), "seed");
    const auto& v = vars(m);
    Values x = Values::initial(m);
    x[v.actor[0].op] = 3;
    x[v.actor[0].reserved] = 2;
    x[v.resv_huge_pages] = 2;
    x[v.nr_huge_pages] = 3;
    x[v.free_huge_pages] = 3;
    x[v.surplus_huge_pages] = 2;
    x[v.nr_huge_pages_node[0]] = 2;
    x[v.nr_huge_pages_node[1]] = 1;
    x[v.free_huge_pages_node[0]] = 2;
    x[v.free_huge_pages_node[1]] = 1;
    x[v.surplus_huge_pages_node[0]] = 1;
    x[v.surplus_huge_pages_node[1]] = 1;
    x[v.buddy[0]] = 0;
    x[v.buddy[1]] = 1;
    x[v.frames[0][0]] = model::frames::free;
    x[v.frames[1][1]] = model::frames::free;
    const auto next = of_actor(m, x, 0);
    ASSERT_FALSE(next.empty());
    // Free a page, then cond_resched_lock drops the lock (X2) or not, per page: 3 ways.
    ASSERT_EQ(next.size(), 3u);
    bool window = false;
    for (const auto& s : next) {
        EXPECT_EQ(s.transition.step, Step::X1);
        EXPECT_EQ(s.after[v.resv_huge_pages], 0u);  // all of it, before any page is freed
        EXPECT_EQ(s.after[v.actor[0].reserved], 0u);
        // B5's window: the lock dropped with a surplus page still free and unreserved.
        window |= m.variant().step_of_pc(s.after[v.actor[0].pc]) == Step::X2 &&
                  s.after[v.surplus_huge_pages] == 1 && s.after[v.free_huge_pages] == 2;
    }
    EXPECT_TRUE(window);
}

// K2: the seed's dissolve_free_huge_page has no free - resv check and leaves
// max_huge_pages alone.
TEST(SeedReservations, DissolveTakesAReservedPage) {
    std::string toml = kUnmapDissolve;
    toml.erase(toml.find("frames = true\n"), 14);
    const model::HugetlbModel m(test::scenario(toml), "seed");
    const auto& v = vars(m);
    Values x = Values::initial(m);
    x[v.resv_huge_pages] = 2;  // every free page reserved
    const auto next = of_actor(m, x, 1);
    ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(next[0].transition.step, Step::D1);
    EXPECT_EQ(next[0].after[v.free_huge_pages], 1u);
    EXPECT_EQ(next[0].after[v.nr_huge_pages], 1u);
    EXPECT_EQ(next[0].after[v.buddy[0]], 1u);
    EXPECT_EQ(next[0].after[v.max_huge_pages], 2u);
}

// v6.18's dissolve_free_hugetlb_folio passes adjust_surplus = (the node has surplus pages)
// to remove_hugetlb_folio: the free page leaves the surplus counters too; v6.6 passes false.
TEST(ReservationSteps, V618DissolveCountsAFreePageAsSurplusWhenTheNodeHasSome) {
    std::string toml = kUnmapDissolve;
    toml.erase(toml.find("frames = true\n"), 14);
    for (const char* variant : {"v6.6", "v6.18"}) {
        const model::HugetlbModel m(test::scenario(toml), variant);
        const auto& v = vars(m);
        Values x = Values::initial(m);
        x[v.surplus_huge_pages] = 1;
        x[v.surplus_huge_pages_node[0]] = 1;
        const auto next = of_actor(m, x, 1);
        ASSERT_EQ(next.size(), 1u) << variant;
        const std::uint64_t expected = std::string(variant) == "v6.18" ? 0 : 1;
        EXPECT_EQ(next[0].after[v.surplus_huge_pages], expected) << variant;
        EXPECT_EQ(next[0].after[v.surplus_huge_pages_node[0]], expected) << variant;
        EXPECT_EQ(next[0].after[v.free_huge_pages], 1u) << variant;
    }
}

// ---- v2.6.24 ----------------------------------------------------------------------------

// B3's shape: MMAP gathers with alloc_buddy_huge_page, puts the page not needed back with
// the lock dropped (M3) and commits resv += k only in M4; with none to put back, M2 does
// M4's work in its own section.
TEST(V2624, TheReservationIsCommittedAfterGather) {
    const model::HugetlbModel m(test::scenario(kMapper), "v2.6.24");
    const auto& v = vars(m);
    Values x = Values::initial(m);
    EXPECT_EQ(run_op(m, x, 0),
              (std::vector<Step>{Step::M1, Step::B1, Step::B2, Step::B3, Step::M2}));
    EXPECT_EQ(x[v.resv_huge_pages], 2u);
    EXPECT_EQ(x[v.actor[0].reserved], 2u);
    // A free page appeared while gathering: the surplus page is not needed.
    Values y = Values::initial(m);
    y = of_actor(m, y, 0)[0].after;  // M1: unlock, allocate
    for (int k = 0; k < 3; ++k)
        y = of_actor(m, y, 0)[0].after;  // B1 B2 B3
    y[v.free_huge_pages] = 2;
    y[v.free_huge_pages_node[1]] = 1;
    y[v.nr_huge_pages] = 3;
    y[v.nr_huge_pages_node[1]] = 1;
    y[v.buddy[1]] = 1;
    y[v.frames[1][1]] = model::frames::free;
    const auto m2 = of_actor(m, y, 0);
    ASSERT_EQ(m2.size(), 1u);
    EXPECT_EQ(m2[0].after[v.resv_huge_pages], 0u);  // not yet
    EXPECT_EQ(m.variant().step_of_pc(m2[0].after[v.actor[0].pc]), Step::M3);
    y = m2[0].after;
    EXPECT_EQ(run_op(m, y, 0), (std::vector<Step>{Step::M3, Step::M4}));
    EXPECT_EQ(y[v.resv_huge_pages], 2u);
    EXPECT_EQ(y[v.surplus_huge_pages], 0u);
}

// alloc_huge_page_shared: a reserved fault dequeues (resv--) or fails, never a surplus page.
TEST(V2624, ASharedFaultHasNoBuddyFallback) {
    const model::HugetlbModel m(test::scenario(kMapper), "v2.6.24");
    const auto& v = vars(m);
    Values x = Values::initial(m);
    x[v.actor[0].op] = 1;
    x[v.actor[0].reserved] = 1;
    x[v.resv_huge_pages] = 1;
    auto next = of_actor(m, x, 0);
    ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(next[0].after[v.resv_huge_pages], 0u);
    EXPECT_EQ(next[0].after[v.actor[0].owned], model::encode_index(0));
    next = of_actor(m, reserved_fault_without_free_page(m), 0);
    ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(next[0].after[v.actor[0].op], 2u);  // the fault is over: VM_FAULT_OOM
    EXPECT_EQ(next[0].after[v.actor[0].owned], 0u);
    EXPECT_EQ(next[0].after[v.actor[0].reserved], 1u);
    EXPECT_EQ(next[0].after[v.nr_huge_pages], 0u);
}

// return_unused_surplus_pages: resv -= unused, the surplus pages freed without a lock drop;
// with none free it spins holding hugetlb_lock (K3).
TEST(V2624, MunmapFreesWithoutDroppingTheLockOrSpins) {
    const model::HugetlbModel m(test::scenario(kMapper), "v2.6.24");
    const auto& v = vars(m);
    Values x = Values::initial(m);
    x[v.actor[0].op] = 3;
    x[v.actor[0].reserved] = 1;
    x[v.resv_huge_pages] = 1;
    x[v.surplus_huge_pages] = 1;
    x[v.surplus_huge_pages_node[0]] = 1;
    auto next = of_actor(m, x, 0);
    ASSERT_EQ(next.size(), 1u);  // no cond_resched_lock choice
    EXPECT_EQ(next[0].after[v.resv_huge_pages], 0u);
    EXPECT_EQ(next[0].after[v.surplus_huge_pages], 0u);
    EXPECT_EQ(next[0].after[v.buddy[0]], 2u);
    EXPECT_EQ(next[0].after[v.actor[0].op], 4u);
    x[v.free_huge_pages_node[0]] = 0;  // the surplus page is in use
    x[v.free_huge_pages_node[1]] = 1;
    next = of_actor(m, x, 0);
    ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(next[0].after[v.resv_huge_pages], 0u);
    EXPECT_EQ(next[0].after[v.hugetlb_lock], model::encode_index(0));
    EXPECT_EQ(m.variant().step_of_pc(next[0].after[v.actor[0].pc]), Step::X2);
    EXPECT_TRUE(m.self_deadlocked(next[0].after.packed().data(), 0));
}

constexpr const char* kResizer = R"toml(
nodes = 2
mem = [2, 2]
pool = [1, 1]
overcommit = 1
[[actor]]
name = "A"
home = 0
script = ["RESIZE(0)"]
[[actor]]
name = "B"
home = 1
script = ["RESIZE(2)"]
)toml";

// hugetlb_sysctl_handler: max_huge_pages = v (S1), count = max_huge_pages (S2), both
// unlocked; the shrink dequeues home node first under the one lock section, surplus
// untouched.
TEST(V2624, SysctlWritesTheGlobalAndTheShrinkDequeues) {
    const model::HugetlbModel m(test::scenario(kResizer), "v2.6.24");
    const auto& v = vars(m);
    Values x = Values::initial(m);
    x = of_actor(m, x, 0)[0].after;  // A: S1
    EXPECT_EQ(x[v.max_huge_pages], 0u);
    x = of_actor(m, x, 1)[0].after;  // B: S1
    EXPECT_EQ(x[v.max_huge_pages], 2u);
    x = of_actor(m, x, 0)[0].after;  // A: S2 loads B's value
    EXPECT_EQ(x[v.actor[0].count], 2u);
    Values y = Values::initial(m);
    y = of_actor(m, y, 0)[0].after;  // S1
    y = of_actor(m, y, 0)[0].after;  // S2
    y[v.surplus_huge_pages] = 1;     // node 0's page counts as surplus: the shrink ignores it
    y[v.surplus_huge_pages_node[0]] = 1;
    y[v.nr_huge_pages] = 2;
    const auto r1 = of_actor(m, y, 0);
    ASSERT_EQ(r1.size(), 1u);  // no cond_resched_lock choice
    EXPECT_EQ(r1[0].transition.step, Step::R1);
    // persistent 1 > count 0: dequeue_huge_page takes the home node's page.
    EXPECT_EQ(r1[0].after[v.free_huge_pages_node[0]], 0u);
    EXPECT_EQ(r1[0].after[v.free_huge_pages_node[1]], 1u);
    EXPECT_EQ(r1[0].after[v.surplus_huge_pages_node[0]], 1u);  // > nr_huge_pages_node[0] = 0
    EXPECT_EQ(r1[0].after[v.nr_huge_pages_node[0]], 0u);
}

// ---- the properties --------------------------------------------------------------------

properties::PropertySet only(std::size_t index) {
    return properties::bit(index);
}

// Each history scenario's property: violated on v4.19 with its shortest trace, holding on
// the versions with the fix.
TEST(ReservationProperties, P11AndP13FireOnTheirBugsAndHoldWithTheFixes) {
    struct Case {
        const char* scenario;
        std::size_t property;
        const char* id;
        std::uint32_t length;
    };
    for (const Case& k : {Case{"history/b14-free-dissolve-race", 10, "P11", 3},
                          Case{"history/b7-resv-decrement-unlocked", 12, "P13", 9}}) {
        const model::Scenario sc = model::load_scenario(k.scenario);
        EXPECT_EQ(
            test::explore(model::HugetlbModel(sc, "v4.19"), only(k.property)).shortest.at(k.id),
            k.length)
            << k.scenario;
        for (const char* fixed : {"v5.4", "v6.6", "v6.18"})
            EXPECT_TRUE(
                test::explore(model::HugetlbModel(sc, fixed), only(k.property)).shortest.empty())
                << k.scenario << " on " << fixed;
    }
}

TEST(ReservationProperties, P12FiresWhenAReservationLosesItsPage) {
    const model::HugetlbModel m(test::scenario(kMapper), "v6.6");
    const properties::Checker checker(m, only(11));
    Values x = Values::initial(m);
    EXPECT_EQ(checker.state_violations(x.packed().data()), 0u);
    x[vars(m).resv_huge_pages] = 2;  // free = 1
    EXPECT_EQ(checker.state_violations(x.packed().data()), only(11));
    EXPECT_NE(checker.explain(11, x.packed().data(), nullptr, nullptr).find("resv_huge_pages = 2"),
              std::string::npos);
}

// The seed's reservation bugs: B5 and K2 break P12, K1 breaks P13; v4.19 has the fixes.
TEST(ReservationProperties, TheSeedsReservationBugsFireAndTheFixesHold) {
    struct Case {
        const char* scenario;
        std::size_t property;
        const char* id;
        std::uint32_t length;
    };
    for (const Case& k : {Case{"history/b5-unused-surplus-lock-drop", 11, "P12", 12},
                          Case{"history/k1-reserve-count-leak", 12, "P13", 5},
                          Case{"history/k2-offline-reserved-page", 11, "P12", 2}}) {
        const model::Scenario sc = model::load_scenario(k.scenario);
        EXPECT_EQ(
            test::explore(model::HugetlbModel(sc, "seed"), only(k.property)).shortest.at(k.id),
            k.length)
            << k.scenario;
        EXPECT_TRUE(
            test::explore(model::HugetlbModel(sc, "v4.19"), only(k.property)).shortest.empty())
            << k.scenario;
    }
}

TEST(ReservationProperties, P11SeesEachKindOfDisagreement) {
    const model::HugetlbModel m(test::scenario(kUnmapDissolve), "v6.18");
    const properties::Checker checker(m, only(10));
    const auto& v = vars(m);
    Values x = Values::initial(m);
    EXPECT_EQ(checker.state_violations(x.packed().data()), 0u);
    Values corrupt = x;
    corrupt[v.frames[0][1]] = model::frames::corrupt;
    EXPECT_EQ(checker.state_violations(corrupt.packed().data()), only(10));
    EXPECT_NE(checker.explain(10, corrupt.packed().data(), nullptr, nullptr).find("at once"),
              std::string::npos);
    Values buddy = x;  // a page in buddy that the counters count as free
    buddy[v.frames[0][0]] = model::frames::buddy;
    EXPECT_EQ(checker.state_violations(buddy.packed().data()), only(10));
}

// ---- page level and counter level agree ------------------------------------------------

// Every counter property's verdict is the same with pages with identity as without (the
// traces are longer: UNMAP is two steps with frames); P11 holds on the RM's operations.
std::set<std::string> verdicts(const std::map<std::string, std::uint32_t>& shortest) {
    std::set<std::string> out;
    for (const auto& [id, length] : shortest)
        if (id != "P11") out.insert(id);
    return out;
}

void expect_levels_agree(const model::Scenario& counters, const model::Variant& variant) {
    model::Scenario pages = counters;
    model::enable_frames(pages);
    const auto c = test::explore(model::HugetlbModel(counters, variant));
    const auto p = test::explore(model::HugetlbModel(pages, variant));
    EXPECT_EQ(verdicts(c.shortest), verdicts(p.shortest))
        << counters.name << " on " << variant.name();
    EXPECT_EQ(p.shortest.count("P11"), 0u) << counters.name << " on " << variant.name();
    EXPECT_GE(p.stats.states, c.stats.states);
}

TEST(FramesAgree, OnTheRmScenariosAndTheHistoryMatrix) {
    for (const char* name :
         {"surplus-race", "sysctl-race", "bench-small", "bench-medium",
          "history/b1-surplus-conversion-race", "history/b13-nr-surplus-split",
          "history/hc1-temporary-folio-window", "history/b12-put-page-under-lock",
          "history/b7-resv-decrement-unlocked"})
        for (const model::Variant* variant : model::all_variants()) {
            const model::Scenario sc = model::load_scenario(name);
            if (!variant->features().frames ||
                !model::HugetlbModel::missing_features(sc, *variant).empty())
                continue;
            expect_levels_agree(sc, *variant);
        }
}

RC_GTEST_PROP(FramesAgree, OnGeneratedScenarios, ()) {
    const model::Scenario sc = test::scenario(test::random_scenario_toml(true), "generated");
    std::vector<const model::Variant*> with_frames;
    for (const model::Variant* v : model::all_variants())
        if (v->features().frames && model::HugetlbModel::missing_features(sc, *v).empty())
            with_frames.push_back(v);
    const model::Variant& variant = **rc::gen::elementOf(with_frames);
    model::Scenario pages = sc;
    model::enable_frames(pages);
    const auto c = test::explore(model::HugetlbModel(sc, variant));
    const auto p = test::explore(model::HugetlbModel(pages, variant));
    RC_ASSERT(verdicts(c.shortest) == verdicts(p.shortest));
    RC_ASSERT(p.shortest.count("P11") == 0u);
}

// Reservations and offline on generated scenarios, on the variants with every fix: pages
// and counters agree (P11) and reservations are conserved (P13).
RC_GTEST_PROP(ReservationProperties, HoldOnFixedVariantsForGeneratedScripts, ()) {
    const int nodes = *rc::gen::inRange(1, 3);
    std::string mem = "[", pool = "[";
    for (int n = 0; n < nodes; ++n) {
        const int m = *rc::gen::inRange(1, 3);
        mem += (n ? ", " : "") + std::to_string(m);
        pool += (n ? ", " : "") + std::to_string(*rc::gen::inRange(0, m + 1));
    }
    std::string toml = "nodes = " + std::to_string(nodes) + "\nframes = true\nmem = " + mem +
                       "]\npool = " + pool +
                       "]\novercommit = " + std::to_string(*rc::gen::inRange(0, 3)) + "\n";
    const int actors = *rc::gen::inRange(1, 3);
    for (int a = 0; a < actors; ++a) {
        toml += "[[actor]]\nname = \"" + std::string(1, static_cast<char>('A' + a)) +
                "\"\nhome = " + std::to_string(*rc::gen::inRange(0, nodes)) +
                (*rc::gen::arbitrary<bool>() ? "\npolicy = \"bind\"" : "") + "\nscript = [";
        const int kind = *rc::gen::inRange(0, 3);
        if (kind == 0)
            toml +=
                "\"MMAP(" + std::to_string(*rc::gen::inRange(1, 3)) + ")\", \"FAULT\", \"MUNMAP\"";
        else if (kind == 1)
            toml += "\"FAULT\", \"UNMAP\"";
        else
            toml += "\"DISSOLVE(" + std::to_string(*rc::gen::inRange(0, nodes)) + ")\"";
        toml += "]\n";
    }
    const model::Scenario sc = test::scenario(toml, "generated");
    for (const char* fixed : {"v5.4", "v6.6", "v6.18"}) {
        const auto r = test::explore(model::HugetlbModel(sc, fixed), only(10) | only(12));
        RC_ASSERT(r.shortest.empty());
    }
}

}  // namespace
}  // namespace hugecheck
