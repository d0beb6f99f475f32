// hugecheck's packed engine against an independent, naive implementation of the RM text
// (tests/oracle/, written from the spec alone): on the RM scenarios and on scenarios that
// RapidCheck generates, both must find the same states, transitions, depth and shortest
// violation length of every property, and every trace hugecheck builds must replay.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>  // after gtest/gtest.h

#include <tuple>

#include "model/scenario_catalog.hpp"
#include "oracle/rm_oracle.hpp"
#include "test_support.hpp"

namespace hugecheck {
namespace {

rm_oracle::Scenario to_oracle(const model::Scenario& sc) {
    rm_oracle::Scenario o;
    o.nodes = static_cast<int>(sc.nodes);
    o.mem = sc.mem;
    o.pool = sc.pool;
    o.overcommit0 = sc.overcommit;
    for (const model::Actor& a : sc.actors) {
        rm_oracle::Actor oa{a.name, static_cast<int>(a.home), {}};
        for (const model::Operation& op : a.script) {
            const rm_oracle::OpKind kind =
                op.kind == model::OpKind::fault    ? rm_oracle::OpKind::Fault
                : op.kind == model::OpKind::unmap  ? rm_oracle::OpKind::Unmap
                : op.kind == model::OpKind::resize ? rm_oracle::OpKind::Resize
                                                   : rm_oracle::OpKind::Overcommit;
            oa.script.push_back({kind, op.value});
        }
        o.actors.push_back(std::move(oa));
    }
    return o;
}

struct Agreement {
    bool complete;  // false: too big for the bound, nothing compared
    std::string mismatch;
};

Agreement compare(const model::Scenario& sc, std::uint64_t max_states) {
    const model::HugetlbModel m(sc);
    explorer::Options options;
    options.max_states = max_states;
    const test::Explored ours = test::explore(m, properties::kAllProperties, options);
    if (ours.status != explorer::Status::complete) return {false, ""};
    const rm_oracle::Result theirs = rm_oracle::explore(to_oracle(sc));
    std::string bad;
    auto check = [&](const std::string& what, std::uint64_t a, std::uint64_t b) {
        if (a != b)
            bad +=
                what + ": hugecheck " + std::to_string(a) + ", oracle " + std::to_string(b) + "; ";
    };
    check("states", ours.stats.states, theirs.states);
    check("transitions", ours.stats.transitions, theirs.transitions);
    check("depth", ours.stats.depth, theirs.depth);
    // The RM's properties, P1..P8; P9 and P10 are about gigantic pages, which the RM has not.
    static_assert(std::tuple_size_v<decltype(theirs.shortest_violation)> == 8);
    for (std::size_t k = 0; k < theirs.shortest_violation.size(); ++k) {
        const std::string id(properties::kProperties[k].id);
        const auto it = ours.shortest.find(id);
        const long ours_len = it == ours.shortest.end() ? -1 : static_cast<long>(it->second);
        if (ours_len != theirs.shortest_violation[k])
            bad += id + " shortest: hugecheck " + std::to_string(ours_len) + ", oracle " +
                   std::to_string(theirs.shortest_violation[k]) + "; ";
    }
    const properties::Checker checker(m, properties::kAllProperties);
    for (const counterexamples::Trace& t : ours.traces) {
        const std::string problem = counterexamples::replay(m, checker, t);
        if (!problem.empty())
            bad +=
                std::string(properties::kProperties[t.property].id) + " trace: " + problem + "; ";
    }
    return {true, bad};
}

TEST(OracleAgreement, RmScenarios) {
    for (const char* name :
         {"surplus-race", "sysctl-race", "bench-small", "bench-medium", "bench-large"}) {
        const Agreement a = compare(model::load_scenario(name), 0);
        EXPECT_TRUE(a.complete) << name;
        EXPECT_EQ(a.mismatch, "") << name;
    }
}

RC_GTEST_PROP(OracleAgreement, RandomScenarios, ()) {
    const std::string toml = test::random_scenario_toml(false);
    RC_LOG() << toml;  // shown only when the property fails
    const model::Scenario sc = model::parse_scenario(toml, "generated.toml", "generated");
    const Agreement a = compare(sc, 200000);
    RC_PRE(a.complete);  // bigger than the bound: not a counterexample, just too big
    RC_ASSERT(a.mismatch == std::string());
}

}  // namespace
}  // namespace hugecheck
