// hugecheck: the command-line front end. It wires the pieces together: a scenario and a
// variant make a model, the selected properties a checker, the explorer searches, and
// counterexamples turns its violations into traces.
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "cli/export.hpp"
#include "cli/graph.hpp"
#include "cli/matrix.hpp"
#include "cli/prove.hpp"
#include "cli/step_tables.hpp"
#include "counterexamples/orbits.hpp"
#include "counterexamples/preemptions.hpp"
#include "counterexamples/render.hpp"
#include "counterexamples/replay.hpp"
#include "counterexamples/trace.hpp"
#include "explorer/bfs.hpp"
#include "explorer/context_bound.hpp"
#include "explorer/dfs.hpp"
#include "explorer/por.hpp"
#include "explorer/symmetry.hpp"
#include "model/hugetlb_model.hpp"
#include "model/independence.hpp"
#include "model/scenario_catalog.hpp"
#include "model/symmetry.hpp"
#include "properties/coverage.hpp"
#include "properties/properties.hpp"

namespace {

using namespace hugecheck;

using cli::kExitHolds, cli::kExitViolation, cli::kExitUsage, cli::kExitIncomplete,
    cli::kExitInternal;
constexpr const char* kVersion = "0.1.0";

std::atomic<bool> g_interrupted{false};

extern "C" void on_signal(int) {
    g_interrupted.store(true);
}

void install_signal_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;  // a second Ctrl-C kills at once
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

struct CheckOptions {
    std::string scenario = "surplus-race";
    std::string variant = "seed";
    std::string properties;  // --property
    std::string skip;        // --skip
    bool keep_going = false;
    bool no_properties = false;
    std::string max_states, time_limit, max_memory;
    std::string threads;  // --threads; empty: one per core
    bool hash_compaction = false;
    bool compress = false;       // --compress
    std::string search = "bfs";  // --search
    bool por = false;            // --por
    bool symmetry = false;       // --symmetry
    bool frames = false;         // --frames
    std::string trace_json;
    bool quiet = false;
    std::string format = "table";  // --format
    std::string output;            // --output
    std::string preemptions;       // --preemptions: context bound
    std::string max_trace_length;  // --max-trace-length
    bool naive_traces = false;     // --naive-traces
    bool coverage = false;         // --coverage
    std::string coverage_json;     // --coverage-json
};

struct Unit {
    const char* suffix;
    double scale;
};

// A number with an optional unit suffix ("" is the default unit), within [min, max];
// anything else is an InputError that says what was expected.
double parse_quantity(const std::string& text, const std::string& option,
                      std::initializer_list<Unit> units, double min, double max,
                      const std::string& expected) {
    std::size_t used = 0;
    double v = 0;
    try {
        v = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    const std::string suffix = text.substr(used);
    const Unit* unit = nullptr;
    for (const Unit& u : units)
        if (suffix == u.suffix) unit = &u;
    if (used == 0 || unit == nullptr || !(v * unit->scale >= min) || v * unit->scale > max)
        throw InputError(option, 0, "", "'" + text + "' is not " + expected);
    return v * unit->scale;
}

std::uint64_t parse_count(const std::string& text, const std::string& option) {
    return static_cast<std::uint64_t>(
        parse_quantity(text, option, {{"", 1}, {"k", 1e3}, {"K", 1e3}, {"M", 1e6}, {"G", 1e9}}, 1,
                       4e9, "a state count between 1 and 4e9 (e.g. 1000000, 5M)"));
}

// --threads: 1..64 (the visited set's limit); empty means one per core.
unsigned parse_threads(const std::string& text) {
    if (text.empty()) return std::max(1u, std::thread::hardware_concurrency());
    return static_cast<unsigned>(
        parse_quantity(text, "--threads", {{"", 1}}, 1, 64, "a thread count between 1 and 64"));
}

double parse_seconds(const std::string& text, const std::string& option) {
    return parse_quantity(text, option, {{"", 1}, {"s", 1}, {"m", 60}, {"h", 3600}}, 1e-3, 1e7,
                          "a duration (seconds, or with s/m/h: 90, 2.5m, 1h)");
}

std::uint64_t parse_memory(const std::string& text, const std::string& option) {
    constexpr double MiB = 1024.0 * 1024;
    return static_cast<std::uint64_t>(
        parse_quantity(text, option,
                       {{"", MiB},
                        {"M", MiB},
                        {"MiB", MiB},
                        {"K", 1024},
                        {"KiB", 1024},
                        {"G", 1024 * MiB},
                        {"GiB", 1024 * MiB},
                        {"T", MiB * MiB},
                        {"TiB", MiB * MiB}},
                       MiB, 1e15, "a memory size of at least 1 MiB (e.g. 512M, 2G)"));
}

std::string human_bytes(double b) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (b >= 1024 && u < 4) {
        b /= 1024;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
    return buf;
}

std::string human_count(double n) {
    char buf[32];
    if (n >= 1e6)
        std::snprintf(buf, sizeof buf, "%.2fM", n / 1e6);
    else if (n >= 1e4)
        std::snprintf(buf, sizeof buf, "%.1fk", n / 1e3);
    else
        std::snprintf(buf, sizeof buf, "%.0f", n);
    return buf;
}

// What a search found, and its traces (built, not yet replayed).
struct CheckResult {
    explorer::Status status = explorer::Status::complete;
    explorer::Stats stats;
    properties::PropertySet violated = 0;
    std::string unbounded_reason;
    double omission_probability = 0;
    std::vector<counterexamples::Trace> traces;  // in property order
    explorer::ReductionStats reduction;          // --por: what the search's expansions did
    // The checker the traces were found with (hash compaction: only the violated ones).
    std::shared_ptr<const properties::Checker> traced_checker;
};

void sort_traces(std::vector<counterexamples::Trace>& traces) {
    std::sort(traces.begin(), traces.end(),
              [](const auto& a, const auto& b) { return a.property < b.property; });
}

// The trace of a violation a search over `sys` found: under symmetry reduction its states
// are orbit representatives, mapped back to real actors.
template <class Search>
counterexamples::Trace trace_of(const model::HugetlbModel& model,
                                const model::ActorSymmetry* symmetry,
                                const properties::Checker& checker, const Search& search,
                                const counterexamples::Violation& v) {
    if (symmetry)
        return counterexamples::build_trace_from_orbits(model, *symmetry, checker, search, v);
    return counterexamples::build_trace(model, checker, search, v);
}

// `sys` is the model, or a reduction of it (`symmetry`: the symmetry reduction's classes).
template <class Sys>
CheckResult breadth_first(const Sys& sys, const model::HugetlbModel& model,
                          const properties::Checker& checker, const explorer::Options& options,
                          bool progress, const model::ActorSymmetry* symmetry = nullptr,
                          const std::function<void()>& searched = {}) {
    explorer::BreadthFirstSearch search(sys, checker, options);
    if (progress)
        search.on_progress([](const explorer::Stats& s, std::uint64_t queued) {
            std::fprintf(stderr,
                         "\r\033[K  states %s  queue %s  depth %u  %s states/s  memory %s  %.0f s",
                         human_count(s.states).c_str(), human_count(queued).c_str(), s.depth,
                         human_count(s.states_per_second()).c_str(),
                         human_bytes(s.storage_bytes).c_str(), s.seconds);
            std::fflush(stderr);
        });
    CheckResult r;
    r.status = search.run();
    if (searched) searched();  // before rebuilding traces expands states again
    if constexpr (requires { sys.stats(); }) r.reduction = sys.stats();  // not the traces'
    if (progress) std::fprintf(stderr, "\r\033[K");
    r.stats = search.stats();
    r.violated = search.violated();
    r.unbounded_reason = search.unbounded_reason();
    r.omission_probability = search.omission_probability();
    r.traced_checker = std::make_shared<properties::Checker>(checker);
    if (search.keeps_traces()) {
        for (const auto& v : search.violations())
            r.traces.push_back(trace_of(model, symmetry, checker, search, v));
    } else if (search.violated()) {
        // Hash compaction keeps no traces: an exact search to the deepest violation's
        // depth finds them again (at the same depth, or shallower if a fingerprint
        // collision hid a state), with only the violated properties.
        explorer::Options again = options;
        again.hash_compaction = false;
        again.keep_going = true;
        again.max_depth = 0;
        for (const auto& v : search.violations())
            again.max_depth = std::max(again.max_depth, v.trace_length);
        r.traced_checker = std::make_shared<properties::Checker>(model, search.violated());
        explorer::BreadthFirstSearch exact(sys, *r.traced_checker, again);
        exact.run();
        if (exact.violated() != search.violated())
            throw std::logic_error("the exact search for the traces found other violations");
        for (const auto& v : exact.violations())
            r.traces.push_back(trace_of(model, symmetry, *r.traced_checker, exact, v));
    }
    sort_traces(r.traces);
    return r;
}

template <class Sys>
CheckResult depth_first(const Sys& sys, const model::HugetlbModel& model,
                        const properties::Checker& checker, const explorer::Options& options,
                        const model::ActorSymmetry* symmetry = nullptr,
                        const std::function<void()>& searched = {}) {
    explorer::DepthFirstSearch search(sys, checker, options);
    CheckResult r;
    r.status = search.run();
    if (searched) searched();
    if constexpr (requires { sys.stats(); }) r.reduction = sys.stats();
    r.stats = search.stats();
    r.violated = search.violated();
    r.unbounded_reason = search.unbounded_reason();
    r.omission_probability = search.omission_probability();
    r.traced_checker = std::make_shared<properties::Checker>(checker);
    for (std::size_t k = 0; k < search.violations().size(); ++k) {
        std::vector<const std::byte*> path;
        for (const auto& state : search.path(k))
            path.push_back(state.data());
        const auto& v = search.violations()[k];
        r.traces.push_back(
            symmetry ? counterexamples::trace_from_orbits(model, *symmetry, checker, path, v)
                     : counterexamples::trace_from_path(model, checker, path, v));
    }
    sort_traces(r.traces);
    return r;
}

int run_check(const CheckOptions& o) {
    model::Scenario scenario = model::load_scenario(o.scenario);
    if (o.frames) model::enable_frames(scenario);
    model::HugetlbModel model(std::move(scenario), o.variant);

    properties::PropertySet selected = properties::kAllProperties;
    if (!o.properties.empty())
        selected = properties::parse_property_list(o.properties, "--property");
    if (!o.skip.empty()) selected &= ~properties::parse_property_list(o.skip, "--skip");
    if (o.no_properties) selected = 0;
    const properties::Checker checker(model, selected);

    explorer::Options options;
    options.keep_going = o.keep_going;
    if (!o.max_states.empty()) options.max_states = parse_count(o.max_states, "--max-states");
    if (!o.time_limit.empty())
        options.time_limit_seconds = parse_seconds(o.time_limit, "--time-limit");
    if (!o.max_memory.empty())
        options.max_memory_bytes = parse_memory(o.max_memory, "--max-memory");
    options.threads = parse_threads(o.threads);
    options.hash_compaction = o.hash_compaction;
    options.tree_compression = o.compress;
    if (o.compress && o.hash_compaction)
        throw InputError("--compress", 0, "",
                         "cannot be combined with --hash-compaction: one keeps every state "
                         "exactly, the other only fingerprints");
    if (o.compress && o.search == "dfs")
        throw InputError("--compress", 0, "", "needs --search bfs (the default)");
    if (o.por && o.symmetry)
        throw InputError("--por", 0, "",
                         "cannot be combined with --symmetry yet (one reduction at a time)");
    std::optional<unsigned> bound;
    if (!o.preemptions.empty()) {
        bound = static_cast<unsigned>(parse_quantity(
            o.preemptions, "--preemptions", {{"", 1}}, 0,
            explorer::ContextBound<model::HugetlbModel>::kMaxBound,
            "a preemption bound between 0 and " +
                std::to_string(explorer::ContextBound<model::HugetlbModel>::kMaxBound)));
        if (o.por || o.symmetry)
            throw InputError("--preemptions", 0, "",
                             std::string("cannot be combined with ") +
                                 (o.por ? "--por" : "--symmetry") +
                                 " (the bound counts switches between real actors)");
        if (model.actors() > explorer::ContextBound<model::HugetlbModel>::kMaxProcesses)
            throw InputError("--preemptions", 0, "", "supports at most 254 actors");
    }
    std::optional<std::size_t> max_trace_length;
    if (!o.max_trace_length.empty())
        max_trace_length = static_cast<std::size_t>(
            parse_quantity(o.max_trace_length, "--max-trace-length", {{"", 1}}, 0, 10000,
                           "a trace length between 0 and 10000 steps"));
    if (max_trace_length && o.naive_traces)
        throw InputError("--max-trace-length", 0, "",
                         "cannot be combined with --naive-traces (it bounds the search for "
                         "fewer preemptions that --naive-traces turns off)");
    options.interrupt = &g_interrupted;
    std::optional<std::ofstream> json_out;
    if (!o.trace_json.empty()) {
        json_out.emplace(o.trace_json);
        if (!*json_out)
            throw InputError("--trace-json", 0, "", "cannot write '" + o.trace_json + "'");
    }

    // The trace document (--format json, dot, svg, html) goes to --output, or to stdout and
    // the report to stderr; table and lanes are part of the report.
    const counterexamples::TraceFormat format = counterexamples::parse_trace_format(o.format);
    const bool document = format != counterexamples::TraceFormat::table &&
                          format != counterexamples::TraceFormat::lanes;
    if (format == counterexamples::TraceFormat::svg && !counterexamples::dot_available())
        throw InputError("--format", 0, "",
                         "svg needs Graphviz's dot on PATH (Debian: graphviz); --format dot "
                         "writes the chart's source");
    if (!o.output.empty() && !document)
        throw InputError("--output", 0, "",
                         "needs --format json, dot, svg or html (tables go to stdout)");
    std::optional<std::ofstream> document_out;
    if (!o.output.empty()) {
        document_out.emplace(o.output);
        if (!*document_out) throw InputError("--output", 0, "", "cannot write '" + o.output + "'");
    }
    std::ostream& out = document && o.output.empty() ? std::cerr : std::cout;

    const model::Scenario& sc = model.scenario();
    std::ostringstream header;  // the run's first lines, also the HTML page's summary
    header << "hugecheck " << kVersion << ": scenario " << sc.name << " (" << sc.source
           << "), variant " << model.variant().name() << ", " << sc.nodes
           << (sc.nodes == 1 ? " node, " : " nodes, ") << sc.actors.size() << " actors\n";
    header << "properties: "
           << (selected ? properties::format_property_set(selected) : std::string("none"))
           << (o.search == "dfs" ? "; depth-first search (not shortest traces)"
                                 : "; breadth-first search on " + std::to_string(options.threads) +
                                       (options.threads == 1 ? " thread" : " threads"))
           << (o.hash_compaction ? ", hash compaction" : "")
           << (o.compress ? ", tree compression" : "") << (o.por ? ", partial-order reduction" : "")
           << (bound ? ", at most " + std::to_string(*bound) +
                           (*bound == 1 ? " preemption (context bound)"
                                        : " preemptions (context bound)")
                     : std::string())
           << (selected == 0  ? ", counting states"
               : o.keep_going ? ", keep going"
                              : ", stop at the first violation")
           << "; state " << model.state_bytes() << " bytes (" << model.layout().bits()
           << " bits)\n";
    if (model.has_frames()) {
        std::size_t frames = 0;
        for (const auto& node : model.vars().frames)
            frames += node.size();
        header << "pages with identity: " << frames
               << " frames; a node's frames in the same state are interchangeable, so each "
                  "node's are stored sorted (one state per multiset)\n";
    }
    out << header.str() << "\n" << std::flush;

    install_signal_handlers();
    const bool progress = !o.quiet && isatty(STDERR_FILENO);
    // `base` is the model, or the coverage recorder around it; a reduction or the context
    // bound wraps it. `searched` runs when the search ends, before traces are rebuilt.
    auto explore = [&](const auto& base, const std::function<void()>& searched) {
        auto run = [&](const auto& sys, const model::ActorSymmetry* symmetry) {
            return o.search == "dfs"
                       ? depth_first(sys, model, checker, options, symmetry, searched)
                       : breadth_first(sys, model, checker, options, progress, symmetry, searched);
        };
        if (o.symmetry) {
            const model::ActorSymmetry symmetry(model);
            if (symmetry.trivial())
                out << "symmetry reduction: no two actors share a script and a home node; "
                       "nothing to reduce\n\n";
            else
                out << "symmetry reduction: interchangeable actors " << symmetry.describe()
                    << "; a state stands for its orbit\n\n";
            const explorer::SymmetryReduction reduced(base, symmetry);
            return run(reduced, &symmetry);
        }
        if (o.por) {
            // Ample sets for the properties checked (properties::visibility).
            const model::AmpleSets ample(model, properties::visibility(model, selected));
            const explorer::PartialOrderReduction reduced(base, ample);
            return run(reduced, nullptr);
        }
        if (bound) {
            const explorer::ContextBound bounded(base, *bound);
            return run(bounded, nullptr);
        }
        return run(base, nullptr);
    };
    std::optional<properties::CoverageCounts> coverage;
    CheckResult r;
    if (o.coverage || !o.coverage_json.empty()) {
        const properties::CoverageRecorder recorder(model);
        r = explore(recorder, [&] { coverage = recorder.counts(); });
    } else {
        r = explore(model, {});
    }
    const auto& search = r;  // the figures below read the result as they read a search

    // Among the traces as short as the one found (or up to --max-trace-length), one with
    // the fewest preemptions (counterexamples/preemptions.hpp).
    std::vector<std::string> trace_notes(r.traces.size());
    for (std::size_t k = 0; k < r.traces.size() && !o.naive_traces; ++k) {
        counterexamples::Trace& t = r.traces[k];
        const std::size_t found_preemptions = counterexamples::count_preemptions(model, t);
        const std::size_t limit = max_trace_length.value_or(t.steps.size());
        if (found_preemptions == 0 && limit >= t.steps.size()) continue;
        counterexamples::FewestPreemptions fewest = counterexamples::fewest_preemptions(
            model, *r.traced_checker, t.property, t.where, limit);
        if (fewest.budget_exhausted) {
            trace_notes[k] = "(the search for a trace with fewer preemptions gave up after " +
                             human_count(static_cast<double>(fewest.pairs)) +
                             " (state, last actor) pairs)";
            continue;
        }
        if (!fewest.trace) continue;
        const std::size_t preemptions = counterexamples::count_preemptions(model, *fewest.trace);
        if (preemptions > found_preemptions ||
            (preemptions == found_preemptions && fewest.trace->steps.size() >= t.steps.size()))
            continue;
        trace_notes[k] = "(fewest preemptions among the traces of at most " +
                         std::to_string(limit) + " steps; the search's first trace had " +
                         std::to_string(t.steps.size()) + " steps and " +
                         std::to_string(found_preemptions) + " preemptions)";
        t = std::move(*fewest.trace);
    }

    // Traces, in property order; each replayed on the model before it is shown.
    for (std::size_t k = 0; k < r.traces.size(); ++k) {
        const counterexamples::Trace& t = r.traces[k];
        const std::string problem = counterexamples::replay(model, *r.traced_checker, t);
        if (!problem.empty())
            throw std::logic_error("the trace of " +
                                   std::string(properties::kProperties[t.property].id) +
                                   " does not replay: " + problem);
        if (document) continue;
        out << (format == counterexamples::TraceFormat::lanes
                    ? counterexamples::render_lanes(model, t)
                    : counterexamples::render_table(model, t));
        if (!trace_notes[k].empty()) out << trace_notes[k] << "\n";
        out << "\n";
    }
    if (json_out) *json_out << counterexamples::traces_json(model, r.traces).dump(2) << "\n";

    std::ostringstream tail;  // statistics and the verdict
    const explorer::Stats& s = search.stats;
    char line[256];
    std::snprintf(
        line, sizeof line, "states %llu  transitions %llu  depth %u  time %.3f s  %s states/s\n",
        static_cast<unsigned long long>(s.states), static_cast<unsigned long long>(s.transitions),
        s.depth, s.seconds, human_count(s.states_per_second()).c_str());
    tail << line;
    std::snprintf(
        line, sizeof line,
        "memory: peak RSS %s; store + visited set %s allocated, %.1f bytes/state (%zu bytes "
        "packed)\n",
        human_bytes(static_cast<double>(s.peak_rss_bytes)).c_str(),
        human_bytes(static_cast<double>(s.storage_bytes)).c_str(), s.bytes_per_state(),
        model.state_bytes());
    tail << line;
    if (o.por) {
        const explorer::ReductionStats& reduction = r.reduction;
        const std::uint64_t expanded = reduction.ample + reduction.full + reduction.proviso;
        std::snprintf(
            line, sizeof line,
            "partial-order reduction: an ample set in %llu of %llu states expanded "
            "(%.1f%%); %llu expanded fully, %llu of them by the cycle proviso\n",
            static_cast<unsigned long long>(reduction.ample),
            static_cast<unsigned long long>(expanded),
            expanded ? 100.0 * static_cast<double>(reduction.ample) / static_cast<double>(expanded)
                     : 0.0,
            static_cast<unsigned long long>(reduction.full + reduction.proviso),
            static_cast<unsigned long long>(reduction.proviso));
        tail << line;
    }
    if (o.hash_compaction) {
        std::snprintf(line, sizeof line,
                      "hash compaction: 64-bit fingerprints; probability that a state was "
                      "missed: %.2g\n",
                      search.omission_probability);
        tail << line;
    }
    if (o.compress) {
        std::snprintf(line, sizeof line,
                      "tree compression: exact; %llu tree nodes (leaves %llu), %.1f bytes/state\n",
                      static_cast<unsigned long long>(s.tree_nodes),
                      static_cast<unsigned long long>(s.tree_leaves), s.bytes_per_state());
        tail << line;
    }

    const properties::PropertySet violated = search.violated;
    const explorer::Status status = search.status;
    const bool complete = status == explorer::Status::complete;
    tail << "search: " << explorer::status_name(status)
         << (status == explorer::Status::unbounded ? ": " + search.unbounded_reason : "")
         << (bound ? "; bounded: schedules with more than " + std::to_string(*bound) +
                         (*bound == 1 ? " preemption" : " preemptions") +
                         " were not explored (states are (state, last actor, preemptions) "
                         "triples)"
                   : std::string())
         << "\n";
    const std::string scope =
        bound ? " on every state reachable with at most " + std::to_string(*bound) +
                    (*bound == 1 ? " preemption (bounded result)" : " preemptions (bounded result)")
              : " on every reachable state";
    if (violated) {
        tail << "result: VIOLATED " << properties::format_property_set(violated);
        const properties::PropertySet rest = selected & ~violated;
        if (rest)
            tail << (complete && !bound ? "; holds: "
                     : complete         ? "; holds within the bound: "
                                        : "; not violated so far: ")
                 << properties::format_property_set(rest);
        tail << "\n";
    } else if (!complete) {
        tail << "result: INCOMPLETE (" << explorer::status_name(status)
             << "): no violation in the states explored\n";
    } else if (selected) {
        tail << "result: HOLDS " << properties::format_property_set(selected) << scope << "\n";
    } else {
        tail << "result: explored every reachable state" << (bound ? " within the bound" : "")
             << " (no properties checked)\n";
    }
    if (coverage) {
        const properties::CoverageReport report =
            properties::coverage_report(model, *coverage, {selected, violated, complete, o.por});
        if (o.coverage) tail << "\n" << properties::coverage_text(report);
        if (!o.coverage_json.empty()) {
            std::ofstream file(o.coverage_json);
            if (!(file << properties::coverage_json(report).dump(2) << "\n") || !file.flush())
                throw InputError("--coverage-json", 0, "",
                                 "cannot write '" + o.coverage_json + "'");
        }
    }
    out << tail.str() << std::flush;
    if (document) {
        const std::string text =
            counterexamples::render_traces(model, r.traces, format, header.str() + tail.str());
        std::ostream& doc = document_out ? *document_out : std::cout;
        if (!(doc << text) || !doc.flush())
            throw InputError("--output", 0, "", "cannot write '" + o.output + "'");
    }
    return violated ? kExitViolation : !complete ? kExitIncomplete : kExitHolds;
}

int run_list() {
    // Columns as wide as their longest entry (names are ASCII; property names count "Σ" once).
    auto width = [](const auto& names) {
        std::size_t w = 0;
        for (const std::string& n : names) {
            std::size_t columns = 0;
            for (unsigned char c : n)
                columns += (c & 0xC0) != 0x80;
            w = std::max(w, columns);
        }
        return static_cast<int>(w);
    };
    auto padded = [](const std::string& s, int w) {
        std::size_t columns = 0;
        for (unsigned char c : s)
            columns += (c & 0xC0) != 0x80;
        return s + std::string(static_cast<std::size_t>(w) > columns ? w - columns : 0, ' ');
    };
    std::vector<model::Scenario> scenarios;
    std::vector<std::string> names;
    for (const model::EmbeddedScenario& e : model::embedded_scenarios()) {
        scenarios.push_back(model::parse_scenario(e.text, e.path, std::string(e.name)));
        names.push_back(scenarios.back().name);
    }
    std::cout << "scenarios (embedded; --scenario NAME, or the path of a .toml file):\n";
    const int ws = width(names);
    for (const model::Scenario& sc : scenarios)
        std::cout << "  " << padded(sc.name, ws) << "  " << sc.description << "\n";
    names.clear();
    for (const model::Variant* v : model::all_variants())
        names.push_back(v->name());
    const int wv = width(names);
    std::cout << "\nvariants (--variant; docs/variants.md):\n";
    for (const model::Variant* v : model::all_variants())
        std::cout << "  " << padded(v->name(), wv) << "  " << v->description() << "\n  "
                  << padded("", wv) << "  from " << v->source() << "\n";
    names.clear();
    for (const properties::Property& p : properties::kProperties)
        names.emplace_back(p.name);
    const int wp = width(names);
    std::cout << "\nproperties (--property, --skip):\n";
    for (const properties::Property& p : properties::kProperties)
        std::cout << "  " << padded(std::string(p.id), 3) << " " << padded(std::string(p.name), wp)
                  << "  [" << properties::kind_name(p.kind) << "] " << p.statement << "\n";
    return kExitHolds;
}

struct MatrixOptions {
    std::string format = "table";
    std::string max_states, time_limit;
};

int run_matrix(const MatrixOptions& o) {
    if (o.format != "table" && o.format != "markdown" && o.format != "json")
        throw InputError("--format", 0, "",
                         "unknown format '" + o.format + "' (known: table, markdown, json)");
    explorer::Options options;
    if (!o.max_states.empty()) options.max_states = parse_count(o.max_states, "--max-states");
    if (!o.time_limit.empty())
        options.time_limit_seconds = parse_seconds(o.time_limit, "--time-limit");
    options.interrupt = &g_interrupted;
    install_signal_handlers();
    const cli::Matrix m =
        cli::compute_matrix(cli::history_scenarios(), model::all_variants(), options);
    if (o.format == "json")
        std::cout << cli::matrix_json(m).dump(2) << "\n";
    else if (o.format == "markdown")
        std::cout << cli::matrix_markdown(m);
    else
        std::cout << cli::matrix_table(m);
    if (!m.all_agree() && m.complete()) return kExitViolation;
    if (!m.complete()) return kExitIncomplete;
    return kExitHolds;
}

int run_steps(const std::string& variant, bool markdown) {
    std::vector<const model::Variant*> list = model::all_variants();
    if (!variant.empty()) list = {&model::find_variant(variant)};
    for (const model::Variant* v : list) {
        if (markdown)
            std::cout << "### " << v->name() << "\n\n" << cli::steps_markdown(*v) << "\n";
        else
            std::cout << cli::steps_text(*v) << "\n";
    }
    return kExitHolds;
}

// `hugecheck replay FILE...`: counterexamples/replay.hpp. `variant` (optional) replays on
// another variant than the one the trace was made on: has a fix removed the violation?
int run_replay(const std::vector<std::string>& files, const std::string& variant) {
    std::size_t reproduced = 0, total = 0;
    for (const std::string& file : files) {
        std::ifstream in(file);
        if (!in) throw InputError(file, 0, "", "cannot read the file");
        nlohmann::json doc;
        try {
            doc = nlohmann::json::parse(in);
        } catch (const nlohmann::json::parse_error& e) {
            throw InputError(file, 0, "",
                             "not a JSON document (byte " + std::to_string(e.byte) + ")");
        }
        const counterexamples::TraceFileHeader h = counterexamples::read_trace_header(doc, file);
        std::string note;
        model::Scenario scenario = counterexamples::trace_scenario(h, file, note);
        model::HugetlbModel model(std::move(scenario), variant.empty() ? h.variant : variant);
        if (total) std::cout << "\n";
        std::cout << "replay " << file << ": scenario " << model.scenario().name << " ("
                  << model.scenario().source << "), variant " << model.variant().name()
                  << (model.variant().name() != h.variant
                          ? " (the trace was made on " + h.variant + ")"
                          : std::string())
                  << "\n";
        if (!note.empty()) std::cout << "note: " << note << "\n";
        const std::vector<counterexamples::ReplayResult> results =
            counterexamples::replay_trace_file(model, doc, file);
        for (const counterexamples::ReplayResult& r : results) {
            ++total;
            if (r.reproduced) {
                ++reproduced;
                std::cout << "\n"
                          << r.property << ": reproduced in " << r.length << " steps\n"
                          << counterexamples::render_table(model, r.trace);
            } else {
                std::cout << "\n" << r.property << ": NOT reproduced: " << r.why << "\n";
            }
        }
    }
    std::cout << "\nresult: " << reproduced << " of " << total << " counterexample(s) reproduced\n";
    return reproduced ? kExitViolation : kExitHolds;
}

constexpr const char* kExitCodes =
    "Exit status: 0 every selected property holds on every reachable state; 1 a property is\n"
    "violated (a shortest trace is printed); 2 usage or input error; 3 incomplete (a state,\n"
    "time or memory budget ran out, or the run was interrupted, before any violation);\n"
    "70 internal error (a bug in hugecheck).";

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "hugecheck: an explicit-state model checker for the Linux hugetlb pool code.\n"
        "With no arguments it checks the scenario surplus-race on the variant seed with\n"
        "--keep-going and prints a shortest trace for each violated property."};
    app.footer(kExitCodes);
    // The Z3 that hugecheck-prove was built with (this binary does not load it).
    app.set_version_flag("--version",
                         std::string("hugecheck ") + kVersion + " (Z3 " HUGECHECK_Z3_VERSION ")");
    app.require_subcommand(0, 1);

