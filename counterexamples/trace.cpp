#include "counterexamples/trace.hpp"

#include "counterexamples/replay.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <stdexcept>
#include <utility>

namespace hugecheck::counterexamples {

using model::HugetlbModel;
using model::Slot;

StateBytes padded_copy(const std::byte* state, std::size_t state_bytes) {
    StateBytes out(state_bytes + model::kPackSlack);
    std::memcpy(out.data(), state, state_bytes);
    return out;
}

Trace trace_from_path(const HugetlbModel& m, const properties::Checker& checker,
                      const std::vector<const std::byte*>& path, const Violation& v) {
    HugetlbModel::Context ctx = m.make_context();
    const std::size_t bytes = m.state_bytes();
    auto copy = [&](const std::byte* s) { return padded_copy(s, bytes); };
    Trace t;
    t.property = v.property;
    t.where = v.where;
    t.initial = copy(path.front());
    for (std::size_t k = 1; k < path.size(); ++k)
        t.steps.push_back(
            {find_edge(m, ctx, path[k - 1], path[k]), copy(path[k - 1]), copy(path[k])});
    const std::byte* last = path.back();
    if (v.where == explorer::Where::transition) {
        t.steps.push_back({v.label, copy(last), v.successor});
        t.violation = checker.explain(v.property, v.successor.data(), last, &v.label);
    } else {
        t.violation = checker.explain(v.property, last, nullptr, nullptr);
    }
    return t;
}

model::Transition find_edge(const HugetlbModel& m, HugetlbModel::Context& ctx,
                            const std::byte* before, const std::byte* after) {
    const std::size_t bytes = m.state_bytes();
    model::Transition found{};
    bool ok = false;
    m.for_each_successor(ctx, before, [&](const std::byte* succ, const model::Transition& t) {
        if (!ok && std::memcmp(succ, after, bytes) == 0) {
            found = t;
            ok = true;
        }
    });
    if (!ok) throw std::logic_error("trace reconstruction: no edge between two stored states");
    return found;
}

std::string replay(const HugetlbModel& m, const properties::Checker& checker, const Trace& trace) {
    HugetlbModel::Context ctx = m.make_context();
    const std::size_t bytes = m.state_bytes();
    std::vector<std::byte> state(bytes + model::kPackSlack);
    m.initial_state(state.data());
    auto same = [&](const StateBytes& a, const std::byte* b) {
        return a.size() >= bytes && std::memcmp(a.data(), b, bytes) == 0;
    };
    if (!same(trace.initial, state.data())) return "the initial state differs from the model's";
    model::Transition last{};
    StateBytes before;
    for (std::size_t k = 0; k < trace.steps.size(); ++k) {
        const TraceStep& step = trace.steps[k];
        bool applied = false;
        StateBytes next;
        m.for_each_successor(ctx, state.data(),
                             [&](const std::byte* succ, const model::Transition& t) {
                                 if (!applied && t == step.transition) {
                                     next = padded_copy(succ, bytes);
                                     applied = true;
                                 }
                             });
        const std::string where = "step " + std::to_string(k + 1) + " (" +
                                  m.actor_name(step.transition.actor) + " " +
                                  std::string(model::step_name(step.transition.step)) + ")";
        if (!applied) return where + " is not enabled";
        if (!same(step.after, next.data())) return where + " reaches a different state";
        before = state;
        state = next;
        last = step.transition;
    }
    const properties::PropertySet want = properties::bit(trace.property);
    properties::PropertySet got = 0;
    switch (trace.where) {
        case explorer::Where::state: got = checker.state_violations(state.data()); break;
        case explorer::Where::transition:
            if (trace.steps.empty()) return "a transition violation without a step";
            got = checker.transition_violations(before.data(), state.data(), last);
            break;
        case explorer::Where::deadend: {
            bool any = false;
            m.for_each_successor(ctx, state.data(),
                                 [&](const std::byte*, const model::Transition&) { any = true; });
            if (any) return "the last state has successors: not a dead end";
            got = checker.deadend_violations(state.data());
            break;
        }
    }
    if (!(got & want))
        return "the last state does not violate " +
               std::string(properties::kProperties[trace.property].id);
    return "";
}

StepView describe(const HugetlbModel& m, HugetlbModel::Context& ctx, const TraceStep& step) {
    const model::StepDef& info = m.step_def(step.transition.step);
    const std::uint32_t a = step.transition.actor;
    StepView v{m.actor_name(a),
               std::string(model::step_name(info.label)),
               std::string(info.function),
               std::string(info.source),
               m.narrate(ctx, step.before.data(), step.transition),
               {},
               {}};
    for (Slot s = 0; s < m.layout().slots(); ++s) {
        if (m.is_control_slot(s)) continue;
        const std::uint64_t o = m.read(step.before.data(), s), n = m.read(step.after.data(), s);
        if (o != n) v.changes.push_back({s, o, n});
    }
    const model::ActorSlots& as = m.vars().actor[a];
    const std::uint64_t op_after = m.read(step.after.data(), as.op);
    if (op_after != m.read(step.before.data(), as.op)) {
        const auto& script = m.scenario().actors[a].script;
        v.control = op_after == script.size()
                        ? "done"
                        : "next op " + model::format_operation(script[op_after]);
    } else {
        v.control = std::string(m.format_value(as.pc, m.read(step.after.data(), as.pc)));
    }
    return v;
}

namespace {

// "pfn[4]" → ("pfn", 4); a name without an index → ("", 0).
std::pair<std::string, std::uint64_t> array_element(const std::string& name) {
    const auto open = name.find('[');
    if (open == std::string::npos || name.back() != ']') return {"", 0};
    return {name.substr(0, open), std::stoull(name.substr(open + 1, name.size() - open - 2))};
}

}  // namespace

namespace {
// The node whose frame `s` is, or -1.
int frame_node(const HugetlbModel& m, Slot s) {
    const std::vector<std::vector<Slot>>& frames = m.vars().frames;
    for (std::size_t n = 0; n < frames.size(); ++n)
        for (Slot f : frames[n])
            if (f == s) return static_cast<int>(n);
    return -1;
}
}  // namespace

std::vector<std::string> change_entries(const HugetlbModel& m, const StepView& v) {
    std::vector<std::string> out;
    // Frames are stored sorted, so a slot's old and new values are not one page's: a
    // node's pages are a multiset, and a change is what left it and what came in.
    std::vector<Change> changes;
    std::vector<std::vector<std::uint64_t>> gone(m.nodes()), came(m.nodes());
    for (const Change& c : v.changes) {
        const int n = m.has_frames() ? frame_node(m, c.slot) : -1;
        if (n < 0) {
            changes.push_back(c);
            continue;
        }
        gone[static_cast<std::size_t>(n)].push_back(c.old_value);
        came[static_cast<std::size_t>(n)].push_back(c.new_value);
    }
    for (std::uint32_t n = 0; n < m.nodes(); ++n) {
        std::vector<std::uint64_t>& a = gone[n];
        std::vector<std::uint64_t>& b = came[n];
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        std::vector<std::uint64_t> left, entered;
        std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(left));
        std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(entered));
        for (std::size_t i = 0; i < std::max(left.size(), entered.size()); ++i)
            out.push_back("page of node " + std::to_string(n) + " " +
                          (i < left.size() ? m.frame_text(left[i]) : std::string("?")) + "→" +
                          (i < entered.size() ? m.frame_text(entered[i]) : std::string("?")));
    }
    std::vector<std::string> frame_entries = std::move(out);
    out.clear();
    for (std::size_t k = 0; k < changes.size();) {
        const Change& c = changes[k];
        const std::string from = m.format_value(c.slot, c.old_value);
        const std::string to = m.format_value(c.slot, c.new_value);
        const auto [base, first] = array_element(m.slot_name(c.slot));
        std::size_t next = k + 1;
        std::uint64_t last = first;
        while (!base.empty() && next < changes.size()) {
            const Change& d = changes[next];
            const auto [b, i] = array_element(m.slot_name(d.slot));
            if (b != base || i != last + 1 || m.format_value(d.slot, d.old_value) != from ||
                m.format_value(d.slot, d.new_value) != to)
                break;
            last = i;
            ++next;
        }
        const std::string name =
            last == first ? m.slot_name(c.slot)
                          : base + "[" + std::to_string(first) + ".." + std::to_string(last) + "]";
        out.push_back(name + " " + from + "→" + to);
        k = next;
    }
    // The pages after the counters, before the actor's locals.
    std::size_t at = 0;
    while (at < out.size() && out[at].find('.') == std::string::npos)
        ++at;
    out.insert(out.begin() + static_cast<std::ptrdiff_t>(at), frame_entries.begin(),
               frame_entries.end());
    return out;
}

