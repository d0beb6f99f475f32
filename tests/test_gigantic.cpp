// Gigantic scenarios: the [gigantic] table, the pfn layout, every gigantic step's effect on
// a hand-built state, P3's gigantic form, P9 and P10 firing and holding, the state counts
// and a trace of the gigantic scenarios, and the -EBUSY paths being reached.
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <string>
#include <unordered_set>

#include "model/gigantic.hpp"
#include "model/scenario_catalog.hpp"
#include "model/variants/registry.hpp"
#include "test_support.hpp"

namespace hugecheck {
namespace {

using model::Step;
using test::Successor;
using test::Values;
namespace st = model::pfn_state;

constexpr std::size_t P1 = 0, P2 = 1, P3 = 2, P9 = 8, P10 = 9;

// pfn   0 1 2 3 | 4 5 6 7 | 8 9 10 11
// node  1 1 1 0 | 1 0 0 0 | 1 1 1  1
const char* const kInterleaved = R"toml(
nodes = 2
overcommit = 0
[gigantic]
order = 2
max_order = 2
pageblock_order = 1
memory = [[1, 0, 3], [0, 3, 4], [1, 4, 5], [0, 5, 8], [1, 8, 12]]
)toml";

// One node, pfns 0-15 with a hole at 12-13, pfn 11 reserved; pages at 0 and 4 in the pool
// (4 enqueued last: the top of the list).
const char* const kOneNode = R"toml(
nodes = 1
overcommit = 0
[gigantic]
order = 2
max_order = 2
pageblock_order = 1
memory = [[0, 0, 12], [0, 14, 16]]
reserved = [11]
pool = [0, 4]
)toml";

std::string with_actors(const char* layout, const std::string& actors) {
    return std::string(layout) + actors;
}

const std::string kResizer = R"toml(
[[actor]]
name = "A"
home = 0
script = ["RESIZE(3)", "RESIZE(0)"]
[[actor]]
name = "B"
home = 0
script = ["ALLOC", "FREE"]
[[actor]]
name = "C"
home = 0
script = ["FAULT", "UNMAP", "OVERCOMMIT(2)"]
)toml";

std::string error_of(const std::string& toml) {
    try {
        test::scenario(toml);
    } catch (const InputError& e) {
        return e.what();
    }
    return "no error";
}

// ---- the [gigantic] table -----------------------------------------------------------

TEST(GiganticScenario, ParsesTheTable) {
    const model::Scenario sc = test::scenario(with_actors(kOneNode, kResizer));
    const model::GiganticConfig& g = sc.gigantic;
    EXPECT_TRUE(g.enabled);
    EXPECT_EQ(g.order, 2u);
    EXPECT_EQ(g.max_order, 2u);
    EXPECT_EQ(g.pageblock_order, 1u);
    ASSERT_EQ(g.memory.size(), 2u);
    EXPECT_EQ(g.memory[1].start, 14u);
    EXPECT_EQ(g.pfn_end, 16u);
    EXPECT_EQ(g.reserved, (std::vector<std::uint64_t>{11}));
    EXPECT_EQ(g.pool, (std::vector<std::uint64_t>{0, 4}));
    EXPECT_EQ(sc.pool, (std::vector<std::uint64_t>{2}));
    EXPECT_EQ(sc.mem, (std::vector<std::uint64_t>{0}));
    EXPECT_EQ(sc.actors[1].script[0].kind, model::OpKind::alloc);
    EXPECT_EQ(model::format_operation(sc.actors[1].script[1]), "FREE");
}

