// `hugecheck replay TRACE.json`: a trace file (docs/trace-json.md) re-executed on the model
// of today. Each counterexample's steps are taken again by (actor, step label, choice) from
// the scenario's initial state, and its property is checked where the file says it broke.
// After a model change this says whether the violation still happens, or which step no
// longer applies.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "counterexamples/trace.hpp"

namespace hugecheck::counterexamples {

struct ReplayResult {
    std::string property;  // its id, "P1"
    std::size_t length = 0;
    bool reproduced = false;
    // Not reproduced: the 1-based step that no longer applies (0: every step applied and
    // the property holds at the end), and what happened.
    std::size_t failed_step = 0;
    std::string why;
    Trace trace;  // the steps that applied (the whole trace when reproduced)
};

// The scenario and variant a trace file names; `file` is for messages. Throws InputError
// (naming the file and the field) on a malformed document.
struct TraceFileHeader {
    std::string scenario;  // an embedded name, or the source path
    std::string scenario_name;
    std::string scenario_hash;
    std::optional<std::string> scenario_text;  // the scenario as it was (files since 0.1)
    std::string variant;
};
TraceFileHeader read_trace_header(const nlohmann::json& doc, const std::string& file);

// The scenario a trace was made on: the text the file records (its hash checked), else
// the embedded scenario or file it names. `note` says when that differs from what the name
// or path holds today (then the recorded text is used), or is missing.
model::Scenario trace_scenario(const TraceFileHeader& h, const std::string& file,
                               std::string& note);

// Replays every counterexample of the document on `m` (built from its header).
std::vector<ReplayResult> replay_trace_file(const model::HugetlbModel& m, const nlohmann::json& doc,
                                            const std::string& file);

// The XXH3-64 of the scenario's text, as the trace file writes it ("xxh3:…").
std::string scenario_hash(const model::Scenario& sc);

}  // namespace hugecheck::counterexamples
