#include "model/scenario_catalog.hpp"

#include <filesystem>
#include <string>

namespace hugecheck::model {

Scenario load_scenario(std::string_view name_or_path) {
    const std::string arg(name_or_path);
    std::string known;
    for (const EmbeddedScenario& e : embedded_scenarios()) {
        if (e.name == arg) return parse_scenario(e.text, e.path, std::string(e.name));
        known += (known.empty() ? "" : ", ") + std::string(e.name);
    }
    const bool looks_like_path =
        arg.find('/') != std::string::npos || (arg.size() > 5 && arg.ends_with(".toml"));
    std::error_code ec;
    if (looks_like_path || std::filesystem::is_regular_file(arg, ec))
        return load_scenario_file(arg);
    throw InputError(
        "--scenario", 0, "",
        "unknown scenario '" + arg + "' (known: " + known + "; or give the path of a .toml file)");
}

}  // namespace hugecheck::model