TEST(GiganticScenario, Errors) {
    const std::string head = "nodes = 2\novercommit = 0\n[gigantic]\n";
    const std::string orders = "order = 2\nmax_order = 2\npageblock_order = 1\n";
    const std::string actor = "[[actor]]\nname = \"A\"\nhome = 0\nscript = [\"RESIZE(1)\"]\n";
    auto doc = [&](const std::string& body) { return head + body + actor; };
    const std::string mem = "memory = [[0, 0, 8]]\n";
    EXPECT_EQ(error_of("nodes = 1\nmem = [1]\novercommit = 0\n[gigantic]\n" + orders + mem + actor),
              "test.toml:2: field 'mem': not used in a gigantic scenario: its memory and pool are "
              "in [gigantic]");
    EXPECT_EQ(error_of(doc("order = 1\nmax_order = 2\npageblock_order = 1\n" + mem)),
              "test.toml:4: field 'gigantic.order': order 1 is below max_order 2: the hstate is "
              "not gigantic (hstate_is_gigantic: order >= MAX_ORDER)");
    EXPECT_EQ(error_of(doc("order = 2\nmax_order = 2\npageblock_order = 2\n" + mem)),
              "test.toml:6: field 'gigantic.pageblock_order': pageblock_order 2 must be below "
              "max_order 2");
    EXPECT_EQ(error_of(doc("order = 7\nmax_order = 2\npageblock_order = 1\n" + mem)),
              "test.toml:4: field 'gigantic.order': 7 is larger than the limit 6");
    EXPECT_EQ(error_of(doc(orders + "memory = [[0, 0, 8], [1, 6, 9]]\n")),
              "test.toml:7: field 'gigantic.memory[1]': overlaps [0, 8) of node 0");
    EXPECT_EQ(error_of(doc(orders + "memory = [[2, 0, 8]]\n")),
              "test.toml:7: field 'gigantic.memory[0]': node index 2 is out of range (nodes = 2)");
    EXPECT_EQ(error_of(doc(orders + "memory = [[0, 4, 4]]\n")),
              "test.toml:7: field 'gigantic.memory[0]': the range [4, 4) is empty");
    EXPECT_EQ(error_of(doc(orders + "memory = [[0, 0, 65]]\n")),
              "test.toml:7: field 'gigantic.memory[0][2]': 65 is larger than the limit 64");
    EXPECT_EQ(error_of(doc(orders + "memory = [[0, 0]]\n")),
              "test.toml:7: field 'gigantic.memory[0]': expected [node, start_pfn, end_pfn]");
    EXPECT_EQ(error_of(doc(orders + mem + "pool = [2]\n")),
              "test.toml:8: field 'gigantic.pool[0]': head pfn 2 is not aligned to nr_pages 4");
    EXPECT_EQ(error_of(doc(orders + "memory = [[0, 0, 2], [1, 2, 8]]\npool = [0]\n")),
              "test.toml:8: field 'gigantic.pool[0]': the page [0, 4) is not memory of one node "
              "(pfn 2)");
    EXPECT_EQ(error_of(doc(orders + mem + "reserved = [5]\npool = [4]\n")),
              "test.toml:9: field 'gigantic.pool[0]': pfn 5 is reserved, in use or in another "
              "pool page");
    EXPECT_EQ(error_of(doc(orders + mem + "in_use = [9]\n")),
              "test.toml:8: field 'gigantic.in_use[0]': pfn 9 is not memory");
    EXPECT_EQ(error_of(doc(orders + mem + "reserved = [3]\nin_use = [3]\n")),
              "test.toml:9: field 'gigantic.in_use[0]': pfn 3 is listed twice in reserved/in_use");
    EXPECT_EQ(error_of(doc(orders)), "test.toml:3: field 'gigantic.memory': missing");
    EXPECT_EQ(error_of(doc(orders + mem + "zones = 1\n")),
              "test.toml:8: field 'gigantic.zones': unknown key (known: order, max_order, "
              "pageblock_order, memory, reserved, in_use, pool)");
    EXPECT_EQ(error_of("nodes = 1\nmem = [1]\npool = [0]\novercommit = 0\n[[actor]]\nname = "
                       "\"A\"\nhome = 0\nscript = [\"ALLOC\"]\n"),
              "test.toml:8: field 'actor[0].script[0]': ALLOC needs a pfn layout: it is an "
              "operation of gigantic scenarios ([gigantic])");
    EXPECT_EQ(error_of(head + orders + mem +
                       "[[actor]]\nname = \"A\"\nhome = 0\nscript = [\"ALLOC\", \"ALLOC\"]\n"),
              "test.toml:11: field 'actor[0].script[1]': ALLOC while the page of an earlier "
              "ALLOC may still be held; an actor holds at most one ordinary page (put FREE "
              "between them)");
}

TEST(GiganticScenario, OnlyVariantsWithTheGiganticPathRunIt) {
    const model::Scenario sc = test::scenario(with_actors(kOneNode, kResizer));
    try {
        const model::HugetlbModel m(sc, "v4.19");
        FAIL() << "v4.19 accepted a gigantic scenario";
    } catch (const InputError& e) {
        EXPECT_STREQ(e.what(),
                     "--variant: variant v4.19 does not model gigantic pages, which test.toml "
                     "has (variants that do: seed, seed-zone-check)");
    }
}

// ---- the layout and the initial state -------------------------------------------------

TEST(GiganticLayout, ZonesSpanEachNodesMemory) {
    const model::HugetlbModel m(test::scenario(with_actors(kInterleaved, kResizer)));
    const model::GiganticLayout& g = *m.gigantic();
    EXPECT_EQ(g.zone(0).start, 3u);
    EXPECT_EQ(g.zone(0).end, 8u);
    EXPECT_EQ(g.zone(1).start, 0u);
    EXPECT_EQ(g.zone(1).end, 12u);
    EXPECT_EQ(g.node_of(3), 0);
    EXPECT_EQ(g.node_of(4), 1);
    EXPECT_EQ(g.node_of(12), -1);
    EXPECT_EQ(g.nr_pages(), 4u);
    EXPECT_EQ(g.pageblocks(), 6u);
    EXPECT_EQ(m.node_map(), "11|10|10|00|11|11");

    const model::HugetlbModel one(test::scenario(with_actors(kOneNode, kResizer)));
    const model::GiganticLayout& h = *one.gigantic();
    EXPECT_EQ(h.kind(11), model::PfnKind::reserved);
    EXPECT_EQ(h.kind(12), model::PfnKind::hole);
    EXPECT_FALSE(h.block_has_memory(6));  // pfns 12-13
    EXPECT_TRUE(h.block_has_memory(7));
    // A hole, a reserved pfn and a block without memory cost no state bits.
    EXPECT_EQ(one.layout().field(one.vars().pfn[12]).width, 0);
    EXPECT_EQ(one.layout().field(one.vars().pfn[11]).width, 0);
    EXPECT_EQ(one.layout().field(one.vars().isolated[6]).width, 0);
}

