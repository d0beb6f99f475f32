// hugecheck export: the reference model of a scenario as a Promela model for SPIN or a
// Murphi model for Rumur, whose state counts must equal hugecheck's (docs/peers.md).
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

namespace hugecheck::cli {

struct ExportOptions {
    bool promela = false;
    bool murphi = false;
    std::string scenario;
    std::string output;  // "": stdout
};

// Adds the `export` subcommand to the app; the options it parses into live as long as the
// returned pointer.
std::unique_ptr<ExportOptions> add_export_command(CLI::App& app);

// Writes the model. Returns the exit status (0); throws InputError for a scenario the
// exporters do not cover or an output file that cannot be written.
int run_export(const ExportOptions& options);

}  // namespace hugecheck::cli
