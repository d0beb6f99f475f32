// The output formats of a run's counterexamples (docs/trace-formats.md): the table, lanes
// (one column per actor), JSON, a message-sequence chart as Graphviz source or SVG, and
// one self-contained HTML page.
#pragma once

#include <string>
#include <vector>

#include "counterexamples/trace.hpp"
#include "model/hugetlb_model.hpp"

namespace hugecheck::counterexamples {

enum class TraceFormat { table, lanes, json, dot, svg, html };

// "table", "lanes", "json", "dot", "svg", "html"; throws InputError naming --format.
TraceFormat parse_trace_format(const std::string& text);

// Time going down, one column per actor with its steps (label, kernel function, the locks
// the step runs under), lifelines of actors inside an operation, preemptions marked, and
// the counters each step changed on the right.
std::string render_lanes(const model::HugetlbModel& m, const Trace& trace);

// The trace as a message-sequence chart: one lifeline per actor, one node per step in its
// actor's column and row, lock sections coloured, switches of actor as dashed edges, the
// broken property at the bottom. Graphviz source written by Boost.Graph's write_graphviz.
std::string render_msc_dot(const model::HugetlbModel& m, const Trace& trace);

// Is Graphviz's `dot` on PATH?
bool dot_available();

// render_msc_dot laid out by `dot -Tsvg`. Throws InputError when dot is not on PATH, and
// std::runtime_error when dot fails.
std::string render_svg(const model::HugetlbModel& m, const Trace& trace);

// One HTML5 page, no external resources: per trace the property, the violation, a table
// of every step with the variables after it (changed values highlighted) and the chart
// (inline SVG when dot is available).
std::string render_html(const model::HugetlbModel& m, const std::vector<Trace>& traces,
                        const std::string& run_summary);

// The whole document of a run in one format. table and lanes: each trace followed by a
// blank line; json: traces_json; dot: one digraph per trace; svg: one SVG document (the
// charts of several traces stacked); html: render_html.
std::string render_traces(const model::HugetlbModel& m, const std::vector<Trace>& traces,
                          TraceFormat format, const std::string& run_summary);

}  // namespace hugecheck::counterexamples