TEST(GiganticLayout, ThePoolIsOnItsFreeListInEnqueueOrder) {
    const model::HugetlbModel m(test::scenario(with_actors(kOneNode, kResizer)));
    const Values s = Values::initial(m);
    const model::Vars& v = m.vars();
    EXPECT_EQ(s[v.pfn[4]], st::head_free);      // enqueued last: the top
    EXPECT_EQ(s[v.pfn[0]], st::head_free + 1);  // under it
    for (std::uint64_t p : {1, 2, 3, 5, 6, 7})
        EXPECT_EQ(s[v.pfn[p]], st::tail) << p;
    EXPECT_EQ(s[v.pfn[8]], st::free);
    EXPECT_EQ(s[v.nr_huge_pages], 2u);
    EXPECT_EQ(s[v.free_huge_pages_node[0]], 2u);
    EXPECT_EQ(s[v.max_huge_pages], 2u);
    const std::vector<std::byte> packed = s.packed();
    EXPECT_EQ(m.memory_map(packed.data()), "Ft|tt|Ft|tt|--|-R|..|--");
}

// ---- the steps ------------------------------------------------------------------------

class GiganticSteps : public ::testing::Test {
  protected:
    GiganticSteps()
        : seed(test::scenario(with_actors(kInterleaved, kResizer))),
          zone_check(test::scenario(with_actors(kInterleaved, kResizer)), "seed-zone-check"),
          one(test::scenario(with_actors(kOneNode, kResizer))),
          v(seed.vars()) {}

    static std::uint64_t pc(const model::HugetlbModel& m, Step s) { return m.variant().pc_code(s); }
    // A, set_max_huge_pages of RESIZE(3), at `step`.
    static Values at(const model::HugetlbModel& m, Step step) {
        Values s = Values::initial(m);
        s[m.vars().actor[0].pc] = pc(m, step);
        s[m.vars().actor[0].count] = 3;
        return s;
    }
    // A at `step` of alloc_gigantic_page, scanning node `nid` with candidate `pfn`.
    static Values scanning(const model::HugetlbModel& m, Step step, std::uint32_t nid,
                           std::uint64_t pfn) {
        Values s = at(m, step);
        s[m.vars().actor[0].page_node] = model::encode_index(nid);
        s[m.vars().actor[0].gigantic_pfn] = pfn + 1;
        return s;
    }
    // A gigantic page of nr_pages 4 at `head`, the head in `head_state`.
    static void gigantic_page(Values& s, std::uint64_t head, std::uint64_t head_state) {
        s[s.m->vars().pfn[head]] = head_state;
        for (std::uint64_t p = head + 1; p < head + 4; ++p)
            s[s.m->vars().pfn[p]] = st::tail;
    }
    static std::vector<Successor> of(const model::HugetlbModel& m, const Values& s,
                                     std::uint32_t actor) {
        return test::successors(m, s, static_cast<int>(actor));
    }
    static Values only(const model::HugetlbModel& m, const Values& s, std::uint32_t actor,
                       Step step) {
        const std::vector<Successor> out = of(m, s, actor);
        EXPECT_EQ(out.size(), 1u);
        if (out.empty()) return s;
        EXPECT_EQ(out[0].transition.step, step);
        return out[0].after;
    }

    model::HugetlbModel seed, zone_check, one;
    const model::Vars& v;
};

TEST_F(GiganticSteps, G1SeedAcceptsARangeThatSpansTwoZones) {
    const Values before = at(seed, Step::G1);
    Values want = before;
    want[v.next_nid_to_alloc] = 1;  // hstate_next_node_to_alloc: node 0, cursor to 1
    want[v.actor[0].page_node] = model::encode_index(0);
    want[v.actor[0].gigantic_tries] = 1;
    want[v.actor[0].gigantic_pfn] = 4 + 1;  // ALIGN(3, 4) = 4: [4, 8), pfn 4 is node 1's
    want[v.actor[0].pc] = pc(seed, Step::G2);
    EXPECT_EQ(only(seed, before, 0, Step::G1), want);
}

TEST_F(GiganticSteps, G1WithTheZoneCheckGoesToTheNextNode) {
    const model::Vars& z = zone_check.vars();
    const Values before = at(zone_check, Step::G1);
    Values want = before;  // node 0's zone [3, 8) has no range of node 0 alone
    want[z.next_nid_to_alloc] = 1;
    want[z.actor[0].page_node] = model::encode_index(0);
    want[z.actor[0].gigantic_tries] = 1;
    want[z.actor[0].pc] = pc(zone_check, Step::G1);
    const Values next = only(zone_check, before, 0, Step::G1);
    EXPECT_EQ(next, want);
    // Node 1: [0, 4) has node 0's pfn 3, [4, 8) node 0's 5-7; [8, 12) is node 1's.
    Values want2 = next;
    want2[z.next_nid_to_alloc] = 0;
    want2[z.actor[0].page_node] = model::encode_index(1);
    want2[z.actor[0].gigantic_tries] = 2;
    want2[z.actor[0].gigantic_pfn] = 8 + 1;
    want2[z.actor[0].pc] = pc(zone_check, Step::G2);
    EXPECT_EQ(only(zone_check, next, 0, Step::G1), want2);
}