std::string changes_text(const HugetlbModel& m, const StepView& v) {
    std::string out;
    for (const std::string& entry : change_entries(m, v))
        out += (out.empty() ? "" : ", ") + entry;
    if (!v.notes.empty()) {
        std::string notes;
        for (const std::string& n : v.notes)
            notes += (notes.empty() ? "" : "; ") + n;
        out += (out.empty() ? "(" : " (") + notes + ")";
    }
    return out + (out.empty() ? "→ " : " → ") + v.control;
}

// The pool-wide variables of a state, per-node arrays folded: "nr_huge_pages_node=[1,0]".
std::string globals_text(const HugetlbModel& m, const std::byte* s) {
    const model::Vars& v = m.vars();
    std::string out;
    auto add = [&](const std::string& text) { out += (out.empty() ? "" : " ") + text; };
    for (Slot slot : {v.max_huge_pages, v.nr_overcommit_huge_pages, v.nr_huge_pages,
                      v.free_huge_pages, v.resv_huge_pages, v.surplus_huge_pages})
        add(m.slot_name(slot) + "=" + m.format_value(slot, m.read(s, slot)));
    for (const std::vector<Slot>* arr :
         {&v.nr_huge_pages_node, &v.free_huge_pages_node, &v.surplus_huge_pages_node, &v.buddy}) {
        if (arr == &v.buddy && m.gigantic()) continue;  // the buddy allocator is the pfns
        const std::string& first = m.slot_name((*arr)[0]);
        std::string text = first.substr(0, first.find('[')) + "=[";
        for (std::size_t n = 0; n < arr->size(); ++n)
            text += (n ? "," : "") + m.format_value((*arr)[n], m.read(s, (*arr)[n]));
        add(text + "]");
    }
    if (m.gigantic()) add("memory=" + m.memory_map(s) + " (nodes " + m.node_map() + ")");
    for (std::uint32_t n = 0; n < m.nodes() && m.has_frames(); ++n) {
        std::string pages;
        for (Slot f : v.frames[n])
            pages += (pages.empty() ? "" : ", ") + m.frame_text(m.read(s, f));
        add("pages[" + std::to_string(n) + "]={" + pages + "}");
    }
    return out;
}

