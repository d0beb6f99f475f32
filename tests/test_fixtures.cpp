// The regression fixtures (counterexamples/fixtures/): a committed trace file for every
// scenario × variant with a violation. Each must replay on its own variant; on another
// variant a counterexample may reproduce only if that variant violates the property too,
// and never on a variant that kernel history says has the fix. The set must be complete:
// a violation without a fixture, or a fixture whose violation disappeared, fails.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "counterexamples/replay.hpp"
#include "model/input_error.hpp"
#include "model/scenario_catalog.hpp"
#include "test_support.hpp"

namespace hugecheck {
namespace {

namespace fs = std::filesystem;

const fs::path kFixtures = fs::path(HUGECHECK_SOURCE_DIR) / "counterexamples" / "fixtures";

std::vector<std::string> fixture_scenarios() {
    std::ifstream in(kFixtures / "scenarios.txt");
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line[0] != '#') out.push_back(line);
    return out;
}

fs::path fixture_path(std::string scenario, const std::string& variant) {
    for (std::size_t k; (k = scenario.find('/')) != std::string::npos;)
        scenario.replace(k, 1, "--");
    return kFixtures / (scenario + "@" + variant + ".json");
}

nlohmann::json read_json(const fs::path& p) {
    std::ifstream in(p);
    return nlohmann::json::parse(in);
}

// The properties a full search finds violated (nullopt: the variant cannot run it); each
// pair searched once for both tests.
std::optional<properties::PropertySet> search_violated(const std::string& scenario,
                                                       const model::Variant& v) {
    std::optional<model::HugetlbModel> m;
    try {
        m.emplace(model::load_scenario(scenario), v);
    } catch (const InputError&) {
        return std::nullopt;
    }
    properties::PropertySet out = 0;
    for (const auto& [id, length] : test::explore(*m).shortest)
        out |= properties::parse_property_list(id, "test");
    return out;
}
std::optional<properties::PropertySet> violated(const std::string& scenario,
                                                const model::Variant& v) {
    static std::map<std::pair<std::string, std::string>, std::optional<properties::PropertySet>>
        cache;
    const auto key = std::make_pair(scenario, v.name());
    if (!cache.contains(key)) cache[key] = search_violated(scenario, v);
    return cache[key];
}

TEST(Fixtures, EveryViolationHasAFixtureThatReplays) {
    const std::vector<std::string> scenarios = fixture_scenarios();
    ASSERT_GE(scenarios.size(), 10u);
    std::size_t files = 0;
    for (const std::string& name : scenarios) {
        for (const model::Variant* v : model::all_variants()) {
            SCOPED_TRACE(name + " on " + v->name());
            const fs::path file = fixture_path(name, v->name());
            const auto found = violated(name, *v);
            if (!found || *found == 0) {
                EXPECT_FALSE(fs::exists(file)) << file << " is stale: nothing is violated";
                continue;
            }
            ASSERT_TRUE(fs::exists(file))
                << "no fixture " << file << " (counterexamples/fixtures/regenerate.sh)";
            ++files;
            const nlohmann::json doc = read_json(file);
            const counterexamples::TraceFileHeader h =
                counterexamples::read_trace_header(doc, file.string());
            EXPECT_EQ(h.variant, v->name());
            std::string note;
            const model::HugetlbModel m(counterexamples::trace_scenario(h, file, note), *v);
            EXPECT_EQ(note, "") << "the scenario changed since the fixture was made";
            properties::PropertySet in_file = 0;
            for (const counterexamples::ReplayResult& r :
                 counterexamples::replay_trace_file(m, doc, file)) {
                EXPECT_TRUE(r.reproduced) << r.property << ": " << r.why;
                in_file |= properties::parse_property_list(r.property, "test");
            }
            EXPECT_EQ(properties::format_property_set(in_file),
                      properties::format_property_set(*found));
        }
    }
    // Every file is one of the expected ones (no orphan from a renamed scenario).
    std::size_t on_disk = 0;
    for (const fs::directory_entry& e : fs::directory_iterator(kFixtures))
        on_disk += e.path().extension() == ".json";
    EXPECT_EQ(on_disk, files);
}

// Replayed on every other variant: reproduced only where that variant's own search finds
// the property violated, and never on a variant the scenario's [bug] table says is fixed.
TEST(Fixtures, OtherVariantsReproduceOnlyWhatTheyViolate) {
    std::size_t fixed_checked = 0, reproduced_elsewhere = 0;
    for (const std::string& name : fixture_scenarios()) {
        const model::Scenario scenario = model::load_scenario(name);
        std::map<std::string, std::optional<properties::PropertySet>> verdicts;
        for (const model::Variant* v : model::all_variants())
            verdicts[v->name()] = violated(name, *v);
        for (const model::Variant* made_on : model::all_variants()) {
            const fs::path file = fixture_path(name, made_on->name());
            if (!fs::exists(file)) continue;
            const nlohmann::json doc = read_json(file);
            for (const model::Variant* other : model::all_variants()) {
                if (other == made_on || !verdicts[other->name()]) continue;
                SCOPED_TRACE(file.filename().string() + " on " + other->name());
                const model::HugetlbModel m(scenario, *other);
                // (A variant where another bug breaks the property, bug.masked, is not one
                // with the fix.)
                const bool masked = std::any_of(
                    scenario.bug.masked.begin(), scenario.bug.masked.end(),
                    [&](const auto& variant_bug) { return variant_bug.first == other->name(); });
                const bool fixed =
                    scenario.has_bug && !masked &&
                    std::find(scenario.bug.present.begin(), scenario.bug.present.end(),
                              other->name()) == scenario.bug.present.end();
                for (const counterexamples::ReplayResult& r :
                     counterexamples::replay_trace_file(m, doc, file)) {
                    const bool violates = *verdicts[other->name()] &
                                          properties::parse_property_list(r.property, "test");
                    if (r.reproduced) {
                        ++reproduced_elsewhere;
                        EXPECT_TRUE(violates) << r.property << " reproduced but does not hold";
                    }
                    if (fixed && r.property == scenario.bug.property) {
                        ++fixed_checked;
                        EXPECT_FALSE(r.reproduced)
                            << scenario.bug.id << " reproduced on a variant with the fix";
                    }
                }
            }
        }
    }
    // Both checks have work to do: some traces carry over between variants (the same
    // step labels), and every history bug has variants with the fix.
    EXPECT_GT(reproduced_elsewhere, 0u);
    EXPECT_GT(fixed_checked, 5u);
}

}  // namespace
}  // namespace hugecheck
