// The state graph of `hugecheck graph` (counterexamples/state_graph.hpp) against the
// explorer: the same states and transitions, violations where a Checker finds them, and
// counterexample paths that are the explorer's shortest traces, state for state.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "counterexamples/state_graph.hpp"
#include "model/scenario_catalog.hpp"
#include "test_support.hpp"

namespace hugecheck {
namespace {

using counterexamples::GraphStatus;
using counterexamples::StateGraph;

struct Case {
    const char* scenario;
    const char* variant;
};

std::ostream& operator<<(std::ostream& os, const Case& c) {
    return os << c.scenario << "@" << c.variant;
}

// Small scenarios of each kind: the RM ones, history scenarios on the variants that have
// their bug (locks held across steps, page lists), and a gigantic one (dead ends, pfns).
const Case kCases[] = {
    {"surplus-race", "seed"},
    {"sysctl-race", "seed"},
    {"bench-small", "seed"},
    {"history/b1-surplus-conversion-race", "seed"},
    {"history/b8-shared-ctl-table", "v4.19"},
    {"history/b9-node-count-unlocked", "seed"},
    {"history/b12-put-page-under-lock", "v4.19"},
    {"history/b13-nr-surplus-split", "v5.4"},
    {"history/hc1-temporary-folio-window", "v6.18"},
    {"history/b15-gigantic-cross-zone", "seed"},
    {"bench-medium", "seed"},
    {"gigantic-interleave", "seed"},
    {"gigantic-contention", "seed"},
    {"surplus-race", "v6.18"},
};

class StateGraphAgainstExplorer : public ::testing::TestWithParam<Case> {};

TEST_P(StateGraphAgainstExplorer, SameGraphViolationsAndShortestPaths) {
    const model::HugetlbModel m(model::load_scenario(GetParam().scenario), GetParam().variant);
    const properties::Checker checker(m, properties::kAllProperties);
    const test::Explored explored = test::explore(m);
    ASSERT_EQ(explored.status, explorer::Status::complete);

    const StateGraph g =
        counterexamples::build_state_graph(m, checker, counterexamples::kMaxGraphStates);
    ASSERT_EQ(g.status, GraphStatus::complete);
    EXPECT_EQ(g.states(), explored.stats.states);
    EXPECT_EQ(g.states_found, explored.stats.states);
    EXPECT_EQ(g.edges(), explored.stats.transitions);

    // Every vertex a distinct state; the initial state is vertex 0; edges go at most one
    // level down; the marks are the Checker's.
    const auto& graph = g.graph;
    std::set<std::string> distinct;
    std::uint32_t max_depth = 0;
    for (std::size_t v = 0; v < g.states(); ++v) {
        const auto& x = graph[v];
        distinct.insert(std::string(reinterpret_cast<const char*>(x.state.data()), x.state.size()));
        max_depth = std::max(max_depth, x.depth);
        EXPECT_EQ(x.initial, v == 0);
        const bool deadend = boost::out_degree(v, graph) == 0;
        EXPECT_EQ(x.deadend, deadend);
        properties::PropertySet expected = checker.state_violations(x.state.data());
        if (deadend) expected |= checker.deadend_violations(x.state.data());
        EXPECT_EQ(x.violated, expected) << "vertex " << v;
    }
    EXPECT_EQ(distinct.size(), g.states());
    EXPECT_EQ(max_depth, explored.stats.depth);
    std::vector<counterexamples::StateBytes> initial(1);
    initial[0].resize(m.state_bytes() + model::kPackSlack);
    m.initial_state(initial[0].data());
    EXPECT_EQ(graph[0].state, initial[0]);
    for (auto [e, end] = boost::edges(graph); e != end; ++e) {
        const auto& s = graph[boost::source(*e, graph)];
        const auto& t = graph[boost::target(*e, graph)];
        EXPECT_LE(t.depth, s.depth + 1);
        EXPECT_EQ(graph[*e].violated, checker.transition_violations(s.state.data(), t.state.data(),
                                                                    graph[*e].transition));
    }

    // One path per property the explorer found violated, as long as its trace, through
    // the same states with the same labels, ending in the violation.
    properties::PropertySet explorer_violated = 0;
    for (const auto& t : explored.traces)
        explorer_violated |= properties::bit(t.property);
    EXPECT_EQ(g.violated, explorer_violated);
    ASSERT_EQ(g.paths.size(), explored.traces.size());
    for (const counterexamples::Trace& t : explored.traces) {
        const std::string id(properties::kProperties[t.property].id);
        SCOPED_TRACE(id);
        const auto path = std::find_if(g.paths.begin(), g.paths.end(),
                                       [&](const auto& p) { return p.property == t.property; });
        ASSERT_NE(path, g.paths.end());
        EXPECT_EQ(path->length(), explored.shortest.at(id));
        ASSERT_EQ(path->length(), t.steps.size());
        ASSERT_EQ(path->vertices.size(), path->length() + 1);
        EXPECT_EQ(path->where, t.where);
        EXPECT_EQ(path->vertices.front(), 0u);
        for (std::size_t k = 0; k < path->length(); ++k) {
            const auto e = g.path_edge(*path, k);
            EXPECT_EQ(boost::source(e, graph), path->vertices[k]);
            EXPECT_EQ(boost::target(e, graph), path->vertices[k + 1]);
            EXPECT_EQ(graph[e].transition, t.steps[k].transition) << "step " << k + 1;
            EXPECT_EQ(graph[path->vertices[k + 1]].state, t.steps[k].after) << "step " << k + 1;
            EXPECT_TRUE(graph[e].on_path & properties::bit(t.property));
        }
        const properties::PropertySet p = properties::bit(t.property);
        if (t.where == explorer::Where::transition)
            EXPECT_TRUE(graph[g.path_edge(*path, path->length() - 1)].violated & p);
        else
            EXPECT_TRUE(graph[path->vertices.back()].violated & p);
        EXPECT_EQ(path->violation, t.violation);
    }
}

INSTANTIATE_TEST_SUITE_P(StateGraph, StateGraphAgainstExplorer, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& info) {
                             std::string name =
                                 std::string(info.param.scenario) + "_" + info.param.variant;
                             for (char& c : name)
                                 if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                             return name;
                         });

StateGraph surplus_race_graph(properties::PropertySet props = properties::kAllProperties,
                              std::uint64_t limit = counterexamples::kDefaultGraphStates) {
    static const model::HugetlbModel m(model::load_scenario("surplus-race"), "seed");
    return counterexamples::build_state_graph(m, properties::Checker(m, props), limit);
}

const model::HugetlbModel& surplus_race() {
    static const model::HugetlbModel m(model::load_scenario("surplus-race"), "seed");
    return m;
}

TEST(StateGraph, SurplusRaceAsInTheReadme) {
    const StateGraph g = surplus_race_graph();
    EXPECT_EQ(g.states(), 48u);
    EXPECT_EQ(g.edges(), 78u);
    EXPECT_EQ(g.violated, properties::bit(0) | properties::bit(7));  // P1 P8
    ASSERT_EQ(g.paths.size(), 2u);
    EXPECT_EQ(g.paths[0].length(), 2u);  // F1 B1
    EXPECT_EQ(g.paths[1].length(), 5u);
    EXPECT_EQ(g.paths[1].where, explorer::Where::transition);
    EXPECT_GT(g.violating_states(), 0u);
    EXPECT_GT(g.violating_edges(), 0u);
}

TEST(StateGraph, MarksOnlyTheSelectedProperties) {
    const StateGraph g = surplus_race_graph(properties::bit(7));  // P8
    EXPECT_EQ(g.states(), 48u);
    EXPECT_EQ(g.violated, properties::bit(7));
    EXPECT_EQ(g.violating_states(), 0u);  // P8 is a property of steps
    ASSERT_EQ(g.paths.size(), 1u);
    EXPECT_EQ(g.paths[0].length(), 5u);
    const StateGraph none = surplus_race_graph(0);
    EXPECT_EQ(none.violated, 0u);
    EXPECT_TRUE(none.paths.empty());
    EXPECT_EQ(none.edges(), 78u);
}

TEST(StateGraph, RefusesAboveTheLimitAndStopsCountingThere) {
    const StateGraph at = surplus_race_graph(properties::kAllProperties, 48);
    EXPECT_EQ(at.status, GraphStatus::complete);
    EXPECT_EQ(at.states(), 48u);
    const StateGraph over = surplus_race_graph(properties::kAllProperties, 47);
    EXPECT_EQ(over.status, GraphStatus::too_large);
    EXPECT_EQ(over.states_found, 48u);
    EXPECT_EQ(over.states(), 0u);  // nothing half-built is handed out

    const model::HugetlbModel m(model::load_scenario("sysctl-race"), "seed");
    const StateGraph g = counterexamples::build_state_graph(
        m, properties::Checker(m, properties::kAllProperties), 100);
    EXPECT_EQ(g.status, GraphStatus::too_large);
    EXPECT_EQ(g.states_found, 101u);
    const StateGraph one = counterexamples::build_state_graph(
        m, properties::Checker(m, properties::kAllProperties), 1);
    EXPECT_EQ(one.status, GraphStatus::too_large);
    EXPECT_EQ(one.states_found, 2u);
}

TEST(StateGraph, StopsWhereTheEncodingEnds) {
    // gigantic-drift's node counters drift past their fields (HugetlbModel::unrepresentable):
    // no graph, and the explorer's reason.
    const model::HugetlbModel m(model::load_scenario("gigantic-drift"), "seed");
    const properties::Checker checker(m, properties::kAllProperties);
    explorer::BreadthFirstSearch search(m, checker, explorer::Options{.keep_going = true});
    ASSERT_EQ(search.run(), explorer::Status::unbounded);
    const StateGraph g =
        counterexamples::build_state_graph(m, checker, counterexamples::kMaxGraphStates);
    EXPECT_EQ(g.status, GraphStatus::unbounded);
    EXPECT_EQ(g.unbounded_reason, search.unbounded_reason());
}

TEST(StateGraph, DotIsDeterministicAndMarksWhatItShould) {
    const StateGraph g = surplus_race_graph();
    const std::string dot = counterexamples::graph_dot(surplus_race(), g);
    EXPECT_EQ(dot, counterexamples::graph_dot(surplus_race(), surplus_race_graph()));
    EXPECT_EQ(dot.rfind("digraph G {\n", 0), 0u);
    EXPECT_NE(dot.find("s0 [color=blue"), std::string::npos) << dot.substr(0, 600);
    EXPECT_NE(dot.find("fillcolor=lightblue"), std::string::npos);
    EXPECT_NE(dot.find("violates P1"), std::string::npos);
    EXPECT_NE(dot.find("violates P8"), std::string::npos);
    EXPECT_NE(dot.find("label=\"A F1\""), std::string::npos);
    EXPECT_NE(dot.find("P8 surplus conversion: shortest path, 5 steps"), std::string::npos);
    // One line per vertex ("s12 [...]") and per edge ("s3->s7 [...]").
    std::size_t nodes = 0, edges = 0;
    std::istringstream lines(dot);
    for (std::string line; std::getline(lines, line);) {
        std::size_t k = 1;
        while (line.size() > k && isdigit(static_cast<unsigned char>(line[k])))
            ++k;
        if (line.empty() || line[0] != 's' || k == 1) continue;
        (line.compare(k, 3, "->s") == 0 ? edges : nodes)++;
    }
    EXPECT_EQ(nodes, 48u);
    EXPECT_EQ(edges, 78u);
    // The initial state's summary: the pool is empty, A faults, B resizes.
    const std::string summary =
        counterexamples::vertex_summary(surplus_race(), g.graph[0].state.data());
    EXPECT_NE(summary.find("nr=0 free=0 surplus=0"), std::string::npos) << summary;
    EXPECT_NE(summary.find("buddy=[2]"), std::string::npos) << summary;
    EXPECT_NE(summary.find("A: FAULT idle"), std::string::npos) << summary;
    EXPECT_NE(summary.find("B: RESIZE(1) idle"), std::string::npos) << summary;
}

TEST(StateGraph, DotRendersWithGraphviz) {
    if (counterexamples::find_dot().empty()) GTEST_SKIP() << "Graphviz dot is not installed";
    const StateGraph g = surplus_race_graph();
    const std::string svg =
        counterexamples::dot_to_svg(counterexamples::graph_dot(surplus_race(), g));
    EXPECT_NE(svg.find("<svg"), std::string::npos);
    auto count = [&](const std::string& what) {
        std::size_t n = 0;
        for (std::size_t at = svg.find(what); at != std::string::npos; at = svg.find(what, at + 1))
            ++n;
        return n;
    };
    EXPECT_EQ(count("class=\"node\""), 48u);
    EXPECT_EQ(count("class=\"edge\""), 78u);
    // dot refuses what is not a graph: the error reaches the caller.
    try {
        counterexamples::dot_to_svg("digraph { ->");
        ADD_FAILURE() << "dot accepted a broken graph";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("syntax error"), std::string::npos) << e.what();
    }
}