namespace {

std::string pad(const std::string& s, std::size_t width) {
    // Column widths count code points, so that "Σ" and "→" take one column.
    std::size_t columns = 0;
    for (unsigned char c : s)
        columns += (c & 0xC0) != 0x80;
    return s + std::string(width > columns ? width - columns : 0, ' ');
}

}  // namespace

nlohmann::json value_json(const HugetlbModel& m, Slot s, std::uint64_t v) {
    const model::PackedLayout::Field& f = m.layout().field(s);
    const bool numeric = f.is_signed || s == m.vars().next_nid_to_alloc ||
                         s == m.vars().next_nid_to_free || s == m.vars().unused_nid;
    bool is_op = false;
    for (const model::ActorSlots& as : m.vars().actor)
        is_op = is_op || s == as.op;
    if (numeric || is_op) return v;
    return m.format_value(s, v);
}

nlohmann::json state_json(const HugetlbModel& m, const std::byte* s) {
    nlohmann::json out = nlohmann::json::object();
    for (Slot slot = 0; slot < m.layout().slots(); ++slot)
        out[m.slot_name(slot)] = value_json(m, slot, m.read(s, slot));
    return out;
}

std::size_t count_preemptions(const HugetlbModel& m, const Trace& trace) {
    HugetlbModel::Context ctx = m.make_context();
    std::size_t count = 0;
    for (std::size_t k = 1; k < trace.steps.size(); ++k) {
        const std::uint32_t previous = trace.steps[k - 1].transition.actor;
        if (trace.steps[k].transition.actor == previous) continue;
        bool enabled = false;
        auto note = [&](const std::byte*, const model::Transition&) { enabled = true; };
        m.actor_successors(ctx, trace.steps[k].before.data(), previous, note);
        count += enabled;
    }
    return count;
}

