// Reductions keep every verdict. Partial-order reduction (explorer/por.hpp with the ample
// sets of model/independence.hpp): the independence relation is checked against the
// model itself (declared-independent steps commute), and generated scenarios on every
// variant give the same violated properties with and without it. The embedded scenarios'
// full and reduced counts are printed side by side.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdio>
#include <set>

#include "counterexamples/orbits.hpp"
#include "explorer/dfs.hpp"
#include "explorer/por.hpp"
#include "explorer/symmetry.hpp"
#include "model/independence.hpp"
#include "model/scenario_catalog.hpp"
#include "model/symmetry.hpp"
#include "test_support.hpp"

namespace hugecheck {
namespace {

using model::Footprint;
using model::Var;
using model::vars;
using properties::PropertySet;

struct Outcome {
    explorer::Status status;
    explorer::Stats stats;
    PropertySet violated = 0;
};

// Explores `sys` (the model or a reduction of it) with --keep-going; every trace must
// replay on the model (under symmetry reduction, mapped back from orbits) and keep the
// length the search found.
template <class Sys>
Outcome explore(const Sys& sys, const model::HugetlbModel& m, PropertySet props,
                unsigned threads = 1, const model::ActorSymmetry* symmetry = nullptr,
                bool compress = false) {
    const properties::Checker checker(m, props);
    explorer::Options o;
    o.keep_going = true;
    o.threads = threads;
    // With threads, commit each level's new states in small rounds: states of the next
    // level are then stored while the level is still expanded, and must not look old.
    if (threads > 1) o.commit_pending = 40;
    o.tree_compression = compress;
    o.max_states = 300000;
    explorer::BreadthFirstSearch search(sys, checker, o);
    Outcome out{search.run(), search.stats(), search.violated()};
    for (const auto& v : search.violations()) {
        const counterexamples::Trace t =
            symmetry ? counterexamples::build_trace_from_orbits(m, *symmetry, checker, search, v)
                     : counterexamples::build_trace(m, checker, search, v);
        EXPECT_EQ(counterexamples::replay(m, checker, t), "");
        EXPECT_EQ(t.steps.size(), v.trace_length);
    }
    return out;
}

Outcome explore_reduced(const model::HugetlbModel& m, PropertySet props, unsigned threads = 1,
                        bool compress = false) {
    const model::AmpleSets ample(m, properties::visibility(m, props));
    const explorer::PartialOrderReduction reduced(m, ample);
    return explore(reduced, m, props, threads, nullptr, compress);
}

// All properties, none, one, or any subset: each property alone makes its own steps
// visible, so verdicts are compared with each.
PropertySet random_properties() {
    switch (*rc::gen::inRange(0, 4)) {
        case 0: return properties::kAllProperties;
        case 1: return 0;
        case 2:
            return properties::bit(*rc::gen::inRange<std::size_t>(0, properties::kPropertyCount));
        default: return *rc::gen::inRange<PropertySet>(0, properties::kAllProperties + 1);
    }
}

// The reduced count beside the full one, as a bucket RapidCheck prints a table of.
std::string share_tag(std::uint64_t reduced, std::uint64_t full) {
    const double share = static_cast<double>(reduced) / static_cast<double>(full);
    if (reduced == full) return "reduced states = full states";
    if (share >= 0.9) return "reduced states 90-99% of full";
    if (share >= 0.7) return "reduced states 70-89% of full";
    if (share >= 0.5) return "reduced states 50-69% of full";
    return "reduced states < 50% of full";
}

TEST(Independence, ATmpWrittenThroughTheTableMeetsEveryTmp) {
    const Footprint s1{0, vars({Var::table_data, Var::own_tmp})};  // writes its own tmp
    const Footprint r1{vars({Var::own_tmp}), 0};                   // reads its own tmp
    const Footprint s2{vars({Var::table_data}), vars({Var::any_tmp, Var::own_tmp})};
    EXPECT_TRUE(model::independent(r1, r1));  // two actors' own tmps
    EXPECT_TRUE(model::independent(s1, r1));
    EXPECT_FALSE(model::independent(s2, r1));  // S2 may write the other's tmp
    EXPECT_FALSE(model::independent(r1, s2));
    EXPECT_FALSE(model::independent(s1, s2));  // table_data, and the tmp
    const Footprint buddy_rw{vars({Var::buddy}), vars({Var::buddy})};
    const Footprint reads_buddy{vars({Var::buddy}), 0};
    EXPECT_FALSE(model::independent(buddy_rw, reads_buddy));
    EXPECT_TRUE(model::independent(reads_buddy, reads_buddy));  // two reads commute
}

TEST(AmpleSets, TheResizerStartsAloneUnlessAPropertySeesIt) {
    const model::HugetlbModel m(model::load_scenario("surplus-race"));
    std::vector<std::byte> s(m.state_bytes() + model::kPackSlack);
    m.initial_state(s.data());
    // A's F1 conflicts with the RESIZE's locked steps; B's S1 touches only max_huge_pages,
    // table_data and its tmp, which no FAULT step can.
    EXPECT_EQ(model::AmpleSets(m, properties::visibility(m, 0)).ample_process(s.data()), 1);
    EXPECT_EQ(model::AmpleSets(m, properties::visibility(m, properties::bit(4)))  // P5
                  .ample_process(s.data()),
              1);
    // P3 sees every op start: S1 starts one.
    EXPECT_EQ(
        model::AmpleSets(m, properties::visibility(m, properties::bit(2))).ample_process(s.data()),
        -1);
}

// The independence relation in the model's own terms: two steps whose footprints are
// independent, enabled together, commute (either order reaches the same states) and
// neither disables the other, in every reachable state of the small scenarios.
TEST(AmpleSets, DeclaredIndependentStepsCommute) {
    std::uint64_t pairs = 0;
    for (const model::Variant* v : model::all_variants()) {
        for (const char* name : {"surplus-race", "sysctl-race", "bench-small", "bench-medium",
                                 "history/b9-node-count-unlocked", "history/b8-shared-ctl-table",
                                 "gigantic-contention"}) {
            const model::Scenario sc = model::load_scenario(name);
            if (!model::HugetlbModel::missing_features(sc, *v).empty()) continue;
            const model::HugetlbModel m(sc, *v);
            explorer::BreadthFirstSearch search(m, explorer::NoProperties{}, {});
            search.run();
            for (std::uint64_t i = 0; i < search.store().size(); ++i) {
                const test::Values s =
                    test::Values::of(m, search.store().state(static_cast<explorer::StateIndex>(i)));
                const std::vector<std::byte> packed = s.packed();
                for (std::uint32_t a = 0; a < m.actors(); ++a) {
                    if (m.done(packed.data(), a) || m.blocked_on(packed.data(), a)) continue;
                    for (std::uint32_t b = a + 1; b < m.actors(); ++b) {
                        if (m.done(packed.data(), b) || m.blocked_on(packed.data(), b)) continue;
                        const Footprint fa = v->footprint(m.next_step(packed.data(), a));
                        const Footprint fb = v->footprint(m.next_step(packed.data(), b));
                        if (!model::independent(fa, fb)) continue;
                        ++pairs;
                        auto both = [&](std::uint32_t first, std::uint32_t second) {
                            std::set<std::vector<std::uint64_t>> out;
                            for (const test::Successor& x : test::successors(m, s, first)) {
                                const auto after = test::successors(m, x.after, second);
                                EXPECT_FALSE(after.empty())
                                    << name << " on " << v->name() << ": " << m.actor_name(first)
                                    << " disables " << m.actor_name(second) << " in " << s;
                                for (const test::Successor& y : after)
                                    out.insert(y.after.v);
                            }
                            return out;
                        };
                        EXPECT_EQ(both(a, b), both(b, a))
                            << name << " on " << v->name() << ": " << m.actor_name(a) << " "
                            << model::step_name(m.next_step(packed.data(), a)) << " and "
                            << m.actor_name(b) << " "
                            << model::step_name(m.next_step(packed.data(), b))
                            << " do not commute in " << s;
                    }
                }
            }
        }
    }
    EXPECT_GT(pairs, 1000u);  // the check saw independent pairs to compare
}

// Generated scenarios on every variant: the same violated properties, with any subset of
// the properties checked, and never more states.
RC_GTEST_PROP(Reductions, PartialOrderKeepsEveryVerdict, ()) {
    const std::string toml = test::random_scenario_toml(true);
    RC_LOG() << toml;
    const model::Scenario sc = model::parse_scenario(toml, "generated.toml", "generated");
    const model::Variant& v = test::any_variant_for(sc);
    const PropertySet props = random_properties();
    RC_LOG() << "variant " << v.name() << ", properties " << properties::format_property_set(props);
    const model::HugetlbModel m(sc, v);
    const Outcome full = explore(m, m, props);
    RC_PRE(full.status == explorer::Status::complete);
    const Outcome reduced = explore_reduced(m, props);
    RC_ASSERT(reduced.status == explorer::Status::complete);
    RC_ASSERT(reduced.violated == full.violated);
    RC_ASSERT(reduced.stats.states <= full.stats.states);
    RC_TAG(share_tag(reduced.stats.states, full.stats.states));
    // Depth-first (its proviso: every successor is old) finds the same violations.
    {
        const properties::Checker checker(m, props);
        const model::AmpleSets ample(m, properties::visibility(m, props));
        const explorer::PartialOrderReduction reduced_sys(m, ample);
        explorer::Options o;
        o.keep_going = true;
        explorer::DepthFirstSearch dfs(reduced_sys, checker, o);
        RC_ASSERT(dfs.run() == explorer::Status::complete);
        RC_ASSERT(dfs.violated() == full.violated);
        RC_ASSERT(dfs.stats().states <= full.stats.states);
    }
    // Deterministic for any thread count, like the unreduced search.
    const Outcome threaded = explore_reduced(m, props, 3);
    RC_ASSERT(threaded.stats.states == reduced.stats.states);
    RC_ASSERT(threaded.stats.transitions == reduced.stats.transitions);
    RC_ASSERT(threaded.violated == reduced.violated);
    // The compressed store answers "old" alike, also when it rebuilds traces.
    const Outcome compressed = explore_reduced(m, props, *rc::gen::inRange(1u, 3u), true);
    RC_ASSERT(compressed.stats.states == reduced.stats.states);
    RC_ASSERT(compressed.stats.transitions == reduced.stats.transitions);
    RC_ASSERT(compressed.violated == reduced.violated);
}

// The embedded scenarios: full and reduced counts side by side (printed), with all
// properties and with none, and the same verdicts.
TEST(Reductions, PartialOrderOnTheEmbeddedScenarios) {
    std::printf("%-36s %-8s %12s %12s %12s %12s\n", "scenario", "variant", "states", "with --por",
                "no props", "with --por");
    for (const model::EmbeddedScenario& e : model::embedded_scenarios()) {
        const std::string name(e.name);
        if (name == "bench-xl" || name == "bench-2xl" || name == "bench-4xl") continue;
        const model::Scenario sc = model::parse_scenario(e.text, e.path, name);
        const model::HugetlbModel m(sc, sc.gigantic.enabled ? "seed" : "v6.6");
        for (const model::HugetlbModel* model : {&m}) {
            const Outcome all = explore(*model, *model, properties::kAllProperties);
            const Outcome all_reduced = explore_reduced(*model, properties::kAllProperties);
            const Outcome none = explore(*model, *model, 0);
            const Outcome none_reduced = explore_reduced(*model, 0);
            EXPECT_EQ(all_reduced.violated, all.violated) << name;
            EXPECT_LE(all_reduced.stats.states, all.stats.states) << name;
            EXPECT_LE(none_reduced.stats.states, none.stats.states) << name;
            std::printf("%-36s %-8s %12llu %12llu %12llu %12llu\n", name.c_str(),
                        model->variant().name().c_str(),
                        static_cast<unsigned long long>(all.stats.states),
                        static_cast<unsigned long long>(all_reduced.stats.states),
                        static_cast<unsigned long long>(none.stats.states),
                        static_cast<unsigned long long>(none_reduced.stats.states));
        }
    }
}

// ---- symmetry ------------------------------------------------------------------------

// A generated scenario with one actor copied (same script, same home) under a new name,
// so that it has a class of interchangeable actors.
model::Scenario generated_with_twin() {
    const std::string toml = test::random_scenario_toml(true);
    RC_LOG() << toml;
    model::Scenario sc = model::parse_scenario(toml, "generated.toml", "generated");
    const std::size_t k = *rc::gen::inRange<std::size_t>(0, sc.actors.size());
    model::Actor twin = sc.actors[k];
    twin.name = "Z";
    sc.actors.insert(sc.actors.begin() + static_cast<std::ptrdiff_t>(*rc::gen::inRange<std::size_t>(
                                             0, sc.actors.size() + 1)),
                     twin);
    RC_LOG() << "twin of " << sc.actors[k].name << " as Z";
    return sc;
}

TEST(Symmetry, ClassesAreActorsWithTheSameScriptAndHome) {
    const model::HugetlbModel m(test::scenario(R"(
nodes = 2
mem = [2, 2]
pool = [1, 0]
overcommit = 1
[[actor]]
name = "A"
home = 0
script = ["FAULT", "UNMAP"]
[[actor]]
name = "B"
home = 1
script = ["FAULT", "UNMAP"]
[[actor]]
name = "C"
home = 0
script = ["FAULT", "UNMAP"]
[[actor]]
name = "D"
home = 0
script = ["FAULT"]
)"));
    const model::ActorSymmetry symmetry(m);
    ASSERT_EQ(symmetry.classes().size(), 1u);
    EXPECT_EQ(symmetry.classes()[0], (std::vector<std::uint32_t>{0, 2}));
    EXPECT_EQ(symmetry.describe(), "{A, C} (FAULT, UNMAP on node 0)");
}

// The model is symmetric: in every reachable state, swapping two interchangeable actors
// (and what names them) gives a state with the same representative whose canonical
// successors are the same multiset; representatives are fixed points.
TEST(Symmetry, SwappingTwinsCommutesWithSuccessors) {
    std::uint64_t states = 0;
    for (const char* variant : {"seed", "v4.19", "v6.6"}) {
        for (const char* name :
             {"history/b8-shared-ctl-table", "sysctl-race", "history/hc1-temporary-folio-window"}) {
            const model::HugetlbModel m(model::load_scenario(name), variant);
            const model::ActorSymmetry symmetry(m);
            if (symmetry.trivial()) continue;
            const auto& members = symmetry.classes()[0];
            const model::ActorSlots &x = m.vars().actor[members[0]],
                                    &y = m.vars().actor[members[1]];
            auto canonical = [&](const std::vector<std::uint64_t>& v) {
                std::vector<std::byte> s = m.pack(v);
                s.resize(m.state_bytes() + model::kPackSlack);
                symmetry.canonicalize(s.data());
                return m.unpack(s.data());
            };
            auto canonical_successors = [&](const test::Values& s) {
                std::multiset<std::vector<std::uint64_t>> out;
                for (const test::Successor& succ : test::successors(m, s))
                    out.insert(canonical(succ.after.v));
                return out;
            };
            explorer::BreadthFirstSearch search(m, explorer::NoProperties{}, {});
            search.run();
            for (std::uint64_t i = 0; i < search.store().size(); ++i, ++states) {
                const test::Values s =
                    test::Values::of(m, search.store().state(static_cast<explorer::StateIndex>(i)));
                test::Values swapped = s;
                const std::vector<model::Slot> xs{x.op,    x.pc,        x.tmp,
                                                  x.count, x.page_node, x.min_count,
                                                  x.ret,   x.owned,     x.page_list};
                const std::vector<model::Slot> ys{y.op,    y.pc,        y.tmp,
                                                  y.count, y.page_node, y.min_count,
                                                  y.ret,   y.owned,     y.page_list};
                for (std::size_t k = 0; k < xs.size(); ++k)
                    std::swap(swapped[xs[k]], swapped[ys[k]]);
                for (model::Slot ref : {m.vars().table_data, m.vars().overcommit_table_data,
                                        m.vars().hugetlb_lock, m.vars().resize_lock}) {
                    if (swapped[ref] == model::encode_index(members[0]))
                        swapped[ref] = model::encode_index(members[1]);
                    else if (swapped[ref] == model::encode_index(members[1]))
                        swapped[ref] = model::encode_index(members[0]);
                }
                ASSERT_EQ(canonical(s.v), canonical(swapped.v)) << name << ": " << s;
                EXPECT_EQ(canonical(canonical(s.v)), canonical(s.v));
                EXPECT_EQ(canonical_successors(s), canonical_successors(swapped))
                    << name << " on " << variant << ": " << s;
            }
        }
    }
    EXPECT_GT(states, 100u);
}

RC_GTEST_PROP(Reductions, SymmetryKeepsEveryVerdict, ()) {
    const model::Scenario sc = generated_with_twin();
    const model::Variant& v = test::any_variant_for(sc);
    const PropertySet props = random_properties();
    RC_LOG() << "variant " << v.name() << ", properties " << properties::format_property_set(props);
    const model::HugetlbModel m(sc, v);
    const Outcome full = explore(m, m, props);
    RC_PRE(full.status == explorer::Status::complete);
    const model::ActorSymmetry symmetry(m);
    RC_ASSERT(!symmetry.trivial());
    const explorer::SymmetryReduction reduced(m, symmetry);
    const Outcome orbits = explore(reduced, m, props, 1, &symmetry);
    RC_ASSERT(orbits.status == explorer::Status::complete);
    RC_ASSERT(orbits.violated == full.violated);
    RC_ASSERT(orbits.stats.states < full.stats.states);  // twins: some orbit has two states
    RC_TAG(share_tag(orbits.stats.states, full.stats.states));
    const Outcome threaded = explore(reduced, m, props, 3, &symmetry);
    RC_ASSERT(threaded.stats.states == orbits.stats.states);
    RC_ASSERT(threaded.violated == orbits.violated);
}

}  // namespace
}  // namespace hugecheck