TEST_F(GiganticSteps, G1FailsAfterEveryAllowedNode) {
    Values s = at(seed, Step::G1);  // node 1, the second node tried, from pfn 12: nothing
    s[v.actor[0].page_node] = model::encode_index(1);
    s[v.actor[0].gigantic_tries] = 2;
    s[v.actor[0].gigantic_pfn] = 12 + 1;
    Values want = s;
    want[v.actor[0].gigantic_pfn] = 0;
    want[v.actor[0].pc] = pc(seed, Step::R6f);
    EXPECT_EQ(only(seed, s, 0, Step::G1), want);
    s[v.actor[0].gigantic_tries] = 1;  // one node left
    want[v.actor[0].gigantic_tries] = 1;
    want[v.actor[0].pc] = pc(seed, Step::G1);
    EXPECT_EQ(only(seed, s, 0, Step::G1), want);
}

TEST_F(GiganticSteps, G1GoesOnFromTheCandidateAfterEbusy) {
    Values s = at(seed, Step::G1);  // scanning node 1's zone, next candidate pfn 4
    s[v.actor[0].page_node] = model::encode_index(1);
    s[v.actor[0].gigantic_tries] = 1;
    s[v.actor[0].gigantic_pfn] = 4 + 1;
    s[v.pfn[5]] = st::normal;  // [4, 8) has an ordinary page: [8, 12) is next
    Values want = s;
    want[v.actor[0].gigantic_pfn] = 8 + 1;
    want[v.actor[0].pc] = pc(seed, Step::G2);
    EXPECT_EQ(only(seed, s, 0, Step::G1), want);
}

TEST_F(GiganticSteps, G2IsolatesThePageblocks) {
    Values s = scanning(seed, Step::G2, 0, 4);
    Values want = s;
    want[v.isolated[2]] = want[v.isolated[3]] = 1;
    want[v.actor[0].pc] = pc(seed, Step::G3);
    EXPECT_EQ(only(seed, s, 0, Step::G2), want);
}

TEST_F(GiganticSteps, G2IsBusyOnAnIsolatedBlockOrAnUnmovablePage) {
    Values s = scanning(seed, Step::G2, 0, 4);
    Values busy = s;
    busy[v.actor[0].gigantic_pfn] = 8 + 1;  // pfn += nr_pages
    busy[v.actor[0].pc] = pc(seed, Step::G1);
    Values isolated = s;
    isolated[v.isolated[3]] = 1;  // another alloc_contig_range holds pfns 6-7
    Values want = busy;
    want[v.isolated[3]] = 1;
    EXPECT_EQ(only(seed, isolated, 0, Step::G2), want);
    for (std::uint64_t state : {st::normal, st::taken}) {
        Values used = s;
        used[v.pfn[7]] = state;
        Values want_used = busy;
        want_used[v.pfn[7]] = state;
        EXPECT_EQ(only(seed, used, 0, Step::G2), want_used) << state;
    }
    // A huge page counts as movable: isolation goes ahead, test_pages_isolated fails (G3).
    Values huge = s;
    gigantic_page(huge, 4, st::head_in_use);
    EXPECT_EQ(only(seed, huge, 0, Step::G2)[v.actor[0].pc], pc(seed, Step::G3));
}

TEST_F(GiganticSteps, G2IsBusyOnAReservedPage) {
    const model::Vars& o = one.vars();
    Values s = at(one, Step::G2);
    s[o.actor[0].page_node] = model::encode_index(0);
    s[o.actor[0].gigantic_pfn] = 8 + 1;  // [8, 12) holds reserved pfn 11
    const Values after = only(one, s, 0, Step::G2);
    EXPECT_EQ(after[o.actor[0].pc], pc(one, Step::G1));
    EXPECT_EQ(after[o.actor[0].gigantic_pfn], 12u + 1);
    EXPECT_EQ(after[o.isolated[4]], 0u);
}

TEST_F(GiganticSteps, G3TakesTheRangeAndUndoesTheIsolation) {
    Values s = scanning(seed, Step::G3, 0, 4);
    s[v.isolated[2]] = s[v.isolated[3]] = 1;
    Values want = s;
    want[v.isolated[2]] = want[v.isolated[3]] = 0;
    for (std::uint64_t p = 4; p < 8; ++p)
        want[v.pfn[p]] = st::taken;
    want[v.actor[0].pc] = pc(seed, Step::G4);
    const std::vector<Successor> out = of(seed, s, 0);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].after, want);
    EXPECT_EQ(out[0].transition.events & model::event::pfn_reused, 0);
    // A pfn that is not free: -EBUSY, the isolation undone, the scan goes on.
    Values huge = s;
    gigantic_page(huge, 4, st::head_free);
    Values busy = huge;
    busy[v.isolated[2]] = busy[v.isolated[3]] = 0;
    busy[v.actor[0].gigantic_pfn] = 8 + 1;
    busy[v.actor[0].pc] = pc(seed, Step::G1);
    EXPECT_EQ(only(seed, huge, 0, Step::G3), busy);
}

