#include "counterexamples/state_graph.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/graph/visitors.hpp>
#include <boost/property_map/function_property_map.hpp>
#include <boost/property_map/property_map.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <tuple>
#include <unordered_map>

#include "counterexamples/replay.hpp"
#include "model/input_error.hpp"

namespace hugecheck::counterexamples {

using model::Slot;
using properties::PropertySet;

std::size_t StateGraph::violating_states() const {
    std::size_t n = 0;
    for (GraphVertexId v = 0; v < states(); ++v)
        n += graph[v].violated != 0;
    return n;
}

std::size_t StateGraph::violating_edges() const {
    std::size_t n = 0;
    for (auto [e, end] = boost::edges(graph); e != end; ++e)
        n += graph[*e].violated != 0;
    return n;
}

GraphEdgeId StateGraph::path_edge(const GraphPath& path, std::size_t k) const {
    return *(boost::out_edges(path.vertices[k], graph).first + path.edges[k]);
}

namespace {

// Where the explorer meets a violation in its sequential order (explorer/bfs.hpp, Event):
// expanding `source`, at its edge `local` (a dead end: after every edge), the edge's own
// check before the new state's. The explorer keeps the first one per property; the initial
// state's check comes before everything.
struct Found {
    std::int64_t source = 0;
    std::uint32_t local = 0;
    int kind = 0;  // 0 transition, 1 new state, 3 dead end
    auto operator<=>(const Found&) const = default;
};

std::string property_ids(PropertySet set) {
    return properties::format_property_set(set);
}

nlohmann::json property_list(PropertySet set) {
    nlohmann::json out = nlohmann::json::array();
    for (std::size_t p = 0; p < properties::kPropertyCount; ++p)
        if (set & properties::bit(p)) out.push_back(properties::kProperties[p].id);
    return out;
}

const char* where_name(explorer::Where w) {
    switch (w) {
        case explorer::Where::state: return "state";
        case explorer::Where::transition: return "transition";
        case explorer::Where::deadend: return "deadend";
    }
    return "?";
}

// One colour per property for its counterexample path (red is for violations).
constexpr std::array<const char*, properties::kPropertyCount> kPathColours = {
    "blue",       "darkgreen", "purple",    "saddlebrown", "magenta3",   "deeppink4", "teal",
    "darkorange", "navy",      "olivedrab", "goldenrod4",  "steelblue4", "orchid4"};

std::string path_colours(PropertySet on_path) {
    std::string out;
    for (std::size_t p = 0; p < properties::kPropertyCount; ++p)
        if (on_path & properties::bit(p))
            out += (out.empty() ? "" : ":") + std::string(kPathColours[p]);
    return out;
}

std::string first_path_colour(PropertySet on_path) {
    for (std::size_t p = 0; p < properties::kPropertyCount; ++p)
        if (on_path & properties::bit(p)) return kPathColours[p];
    return "black";
}

// Labels carry '\n' between lines; dot wants its escapes, which boost's escape_dot_string
// leaves alone: "\n" a centred line, "\l" a left-justified one (state summaries, whose
// columns then line up).
std::string dot_lines(const std::string& text, const char* eol = "\\n") {
    std::string out;
    for (char c : text) {
        if (c == '\n')
            out += eol;
        else if (c == '\\')
            out += "\\\\";
        else
            out += c;
    }
    return out;
}

std::string vertex_name(GraphVertexId v) {
    return "s" + std::to_string(v);
}

std::string vertex_heading(const GraphVertex& x, GraphVertexId v) {
    std::string out = vertex_name(v) + " (depth " + std::to_string(x.depth) + ")";
    if (x.initial) out += " initial";
    return out;
}

std::string vertex_marks(const GraphVertex& x) {
    std::string out;
    if (x.violated) out = "violates " + property_ids(x.violated);
    if (x.deadend) out += std::string(out.empty() ? "" : "; ") + "dead end";
    return out;
}

}  // namespace

StateGraph build_state_graph(const model::HugetlbModel& m, const properties::Checker& checker,
                             std::uint64_t max_states) {
    StateGraph out;
    out.max_states = max_states;
    out.selected = checker.selected();
    StateGraphData& g = out.graph;
    const std::size_t bytes = m.state_bytes();
    // The state's bytes (slack excluded) → its vertex.
    std::unordered_map<std::string, std::uint32_t> index;
    auto key = [&](const std::byte* s) {
        return std::string(reinterpret_cast<const char*>(s), bytes);
    };
    // Adds a state; false if it would be one more than max_states.
    auto add = [&](const std::byte* s, std::uint32_t depth, std::uint32_t& id) {
        auto [it, added] = index.try_emplace(key(s), 0);
        if (!added) {
            id = it->second;
            return true;
        }
        if (boost::num_vertices(g) >= max_states) {
            index.erase(it);
            return false;
        }
        GraphVertex x;
        x.state.assign(s, s + bytes);
        x.state.resize(bytes + model::kPackSlack);
        x.depth = depth;
        x.violated = checker.state_violations(x.state.data());
        id = it->second = static_cast<std::uint32_t>(boost::add_vertex(std::move(x), g));
        return true;
    };
    auto too_large = [&] {
        out.status = GraphStatus::too_large;
        out.states_found = max_states + 1;
        out.graph.clear();
        return std::move(out);
    };

    StateBytes initial(bytes + model::kPackSlack);
    m.initial_state(initial.data());
    std::uint32_t root = 0;
    if (!add(initial.data(), 0, root)) return too_large();
    g[root].initial = true;

    model::HugetlbModel::Context ctx = m.make_context();
    StateBytes current;
    std::uint32_t edge_index = 0;
    bool full = false;
    // The vertices are the breadth-first queue: vertex i is expanded after every vertex
    // found before it.
    for (std::uint32_t i = 0; i < boost::num_vertices(g) && !full; ++i) {
        current = g[i].state;  // adding vertices may move g[i]
        const std::uint32_t depth = g[i].depth;
        std::uint32_t local = 0;
        m.for_each_successor(
            ctx, current.data(), [&](const std::byte* succ, const model::Transition& t) {
                if (full) return;
                std::uint32_t j = 0;
                if (!add(succ, depth + 1, j)) {
                    full = true;
                    return;
                }
                GraphEdge e;
                e.transition = t;
                e.violated = checker.transition_violations(current.data(), succ, t);
                e.index = edge_index++;
                e.local = local++;
                boost::add_edge(i, j, e, g);
            });
        if (full) return too_large();
        const std::string_view why = m.unrepresentable(ctx);
        if (!why.empty()) {
            out.status = GraphStatus::unbounded;
            out.unbounded_reason = std::string(why);
            out.states_found = boost::num_vertices(g);
            return out;
        }
        if (local == 0) {
            g[i].deadend = true;
            g[i].violated |= checker.deadend_violations(current.data());
        }
    }
    out.states_found = boost::num_vertices(g);

    // The breadth-first tree: the edge that first reached each vertex. Vertices are in
    // discovery order and out-edges in successor order, so this is the explorer's parent
    // relation, and the paths are the explorer's traces.
    const std::size_t n = boost::num_vertices(g);
    std::vector<GraphEdgeId> parent(n);
    std::vector<std::uint32_t> distance(n, 0);
    auto vindex = boost::get(boost::vertex_index, g);
    boost::breadth_first_search(
        g, root,
        boost::visitor(boost::make_bfs_visitor(std::make_pair(
            boost::record_edge_predecessors(
                boost::make_iterator_property_map(parent.begin(), vindex), boost::on_tree_edge()),
            boost::record_distances(boost::make_iterator_property_map(distance.begin(), vindex),
                                    boost::on_tree_edge())))));
    for (GraphVertexId v = 0; v < n; ++v)
        if (distance[v] != g[v].depth)
            throw std::logic_error("state graph: the breadth-first tree disagrees with the levels");

    // For each property, the first violation in the explorer's order.
    struct Best {
        bool any = false;
        Found at;
        explorer::Where where = explorer::Where::state;
        GraphVertexId vertex = 0;  // the violating state, or the source of the edge
        GraphEdgeId edge{};
    };
    std::array<Best, properties::kPropertyCount> best{};
    auto offer = [&](PropertySet bad, Found at, explorer::Where where, GraphVertexId v,
                     GraphEdgeId e) {
        for (std::size_t p = 0; p < properties::kPropertyCount; ++p) {
            if (!(bad & properties::bit(p))) continue;
            if (!best[p].any || at < best[p].at) best[p] = {true, at, where, v, e};
        }
    };
    for (GraphVertexId v = 0; v < n; ++v) {
        const GraphVertex& x = g[v];
        const PropertySet state_bad = checker.state_violations(x.state.data());
        if (state_bad) {
            Found at{-1, 0, 1};
            if (v != root) {
                const GraphEdgeId pe = parent[v];
                at = {static_cast<std::int64_t>(boost::source(pe, g)), g[pe].local, 1};
            }
            offer(state_bad, at, explorer::Where::state, v, {});
        }
        if (x.deadend && (x.violated & ~state_bad))
            offer(x.violated & ~state_bad,
                  {static_cast<std::int64_t>(v), std::numeric_limits<std::uint32_t>::max(), 3},
                  explorer::Where::deadend, v, {});
        for (auto [e, end] = boost::out_edges(v, g); e != end; ++e)
            if (g[*e].violated)
                offer(g[*e].violated, {static_cast<std::int64_t>(v), g[*e].local, 0},
                      explorer::Where::transition, v, *e);
    }
    for (std::size_t p = 0; p < properties::kPropertyCount; ++p) {
        if (!best[p].any) continue;
        out.violated |= properties::bit(p);
        GraphPath path;
        path.property = p;
        path.where = best[p].where;
        for (GraphVertexId v = best[p].vertex; v != root; v = boost::source(parent[v], g)) {
            path.vertices.push_back(v);
            path.edges.push_back(g[parent[v]].local);
        }
        path.vertices.push_back(root);
        std::reverse(path.vertices.begin(), path.vertices.end());
        std::reverse(path.edges.begin(), path.edges.end());
        const GraphVertex& end = g[best[p].vertex];
        if (path.where == explorer::Where::transition) {
            const GraphEdgeId e = best[p].edge;
            const GraphVertexId target = boost::target(e, g);
            path.edges.push_back(g[e].local);
            path.vertices.push_back(target);
            path.violation =
                checker.explain(p, g[target].state.data(), end.state.data(), &g[e].transition);
        } else {
            path.violation = checker.explain(p, end.state.data(), nullptr, nullptr);
        }
        for (GraphVertexId v : path.vertices)
            g[v].on_path |= properties::bit(p);
        for (std::size_t k = 0; k < path.length(); ++k)
            g[out.path_edge(path, k)].on_path |= properties::bit(p);
        out.paths.push_back(std::move(path));
    }
    return out;
}

std::string vertex_summary(const model::HugetlbModel& m, const std::byte* s) {
    const model::Vars& v = m.vars();
    auto value = [&](Slot slot) { return m.format_value(slot, m.read(s, slot)); };
    auto array = [&](const std::vector<Slot>& slots) {
        std::string text = "[";
        for (std::size_t n = 0; n < slots.size(); ++n)
            text += (n ? "," : "") + value(slots[n]);
        return text + "]";
    };
    std::string out = "nr=" + value(v.nr_huge_pages) + " free=" + value(v.free_huge_pages);
    if (m.read(s, v.resv_huge_pages) != 0) out += " resv=" + value(v.resv_huge_pages);
    out += " surplus=" + value(v.surplus_huge_pages) + "\nmax=" + value(v.max_huge_pages) +
           " overcommit=" + value(v.nr_overcommit_huge_pages);
    // The variant's extra shared state (cursors, table->data, lock owners) when it is
    // not at its initial value, which most states share.
    std::string extra;
    for (Slot slot : {v.next_nid_to_alloc, v.next_nid_to_free, v.unused_nid, v.table_data,
                      v.overcommit_table_data, v.hugetlb_lock, v.resize_lock})
        if (m.layout().field(slot).width > 0 && m.read(s, slot) != 0)
            extra += (extra.empty() ? "" : " ") + m.slot_name(slot) + "=" + value(slot);
    if (!extra.empty()) out += "\n" + extra;
    out += "\nnr_node=" + array(v.nr_huge_pages_node) +
           " free_node=" + array(v.free_huge_pages_node) +
           "\nsurplus_node=" + array(v.surplus_huge_pages_node);
    if (m.gigantic())
        out += "\nmemory " + m.memory_map(s);
    else
        out += " buddy=" + array(v.buddy);
    for (std::uint32_t a = 0; a < m.actors(); ++a) {
        const model::ActorSlots& as = v.actor[a];
        out += "\n" + m.actor_name(a) + ": ";
        if (m.done(s, a)) {
            out += "done";
        } else {
            const std::uint64_t op = m.read(s, as.op);
            out += model::format_operation(m.scenario().actors[a].script[op]) + " " + value(as.pc);
        }
        // Locals that are set (an op's locals are reset to zero when it completes).
        for (Slot slot : {as.tmp, as.count, as.page_node, as.min_count, as.ret, as.owned,
                          as.page_list, as.gigantic_pfn, as.gigantic_tries, as.normal_page}) {
            if (m.layout().field(slot).width == 0 || m.read(s, slot) == 0) continue;
            const std::string& name = m.slot_name(slot);
            out += " " + name.substr(name.find('.') + 1) + "=" + value(slot);
        }
    }
    return out;
}

std::string edge_summary(const model::HugetlbModel& m, const model::Transition& t) {
    std::string out = m.actor_name(t.actor) + " " + std::string(model::step_name(t.step));
    if (t.choice != 0) out += " #" + std::to_string(t.choice);
    return out;
}

std::string graph_dot(const model::HugetlbModel& m, const StateGraph& sg) {
    const StateGraphData& g = sg.graph;
    using V = GraphVertexId;
    using E = GraphEdgeId;
    boost::dynamic_properties dp;
    dp.property("node_id", boost::make_function_property_map<V, std::string>(&vertex_name));
    dp.property("label", boost::make_function_property_map<V, std::string>([&](V v) {
                    const GraphVertex& x = g[v];
                    std::string text =
                        vertex_heading(x, v) + "\n" + vertex_summary(m, x.state.data());
                    const std::string marks = vertex_marks(x);
                    if (!marks.empty()) text += "\n" + marks;
                    return dot_lines(text + "\n", "\\l");
                }));
    dp.property("color", boost::make_function_property_map<V, std::string>([&](V v) {
                    const GraphVertex& x = g[v];
                    if (x.violated) return std::string("red");
                    if (x.on_path) return first_path_colour(x.on_path);
                    return std::string("black");
                }));
    dp.property("fontcolor", boost::make_function_property_map<V, std::string>([&](V v) {
                    return std::string(g[v].violated ? "red" : "black");
                }));
    dp.property("style", boost::make_function_property_map<V, std::string>([&](V v) {
                    const GraphVertex& x = g[v];
                    std::string style = x.initial || x.violated ? "filled" : "solid";
                    if (x.on_path) style += ",bold";
                    return style;
                }));
    dp.property("fillcolor", boost::make_function_property_map<V, std::string>([&](V v) {
                    const GraphVertex& x = g[v];
                    if (x.violated) return std::string("mistyrose");
                    return std::string(x.initial ? "lightblue" : "white");
                }));
    dp.property("penwidth", boost::make_function_property_map<V, std::string>([&](V v) {
                    return std::string(g[v].on_path || g[v].violated ? "2.5" : "1");
                }));
    dp.property("peripheries", boost::make_function_property_map<V, std::string>(
                                   [&](V v) { return std::string(g[v].deadend ? "2" : "1"); }));

    dp.property("label", boost::make_function_property_map<E, std::string>([&](E e) {
                    const GraphEdge& x = g[e];
                    std::string text = edge_summary(m, x.transition);
                    if (x.violated) text += " violates " + property_ids(x.violated);
                    return dot_lines(text);
                }));
    dp.property("tooltip", boost::make_function_property_map<E, std::string>([&](E e) {
                    const model::StepDef& d = m.step_def(g[e].transition.step);
                    return std::string(d.function) + " (" + std::string(d.source) + ")";
                }));
    dp.property("color", boost::make_function_property_map<E, std::string>([&](E e) {
                    const GraphEdge& x = g[e];
                    if (x.violated) return std::string("red");
                    if (x.on_path) return path_colours(x.on_path);
                    return std::string("gray40");
                }));
    dp.property("fontcolor", boost::make_function_property_map<E, std::string>([&](E e) {
                    const GraphEdge& x = g[e];
                    if (x.violated) return std::string("red");
                    if (x.on_path) return first_path_colour(x.on_path);
                    return std::string("black");
                }));
    dp.property("penwidth", boost::make_function_property_map<E, std::string>(
                                [&](E e) { return std::string(g[e].on_path ? "3" : "1"); }));

    // The legend: the graph's label.
    const model::Scenario& sc = m.scenario();
    std::string legend = "scenario " + sc.name + ", variant " + m.variant().name() + ": " +
                         std::to_string(sg.states()) + " states, " + std::to_string(sg.edges()) +
                         " transitions; properties " +
                         (sg.selected ? property_ids(sg.selected) : std::string("none"));
    legend +=
        "\nred: violating states and steps; double border: dead end; light blue: initial state";
    for (const GraphPath& p : sg.paths)
        legend += "\n" + std::string(properties::kProperties[p.property].id) + " " +
                  std::string(properties::kProperties[p.property].name) + ": shortest path, " +
                  std::to_string(p.length()) + (p.length() == 1 ? " step" : " steps") + ", in " +
                  kPathColours[p.property];
    if (sg.paths.empty())
        legend += sg.selected ? "\nno selected property is violated" : "\nno property checked";
    std::string graph_label = dot_lines(legend);
    std::string rankdir = "TB", labelloc = "t", fontname = "Helvetica";
    dp.property("label", boost::ref_property_map<StateGraphData*, std::string>(graph_label));
    dp.property("labelloc", boost::ref_property_map<StateGraphData*, std::string>(labelloc));
    dp.property("rankdir", boost::ref_property_map<StateGraphData*, std::string>(rankdir));
    dp.property("fontname", boost::ref_property_map<StateGraphData*, std::string>(fontname));

    std::ostringstream os;
    boost::write_graphviz_dp(os, g, dp, "node_id",
                             boost::make_function_property_map<V, std::string>(&vertex_name));
    // Defaults for every node and edge, rather than the same attributes on each.
    std::string text = os.str();
    const std::size_t open = text.find('\n');
    if (open != std::string::npos)
        text.insert(open + 1,
                    "node [shape=box, fontname=\"Helvetica\", fontsize=10];\n"
                    "edge [fontname=\"Helvetica\", fontsize=9];\n");
    return text;
}

nlohmann::json graph_json(const model::HugetlbModel& m, const StateGraph& sg) {
    const StateGraphData& g = sg.graph;
    const model::Scenario& sc = m.scenario();
    nlohmann::json doc = {
        {"format", "hugecheck-state-graph/1"},
        {"scenario", {{"name", sc.name}, {"source", sc.source}, {"hash", scenario_hash(sc)}}},
        {"variant", m.variant().name()},
        {"properties", property_list(sg.selected)},
        {"violated", property_list(sg.violated)},
        {"counts",
         {{"states", sg.states()},
          {"transitions", sg.edges()},
          {"violating_states", sg.violating_states()},
          {"violating_edges", sg.violating_edges()}}},
    };
    nlohmann::json vertices = nlohmann::json::array();
    for (GraphVertexId v = 0; v < sg.states(); ++v) {
        const GraphVertex& x = g[v];
        // Every variable the scenario can set (a field of width 0 is a constant 0: the
        // locals of an op the actor never runs).
        nlohmann::json variables = nlohmann::json::object();
        for (Slot slot = 0; slot < m.layout().slots(); ++slot)
            if (m.layout().field(slot).width > 0)
                variables[m.slot_name(slot)] = value_json(m, slot, m.read(x.state.data(), slot));
        vertices.push_back({{"id", v},
                            {"depth", x.depth},
                            {"initial", x.initial},
                            {"deadend", x.deadend},
                            {"violated", property_list(x.violated)},
                            {"on_path", property_list(x.on_path)},
                            {"variables", variables}});
    }
    nlohmann::json edges = nlohmann::json::array();
    for (auto [e, end] = boost::edges(g); e != end; ++e) {
        const GraphEdge& x = g[*e];
        edges.push_back({{"id", x.index},
                         {"source", boost::source(*e, g)},
                         {"target", boost::target(*e, g)},
                         {"actor", m.actor_name(x.transition.actor)},
                         {"label", std::string(model::step_name(x.transition.step))},
                         {"choice", x.transition.choice},
                         {"function", std::string(m.step_def(x.transition.step).function)},
                         {"violated", property_list(x.violated)},
                         {"on_path", property_list(x.on_path)}});
    }
    nlohmann::json paths = nlohmann::json::array();
    for (const GraphPath& p : sg.paths) {
        nlohmann::json vs = nlohmann::json::array(), es = nlohmann::json::array();
        for (GraphVertexId v : p.vertices)
            vs.push_back(v);
        for (std::size_t k = 0; k < p.length(); ++k)
            es.push_back(g[sg.path_edge(p, k)].index);
        paths.push_back({{"property", properties::kProperties[p.property].id},
                         {"where", where_name(p.where)},
                         {"length", p.length()},
                         {"vertices", vs},
                         {"edges", es},
                         {"violation", p.violation}});
    }
    doc["vertices"] = std::move(vertices);
    doc["edges"] = std::move(edges);
    doc["counterexamples"] = std::move(paths);
    return doc;
}

std::string graph_graphml(const model::HugetlbModel& m, const StateGraph& sg) {
    const StateGraphData& g = sg.graph;
    using V = GraphVertexId;
    using E = GraphEdgeId;
    boost::dynamic_properties dp;
    dp.property("label", boost::make_function_property_map<V, std::string>(
                             [&](V v) { return vertex_summary(m, g[v].state.data()); }));
    dp.property("depth", boost::make_function_property_map<V, int>(
                             [&](V v) { return static_cast<int>(g[v].depth); }));
    dp.property("initial",
                boost::make_function_property_map<V, bool>([&](V v) { return g[v].initial; }));
    dp.property("deadend",
                boost::make_function_property_map<V, bool>([&](V v) { return g[v].deadend; }));
    dp.property("violated", boost::make_function_property_map<V, std::string>(
                                [&](V v) { return property_ids(g[v].violated); }));
    dp.property("on_path", boost::make_function_property_map<V, std::string>(
                               [&](V v) { return property_ids(g[v].on_path); }));
    dp.property("actor", boost::make_function_property_map<E, std::string>(
                             [&](E e) { return m.actor_name(g[e].transition.actor); }));
    dp.property("step", boost::make_function_property_map<E, std::string>([&](E e) {
                    return std::string(model::step_name(g[e].transition.step));
                }));
    dp.property("choice", boost::make_function_property_map<E, int>(
                              [&](E e) { return static_cast<int>(g[e].transition.choice); }));
    dp.property("edge_violated", boost::make_function_property_map<E, std::string>(
                                     [&](E e) { return property_ids(g[e].violated); }));
    dp.property("edge_on_path", boost::make_function_property_map<E, std::string>(
                                    [&](E e) { return property_ids(g[e].on_path); }));
    std::ostringstream os;
    boost::write_graphml(os, g, boost::get(boost::vertex_index, g), dp, true);
    return os.str();
}

std::string find_dot() {
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= dirs.size()) {
        const std::size_t colon = std::min(dirs.find(':', start), dirs.size());
        const std::string dir = dirs.substr(start, colon - start);
        start = colon + 1;
        if (dir.empty()) continue;
        const std::string candidate = dir + "/dot";
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return "";
}

std::string dot_to_svg(const std::string& dot, const std::string& option) {
    const std::string program = find_dot();
    if (program.empty())
        throw InputError(option, 0, "",
                         "svg needs Graphviz's `dot`, which is not on PATH (apt-get install "
                         "graphviz), or write --format dot and render it elsewhere");
    // dot reads a file and writes to a pipe, its messages to another file: nothing to
    // feed while draining, so no deadlock on full pipes.
    struct Temp {
        char path[32] = "/tmp/hugecheck-graph-XXXXXX";
        Temp() {
            const int fd = ::mkstemp(path);
            if (fd < 0) throw std::runtime_error("cannot create a temporary file for dot");
            ::close(fd);
        }
        ~Temp() { std::remove(path); }
    } input, messages;
    {
        std::ofstream f(input.path, std::ios::binary);
        if (!(f << dot) || !f.flush())
            throw std::runtime_error("cannot write the temporary file for dot");
    }
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        ::dup2(out[1], STDOUT_FILENO);
        const int err = ::open(messages.path, O_WRONLY | O_TRUNC);
        if (err >= 0) ::dup2(err, STDERR_FILENO);
        ::close(out[0]);
        ::close(out[1]);
        ::execl(program.c_str(), "dot", "-Tsvg", input.path, static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(out[1]);
    std::string svg;
    char buf[65536];
    for (;;) {
        const ssize_t got = ::read(out[0], buf, sizeof buf);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        svg.append(buf, static_cast<std::size_t>(got));
    }
    ::close(out[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::ifstream f(messages.path);
        std::string first;
        std::getline(f, first);
        throw std::runtime_error(program + " -Tsvg failed (exit status " +
                                 std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                                 (first.empty() ? ")" : "): " + first));
    }
    return svg;
}

}  // namespace hugecheck::counterexamples
