#include "cli/graph.hpp"

#include <cstdint>
#include <fstream>
#include <iostream>
#include <string>

#include "cli/prove.hpp"
#include "counterexamples/state_graph.hpp"
#include "model/hugetlb_model.hpp"
#include "model/input_error.hpp"
#include "model/scenario_catalog.hpp"
#include "properties/properties.hpp"

namespace hugecheck::cli {

namespace {

// --max-states: a whole number with an optional k or M, from 1 to the hard cap.
std::uint64_t parse_graph_states(const std::string& text) {
    const std::string expected =
        "'" + text + "' is not a state count between 1 and " +
        std::to_string(counterexamples::kMaxGraphStates) +
        " (e.g. 20000, 50k; a larger graph is no use as a picture: use `hugecheck check`)";
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9')
        ++digits;
    const std::string suffix = text.substr(digits);
    std::uint64_t scale = 0;
    if (suffix.empty()) scale = 1;
    if (suffix == "k" || suffix == "K") scale = 1000;
    if (suffix == "M") scale = 1000000;
    if (digits == 0 || digits > 7 || scale == 0) throw InputError("--max-states", 0, "", expected);
    const std::uint64_t n = std::stoull(text.substr(0, digits)) * scale;
    if (n < 1 || n > counterexamples::kMaxGraphStates)
        throw InputError("--max-states", 0, "", expected);
    return n;
}

}  // namespace

std::unique_ptr<GraphOptions> add_graph_command(CLI::App& app) {
    auto o = std::make_unique<GraphOptions>();
    CLI::App* cmd = app.add_subcommand(
        "graph",
        "write the reachable state graph of a small scenario, violating states and shortest "
        "counterexample paths marked: Graphviz dot, SVG, JSON or GraphML (docs/state-graphs.md)");
    cmd->add_option("--scenario,-s", o->scenario, "embedded scenario name or path of a .toml file")
        ->required();
    cmd->add_option("--variant", o->variant, "kernel variant to model (default: seed)");
    cmd->add_option("--property,-p", o->properties,
                    "mark only these properties, e.g. P1,P8 (default: all)");
    cmd->add_option("--skip", o->skip, "do not mark these properties, e.g. P3");
    cmd->add_option("--format", o->format,
                    "dot (default), svg (runs Graphviz's dot -Tsvg), json or graphml")
        ->check(CLI::IsMember({"dot", "svg", "json", "graphml"}));
    cmd->add_option("--max-states", o->max_states,
                    "refuse scenarios with more reachable states than this (default " +
                        std::to_string(counterexamples::kDefaultGraphStates) + ", at most " +
                        std::to_string(counterexamples::kMaxGraphStates) + ")");
    cmd->add_option("--output,-o", o->output, "write the graph to this file (default: stdout)");
    cmd->add_flag("--quiet,-q", o->quiet, "no summary line on stderr");
    cmd->footer(
        "Exit status: 0 the graph is written (violations are marked in it, not an error); 2 "
        "usage or input error; 3 the scenario has more states than --max-states, or leaves the "
        "bounds of its encoding (nothing is written).");
    return o;
}

int run_graph(const GraphOptions& o) {
    const std::uint64_t limit = o.max_states.empty() ? counterexamples::kDefaultGraphStates
                                                     : parse_graph_states(o.max_states);
    if (o.format != "dot" && o.format != "svg" && o.format != "json" && o.format != "graphml")
        throw InputError("--format", 0, "",
                         "unknown format '" + o.format + "' (known: dot, svg, json, graphml)");
    const model::HugetlbModel model(model::load_scenario(o.scenario), o.variant);
    properties::PropertySet selected = properties::kAllProperties;
    if (!o.properties.empty())
        selected = properties::parse_property_list(o.properties, "--property");
    if (!o.skip.empty()) selected &= ~properties::parse_property_list(o.skip, "--skip");
    const properties::Checker checker(model, selected);

    const counterexamples::StateGraph g = counterexamples::build_state_graph(model, checker, limit);
    const std::string& name = model.scenario().name;
    if (g.status == counterexamples::GraphStatus::too_large) {
        std::cerr << "hugecheck: graph: scenario " << name << " has more than " << limit
                  << " reachable states on variant " << model.variant().name()
                  << " (stopped counting at " << g.states_found << "); "
                  << (limit < counterexamples::kMaxGraphStates
                          ? "pass --max-states to raise the limit, or use `hugecheck check` "
                            "for large scenarios\n"
                          : "that is the graph command's limit: use `hugecheck check` for "
                            "large scenarios\n");
        return kExitIncomplete;
    }
    if (g.status == counterexamples::GraphStatus::unbounded) {
        std::cerr << "hugecheck: graph: the state space of scenario " << name << " on variant "
                  << model.variant().name()
                  << " leaves the bounds of its encoding: " << g.unbounded_reason << "\n";
        return kExitIncomplete;
    }

    std::string text;
    if (o.format == "json")
        text = counterexamples::graph_json(model, g).dump(1) + "\n";
    else if (o.format == "graphml")
        text = counterexamples::graph_graphml(model, g);
    else if (o.format == "svg")
        text = counterexamples::dot_to_svg(counterexamples::graph_dot(model, g));
    else
        text = counterexamples::graph_dot(model, g);

    if (o.output.empty()) {
        std::cout << text << std::flush;
    } else {
        std::ofstream file(o.output);
        if (!(file << text) || !file.flush())
            throw InputError("--output", 0, "", "cannot write '" + o.output + "'");
    }
    if (!o.quiet) {
        std::cerr << "graph: " << g.states() << " states, " << g.edges() << " edges, ";
        if (g.violated)
            std::cerr << g.violating_states() << " violating states, " << g.violating_edges()
                      << " violating edges (" << properties::format_property_set(g.violated)
                      << "), counterexample paths marked\n";
        else
            std::cerr << "no violation of "
                      << (selected ? properties::format_property_set(selected)
                                   : std::string("any property (none selected)"))
                      << "\n";
    }
    return kExitHolds;
}

}  // namespace hugecheck::cli