TEST_F(GiganticSteps, G4CountsThePageOnTheScannedNode) {
    Values s = scanning(seed, Step::G4, 0, 4);
    for (std::uint64_t p = 4; p < 8; ++p)
        s[v.pfn[p]] = st::taken;
    Values want = s;
    gigantic_page(want, 4, st::head_in_use);
    want[v.nr_huge_pages] = 1;
    want[v.nr_huge_pages_node[0]] = 1;  // node 0 scanned; the head is node 1's
    want[v.actor[0].pc] = pc(seed, Step::G5);
    EXPECT_EQ(only(seed, s, 0, Step::G4), want);
}

TEST_F(GiganticSteps, G5EnqueuesOnTheHeadsNodeOrFreesASurplusPage) {
    Values s = at(seed, Step::G5);
    s[v.actor[0].page_node] = model::encode_index(0);
    s[v.actor[0].gigantic_tries] = 1;
    s[v.actor[0].gigantic_pfn] = 4 + 1;
    gigantic_page(s, 4, st::head_in_use);
    s[v.nr_huge_pages] = s[v.nr_huge_pages_node[0]] = 1;
    Values want = s;
    want[v.pfn[4]] = st::head_free;
    want[v.free_huge_pages] = 1;
    want[v.free_huge_pages_node[1]] = 1;  // page_to_nid(pfn 4) = 1
    want[v.actor[0].page_node] = want[v.actor[0].gigantic_tries] = 0;
    want[v.actor[0].gigantic_pfn] = 0;
    want[v.actor[0].pc] = pc(seed, Step::R6);
    EXPECT_EQ(only(seed, s, 0, Step::G5), want);

    Values surplus = s;
    surplus[v.surplus_huge_pages] = surplus[v.surplus_huge_pages_node[1]] = 1;
    surplus[v.nr_huge_pages] = 2;
    surplus[v.nr_huge_pages_node[1]] = 1;
    Values freed = surplus;
    for (std::uint64_t p = 4; p < 8; ++p)
        freed[v.pfn[p]] = st::free;
    freed[v.nr_huge_pages] = 1;
    freed[v.nr_huge_pages_node[1]] = 0;
    freed[v.surplus_huge_pages] = freed[v.surplus_huge_pages_node[1]] = 0;
    freed[v.actor[0].page_node] = freed[v.actor[0].gigantic_tries] = 0;
    freed[v.actor[0].gigantic_pfn] = 0;
    freed[v.actor[0].pc] = pc(seed, Step::R6);
    EXPECT_EQ(only(seed, surplus, 0, Step::G5), freed);
}

TEST_F(GiganticSteps, A1TakesAnyFreePfnOutsideIsolatedBlocks) {
    Values s = Values::initial(seed);
    s[v.isolated[2]] = 1;  // pfns 4-5: 5 is node 0's but isolated
    const std::vector<Successor> out = of(seed, s, 1);
    std::vector<std::uint64_t> pages;
    for (const Successor& x : out) {
        EXPECT_EQ(x.transition.step, Step::A1);
        pages.push_back(x.after[v.actor[1].normal_page] - 1);
        EXPECT_EQ(x.after[v.pfn[pages.back()]], st::normal);
        EXPECT_EQ(x.after[v.actor[1].op], 1u);
    }
    EXPECT_EQ(pages, (std::vector<std::uint64_t>{3, 6, 7}));  // node 0, B's home
    // Node 0 full: node 1's pages.
    Values full = Values::initial(seed);
    for (std::uint64_t p : {3, 5, 6, 7})
        full[v.pfn[p]] = st::normal;
    EXPECT_EQ(of(seed, full, 1).size(), 8u);
    // Nothing free: the allocation fails.
    Values none = Values::initial(seed);
    for (std::uint64_t p = 0; p < 12; ++p)
        none[v.pfn[p]] = st::normal;
    Values want = none;
    want[v.actor[1].op] = 1;
    EXPECT_EQ(only(seed, none, 1, Step::A1), want);
}

TEST_F(GiganticSteps, A2FreesThePage) {
    Values s = Values::initial(seed);
    s[v.actor[1].op] = 1;
    s[v.actor[1].normal_page] = 6 + 1;
    s[v.pfn[6]] = st::normal;
    Values want = s;
    want[v.actor[1].op] = 2;
    want[v.actor[1].normal_page] = 0;
    want[v.pfn[6]] = st::free;
    EXPECT_EQ(only(seed, s, 1, Step::A2), want);
}

