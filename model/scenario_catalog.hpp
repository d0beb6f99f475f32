// The scenarios of scenarios/, embedded in the binary at build time, so that
// `--scenario NAME` works from any directory and the default run needs no files.
#pragma once

#include <span>
#include <string_view>

#include "model/scenario.hpp"

namespace hugecheck::model {

struct EmbeddedScenario {
    std::string_view name;  // file stem: "surplus-race"
    std::string_view path;  // "scenarios/surplus-race.toml", for messages
    std::string_view text;
};

std::span<const EmbeddedScenario> embedded_scenarios();

// The name of an embedded scenario ("bench-xl", "history/b8-shared-ctl-table"), or else
// the path of a scenario file (anything with a '/' or ending in ".toml", or an existing
// file). Throws InputError.
Scenario load_scenario(std::string_view name_or_path);

}  // namespace hugecheck::model
