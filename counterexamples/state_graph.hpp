// The reachable state graph of a small scenario (`hugecheck graph`, docs/state-graphs.md):
// every state a vertex, every transition an edge, built breadth-first like the explorer so
// that its vertices are numbered as the explorer's store numbers them; violating states
// and edges are marked, and for each violated property the counterexample path the
// explorer reports (a shortest one). Written as Graphviz dot, SVG (through `dot`), JSON
// or GraphML.
#pragma once

// GCC 12 at -O2 and above warns (-Wmaybe-uninitialized) inside Boost.Graph's edge
// iterator, whose boost::optional it cannot see is always set before use (a false
// positive): silenced for Boost's headers only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/graphml.hpp>
#include <boost/graph/graphviz.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "counterexamples/trace.hpp"
#include "explorer/bfs.hpp"
#include "model/hugetlb_model.hpp"
#include "properties/properties.hpp"

namespace hugecheck::counterexamples {

struct GraphVertex {
    StateBytes state;                      // state_bytes() + kPackSlack bytes
    std::uint32_t depth = 0;               // breadth-first level: steps from the initial state
    properties::PropertySet violated = 0;  // state and dead-end properties violated here
    bool initial = false;                  // the initial state (vertex 0)
    bool deadend = false;                  // no step enabled
    properties::PropertySet on_path = 0;   // the counterexample paths through it
};

struct GraphEdge {
    model::Transition transition;
    properties::PropertySet violated = 0;  // transition properties violated by this step
    properties::PropertySet on_path = 0;
    std::uint32_t index = 0;  // in generation order: source by source, in successor order
    std::uint32_t local = 0;  // its number among its source's edges
};

// vecS everywhere: vertex k is the k-th state found, and out-edges keep the model's
// successor order, so iteration (and every output) is deterministic and equals the
// explorer's numbering. Parallel edges (two outcomes of one step reaching the same state)
// are kept: the edge count is the explorer's transition count.
using StateGraphData =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, GraphVertex, GraphEdge>;
using GraphVertexId = boost::graph_traits<StateGraphData>::vertex_descriptor;
using GraphEdgeId = boost::graph_traits<StateGraphData>::edge_descriptor;

// The counterexample of one property: the path from the initial state to its violation,
// the one the explorer reports (same length, same states). Edges are named by their
// position among their source's out-edges (GraphEdge::local), not by descriptors: an
// adjacency_list's edge descriptor points into the graph and dies with a copy of it.
struct GraphPath {
    std::size_t property = 0;  // index: P(property + 1)
    explorer::Where where = explorer::Where::state;
    std::vector<GraphVertexId> vertices;  // initial first; a transition violation: to its target
    std::vector<std::uint32_t> edges;     // step k: out-edge edges[k] of vertices[k]; the last
                                          // is the violating edge of a transition violation
    std::string violation;                // Checker::explain of the violation
    std::size_t length() const { return edges.size(); }
};

enum class GraphStatus {
    complete,   // every reachable state is a vertex
    too_large,  // more than max_states states: the graph is left empty
    unbounded,  // a successor past its field's width (see HugetlbModel::unrepresentable)
};

struct StateGraph {
    GraphStatus status = GraphStatus::complete;
    // complete: the number of states; too_large: max_states + 1 (where counting stopped).
    std::uint64_t states_found = 0;
    std::uint64_t max_states = 0;
    std::string unbounded_reason;
    properties::PropertySet selected = 0, violated = 0;
    StateGraphData graph;
    std::vector<GraphPath> paths;  // one per violated property, in property order

    std::size_t states() const { return boost::num_vertices(graph); }
    std::size_t edges() const { return boost::num_edges(graph); }
    std::size_t violating_states() const;
    std::size_t violating_edges() const;  // transition properties
    // Step k of a path, as an edge of `graph`.
    GraphEdgeId path_edge(const GraphPath& path, std::size_t k) const;
};

// The default of `hugecheck graph --max-states`, and the most it accepts: past a few
// thousand states a drawing is unreadable, and each state costs about a hundred bytes
// plus its edges here (`hugecheck check` stores a state in a few bytes).
inline constexpr std::uint64_t kDefaultGraphStates = 5000;
inline constexpr std::uint64_t kMaxGraphStates = 1000000;

// Explores the model breadth-first and builds its graph, checking the checker's
// properties on every state and edge. Stops with GraphStatus::too_large as soon as a
// state beyond `max_states` is found, before storing it.
StateGraph build_state_graph(const model::HugetlbModel& m, const properties::Checker& checker,
                             std::uint64_t max_states = kDefaultGraphStates);

// A vertex's label: the pool counters, the per-node arrays, each actor's op and pc (or
// "done") with its nonzero locals, and other shared variables that are not zero. Lines
// are separated by '\n'.
std::string vertex_summary(const model::HugetlbModel& m, const std::byte* state);
// An edge's label: "A F1", with "#k" for choice k > 0.
std::string edge_summary(const model::HugetlbModel& m, const model::Transition& t);

// Graphviz dot (boost::write_graphviz_dp): violating states red with their property ids,
// counterexample paths bold in one colour per property, the initial state filled, dead
// ends with a double border, and a legend.
std::string graph_dot(const model::HugetlbModel& m, const StateGraph& g);
// JSON (docs/state-graphs.md): vertices with their variables, edges, counterexample paths.
nlohmann::json graph_json(const model::HugetlbModel& m, const StateGraph& g);
// GraphML (boost::write_graphml, header-only for writing).
std::string graph_graphml(const model::HugetlbModel& m, const StateGraph& g);
// Runs Graphviz `dot -Tsvg` on dot text. Throws InputError (naming `option`) if `dot` is
// not on PATH, std::runtime_error if it fails.
std::string dot_to_svg(const std::string& dot, const std::string& option = "--format");
// The `dot` program on PATH, or "".
std::string find_dot();

}  // namespace hugecheck::counterexamples