TEST_F(GiganticSteps, FaultAndUnmapUseTheTopOfTheFreeList) {
    const model::Vars& o = one.vars();
    const Values s = Values::initial(one);
    Values want = s;  // pfn 4 is the top; pfn 0 moves up
    want[o.pfn[4]] = st::head_in_use;
    want[o.pfn[0]] = st::head_free;
    want[o.free_huge_pages] = want[o.free_huge_pages_node[0]] = 1;
    want[o.actor[2].owned] = 4 + 1;
    want[o.actor[2].op] = 1;
    const Values faulted = only(one, s, 2, Step::F1);
    EXPECT_EQ(faulted, want);
    Values back = faulted;  // UNMAP: onto the top again, pfn 0 under it
    back[o.pfn[4]] = st::head_free;
    back[o.pfn[0]] = st::head_free + 1;
    back[o.free_huge_pages] = back[o.free_huge_pages_node[0]] = 2;
    back[o.actor[2].owned] = 0;
    back[o.actor[2].op] = 2;
    EXPECT_EQ(only(one, faulted, 2, Step::U1), back);
    // OVERCOMMIT of a gigantic hstate: -EINVAL.
    Values after = back;
    after[o.actor[2].op] = 3;
    EXPECT_EQ(only(one, back, 2, Step::O1), after);
    // No free page: alloc_buddy_huge_page returns NULL for a gigantic hstate.
    Values empty = Values::initial(one);
    empty[o.pfn[4]] = empty[o.pfn[0]] = st::head_in_use;
    empty[o.free_huge_pages] = empty[o.free_huge_pages_node[0]] = 0;
    Values failed = empty;
    failed[o.actor[2].op] = 1;
    EXPECT_EQ(only(one, empty, 2, Step::F1), failed);
}

TEST_F(GiganticSteps, AShrinkFreesTheTopPageToBuddy) {
    const model::Vars& o = one.vars();
    Values s = Values::initial(one);
    s[o.actor[0].op] = 1;  // RESIZE(0)
    s[o.actor[0].pc] = pc(one, Step::R1);
    s[o.actor[0].tmp] = 0;
    s[o.table_data] = model::encode_index(0);
    const std::vector<Successor> out = of(one, s, 0);
    // cond_resched_lock after each free: drop the lock (R7) or keep it; the first outcome
    // freed the top page, pfn 4.
    ASSERT_FALSE(out.empty());
    const Values& first = out[0].after;
    for (std::uint64_t p = 4; p < 8; ++p)
        EXPECT_EQ(first[o.pfn[p]], st::free) << p;
    EXPECT_EQ(first[o.pfn[0]], st::head_free);
    EXPECT_EQ(first[o.nr_huge_pages], 1u);
    EXPECT_EQ(first[o.free_huge_pages_node[0]], 1u);
    EXPECT_EQ(first[o.actor[0].pc], pc(one, Step::R7));
    const Values& last = out.back().after;  // kept the lock: both freed, done
    EXPECT_EQ(last[o.nr_huge_pages], 0u);
    EXPECT_EQ(last[o.pfn[0]], st::free);
}

// ---- properties ---------------------------------------------------------------------

TEST(GiganticProperties, P10FiresOnTheSeedAndHoldsWithTheZoneCheck) {
    const model::Scenario sc = model::load_scenario("gigantic-interleave");
    const test::Explored seed = test::explore(model::HugetlbModel(sc, "seed"));
    EXPECT_EQ(seed.shortest,
              (std::map<std::string, std::uint32_t>{{"P10", 7}, {"P2", 8}, {"P3", 10}}));
    const test::Explored fixed = test::explore(model::HugetlbModel(sc, "seed-zone-check"));
    EXPECT_TRUE(fixed.shortest.empty());
    for (const auto& t : seed.traces) {
        const model::HugetlbModel m(sc, "seed");
        EXPECT_EQ(counterexamples::replay(m, properties::Checker(m, properties::kAllProperties), t),
                  "");
    }
}

TEST(GiganticProperties, P10NamesAMisalignedPage) {
    const model::HugetlbModel m(test::scenario(with_actors(kOneNode, kResizer)));
    Values s = Values::initial(m);
    const model::Vars& v = m.vars();
    s[v.pfn[8]] = st::free;
    s[v.pfn[9]] = st::head_in_use;
    const properties::Checker c(m, properties::bit(P10));
    const std::vector<std::byte> packed = s.packed();
    EXPECT_EQ(c.state_violations(packed.data()), properties::bit(P10));
    EXPECT_EQ(c.explain(P10, packed.data(), nullptr, nullptr),
              "the gigantic page at pfn 9 is not aligned to nr_pages 4");
    EXPECT_EQ(c.state_violations(Values::initial(m).packed().data()), 0u);
}

TEST(GiganticProperties, P3CountsEveryPfn) {
    const model::HugetlbModel m(test::scenario(with_actors(kOneNode, kResizer)));
    const model::Vars& v = m.vars();
    const properties::Checker c(m, properties::bit(P3));
    EXPECT_EQ(c.state_violations(Values::initial(m).packed().data()), 0u);
    Values lost = Values::initial(m);  // a quiescent state with a pfn taken for no page
    lost[v.pfn[8]] = st::taken;
    EXPECT_EQ(c.state_violations(lost.packed().data()), properties::bit(P3));
    EXPECT_EQ(c.explain(P3, lost.packed().data(), nullptr, nullptr),
              "pfn 8 is taken but in no huge page");
    Values uncounted = Values::initial(m);
    uncounted[v.free_huge_pages_node[0]] = 1;
    EXPECT_EQ(c.explain(P3, uncounted.packed().data(), nullptr, nullptr),
              "node 0 has 2 free gigantic pages but free_huge_pages_node[0] = 1");
    Values unowned = Values::initial(m);
    unowned[v.pfn[8]] = st::normal;  // nobody holds it
    EXPECT_EQ(c.explain(P3, unowned.packed().data(), nullptr, nullptr),
              "0 gigantic page(s) in use and 1 ordinary page(s) allocated, but 0 actor(s) own a "
              "huge page and 0 hold an ordinary one");
}

