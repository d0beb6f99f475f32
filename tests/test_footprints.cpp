// Every step touches only what its footprint declares (model/footprint.hpp): the embedded
// scenarios and generated ones are explored through FootprintChecked, which records each
// step's reads and writes and throws at the first undeclared one. With
// HUGECHECK_FOOTPRINT_DUMP=1 the embedded-scenario test prints what every step of every
// variant did, in the footprints' syntax (a starting point when writing a new variant).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <iostream>

#include "model/footprint_check.hpp"
#include "model/input_error.hpp"
#include "model/scenario_catalog.hpp"
#include "test_support.hpp"

namespace hugecheck {
namespace {

using model::Footprint;

// Explores the model through the footprint check; returns the first problem, or "".
std::string check_all_steps(const model::HugetlbModel& m, std::uint64_t max_states,
                            std::array<Footprint, model::kStepCount>* observed = nullptr,
                            bool record_only = false) {
    const model::FootprintChecked checked(m, !record_only);
    explorer::Options o;
    o.max_states = max_states;
    explorer::BreadthFirstSearch search(checked, explorer::NoProperties{}, o);
    std::string problem;
    try {
        search.run();
    } catch (const std::logic_error& e) {
        problem = e.what();
    }
    if (observed)
        for (std::size_t k = 0; k < model::kStepCount; ++k)
            (*observed)[k] = (*observed)[k] | checked.check().observed()[k];
    return problem;
}

std::string vars_code(model::VarSet set) {
    std::string out;
    for (unsigned k = 0; k < model::kVarCount; ++k)
        if (set & (model::VarSet{1} << k))
            out += (out.empty() ? "" : ", ") +
                   std::string(model::var_name(static_cast<model::Var>(k)));
    return "{" + out + "}";
}

TEST(Footprints, DeclaredForEveryStepOfEmbeddedScenarios) {
    const bool dump = std::getenv("HUGECHECK_FOOTPRINT_DUMP") != nullptr;
    for (const model::Variant* v : model::all_variants()) {
        std::array<Footprint, model::kStepCount> observed{};
        for (const model::EmbeddedScenario& e : model::embedded_scenarios()) {
            const std::string name(e.name);
            if (name == "bench-xl" || name == "bench-2xl" || name == "bench-4xl") continue;
            const model::Scenario sc = model::parse_scenario(e.text, e.path, name);
            if (!model::HugetlbModel::missing_features(sc, *v).empty()) continue;
            const model::HugetlbModel m(sc, *v);
            const std::string problem = check_all_steps(m, 100000, &observed, dump);
            EXPECT_EQ(problem, "") << "scenario " << name;
        }
        if (!dump) continue;
        std::cout << "variant " << v->name() << "\n";
        for (const model::StepDef& s : v->steps()) {
            const Footprint& f = observed[static_cast<std::size_t>(s.label)];
            std::cout << "  " << model::step_name(s.label) << ": reads " << vars_code(f.reads)
                      << " writes " << vars_code(f.writes) << " events " << int(f.events)
                      << (f.ends_op ? " ends_op" : "") << "\n";
        }
    }
}

// A footprint that leaves something out is caught: B2 (alloc_pages) declared as touching
// nothing, and S2 declared without its write through table->data.
TEST(Footprints, AnUndeclaredAccessFailsTheCheck) {
    const model::Variant& seed = model::find_variant("seed");
    model::StepDef b2 = seed.step(model::Step::B2), s2 = seed.step(model::Step::S2);
    b2.footprint = {};
    s2.footprint.writes &= ~model::bit(model::Var::any_tmp);
    const model::Variant mutant = seed.patched("seed-lying-footprints", "test", "test", {b2, s2});
    const std::string b2_problem =
        check_all_steps(model::HugetlbModel(model::load_scenario("surplus-race"), mutant), 1000);
    EXPECT_NE(b2_problem.find("step B2 of A: reads buddy; writes buddy"), std::string::npos)
        << b2_problem;
    const std::string s2_problem =
        check_all_steps(model::HugetlbModel(model::load_scenario("sysctl-race"), mutant), 1000);
    EXPECT_NE(s2_problem.find("writes any_tmp"), std::string::npos) << s2_problem;
}

RC_GTEST_PROP(Footprints, DeclaredForEveryStepOfGeneratedScenarios, ()) {
    const std::string toml = test::random_scenario_toml(true);
    RC_LOG() << toml;
    const model::Scenario sc = model::parse_scenario(toml, "generated.toml", "generated");
    for (const model::Variant* v : model::all_variants()) {
        if (!model::HugetlbModel::missing_features(sc, *v).empty()) continue;
        const model::HugetlbModel m(sc, *v);
        RC_ASSERT(check_all_steps(m, 50000) == std::string());
    }
}

}  // namespace
}  // namespace hugecheck
