#include "counterexamples/replay.hpp"

#include <xxhash.h>

#include <cstdio>
#include <cstring>

#include "model/input_error.hpp"
#include "model/scenario_catalog.hpp"

namespace hugecheck::counterexamples {

using model::HugetlbModel;

namespace {

const nlohmann::json& field(const nlohmann::json& obj, const char* key, const std::string& file,
                            const std::string& where) {
    if (!obj.is_object() || !obj.contains(key)) throw InputError(file, 0, where + key, "missing");
    return obj.at(key);
}
std::string string_field(const nlohmann::json& obj, const char* key, const std::string& file,
                         const std::string& where) {
    const nlohmann::json& v = field(obj, key, file, where);
    if (!v.is_string()) throw InputError(file, 0, where + key, "not a string");
    return v.get<std::string>();
}
std::uint64_t number_field(const nlohmann::json& obj, const char* key, const std::string& file,
                           const std::string& where) {
    const nlohmann::json& v = field(obj, key, file, where);
    if (!v.is_number_unsigned()) throw InputError(file, 0, where + key, "not a count");
    return v.get<std::uint64_t>();
}

std::size_t property_index(const std::string& id, const std::string& file,
                           const std::string& where) {
    for (std::size_t p = 0; p < properties::kPropertyCount; ++p)
        if (properties::kProperties[p].id == id) return p;
    throw InputError(file, 0, where + "property.id", "unknown property '" + id + "'");
}

explorer::Where where_of(const nlohmann::json& cx, std::size_t property, const std::string& file,
                         const std::string& where) {
    if (cx.contains("where")) {  // written since the field exists
        const std::string w = string_field(cx, "where", file, where);
        if (w == "state") return explorer::Where::state;
        if (w == "transition") return explorer::Where::transition;
        if (w == "deadend") return explorer::Where::deadend;
        throw InputError(file, 0, where + "where",
                         "'" + w + "' is not state, transition or deadend");
    }
    switch (properties::kProperties[property].kind) {
        case properties::Kind::transition: return explorer::Where::transition;
        case properties::Kind::deadlock: return explorer::Where::deadend;
        default: return explorer::Where::state;
    }
}

// A step as the file names it; the label is checked against every known step.
struct NamedStep {
    std::uint32_t actor = 0;
    model::Step step{};
    std::uint32_t choice = 0;
    std::string text;  // "A B2" for messages
};

NamedStep named_step(const HugetlbModel& m, const nlohmann::json& s, const std::string& file,
                     const std::string& where) {
    NamedStep n;
    const std::string actor = string_field(s, "actor", file, where);
    const std::string label = string_field(s, "label", file, where);
    const std::uint64_t choice = number_field(s, "choice", file, where);
    std::uint32_t a = 0;
    while (a < m.actors() && m.actor_name(a) != actor)
        ++a;
    if (a == m.actors())
        throw InputError(file, 0, where + "actor", "no actor '" + actor + "' in the scenario");
    std::size_t k = 0;
    while (k < model::kStepCount && model::step_name(static_cast<model::Step>(k)) != label)
        ++k;
    if (k == model::kStepCount)
        throw InputError(file, 0, where + "label", "unknown step label '" + label + "'");
    if (choice > 0xffffffffu) throw InputError(file, 0, where + "choice", "out of range");
    n.actor = a;
    n.step = static_cast<model::Step>(k);
    n.choice = static_cast<std::uint32_t>(choice);
    n.text = actor + " " + label + (choice ? " (choice " + std::to_string(choice) + ")" : "");
    return n;
}

ReplayResult replay_one(const HugetlbModel& m, const properties::Checker& checker,
                        const nlohmann::json& cx, const std::string& file,
                        const std::string& where) {
    ReplayResult r;
    const std::size_t property = property_index(
        string_field(field(cx, "property", file, where), "id", file, where + "property."), file,
        where);
    r.property = std::string(properties::kProperties[property].id);
    const nlohmann::json& steps = field(cx, "steps", file, where);
    if (!steps.is_array()) throw InputError(file, 0, where + "steps", "not a list");
    r.length = steps.size();
    std::vector<NamedStep> named;
    for (std::size_t k = 0; k < steps.size(); ++k)
        named.push_back(named_step(m, steps[k], file, where + "steps[" + std::to_string(k) + "]."));

    HugetlbModel::Context ctx = m.make_context();
    const std::size_t bytes = m.state_bytes();
    Trace& t = r.trace;
    t.property = property;
    t.where = where_of(cx, property, file, where);
    t.initial = StateBytes(bytes + model::kPackSlack);
    m.initial_state(t.initial.data());
    StateBytes state = t.initial;
    for (std::size_t k = 0; k < named.size(); ++k) {
        const NamedStep& n = named[k];
        bool applied = false;
        TraceStep step;
        m.for_each_successor(
            ctx, state.data(), [&](const std::byte* succ, const model::Transition& tr) {
                if (!applied && tr.actor == n.actor && tr.step == n.step && tr.choice == n.choice) {
                    step = {tr, state, padded_copy(succ, bytes)};
                    applied = true;
                }
            });
        if (!applied) {
            r.failed_step = k + 1;
            r.why = "step " + std::to_string(k + 1) + " (" + n.text +
                    ") no longer applies: the model does not take it in the state the steps "
                    "before it reach";
            return r;
        }
        state = step.after;
        t.steps.push_back(std::move(step));
    }
    const properties::PropertySet want = properties::bit(property);
    properties::PropertySet got = 0;
    switch (t.where) {
        case explorer::Where::state: got = checker.state_violations(state.data()); break;
        case explorer::Where::transition:
            if (!t.steps.empty())
                got = checker.transition_violations(t.steps.back().before.data(), state.data(),
                                                    t.steps.back().transition);
            break;
        case explorer::Where::deadend: {
            bool any = false;
            m.for_each_successor(ctx, state.data(),
                                 [&](const std::byte*, const model::Transition&) { any = true; });
            if (!any) got = checker.deadend_violations(state.data());
            break;
        }
    }
    if (!(got & want)) {
        r.why = "every step applies, but " + r.property + " is not violated after step " +
                std::to_string(named.size());
        return r;
    }
    r.reproduced = true;
    if (t.where == explorer::Where::transition)
        t.violation = checker.explain(property, state.data(), t.steps.back().before.data(),
                                      &t.steps.back().transition);
    else
        t.violation = checker.explain(property, state.data(), nullptr, nullptr);
    return r;
}

}  // namespace

std::string scenario_hash(const model::Scenario& sc) {
    char hash[32];
    std::snprintf(hash, sizeof hash, "xxh3:%016llx",
                  static_cast<unsigned long long>(XXH3_64bits(sc.text.data(), sc.text.size())));
    return hash;
}

TraceFileHeader read_trace_header(const nlohmann::json& doc, const std::string& file) {
    if (!doc.is_object())
        throw InputError(file, 0, "", "not a hugecheck trace file (a JSON object)");
    const std::string format = string_field(doc, "format", file, "");
    if (format != "hugecheck-trace/1")
        throw InputError(file, 0, "format", "'" + format + "' is not hugecheck-trace/1");
    const nlohmann::json& sc = field(doc, "scenario", file, "");
    TraceFileHeader h;
    h.scenario = h.scenario_name = string_field(sc, "name", file, "scenario.");
    h.scenario_hash = string_field(sc, "hash", file, "scenario.");
    if (sc.contains("text")) h.scenario_text = string_field(sc, "text", file, "scenario.");
    const std::string source = string_field(sc, "source", file, "scenario.");
    // An embedded scenario is found by its name, a scenario file by its path.
    bool embedded = false;
    for (const model::EmbeddedScenario& e : model::embedded_scenarios())
        embedded = embedded || (e.name == h.scenario && e.path == source);
    if (!embedded) h.scenario = source;
    h.variant = string_field(doc, "variant", file, "");
    return h;
}

model::Scenario trace_scenario(const TraceFileHeader& h, const std::string& file,
                               std::string& note) {
    note.clear();
    std::optional<model::Scenario> today;
    std::string missing;
    try {
        today = model::load_scenario(h.scenario);
    } catch (const InputError& e) {
        missing = e.what();
    }
    if (!h.scenario_text) {
        // An older file: only the name or path and the hash.
        if (!today) throw InputError(file, 0, "scenario", "cannot load it: " + missing);
        if (scenario_hash(*today) != h.scenario_hash)
            note = "the scenario's text is not the one the trace was made on (" +
                   scenario_hash(*today) + ", the file says " + h.scenario_hash + ")";
        return *std::move(today);
    }
    model::Scenario recorded;
    try {
        recorded = model::parse_scenario(*h.scenario_text, h.scenario, h.scenario_name);
    } catch (const InputError& e) {
        throw InputError(file, 0, "scenario.text", e.what());
    }
    if (scenario_hash(recorded) != h.scenario_hash)
        throw InputError(file, 0, "scenario.text",
                         "does not match scenario.hash (" + scenario_hash(recorded) +
                             ", the file says " + h.scenario_hash + "): the file was edited");
    if (!today)
        note = "'" + h.scenario +
               "' is not there today; replaying on the scenario text the file "
               "records";
    else if (scenario_hash(*today) != h.scenario_hash)
        note = "'" + h.scenario +
               "' has changed since the trace was made; replaying on the "
               "scenario text the file records";
    return recorded;
}

std::vector<ReplayResult> replay_trace_file(const HugetlbModel& m, const nlohmann::json& doc,
                                            const std::string& file) {
    const properties::Checker checker(m, properties::kAllProperties);
    const nlohmann::json& list = field(doc, "counterexamples", file, "");
    if (!list.is_array()) throw InputError(file, 0, "counterexamples", "not a list");
    std::vector<ReplayResult> out;
    for (std::size_t k = 0; k < list.size(); ++k)
        out.push_back(
            replay_one(m, checker, list[k], file, "counterexamples[" + std::to_string(k) + "]."));
    return out;
}

}  // namespace hugecheck::counterexamples