// The seed with a G3 that takes the range without test_pages_isolated: a mutant that
// must make P9 fire.
void G3_without_test(model::StepCtx& c) {
    const std::uint64_t start = c[c.self.gigantic_pfn] - 1;
    for (std::uint64_t p = start; p < start + c.m.gigantic()->nr_pages(); ++p)
        model::kernel::take_pfn(c, p, st::taken);
    for (model::Slot s : c.v.isolated)
        if (c[s]) c.w.set(s, 0);
    c.go(Step::G4);
    c.emit();
}

TEST(GiganticProperties, P9FiresOnAMutantAndHoldsOnTheSeed) {
    const model::Scenario sc = model::load_scenario("gigantic-contention");
    const model::StepDef& g3 = model::variants::seed().step(Step::G3);
    const model::Variant mutant =
        model::variants::seed().patched("seed-no-test-pages-isolated", "mutant", "test",
                                        {{Step::G3, g3.ops, g3.takes, g3.function, g3.source,
                                          g3.summary, G3_without_test, g3.footprint}});
    const model::HugetlbModel m(sc, mutant);
    const test::Explored e = test::explore(m, properties::bit(P9));
    ASSERT_EQ(e.traces.size(), 1u);
    const properties::Checker checker(m, properties::bit(P9));
    EXPECT_EQ(counterexamples::replay(m, checker, e.traces[0]), "");
    EXPECT_NE(e.traces[0].violation.find("takes pfn"), std::string::npos) << e.traces[0].violation;
    for (const char* variant : {"seed", "seed-zone-check"}) {
        const test::Explored ok = test::explore(
            model::HugetlbModel(sc, variant),
            properties::bit(P9) | properties::bit(P10) | properties::bit(P1) | properties::bit(P3));
        EXPECT_TRUE(ok.shortest.empty()) << variant;
    }
}

// ---- whole scenarios ----------------------------------------------------------------

// Every reachable state, breadth-first; `visit(state, transition into it)`.
void for_each_transition(const model::HugetlbModel& m,
                         const std::function<void(const Values& before, const model::Transition&,
                                                  const Values&)>& visit) {
    std::unordered_set<std::string> seen;
    std::deque<std::vector<std::byte>> queue;
    std::vector<std::byte> s(m.state_bytes() + model::kPackSlack);
    m.initial_state(s.data());
    seen.insert(std::string(reinterpret_cast<const char*>(s.data()), m.state_bytes()));
    queue.push_back(s);
    model::HugetlbModel::Context ctx = m.make_context();
    while (!queue.empty()) {
        const std::vector<std::byte> cur = queue.front();
        queue.pop_front();
        const Values before = Values::of(m, cur.data());
        m.for_each_successor(
            ctx, cur.data(), [&](const std::byte* next, const model::Transition& t) {
                visit(before, t, Values::of(m, next));
                std::string key(reinterpret_cast<const char*>(next), m.state_bytes());
                if (seen.insert(key).second) {
                    std::vector<std::byte> copy(next, next + m.state_bytes());
                    copy.resize(m.state_bytes() + model::kPackSlack);
                    queue.push_back(std::move(copy));
                }
            });
    }
}

TEST(GiganticScenarios, ContentionReachesEveryEbusyPath) {
    const model::HugetlbModel m(model::load_scenario("gigantic-contention"), "seed-zone-check");
    const auto g1 = m.variant().pc_code(Step::G1);
    std::size_t isolation_busy = 0, test_busy = 0, allocated = 0;
    for_each_transition(m, [&](const Values&, const model::Transition& t, const Values& after) {
        const auto pc = after[m.vars().actor[t.actor].pc];
        isolation_busy += t.step == Step::G2 && pc == g1;
        test_busy += t.step == Step::G3 && pc == g1;
        allocated += t.step == Step::G4;
    });
    EXPECT_GT(isolation_busy, 0u);
    EXPECT_GT(test_busy, 0u);
    EXPECT_GT(allocated, 0u);
}

