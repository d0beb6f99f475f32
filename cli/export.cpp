#include "cli/export.hpp"

#include <fstream>
#include <iostream>

#include "model/input_error.hpp"
#include "model/scenario_catalog.hpp"
#include "peers/murphi.hpp"
#include "peers/promela.hpp"

namespace hugecheck::cli {

std::unique_ptr<ExportOptions> add_export_command(CLI::App& app) {
    auto o = std::make_unique<ExportOptions>();
    CLI::App* cmd = app.add_subcommand(
        "export",
        "write a scenario's reference model for another model checker: Promela (SPIN) or "
        "Murphi (Rumur), to cross-check the state count (docs/peers.md)");
    CLI::Option_group* format = cmd->add_option_group("format", "the language to write");
    format->add_flag("--promela", o->promela, "a Promela model for SPIN");
    format->add_flag("--murphi", o->murphi, "a Murphi model for Rumur");
    format->require_option(1);
    cmd->add_option("--scenario,-s", o->scenario, "embedded scenario name or path of a .toml file")
        ->required();
    cmd->add_option("--output,-o", o->output, "write the model to this file (default: stdout)");
    cmd->footer(
        "Exit status: 0 the model is written; 2 usage or input error (a scenario with gigantic "
        "pages, RESIZE_NODE, ALLOC or FREE is outside the reference model and refused).");
    return o;
}

int run_export(const ExportOptions& o) {
    const model::Scenario scenario = model::load_scenario(o.scenario);
    const std::string text = o.promela ? peers::to_promela(scenario) : peers::to_murphi(scenario);
    if (o.output.empty()) {
        std::cout << text << std::flush;
        return 0;
    }
    std::ofstream file(o.output);
    if (!(file << text) || !file.flush())
        throw InputError("--output", 0, "", "cannot write '" + o.output + "'");
    return 0;
}

}  // namespace hugecheck::cli