    CheckOptions check;
    CLI::App* check_cmd = app.add_subcommand(
        "check", "explore every interleaving of a scenario and check the properties");
    check_cmd->footer(kExitCodes);
    check_cmd->add_option("--scenario,-s", check.scenario,
                          "embedded scenario name or path of a .toml file (default: surplus-race)");
    check_cmd->add_option("--variant", check.variant, "kernel variant to model (default: seed)");
    check_cmd->add_option("--property,-p", check.properties,
                          "check only these properties, e.g. P1,P8 (default: all)");
    check_cmd->add_option("--skip", check.skip, "do not check these properties, e.g. P3");
    check_cmd->add_flag("--keep-going,-k", check.keep_going,
                        "explore everything; print one shortest trace per violated property");
    check_cmd->add_flag("--no-properties", check.no_properties,
                        "check nothing, only count states and transitions");
    check_cmd->add_option("--max-states", check.max_states,
                          "stop after this many distinct states (e.g. 5M); exit 3 if no violation");
    check_cmd->add_option(
        "--time-limit", check.time_limit,
        "stop after this long (seconds, or 90s, 2.5m, 1h); exit 3 if no violation");
    check_cmd->add_option(
        "--max-memory", check.max_memory,
        "bound the state store and visited set (MiB, or 512M, 2G); exit 3 if hit");
    check_cmd->add_option("--threads,-j", check.threads,
                          "worker threads (default: one per core); results do not depend on it");
    check_cmd
        ->add_option("--search", check.search,
                     "bfs (default: shortest traces, threads) or dfs (depth-first, one "
                     "thread: memory-lean bug hunting, traces not shortest)")
        ->check(CLI::IsMember({"bfs", "dfs"}));
    check_cmd->add_flag("--hash-compaction", check.hash_compaction,
                        "store 64-bit fingerprints, not states (prints the probability of a "
                        "missed state; traces come from an exact search to their depth)");
    check_cmd->add_flag("--compress", check.compress,
                        "exact tree compression of the states (LTSmin's): about a third of "
                        "the memory, somewhat slower; same counts and shortest traces");
    check_cmd->add_flag("--por", check.por,
                        "partial-order reduction: where one actor's step commutes with all "
                        "the others can still do and is invisible to the properties, take it "
                        "alone (docs/reductions.md); same verdicts, fewer states, traces not "
                        "always shortest");
    check_cmd->add_flag("--frames", check.frames,
                        "pages with identity: track every huge-page frame's state beside the "
                        "counters and check that they agree (P11); docs/frames.md");
    check_cmd->add_flag("--symmetry", check.symmetry,
                        "symmetry reduction: actors with the same script and home node are "
                        "interchangeable; store one state per orbit (traces name the real "
                        "actors)");
    check_cmd->add_option("--trace-json", check.trace_json,
                          "also write the traces as JSON to this file (docs/trace-json.md)");
    check_cmd->add_option("--format", check.format,
                          "how the traces print: table (default), lanes (a column per actor), "
                          "json, dot (a message-sequence chart), svg (the chart laid out by "
                          "Graphviz) or html (one page: steps, counters, chart); "
                          "docs/trace-formats.md");
    check_cmd->add_option("--output,-o", check.output,
                          "write the json, dot, svg or html document to this file (default: "
                          "stdout, and the report goes to stderr)");
    check_cmd->add_option("--preemptions", check.preemptions,
                          "context bounding: explore only schedules with at most K preemptions "
                          "(a switch away from an actor that could go on); fast bug finding, a "
                          "bounded result");
    check_cmd->add_option("--max-trace-length", check.max_trace_length,
                          "look for the trace with the fewest preemptions among all traces of "
                          "at most N steps (default: as long as the trace found)");
    check_cmd->add_flag("--naive-traces", check.naive_traces,
                        "print the first trace the search found, without looking for one with "
                        "fewer preemptions");
    check_cmd->add_flag("--coverage", check.coverage,
                        "after the run, list the steps and branch outcomes of the variant that "
                        "never ran (SPIN's \"unreached in proctype\"), and flag properties "
                        "that hold while steps they depend on never ran (docs/coverage.md)");
    check_cmd->add_option("--coverage-json", check.coverage_json,
                          "write the coverage report as JSON to this file");
    check_cmd->add_flag("--quiet,-q", check.quiet, "no progress line on stderr");