TEST(GiganticScenarios, StateCounts) {
    struct Row {
        const char* scenario;
        const char* variant;
        std::uint64_t states, transitions;
        std::uint32_t depth;
    };
    for (const Row& r : {Row{"gigantic-interleave", "seed", 84, 156, 13},
                         Row{"gigantic-interleave", "seed-zone-check", 72, 162, 13},
                         Row{"gigantic-contention", "seed", 7019, 25190, 31},
                         Row{"gigantic-contention", "seed-zone-check", 7019, 25190, 31}}) {
        const model::HugetlbModel m(model::load_scenario(r.scenario), r.variant);
        const test::Explored e = test::explore(m, 0);
        EXPECT_EQ(e.stats.states, r.states) << r.scenario << " " << r.variant;
        EXPECT_EQ(e.stats.transitions, r.transitions) << r.scenario << " " << r.variant;
        EXPECT_EQ(e.stats.depth, r.depth) << r.scenario << " " << r.variant;
        // The engine against a naive search over the same successors.
        std::unordered_set<std::string> states;
        std::uint64_t transitions = 0;
        for_each_transition(m, [&](const Values&, const model::Transition&, const Values& after) {
            ++transitions;
            const std::vector<std::byte> packed = after.packed();
            states.insert(
                std::string(reinterpret_cast<const char*>(packed.data()), m.state_bytes()));
        });
        states.insert(std::string(reinterpret_cast<const char*>(Values::initial(m).packed().data()),
                                  m.state_bytes()));
        EXPECT_EQ(states.size(), r.states) << r.scenario << " " << r.variant;
        EXPECT_EQ(transitions, r.transitions) << r.scenario << " " << r.variant;
    }
}

TEST(GiganticScenarios, NodeCounterDriftEndsTheSearchAsUnbounded) {
    const model::HugetlbModel m(model::load_scenario("gigantic-drift"));
    const properties::Checker p9(m, properties::bit(P9));
    explorer::BreadthFirstSearch search(m, p9, explorer::Options{});
    EXPECT_EQ(search.run(), explorer::Status::unbounded);
    EXPECT_EQ(search.unbounded_reason(),
              "step G4 of B makes nr_huge_pages_node[0] 8, past its 4-bit field: the node "
              "counters drift without bound");
    // A search that stops at its first violation never gets that far; one that keeps going
    // has seen P2 on the way (a node counter decremented at 0).
    const properties::Checker all(m, properties::kAllProperties);
    explorer::BreadthFirstSearch first(m, all, explorer::Options{});
    EXPECT_EQ(first.run(), explorer::Status::stopped_at_violation);
    explorer::Options keep;
    keep.keep_going = true;
    explorer::BreadthFirstSearch every(m, all, keep);
    EXPECT_EQ(every.run(), explorer::Status::unbounded);
    EXPECT_TRUE(every.violated() & properties::bit(P2));
}

TEST(GiganticScenarios, TraceOfTheCrossZonePage) {
    const model::Scenario sc = model::load_scenario("gigantic-interleave");
    const model::HugetlbModel m(sc, "seed");
    const test::Explored e = test::explore(m, properties::bit(P10));
    ASSERT_EQ(e.traces.size(), 1u);
    const std::string text = counterexamples::render_table(m, e.traces[0]);
    EXPECT_EQ(
        text,
        R"(P10 gigantic page in one zone violated — scenario gigantic-interleave, variant seed, 7 steps, 0 preemptions
initial: max_huge_pages=0 nr_overcommit_huge_pages=0 nr_huge_pages=0 free_huge_pages=0 resv_huge_pages=0 surplus_huge_pages=0 nr_huge_pages_node=[0,0] free_huge_pages_node=[0,0] surplus_huge_pages_node=[0,0] memory=--|--|--|--|--|-- (nodes 11|10|10|00|11|11)
 #  actor  step  function                       source               changes
 1  A      S1    hugetlb_sysctl_handler_common  000:31,37            table->data none→&A.tmp → S2
 2  A      S2    proc_doulongvec_minmax         000:39               A.tmp 0→1 → R1
 3  A      R1    set_max_huge_pages             000:121-128,166-181  A.count 0→1 (count 1 > persistent 0: unlock and allocate) → G1
 4  A      G1    alloc_gigantic_page            000:201-272          next_nid_to_alloc 0→1, A.page_node none→node 0, A.pfn next node→pfn 4, A.nr_nodes 0→1 (alloc_gigantic_page(node 0): zone [3, 8), pfn = ALIGN(3, 4) = 4; pfn_range_valid_gigantic(4, 4) holds: unlock the zone, alloc_contig_range[4, 8)) → G2
 5  A      G2    start_isolate_page_range       000:354-357          isolated[2..3] no→MIGRATE_ISOLATE (start_isolate_page_range[4, 8): MIGRATE_ISOLATE) → G3
 6  A      G3    alloc_contig_range             000:385-419          pfn[4..7] free→contig, isolated[2..3] MIGRATE_ISOLATE→no (isolate_freepages_range takes [4, 8); undo_isolate_page_range) → G4
 7  A      G4    prep_new_huge_page             000:186-196          nr_huge_pages 0→1, nr_huge_pages_node[0] 0→1, pfn[4] contig→head in use, pfn[5..7] contig→tail (prep_new_huge_page(h, page, 0): the page's head pfn 4 is on node 1) → G5
memory after step 7: --|--|Ht|tt|--|--  (H head, F free head, t tail, c contig, a alloc_pages, - free, [ ] isolated)
the gigantic page [4, 8) spans two zones: head pfn 4 is node 1's, pfn 5 is node 0's
)");
}

}  // namespace
}  // namespace hugecheck
