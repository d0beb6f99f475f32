// Properties of every variant on scenarios RapidCheck generates (RESIZE_NODE included):
// the search completes within its bound (no value overflows its packed field), every
// trace replays, and the facts that each version's code guarantees hold:
//  - from v4.19 on, every global counter moves with its node counter in one lock section
//    (prep_new_huge_page, the surplus re-check, update_and_free_page, remove_hugetlb_folio),
//    so P1 holds, and a surplus page is always on a node, so P8 holds;
//  - from v5.4 on, the sysctl handlers copy their ctl_table, so P5 holds;
//  - only v4.19 holds a lock across steps in a way that can deadlock (put_page under
//    hugetlb_lock); resize_lock is one mutex and cannot form a cycle, so P6 holds elsewhere.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>  // after gtest/gtest.h

#include "test_support.hpp"

namespace hugecheck {
namespace {

constexpr std::size_t P1 = 0, P5 = 4, P6 = 5, P8 = 7;

RC_GTEST_PROP(VariantProperties, VersionGuaranteesHold, ()) {
    const std::string toml = test::random_scenario_toml(true);
    RC_LOG() << toml;
    const model::Scenario sc = model::parse_scenario(toml, "generated.toml", "generated");
    for (const model::Variant* v : model::all_variants()) {
        if (!model::HugetlbModel::missing_features(sc, *v).empty()) continue;
        const model::HugetlbModel m(sc, v->name());
        explorer::Options bound;
        bound.max_states = 100000;
        const test::Explored e = test::explore(m, properties::kAllProperties, bound);
        RC_LOG() << v->name() << ": " << e.stats.states << " states";
        const properties::Checker checker(m, properties::kAllProperties);
        for (const counterexamples::Trace& t : e.traces)
            RC_ASSERT(counterexamples::replay(m, checker, t) == std::string());
        auto holds = [&](std::size_t p) {
            return e.shortest.count(std::string(properties::kProperties[p].id)) == 0;
        };
        // A patch variant has the guarantees of the version it patches.
        const std::string version = v->patch_of().empty() ? v->name() : v->patch_of();
        // alloc_buddy_huge_page's bump first (B1) is in 2.6.24 and the seed; the shared
        // ctl_table's tmp (B8) in the seed and v4.19 (2.6.24 writes max_huge_pages itself);
        // a lock never released in v4.19 (B12) and 2.6.24 (K3's spin).
        const bool bump_first = version == "seed" || version == "v2.6.24";
        if (!bump_first) {
            RC_ASSERT(holds(P1));
            RC_ASSERT(holds(P8));
        }
        if (version != "seed" && version != "v4.19") RC_ASSERT(holds(P5));
        if (version != "v4.19" && version != "v2.6.24") RC_ASSERT(holds(P6));
    }
}

}  // namespace
}  // namespace hugecheck