    app.add_subcommand("list", "list the embedded scenarios, the variants and the properties");

    std::string steps_variant;
    bool steps_markdown = false;
    CLI::App* steps_cmd = app.add_subcommand(
        "steps", "print each variant's step table: labels, lock sections, kernel functions");
    steps_cmd->add_option("--variant", steps_variant, "only this variant");
    steps_cmd->add_flag("--markdown", steps_markdown, "as markdown tables (docs/variants.md)");

    cli::ProveOptions prove;
    cli::add_prove_command(app, prove);

    std::vector<std::string> replay_files;
    std::string replay_variant;
    CLI::App* replay_cmd = app.add_subcommand(
        "replay",
        "re-execute the counterexamples of trace files (--trace-json) on the model as it is "
        "now: does each violation still happen, or which step no longer applies?");
    replay_cmd->add_option("files", replay_files, "trace files written by --trace-json")
        ->required();
    replay_cmd->add_option("--variant", replay_variant,
                           "replay on this variant instead of the one each trace was made on "
                           "(does a fix remove the violation?)");
    replay_cmd->footer(
        "Exit status: 1 a counterexample still violates its property (it is printed); 0 none "
        "does (for each, the step that no longer applies or the property that now holds is "
        "named); 2 usage error or a malformed file.");

    MatrixOptions matrix;
    CLI::App* matrix_cmd = app.add_subcommand(
        "matrix",
        "run every history scenario (scenarios/history/) on every variant: which version has "
        "which bug");
    matrix_cmd->add_option("--format", matrix.format, "table (default), markdown or json");
    matrix_cmd->add_option("--max-states", matrix.max_states, "a state budget for each cell");
    matrix_cmd->add_option("--time-limit", matrix.time_limit, "a time budget for each cell");
    matrix_cmd->footer(
        "Exit status: 0 every cell agrees with kernel history (violated exactly on the variants "
        "whose code has the bug); 1 a cell disagrees (marked '!'); 2 usage error; 3 a cell ran "
        "out of budget.");