std::string render_table(const HugetlbModel& m, const Trace& trace) {
    HugetlbModel::Context ctx = m.make_context();
    const properties::Property& p = properties::kProperties[trace.property];
    std::vector<StepView> views;
    for (const TraceStep& step : trace.steps)
        views.push_back(describe(m, ctx, step));

    std::string out = std::string(p.id) + " " + std::string(p.name) + " violated — scenario " +
                      m.scenario().name + ", variant " + m.variant().name() + ", " +
                      std::to_string(trace.steps.size()) +
                      (trace.steps.size() == 1 ? " step, " : " steps, ");
    const std::size_t preemptions = count_preemptions(m, trace);
    out += std::to_string(preemptions) + (preemptions == 1 ? " preemption\n" : " preemptions\n");
    out += "initial: " + globals_text(m, trace.initial.data()) + "\n";
    std::size_t w_num = 2, w_actor = 5, w_label = 4, w_fn = 8, w_src = 6;
    for (std::size_t k = 0; k < views.size(); ++k) {
        w_num = std::max(w_num, std::to_string(k + 1).size() + 1);
        w_actor = std::max(w_actor, views[k].actor.size());
        w_label = std::max(w_label, views[k].label.size());
        w_fn = std::max(w_fn, views[k].function.size());
        w_src = std::max(w_src, views[k].source.size());
    }
    auto row = [&](const std::string& num, const std::string& actor, const std::string& label,
                   const std::string& fn, const std::string& source, const std::string& changes) {
        std::string line = std::string(w_num - num.size(), ' ') + num + "  " + pad(actor, w_actor) +
                           "  " + pad(label, w_label) + "  " + pad(fn, w_fn) + "  " +
                           pad(source, w_src) + "  " + changes;
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        out += line + "\n";
    };
    row("#", "actor", "step", "function", "source", "changes");
    for (std::size_t k = 0; k < views.size(); ++k)
        row(std::to_string(k + 1), views[k].actor, views[k].label, views[k].function,
            views[k].source, changes_text(m, views[k]));
    if (m.gigantic() && !trace.steps.empty())
        out += "memory after step " + std::to_string(trace.steps.size()) + ": " +
               m.memory_map(trace.steps.back().after.data()) +
               "  (H head, F free head, t tail, c contig, a alloc_pages, - free, [ ] isolated)\n";
    out += trace.violation + "\n";
    return out;
}

nlohmann::json traces_json(const HugetlbModel& m, const std::vector<Trace>& traces) {
    HugetlbModel::Context ctx = m.make_context();
    const model::Scenario& sc = m.scenario();
    nlohmann::json doc = {
        {"format", "hugecheck-trace/1"},
        {"scenario",
         {{"name", sc.name},
          {"source", sc.source},
          {"hash", scenario_hash(sc)},
          {"text", sc.text}}},
        {"variant", m.variant().name()},
        {"counterexamples", nlohmann::json::array()},
    };
    for (const Trace& t : traces) {
        const properties::Property& p = properties::kProperties[t.property];
        nlohmann::json steps = nlohmann::json::array();
        for (std::size_t k = 0; k < t.steps.size(); ++k) {
            const StepView v = describe(m, ctx, t.steps[k]);
            nlohmann::json changes = nlohmann::json::array();
            for (const Change& c : v.changes)
                changes.push_back({{"var", m.slot_name(c.slot)},
                                   {"old", value_json(m, c.slot, c.old_value)},
                                   {"new", value_json(m, c.slot, c.new_value)}});
            steps.push_back({{"index", k + 1},
                             {"actor", v.actor},
                             {"label", v.label},
                             {"function", v.function},
                             {"source", v.source},
                             {"choice", t.steps[k].transition.choice},
                             {"notes", v.notes},
                             {"changes", changes},
                             {"next", v.control}});
        }
        const StateBytes& final_state = t.steps.empty() ? t.initial : t.steps.back().after;
        doc["counterexamples"].push_back({
            {"property",
             {{"id", p.id},
              {"name", p.name},
              {"kind", properties::kind_name(p.kind)},
              {"statement", p.statement}}},
            {"where", t.where == explorer::Where::state        ? "state"
                      : t.where == explorer::Where::transition ? "transition"
                                                               : "deadend"},
            {"length", t.steps.size()},
            {"preemptions", count_preemptions(m, t)},
            {"violation", t.violation},
            {"initial_state", state_json(m, t.initial.data())},
            {"steps", steps},
            {"final_state", state_json(m, final_state.data())},
        });
    }
    return doc;
}

}  // namespace hugecheck::counterexamples
