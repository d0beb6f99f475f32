// hugecheck graph: the reachable state graph of a small scenario, with its violating states
// and shortest counterexample paths marked, as Graphviz dot, SVG, JSON or GraphML
// (docs/state-graphs.md). Large scenarios are refused: that is `hugecheck check`'s job.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

namespace hugecheck::cli {

struct GraphOptions {
    std::string scenario;
    std::string variant = "seed";
    std::string properties;  // --property
    std::string skip;        // --skip
    std::string format = "dot";
    std::string max_states;  // "": counterexamples::kDefaultGraphStates
    std::string output;      // "": stdout
    bool quiet = false;
};

// Adds the `graph` subcommand to the app; the options it parses into live as long as the
// returned pointer.
std::unique_ptr<GraphOptions> add_graph_command(CLI::App& app);

// Builds and writes the graph. Returns 0, or kExitIncomplete (3) with a one-line message
// on stderr when the scenario has more states than --max-states or leaves the bounds of
// its encoding; throws InputError for bad options, an unknown scenario or variant, or an
// output that cannot be written.
int run_graph(const GraphOptions& options);

}  // namespace hugecheck::cli