TEST(StateGraph, JsonRoundTripsTheCounts) {
    const model::HugetlbModel m(model::load_scenario("sysctl-race"), "seed");
    const properties::Checker checker(m, properties::kAllProperties);
    const StateGraph g = counterexamples::build_state_graph(m, checker);
    ASSERT_EQ(g.status, GraphStatus::complete);
    const nlohmann::json doc = nlohmann::json::parse(counterexamples::graph_json(m, g).dump());
    EXPECT_EQ(doc["format"], "hugecheck-state-graph/1");
    EXPECT_EQ(doc["counts"]["states"], 667);
    EXPECT_EQ(doc["counts"]["transitions"], 1252);
    EXPECT_EQ(doc["vertices"].size(), 667u);
    EXPECT_EQ(doc["edges"].size(), 1252u);
    EXPECT_EQ(doc["violated"], nlohmann::json({"P5", "P7"}));
    std::size_t violating = 0;
    for (const auto& v : doc["vertices"])
        violating += !v["violated"].empty();
    EXPECT_EQ(doc["counts"]["violating_states"], violating);
    EXPECT_EQ(doc["vertices"][0]["initial"], true);
    EXPECT_TRUE(doc["vertices"][0]["variables"].contains("nr_huge_pages"));
    ASSERT_EQ(doc["counterexamples"].size(), 2u);
    for (const auto& p : doc["counterexamples"]) {
        const std::size_t length = p["length"];
        EXPECT_EQ(p["edges"].size(), length);
        EXPECT_EQ(p["vertices"].size(), length + 1);
        // Each edge of the path goes from its vertex to the next one.
        for (std::size_t k = 0; k < length; ++k) {
            const auto& e = doc["edges"][p["edges"][k].get<std::size_t>()];
            EXPECT_EQ(e["source"], p["vertices"][k]);
            EXPECT_EQ(e["target"], p["vertices"][k + 1]);
        }
    }
    EXPECT_EQ(doc["counterexamples"][0]["property"], "P5");
    EXPECT_EQ(doc["counterexamples"][0]["length"], 3);
    EXPECT_EQ(doc["counterexamples"][1]["property"], "P7");
    EXPECT_EQ(doc["counterexamples"][1]["length"], 12);
}

TEST(StateGraph, GraphMlHasEveryVertexAndEdge) {
    const StateGraph g = surplus_race_graph();
    const std::string xml = counterexamples::graph_graphml(surplus_race(), g);
    auto count = [&](const std::string& what) {
        std::size_t n = 0;
        for (std::size_t at = xml.find(what); at != std::string::npos; at = xml.find(what, at + 1))
            ++n;
        return n;
    };
    EXPECT_EQ(count("<node id="), 48u);
    EXPECT_EQ(count("<edge id="), 78u);
    EXPECT_NE(xml.find("attr.name=\"violated\""), std::string::npos);
}

}  // namespace
}  // namespace hugecheck