    const std::unique_ptr<cli::ExportOptions> export_options = cli::add_export_command(app);
    const std::unique_ptr<cli::GraphOptions> graph_options = cli::add_graph_command(app);

    // `hugecheck --scenario x ...` means `hugecheck check --scenario x ...`.
    std::vector<std::string> args(argv + 1, argv + argc);
    const bool bare = args.empty();
    if (!args.empty() && args[0].starts_with("-") && args[0] != "--help" && args[0] != "-h" &&
        args[0] != "--version")
        args.insert(args.begin(), "check");
    std::reverse(args.begin(), args.end());  // CLI11 takes a reversed vector

    try {
        app.parse(args);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "hugecheck: " << e.what() << " (see hugecheck --help)\n";
        return kExitUsage;
    }

    try {
        if (app.got_subcommand("list")) return run_list();
        if (app.got_subcommand("matrix")) return run_matrix(matrix);
        if (app.got_subcommand("prove")) return cli::exec_prover(argc, argv);
        if (app.got_subcommand("replay")) return run_replay(replay_files, replay_variant);
        if (app.got_subcommand("steps")) return run_steps(steps_variant, steps_markdown);
        if (app.got_subcommand("export")) return cli::run_export(*export_options);
        if (app.got_subcommand("graph")) return cli::run_graph(*graph_options);
        if (bare) check.keep_going = true;
        return run_check(check);
    } catch (const InputError& e) {
        std::cerr << "hugecheck: " << e.what() << "\n";
        return kExitUsage;
    } catch (const std::bad_alloc&) {
        std::cerr << "hugecheck: out of memory (bound the search with --max-memory)\n";
        return kExitIncomplete;
    } catch (const std::exception& e) {
        std::cerr << "hugecheck: internal error: " << e.what() << "\n";
        return kExitInternal;
    }
}
