#include "counterexamples/render.hpp"

// GCC 12 sees boost::optional in adjacency_list's edge iterator and named_graph as
// (maybe) uninitialized: false positives, reported after inlining into this file's
// functions (with the sanitizers' instrumentation too), so the whole file ignores them.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphviz.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "model/input_error.hpp"

extern char** environ;

namespace hugecheck::counterexamples {

using model::HugetlbModel;
using model::Slot;

namespace {

// ---- text helpers -----------------------------------------------------------------------

// Columns count code points, so that "Σ", "→" and the box-drawing glyphs take one.
std::size_t columns(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        n += (c & 0xC0) != 0x80;
    return n;
}

std::string pad(const std::string& s, std::size_t width) {
    const std::size_t c = columns(s);
    return s + std::string(width > c ? width - c : 0, ' ');
}

std::string rtrim(std::string s) {
    while (!s.empty() && s.back() == ' ')
        s.pop_back();
    return s;
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
    std::string out;
    for (std::size_t k = 0; k < parts.size(); ++k)
        out += (k ? sep : "") + parts[k];
    return out;
}

// Words to lines of at most `width` columns (a longer word gets a line of its own).
std::vector<std::string> wrap(const std::string& text, std::size_t width) {
    std::vector<std::string> lines;
    std::string line, word;
    std::istringstream in(text);
    while (in >> word) {
        if (!line.empty() && columns(line) + 1 + columns(word) > width) {
            lines.push_back(line);
            line.clear();
        }
        line += (line.empty() ? "" : " ") + word;
    }
    if (!line.empty() || lines.empty()) lines.push_back(line);
    return lines;
}

// For HTML text and attributes, and Graphviz's HTML-like labels.
std::string escape_html(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

// A quoted Graphviz string; a backslash would start an escape such as \n in a label.
std::string dot_quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string plural(std::size_t n, const std::string& one, const std::string& many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

// ---- what the formats share -------------------------------------------------------------

// The table's headline, so that every text format opens with the same line.
std::string headline(const HugetlbModel& m, const Trace& t) {
    const std::string table = render_table(m, t);
    return table.substr(0, table.find('\n'));
}

std::string actor_script(const HugetlbModel& m, std::uint32_t a) {
    std::vector<std::string> ops;
    for (const model::Operation& op : m.scenario().actors[a].script)
        ops.push_back(model::format_operation(op));
    return join(ops, ", ");
}

// "A (node 1): FAULT, UNMAP"; the home node only where there is a choice of nodes.
std::string actor_line(const HugetlbModel& m, std::uint32_t a) {
    std::string out = m.actor_name(a);
    if (m.nodes() > 1) out += " (node " + std::to_string(m.scenario().actors[a].home) + ")";
    return out + ": " + actor_script(m, a);
}

bool holds(const HugetlbModel& m, const std::byte* s, std::uint32_t a, std::uint8_t lock) {
    const model::Features& f = m.variant().features();
    if (lock == model::lock::resize)
        return f.resize_lock && m.read(s, m.vars().resize_lock) == model::encode_index(a);
    return f.hugetlb_lock_state && m.read(s, m.vars().hugetlb_lock) == model::encode_index(a);
}

// The locks a step runs under: "[hugetlb_lock]" for spin_lock ... spin_unlock inside the
// step (or a lock held throughout), "[+resize_lock]" taken and kept held after the step,
// "[-resize_lock]" released by it. Outer lock first, as the kernel nests them.
struct StepLocks {
    std::vector<std::string> tags;
    bool hugetlb = false, resize = false, zone = false;
};

StepLocks step_locks(const HugetlbModel& m, const TraceStep& s) {
    const model::StepDef& d = m.step_def(s.transition.step);
    const std::uint32_t a = s.transition.actor;
    StepLocks out;
    auto add = [&](std::uint8_t lock, const char* name, bool& flag) {
        const bool before = holds(m, s.before.data(), a, lock);
        const bool after = holds(m, s.after.data(), a, lock);
        if (!before && !after && !(d.takes & lock)) return;
        flag = true;
        out.tags.push_back(std::string("[") +
                           (before == after ? ""
                            : after         ? "+"
                                            : "-") +
                           name + "]");
    };
    add(model::lock::resize, "resize_lock", out.resize);
    add(model::lock::hugetlb, "hugetlb_lock", out.hugetlb);
    if (d.takes & model::lock::zone) {
        out.zone = true;
        out.tags.push_back("[zone->lock]");
    }
    return out;
}

// The locks an actor holds across steps in a state: "resize_lock", "hugetlb_lock".
std::vector<std::string> held_across(const HugetlbModel& m, const std::byte* s, std::uint32_t a) {
    std::vector<std::string> out;
    if (holds(m, s, a, model::lock::resize)) out.push_back("resize_lock");
    if (holds(m, s, a, model::lock::hugetlb)) out.push_back("hugetlb_lock");
    return out;
}

// A switch of actor before step k: preemptive when the previous actor could have gone on
// (count_preemptions' rule), else free because it is done or blocked on a lock.
struct Switch {
    enum Kind { none, preemption, blocked, done } kind = none;
    std::uint32_t from = 0;
    std::string at;    // preemption: where the preempted actor stands, "B2"
    std::string text;  // blocked: "blocked at R1: resize_lock held by C"
};

Switch switch_before(const HugetlbModel& m, HugetlbModel::Context& ctx, const Trace& t,
                     std::size_t k) {
    Switch sw;
    if (k == 0 || t.steps[k].transition.actor == t.steps[k - 1].transition.actor) return sw;
    const std::byte* s = t.steps[k].before.data();
    sw.from = t.steps[k - 1].transition.actor;
    bool enabled = false;
    auto note = [&](const std::byte*, const model::Transition&) { enabled = true; };
    m.actor_successors(ctx, s, sw.from, note);
    if (m.done(s, sw.from)) {
        sw.kind = Switch::done;
    } else if (enabled) {
        sw.kind = Switch::preemption;
        sw.at = std::string(model::step_name(m.next_step(s, sw.from)));
    } else {
        sw.kind = Switch::blocked;
        const std::uint8_t lock = m.blocked_on(s, sw.from);
        const std::string at = std::string(model::step_name(m.next_step(s, sw.from)));
        if (lock == 0) {
            sw.text = "cannot go on at " + at;
        } else {
            const char* name = lock == model::lock::hugetlb ? "hugetlb_lock" : "resize_lock";
            const std::uint64_t owner = m.read(
                s, lock == model::lock::hugetlb ? m.vars().hugetlb_lock : m.vars().resize_lock);
            sw.text = owner == model::encode_index(sw.from)
                          ? "blocked at " + at + ": takes " + name + ", which it holds"
                          : "blocked at " + at + ": " + name + " held by " +
                                m.actor_name(static_cast<std::uint32_t>(owner - 1));
        }
    }
    return sw;
}

std::vector<StepView> views_of(const HugetlbModel& m, const Trace& t) {
    HugetlbModel::Context ctx = m.make_context();
    std::vector<StepView> views;
    for (const TraceStep& step : t.steps)
        views.push_back(describe(m, ctx, step));
    return views;
}

}  // namespace

// ---- --format -----------------------------------------------------------------------------

TraceFormat parse_trace_format(const std::string& text) {
    static const std::pair<const char*, TraceFormat> kFormats[] = {
        {"table", TraceFormat::table}, {"lanes", TraceFormat::lanes}, {"json", TraceFormat::json},
        {"dot", TraceFormat::dot},     {"svg", TraceFormat::svg},     {"html", TraceFormat::html},
    };
    for (const auto& [name, format] : kFormats)
        if (text == name) return format;
    throw InputError("--format", 0, "",
                     "unknown format '" + text + "' (known: table, lanes, json, dot, svg, html)");
}

// ---- lanes --------------------------------------------------------------------------------

std::string render_lanes(const HugetlbModel& m, const Trace& t) {
    HugetlbModel::Context ctx = m.make_context();
    const std::vector<StepView> views = views_of(m, t);
    const std::uint32_t actors = m.actors();

    std::string out = headline(m, t) + "\n";
    out += "initial: " + globals_text(m, t.initial.data()) + "\n";
    std::vector<std::string> scripts;
    for (std::uint32_t a = 0; a < actors; ++a)
        scripts.push_back(actor_line(m, a));
    out += "actors: " + join(scripts, "; ") + "\n";

    // The lifeline of an actor that does not step: ┃ while it holds a lock across steps,
    // │ inside an operation, nothing between operations.
    bool used_mid = false, used_held = false, used_tag = false, used_cross = false;
    bool used_preempt = false, used_blocked = false;
    auto lifeline = [&](const std::byte* s, std::uint32_t a) -> std::string {
        if (!held_across(m, s, a).empty()) {
            used_held = true;
            return "┃";
        }
        if (!m.idle(s, a)) {
            used_mid = true;
            return "│";
        }
        return "";
    };

    struct Row {
        std::string num;
        std::vector<std::string> cells;
        std::string changes;
    };
    std::vector<Row> rows;
    Row head{"#", {}, "changes"};
    for (std::uint32_t a = 0; a < actors; ++a)
        head.cells.push_back(m.actor_name(a));
    rows.push_back(head);
    for (std::size_t k = 0; k < t.steps.size(); ++k) {
        const TraceStep& step = t.steps[k];
        const std::byte* before = step.before.data();
        const Switch sw = switch_before(m, ctx, t, k);
        if (sw.kind == Switch::preemption || sw.kind == Switch::blocked) {
            Row sep{"", {}, ""};
            for (std::uint32_t a = 0; a < actors; ++a)
                sep.cells.push_back(lifeline(before, a));
            if (sw.kind == Switch::preemption) {
                used_preempt = true;
                sep.cells[sw.from] =
                    "⇢ preempted at " + sw.at + " by " + m.actor_name(step.transition.actor);
            } else {
                used_blocked = true;
                sep.cells[sw.from] = "⋯ " + sw.text;
            }
            rows.push_back(sep);
        }
        Row row{std::to_string(k + 1), {}, changes_text(m, views[k])};
        const StepLocks locks = step_locks(m, step);
        for (const std::string& tag : locks.tags) {
            used_tag = true;
            used_cross = used_cross || tag[1] == '+' || tag[1] == '-';
        }
        for (std::uint32_t a = 0; a < actors; ++a) {
            if (a != step.transition.actor) {
                row.cells.push_back(lifeline(before, a));
                continue;
            }
            std::string cell = views[k].label + " " + views[k].function;
            for (const std::string& tag : locks.tags)
                cell += " " + tag;
            row.cells.push_back(cell);
        }
        rows.push_back(row);
    }

    std::size_t w_num = 2;
    std::vector<std::size_t> w(actors, 0);
    for (const Row& r : rows) {
        w_num = std::max(w_num, r.num.size() + (r.num == "#" ? 0 : 1));
        for (std::uint32_t a = 0; a < actors; ++a)
            w[a] = std::max(w[a], columns(r.cells[a]));
    }
    for (const Row& r : rows) {
        std::string line = std::string(w_num - r.num.size(), ' ') + r.num;
        for (std::uint32_t a = 0; a < actors; ++a)
            line += "  " + pad(r.cells[a], w[a]);
        line += "  " + r.changes;
        out += rtrim(line) + "\n";
    }

    std::vector<std::string> legend;
    if (used_tag) legend.push_back("[L] the step runs under lock L");
    if (used_cross) legend.push_back("[+L]/[-L] takes/releases L, held across steps");
    if (used_mid) legend.push_back("│ inside an operation");
    if (used_held) legend.push_back("┃ holds a lock across steps");
    if (used_preempt) legend.push_back("⇢ preempted: it could have gone on");
    if (used_blocked) legend.push_back("⋯ cannot go on");
    if (!legend.empty()) out += "legend: " + join(legend, "; ") + "\n";
    if (m.gigantic() && !t.steps.empty())
        out += "memory after step " + std::to_string(t.steps.size()) + ": " +
               m.memory_map(t.steps.back().after.data()) +
               "  (H head, F free head, t tail, c contig, a alloc_pages, - free, [ ] isolated)\n";
    out += t.violation + "\n";
    return out;
}

// ---- the message-sequence chart -----------------------------------------------------------

namespace {

// Graphviz attribute lists, already formatted ("shape=box, label=<...>").
struct DotVertex {
    std::string id, attrs;
};
struct DotEdge {
    std::string attrs;
};
using DotGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, DotVertex, DotEdge>;

constexpr const char* kHugetlbFill = "#ffe8cc";  // under hugetlb_lock
constexpr const char* kZoneFill = "#d3f9d8";     // under zone->lock
constexpr const char* kResizeFill = "#dbe4ff";   // under resize_lock only
constexpr const char* kResizeLine = "#3b5bdb";
constexpr const char* kHugetlbLine = "#e8590c";
constexpr const char* kRed = "#c92a2a";

// One left-aligned line of an HTML-like label.
std::string label_line(const std::string& html) {
    return "<TR><TD ALIGN=\"LEFT\" BALIGN=\"LEFT\">" + html + "</TD></TR>";
}
std::string label_table(const std::vector<std::string>& lines) {
    return "<<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"1\">" +
           join(lines, "") + "</TABLE>>";
}
std::string small(const std::string& html, const char* colour = "#495057") {
    return std::string("<FONT POINT-SIZE=\"8\" COLOR=\"") + colour + "\">" + html + "</FONT>";
}
// Wrapped text as one label cell: lines joined by left-aligned breaks.
std::string wrapped(const std::string& text, std::size_t width) {
    std::vector<std::string> lines;
    for (const std::string& l : wrap(text, width))
        lines.push_back(escape_html(l));
    return join(lines, "<BR ALIGN=\"LEFT\"/>");
}

std::string step_label(const HugetlbModel& m, const Trace& t, const std::vector<StepView>& views,
                       std::size_t k, const StepLocks& locks) {
    const StepView& v = views[k];
    std::vector<std::string> lines;
    lines.push_back(label_line("<B>" + std::to_string(k + 1) + "  " + escape_html(v.label) +
                               "</B>  " + escape_html(v.function)));
    std::string where = escape_html(v.source);
    if (!locks.tags.empty()) where += "  " + escape_html(join(locks.tags, " "));
    lines.push_back(label_line(small(where)));
    for (const std::string& c : change_entries(m, v))
        if (!c.starts_with("pfn[") && !c.starts_with("isolated[")) {
            lines.push_back(label_line(wrapped(c, 52)));
        }
    const TraceStep& step = t.steps[k];
    if (m.gigantic() && m.memory_map(step.before.data()) != m.memory_map(step.after.data()))
        lines.push_back(label_line("<FONT FACE=\"Courier\">memory " +
                                   escape_html(m.memory_map(step.after.data())) + "</FONT>"));
    for (const std::string& note : v.notes)
        lines.push_back(label_line("<I>" + wrapped(note, 56) + "</I>"));
    lines.push_back(label_line(small("→ " + escape_html(v.control), "#212529")));
    return label_table(lines);
}

}  // namespace

std::string render_msc_dot(const HugetlbModel& m, const Trace& t) {
    HugetlbModel::Context ctx = m.make_context();
    const std::vector<StepView> views = views_of(m, t);
    const std::uint32_t actors = m.actors();
    const std::size_t n = t.steps.size();
    const properties::Property& p = properties::kProperties[t.property];

    DotGraph g;
    auto vertex = [&](std::string id, std::string attrs) {
        return boost::add_vertex(DotVertex{std::move(id), std::move(attrs)}, g);
    };
    auto edge = [&](std::size_t from, std::size_t to, std::string attrs) {
        boost::add_edge(from, to, DotEdge{std::move(attrs)}, g);
    };

    // The header: what ran, the initial counters, and the colours' key.
    std::vector<std::string> head;
    head.push_back(label_line("<FONT POINT-SIZE=\"13\"><B>" + escape_html(std::string(p.id)) + " " +
                              escape_html(std::string(p.name)) + " violated</B></FONT>"));
    head.push_back(
        label_line(escape_html("scenario " + m.scenario().name + ", variant " + m.variant().name() +
                               ", " + plural(n, "step", "steps") + ", " +
                               plural(count_preemptions(m, t), "preemption", "preemptions"))));
    if (m.scenario().has_bug)
        head.push_back(
            label_line(small(wrapped(m.scenario().bug.id + ": " + m.scenario().bug.title, 90))));
    head.push_back(label_line(small(wrapped("initial: " + globals_text(m, t.initial.data()), 90))));
    std::string key =
        "<TABLE BORDER=\"0\" CELLSPACING=\"2\" CELLPADDING=\"2\"><TR>"
        "<TD BGCOLOR=\"" +
        std::string(kHugetlbFill) + "\">" + small("hugetlb_lock") + "</TD><TD BGCOLOR=\"" +
        kResizeFill + "\">" + small("resize_lock") + "</TD><TD BGCOLOR=\"" + kZoneFill + "\">" +
        small("zone-&gt;lock") + "</TD><TD BORDER=\"1\">" + small("no lock") + "</TD><TD>" +
        small("┃ lock held across steps   - - → switch of actor", "#495057") + "</TD></TR></TABLE>";
    head.push_back("<TR><TD ALIGN=\"LEFT\">" + key + "</TD></TR>");
    const std::size_t header =
        vertex("header",
               "shape=box, style=\"rounded\", color=\"#adb5bd\", margin=\"0.15,0.08\", "
               "label=" +
                   label_table(head));

    // ids[a][r]: actor a's node at row r; row 0 its head, rows 1..n the steps, n + 1 its end.
    std::vector<std::vector<std::size_t>> ids(actors, std::vector<std::size_t>(n + 2));
    std::vector<std::size_t> step_node(n);
    for (std::uint32_t a = 0; a < actors; ++a) {
        std::string label = "<B>" + escape_html(m.actor_name(a)) + "</B>";
        if (m.nodes() > 1)
            label += "  " + small("node " + std::to_string(m.scenario().actors[a].home), "#dee2e6");
        label += "<BR/>" + small(escape_html(actor_script(m, a)), "#f1f3f5");
        ids[a][0] = vertex("actor" + std::to_string(a),
                           "shape=box, style=\"filled,rounded\", fillcolor=\"#343a40\", "
                           "fontcolor=\"white\", color=\"#343a40\", label=<" +
                               label + ">");
        edge(header, ids[a][0], "style=invis");
    }
    for (std::size_t k = 0; k < n; ++k) {
        const TraceStep& step = t.steps[k];
        const StepLocks locks = step_locks(m, step);
        const char* fill = locks.hugetlb  ? kHugetlbFill
                           : locks.zone   ? kZoneFill
                           : locks.resize ? kResizeFill
                                          : "white";
        std::string attrs = "shape=box, style=\"rounded,filled\", fillcolor=\"" +
                            std::string(fill) + "\", margin=\"0.1,0.04\", ";
        attrs += locks.resize ? "color=\"" + std::string(kResizeLine) + "\", penwidth=2.5, "
                              : "color=\"#495057\", ";
        attrs += "label=" + step_label(m, t, views, k, locks);
        step_node[k] = vertex("step" + std::to_string(k + 1), attrs);
        for (std::uint32_t a = 0; a < actors; ++a)
            ids[a][k + 1] = a == step.transition.actor
                                ? step_node[k]
                                : vertex("a" + std::to_string(a) + "_" + std::to_string(k + 1),
                                         "shape=point, width=0.04, height=0.04, color=\"#868e96\"");
    }
    // Each actor's end: where it stands when the property breaks.
    const std::byte* last = n ? t.steps.back().after.data() : t.initial.data();
    for (std::uint32_t a = 0; a < actors; ++a) {
        const model::ActorSlots& as = m.vars().actor[a];
        const auto& script = m.scenario().actors[a].script;
        std::vector<std::string> lines;
        std::string wait;
        if (m.done(last, a)) {
            lines.push_back(label_line(escape_html(m.actor_name(a) + " done")));
        } else if (m.idle(last, a)) {
            lines.push_back(
                label_line(escape_html(m.actor_name(a) + " idle, next: " +
                                       model::format_operation(script[m.read(last, as.op)]))));
        } else {
            const model::Step at = m.next_step(last, a);
            const std::string where = std::string(model::step_name(at)) + " (" +
                                      std::string(m.step_def(at).function) + ")";
            lines.push_back(label_line(escape_html(m.actor_name(a) + " at " + where)));
            // wait_text: "A at V5 (free_huge_page) waits for ..."; the place is said above.
            wait = m.wait_text(last, a);
            const std::string prefix = m.actor_name(a) + " at " + where + " ";
            if (wait.starts_with(prefix)) wait = wait.substr(prefix.size());
        }
        const std::vector<std::string> held = held_across(m, last, a);
        if (!held.empty()) lines.push_back(label_line(small("holds " + join(held, ", "))));
        if (!wait.empty()) lines.push_back(label_line(small(wrapped(wait, 40), kRed)));
        ids[a][n + 1] = vertex("end" + std::to_string(a),
                               "shape=box, style=\"rounded,dashed\", color=\"#868e96\", "
                               "fontsize=9, label=" +
                                   label_table(lines));
    }

    // Lifelines: solid inside an operation, thick in the lock's colour while a lock is held
    // across steps, dotted between operations.
    for (std::uint32_t a = 0; a < actors; ++a) {
        for (std::size_t r = 0; r <= n; ++r) {
            const std::byte* s = r == 0 ? t.initial.data() : t.steps[r - 1].after.data();
            std::string style;
            if (holds(m, s, a, model::lock::resize))
                style = "color=\"" + std::string(kResizeLine) + "\", penwidth=4";
            else if (holds(m, s, a, model::lock::hugetlb))
                style = "color=\"" + std::string(kHugetlbLine) + "\", penwidth=4";
            else if (!m.idle(s, a))
                style = "color=\"#343a40\", penwidth=1.5";
            else
                style = "style=dotted, color=\"#adb5bd\"";
            edge(ids[a][r], ids[a][r + 1], "arrowhead=none, weight=100, " + style);
        }
    }
    // Keeps the lanes in actor order: invisible edges along every row.
    for (std::size_t r = 0; r <= n + 1; ++r)
        for (std::uint32_t a = 0; a + 1 < actors; ++a)
            edge(ids[a][r], ids[a + 1][r], "style=invis");
    // Switches of actor.
    for (std::size_t k = 1; k < n; ++k) {
        const Switch sw = switch_before(m, ctx, t, k);
        if (sw.kind == Switch::none) continue;
        std::string attrs = "style=dashed, constraint=false, arrowsize=0.7, fontsize=8, ";
        if (sw.kind == Switch::preemption)
            attrs += "color=\"" + std::string(kRed) + "\", fontcolor=\"" + kRed +
                     "\", label=\"preemption\", tooltip=" +
                     dot_quote(m.actor_name(t.steps[k].transition.actor) + " preempts " +
                               m.actor_name(sw.from) + " at " + sw.at);
        else if (sw.kind == Switch::blocked)
            attrs += "color=\"#868e96\", fontcolor=\"#868e96\", label=" +
                     dot_quote(m.actor_name(sw.from) + " blocked") +
                     ", tooltip=" + dot_quote(sw.text);
        else
            attrs += "color=\"#868e96\", fontcolor=\"#868e96\", label=" +
                     dot_quote(m.actor_name(sw.from) + " done");
        edge(step_node[k - 1], step_node[k], attrs);
    }

    // The broken property, under everything.
    std::vector<std::string> verdict;
    verdict.push_back(label_line("<FONT COLOR=\"" + std::string(kRed) + "\"><B>✗ " +
                                 escape_html(std::string(p.id) + " " + std::string(p.name)) +
                                 " violated</B></FONT>"));
    verdict.push_back(label_line(wrapped(t.violation, 70)));
    verdict.push_back(label_line(small(wrapped(std::string(p.statement), 80))));
    const std::size_t violation =
        vertex("violation",
               "shape=box, style=\"filled,bold\", fillcolor=\"#fff5f5\", "
               "color=\"" +
                   std::string(kRed) + "\", label=" + label_table(verdict));
    // From the end of the lifeline that took the last step; the others only keep it below.
    for (std::uint32_t a = 0; a < actors; ++a)
        edge(ids[a][n + 1], violation,
             n > 0 && a == t.steps.back().transition.actor
                 ? "color=\"" + std::string(kRed) + "\", penwidth=1.5"
                 : std::string("style=invis"));

    auto graph_writer = [&](std::ostream& os) {
        os << "graph [fontname=\"Helvetica\", nodesep=0.3, ranksep=0.22, bgcolor=\"white\"];\n";
        os << "node [fontname=\"Helvetica\", fontsize=10];\n";
        os << "edge [fontname=\"Helvetica\"];\n";
        for (std::size_t r = 0; r <= n + 1; ++r) {
            os << "{rank=same;";
            for (std::uint32_t a = 0; a < actors; ++a)
                os << " " << g[ids[a][r]].id << ";";
            os << "}\n";
        }
    };
    auto vertex_writer = [&](std::ostream& os, std::size_t v) {
        if (!g[v].attrs.empty()) os << " [" << g[v].attrs << "]";
    };
    auto edge_writer = [&](std::ostream& os, const DotGraph::edge_descriptor& e) {
        if (!g[e].attrs.empty()) os << "[" << g[e].attrs << "]";
    };
    std::ostringstream os;
    boost::write_graphviz(os, g, vertex_writer, edge_writer, graph_writer,
                          boost::get(&DotVertex::id, g));
    return os.str();
}

// ---- SVG through Graphviz -----------------------------------------------------------------

bool dot_available() {
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= dirs.size()) {
        std::size_t end = dirs.find(':', start);
        if (end == std::string::npos) end = dirs.size();
        std::string dir = dirs.substr(start, end - start);
        if (dir.empty()) dir = ".";
        const std::string file = dir + "/dot";
        struct stat st {};
        if (::stat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
            ::access(file.c_str(), X_OK) == 0)
            return true;
        start = end + 1;
    }
    return false;
}

namespace {

// A temporary file removed when it goes out of scope.
struct TempFile {
    std::string path;
    int fd = -1;
    TempFile() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "hugecheck-XXXXXX").string();
        fd = ::mkstemp(pattern.data());
        if (fd < 0) throw std::runtime_error("cannot create a temporary file: " + pattern);
        path = pattern;
    }
    ~TempFile() {
        if (fd >= 0) ::close(fd);
        ::unlink(path.c_str());
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
};

// `dot -Tsvg FILE` without a shell: the chart's source goes through a file, the SVG comes
// back on a pipe, dot's complaints into a second file for the message.
std::string run_dot(const std::string& source) {
    TempFile in, err;
    for (std::size_t done = 0; done < source.size();) {
        const ssize_t w = ::write(in.fd, source.data() + done, source.size() - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) throw std::runtime_error("cannot write " + in.path);
        done += static_cast<std::size_t>(w);
    }
    int pipe_fd[2];
    if (::pipe(pipe_fd) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, pipe_fd[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err.fd, 2);
    posix_spawn_file_actions_addclose(&actions, pipe_fd[0]);
    posix_spawn_file_actions_addclose(&actions, pipe_fd[1]);
    std::string arg0 = "dot", arg1 = "-Tsvg", arg2 = in.path;
    char* argv[] = {arg0.data(), arg1.data(), arg2.data(), nullptr};
    pid_t pid = 0;
    const int rc = ::posix_spawnp(&pid, "dot", &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fd[1]);
    if (rc != 0) {
        ::close(pipe_fd[0]);
        throw std::runtime_error(std::string("cannot run dot: ") + std::strerror(rc));
    }
    std::string svg;
    char buffer[65536];
    for (;;) {
        const ssize_t r = ::read(pipe_fd[0], buffer, sizeof buffer);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        svg.append(buffer, static_cast<std::size_t>(r));
    }
    ::close(pipe_fd[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::ifstream e(err.path);
        std::string message((std::istreambuf_iterator<char>(e)), std::istreambuf_iterator<char>());
        throw std::runtime_error("dot -Tsvg failed: " + rtrim(message));
    }
    return svg;
}

// The <svg ...> element of a document, without the XML declaration, doctype and comments
// in front of it.
std::string svg_element(const std::string& doc) {
    const auto at = doc.find("<svg");
    return at == std::string::npos ? doc : doc.substr(at);
}

// Several charts in one document or page: element ids get a prefix each, so that they stay
// unique.
std::string prefix_ids(std::string svg, const std::string& prefix) {
    for (const std::string& from :
         {std::string("id=\""), std::string("url(#"), std::string("href=\"#")}) {
        const std::string to = from + prefix;
        for (std::size_t at = svg.find(from); at != std::string::npos;
             at = svg.find(from, at + to.size()))
            svg.replace(at, from.size(), to);
    }
    return svg;
}

std::string attribute(const std::string& tag, const std::string& name) {
    const std::string key = " " + name + "=\"";
    const auto at = tag.find(key);
    if (at == std::string::npos) return "";
    const auto end = tag.find('"', at + key.size());
    return tag.substr(at + key.size(), end - at - key.size());
}

std::string remove_attribute(std::string tag, const std::string& name) {
    const std::string key = " " + name + "=\"";
    const auto at = tag.find(key);
    if (at == std::string::npos) return tag;
    const auto end = tag.find('"', at + key.size());
    return tag.erase(at, end + 1 - at);
}

std::string number(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", v);
    return text;
}

// The charts of several traces one below the other, as nested <svg> elements in user
// units of points (dot's viewBox), so that each keeps its own coordinates.
std::string stack_svgs(const std::vector<std::string>& docs) {
    constexpr double kGap = 24;
    std::string body;
    double width = 0, y = 0;
    for (std::size_t k = 0; k < docs.size(); ++k) {
        const std::string svg = prefix_ids(svg_element(docs[k]), "t" + std::to_string(k + 1) + "_");
        const auto close = svg.find('>');
        std::string tag = svg.substr(0, close);
        double w = std::atof(attribute(tag, "width").c_str());
        double h = std::atof(attribute(tag, "height").c_str());
        std::istringstream box(attribute(tag, "viewBox"));
        double bx = 0, by = 0, bw = 0, bh = 0;
        if (box >> bx >> by >> bw >> bh) {
            w = bw;
            h = bh;
        }
        tag = remove_attribute(remove_attribute(tag, "width"), "height");
        tag.insert(4, " x=\"0\" y=\"" + number(y) + "\" width=\"" + number(w) + "\" height=\"" +
                          number(h) + "\"");
        body += tag + svg.substr(close) + "\n";
        width = std::max(width, w);
        y += h + kGap;
    }
    const double height = docs.empty() ? 0 : y - kGap;
    return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
           "<svg xmlns=\"http://www.w3.org/2000/svg\" "
           "xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"" +
           number(width) + "pt\" height=\"" + number(height) + "pt\" viewBox=\"0 0 " +
           number(width) + " " + number(height) + "\">\n" + body + "</svg>\n";
}

// A chart for an HTML page: no XML prolog, ids unique on the page, and its size in CSS
// pixels (HTML wants plain numbers; dot writes points).
std::string inline_svg(const std::string& doc, const std::string& prefix) {
    std::string svg = prefix_ids(svg_element(doc), prefix);
    const auto close = svg.find('>');
    std::string tag = svg.substr(0, close);
    std::string size;
    for (const char* name : {"width", "height"}) {
        const std::string value = attribute(tag, name);
        if (value.empty()) continue;
        const double v = std::atof(value.c_str()) * (value.ends_with("pt") ? 4.0 / 3.0 : 1.0);
        tag = remove_attribute(tag, name);
        size += " " + std::string(name) + "=\"" + std::to_string(static_cast<long>(std::ceil(v))) +
                "\"";
    }
    return tag.insert(4, size) + svg.substr(close);
}

void require_dot() {
    if (!dot_available())
        throw InputError("--format", 0, "",
                         "svg needs Graphviz's dot on PATH (Debian: graphviz); --format dot "
                         "writes the chart's source");
}

}  // namespace

std::string render_svg(const HugetlbModel& m, const Trace& t) {
    require_dot();
    return run_dot(render_msc_dot(m, t));
}

// ---- HTML ---------------------------------------------------------------------------------

namespace {

// A column of the page's step table: a state variable, or the memory map.
struct VarColumn {
    std::string group;
    Slot slot = 0;
    bool memory = false;
};

std::vector<VarColumn> var_columns(const HugetlbModel& m, const Trace& t) {
    const model::Vars& v = m.vars();
    auto present = [&](Slot s) { return m.layout().field(s).width > 0; };
    auto changes = [&](Slot s) {
        for (const TraceStep& step : t.steps)
            if (m.read(step.before.data(), s) != m.read(step.after.data(), s)) return true;
        return false;
    };
    std::vector<VarColumn> out;
    for (Slot s : {v.max_huge_pages, v.nr_overcommit_huge_pages, v.nr_huge_pages, v.free_huge_pages,
                   v.resv_huge_pages, v.surplus_huge_pages, v.next_nid_to_alloc, v.next_nid_to_free,
                   v.unused_nid})
        if (present(s)) out.push_back({"hstate", s, false});
    for (std::uint32_t n = 0; n < m.nodes(); ++n)
        for (const std::vector<Slot>* arr :
             {&v.nr_huge_pages_node, &v.free_huge_pages_node, &v.surplus_huge_pages_node, &v.buddy})
            if (present((*arr)[n])) out.push_back({"node " + std::to_string(n), (*arr)[n], false});
    for (Slot s : {v.table_data, v.overcommit_table_data, v.hugetlb_lock, v.resize_lock})
        if (present(s)) out.push_back({"ctl_table, locks", s, false});
    if (m.gigantic()) out.push_back({"pfns", 0, true});
    for (std::uint32_t a = 0; a < m.actors(); ++a) {
        const model::ActorSlots& as = v.actor[a];
        out.push_back({m.actor_name(a), as.pc, false});
        for (Slot s : {as.tmp, as.count, as.page_node, as.min_count, as.ret, as.owned, as.page_list,
                       as.gigantic_pfn, as.gigantic_tries, as.normal_page})
            if (present(s) && changes(s)) out.push_back({m.actor_name(a), s, false});
    }
    return out;
}

const char* kPalette[] = {"#1971c2", "#2f9e44", "#9c36b5", "#e8590c",
                          "#0c8599", "#c2255c", "#5c940d", "#6741d9"};

std::string actor_badge(const HugetlbModel& m, std::uint32_t a) {
    return "<span class=\"actor\" style=\"background:" +
           std::string(kPalette[a % (sizeof kPalette / sizeof kPalette[0])]) + "\">" +
           escape_html(m.actor_name(a)) + "</span>";
}

const char* kCss = R"(
:root { --ink:#212529; --muted:#495057; --line:#dee2e6; --chg:#fff3bf; --bad:#c92a2a; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
       color: var(--ink); margin: 0 auto; padding: 1.2em 2em 3em; max-width: 100%; }
h1 { font-size: 1.45em; margin: 0 0 .3em; }
h2 { font-size: 1.25em; margin: 0 0 .3em; }
code, pre, .mono, td.v, td.src { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background: #f8f9fa; border: 1px solid var(--line); padding: .6em .8em; overflow-x: auto; }
.muted { color: var(--muted); }
nav ul { margin: .3em 0; padding-left: 1.2em; }
section.trace { border-top: 3px solid var(--ink); margin-top: 2em; padding-top: .8em; }
.violation { border-left: 6px solid var(--bad); background: #fff5f5; padding: .55em .9em;
             margin: .6em 0; font-weight: 600; color: #862e2e; }
.violation .id { color: var(--bad); }
table.facts { border-collapse: collapse; margin: .4em 0 1em; }
table.facts th { text-align: left; font-weight: normal; color: var(--muted); padding: 1px 1.2em 1px 0; }
table.facts td { padding: 1px 0; }
.tablewrap { overflow-x: auto; max-width: 100%; border: 1px solid var(--line); }
table.steps { border-collapse: collapse; font-size: 13px; }
table.steps th, table.steps td { border: 1px solid var(--line); padding: 2px 6px; vertical-align: top; }
table.steps thead th { background: #f1f3f5; position: sticky; top: 0; z-index: 1; }
table.steps th.group { text-align: center; font-weight: 600; }
table.steps th.var { vertical-align: bottom; padding: 4px 2px; }
table.steps th.var div { -webkit-writing-mode: vertical-rl; writing-mode: vertical-rl;
                         -webkit-transform: rotate(180deg); transform: rotate(180deg); white-space: nowrap;
                         font: 12px ui-monospace, "DejaVu Sans Mono", Menlo, monospace; }
td.v { text-align: center; white-space: nowrap; }
td.v.chg { background: var(--chg); font-weight: 700; outline: 1px solid #f0c000; }
td.num { text-align: right; font-weight: 600; }
td.what { min-width: 22em; max-width: 40em; }
tr.initial td { background: #f8f9fa; }
tr.broke td { border-bottom: 2px solid var(--bad); }
tr.broke td.num { background: var(--bad); color: white; }
tr.verdict td { background: #fff5f5; color: #862e2e; font-weight: 600; border-top: 2px solid var(--bad); }
.actor { display: inline-block; color: white; border-radius: 3px; padding: 0 .45em; font-weight: 700; }
.lock { display: inline-block; border-radius: 3px; padding: 0 .3em; margin-left: .25em; font-size: 11px;
        font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; background: #ffe8cc; color: #873800; }
.lock.resize { background: #dbe4ff; color: #1c3a9c; }
.lock.zone { background: #d3f9d8; color: #1b5e20; }
.switch { display: block; font-size: 11px; margin-top: 2px; white-space: nowrap; }
td.step { white-space: nowrap; }
td.step .fn { display: block; font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size: 12.5px; }
td.step .src { display: block; color: var(--muted); font-size: 11px; }
.switch.preempt { color: var(--bad); font-weight: 600; }
.switch.free { color: var(--muted); }
.next { color: var(--muted); }
figure.chart { margin: 1em 0; overflow-x: auto; border: 1px solid var(--line); padding: .5em; }
figure.chart svg { max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 12px; }
details { margin: .6em 0; }
summary { cursor: pointer; color: var(--muted); }
.legend span { margin-right: 1.2em; }
)";

std::string where_text(const Trace& t) {
    const std::string last = std::to_string(t.steps.size());
    switch (t.where) {
        case explorer::Where::state:
            return t.steps.empty() ? "in the initial state" : "in the state after step " + last;
        case explorer::Where::transition: return "by step " + last;
        case explorer::Where::deadend: return "after step " + last + ": no actor can take a step";
    }
    return "";
}

std::string html_trace(const HugetlbModel& m, const Trace& t, std::size_t index, bool dot) {
    HugetlbModel::Context ctx = m.make_context();
    const properties::Property& p = properties::kProperties[t.property];
    const std::vector<StepView> views = views_of(m, t);
    const std::size_t n = t.steps.size();
    const std::string anchor = "trace" + std::to_string(index + 1);
    std::string out = "<section class=\"trace\" id=\"" + anchor + "\">\n";
    out += "<h2>" + escape_html(std::string(p.id) + " " + std::string(p.name)) +
           " <span style=\"color:var(--bad)\">violated</span></h2>\n";
    out += "<p class=\"muted\">" + escape_html(std::string(p.statement)) + "</p>\n";
    out += "<div class=\"violation\"><span class=\"id\">✗ " + escape_html(std::string(p.id)) +
           "</span> " + escape_html(t.violation) + "</div>\n";
    auto fact = [&](const std::string& name, const std::string& html) {
        out += "<tr><th>" + name + "</th><td>" + html + "</td></tr>";
    };
    out += "<table class=\"facts\">";
    fact("kind", escape_html(std::string(properties::kind_name(p.kind))));
    fact("broken", escape_html(where_text(t)));
    fact("length",
         plural(n, "step", "steps") + " (shortest for " + escape_html(std::string(p.id)) + ")");
    fact("preemptions", std::to_string(count_preemptions(m, t)));
    std::string actors_html;
    for (std::uint32_t a = 0; a < m.actors(); ++a)
        actors_html += (a ? " &nbsp; " : "") + actor_badge(m, a) + " <code>" +
                       escape_html(actor_script(m, a)) + "</code>" +
                       (m.nodes() > 1 ? " <span class=\"muted\">node " +
                                            std::to_string(m.scenario().actors[a].home) + "</span>"
                                      : "");
    fact("actors", actors_html);
    out += "</table>\n";

    // The steps, and every variable after each of them.
    const std::vector<VarColumn> cols = var_columns(m, t);
    auto value = [&](const std::byte* s, const VarColumn& c) {
        return c.memory ? m.memory_map(s) : m.format_value(c.slot, m.read(s, c.slot));
    };
    auto name = [&](const VarColumn& c) {
        return c.memory ? std::string("memory") : m.slot_name(c.slot);
    };
    out += "<div class=\"tablewrap\"><table class=\"steps\">\n<thead>\n<tr><th colspan=\"3\"></th>";
    for (std::size_t c = 0; c < cols.size();) {
        std::size_t span = 1;
        while (c + span < cols.size() && cols[c + span].group == cols[c].group)
            ++span;
        out += "<th class=\"group\" colspan=\"" + std::to_string(span) + "\">" +
               escape_html(cols[c].group) + "</th>";
        c += span;
    }
    out += "<th></th></tr>\n<tr><th>#</th><th>actor</th><th>step, kernel function, source</th>";
    for (const VarColumn& c : cols)
        out += "<th class=\"var\" title=\"" + escape_html(name(c)) + "\"><div>" +
               escape_html(name(c)) + "</div></th>";
    out += "<th>what the code did</th></tr>\n</thead>\n<tbody>\n";
    const bool initial_broke = n == 0;
    out += std::string("<tr class=\"initial") + (initial_broke ? " broke" : "") +
           "\"><td class=\"num\">0</td><td colspan=\"2\" class=\"muted\">initial state</td>";
    for (const VarColumn& c : cols)
        out += "<td class=\"v\">" + escape_html(value(t.initial.data(), c)) + "</td>";
    out += "<td></td></tr>\n";
    for (std::size_t k = 0; k < n; ++k) {
        const TraceStep& step = t.steps[k];
        const StepView& v = views[k];
        const bool broke = k + 1 == n;
        out += std::string("<tr") + (broke ? " class=\"broke\"" : "") + " id=\"" + anchor + "-" +
               std::to_string(k + 1) + "\"><td class=\"num\">" + std::to_string(k + 1) +
               (broke ? " ✗" : "") + "</td><td>" + actor_badge(m, step.transition.actor);
        const Switch sw = switch_before(m, ctx, t, k);
        if (sw.kind == Switch::preemption)
            out += "<span class=\"switch preempt\" title=\"" +
                   escape_html(m.actor_name(sw.from) + " could have gone on at " + sw.at) +
                   "\">⇢ preempts " + escape_html(m.actor_name(sw.from)) + "</span>";
        else if (sw.kind == Switch::blocked)
            out += "<span class=\"switch free\">" +
                   escape_html(m.actor_name(sw.from) + " " + sw.text) + "</span>";
        out += "</td><td class=\"step\"><b>" + escape_html(v.label) + "</b>";
        for (const std::string& tag : step_locks(m, step).tags) {
            const char* kind = tag.find("resize") != std::string::npos ? " resize"
                               : tag.find("zone") != std::string::npos ? " zone"
                                                                       : "";
            out += "<span class=\"lock" + std::string(kind) + "\">" + escape_html(tag) + "</span>";
        }
        out += "<span class=\"fn\">" + escape_html(v.function) + "</span><span class=\"src\">" +
               escape_html(v.source) + "</span></td>";
        for (const VarColumn& c : cols) {
            const std::string before = value(step.before.data(), c);
            const std::string after = value(step.after.data(), c);
            if (before != after)
                out += "<td class=\"v chg\" title=\"" +
                       escape_html(name(c) + ": " + before + " → " + after) + "\">" +
                       escape_html(after) + "</td>";
            else
                out += "<td class=\"v\">" + escape_html(after) + "</td>";
        }
        out += "<td class=\"what\">";
        for (const std::string& note : v.notes)
            out += escape_html(note) + "<br>";
        out += "<span class=\"next\">→ " + escape_html(v.control) + "</span></td></tr>\n";
    }
    out += "<tr class=\"verdict\"><td colspan=\"" + std::to_string(4 + cols.size()) + "\">✗ " +
           escape_html(std::string(p.id) + " broken " + where_text(t) + ": " + t.violation) +
           "</td></tr>\n";
    out += "</tbody>\n</table></div>\n";
    out +=
        "<p class=\"legend muted\"><span><span class=\"lock\">[L]</span> runs under lock L</span>"
        "<span><span class=\"lock\">[+L]</span>/<span class=\"lock\">[-L]</span> takes/releases "
        "L, held across steps</span><span style=\"background:var(--chg);font-weight:700\">"
        "&nbsp;1&nbsp;</span> changed by the step (hover: old → new)</p>\n";

    out += "<figure class=\"chart\">";
    if (dot) {
        out += inline_svg(run_dot(render_msc_dot(m, t)), anchor + "_");
        out +=
            "<figcaption>Message-sequence chart: one lifeline per actor, time going down; "
            "orange: under hugetlb_lock, blue: resize_lock, green: zone-&gt;lock; dashed "
            "arrows: switches of actor.</figcaption>";
    } else {
        out +=
            "<figcaption>The message-sequence chart needs Graphviz's <code>dot</code> on "
            "PATH (Debian: graphviz); <code>--format dot</code> writes its source.</figcaption>";
    }
    out += "</figure>\n";
    out += "<details><summary>as text (lanes)</summary><pre>" + escape_html(render_lanes(m, t)) +
           "</pre></details>\n";
    out += "<details><summary>as text (table)</summary><pre>" + escape_html(render_table(m, t)) +
           "</pre></details>\n";
    return out + "</section>\n";
}

}  // namespace

std::string render_html(const HugetlbModel& m, const std::vector<Trace>& traces,
                        const std::string& run_summary) {
    const model::Scenario& sc = m.scenario();
    const bool dot = dot_available();
    std::string title = "hugecheck: scenario " + sc.name + ", variant " + m.variant().name();
    std::string out =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>" +
        escape_html(title) + "</title>\n<style>" + kCss + "</style>\n</head>\n<body>\n";
    out += "<header>\n<h1>" + escape_html(title) + "</h1>\n";
    if (!sc.description.empty()) out += "<p>" + escape_html(sc.description) + "</p>\n";
    if (sc.has_bug) {
        out += "<p><b>" + escape_html(sc.bug.id) + "</b> " + escape_html(sc.bug.title);
        if (!sc.bug.cve.empty()) out += " (" + escape_html(sc.bug.cve) + ")";
        out += "<br><span class=\"muted\">fix: " + escape_html(sc.bug.fix) + "; present in " +
               escape_html(join(sc.bug.present, ", ")) + "</span></p>\n";
    }
    out += "<p class=\"muted\">" +
           escape_html(m.variant().name() + ": " + m.variant().description()) +
           "<br>scenario file: <code>" + escape_html(sc.source) + "</code></p>\n";
    if (!run_summary.empty()) out += "<pre>" + escape_html(rtrim(run_summary)) + "</pre>\n";
    if (traces.empty()) {
        out += "<p>No counterexample: every selected property holds.</p>\n";
    } else {
        out += "<nav><b>" + plural(traces.size(), "violated property", "violated properties") +
               "</b><ul>\n";
        for (std::size_t k = 0; k < traces.size(); ++k) {
            const properties::Property& p = properties::kProperties[traces[k].property];
            out += "<li><a href=\"#trace" + std::to_string(k + 1) + "\">" +
                   escape_html(std::string(p.id) + " " + std::string(p.name)) + "</a> — " +
                   plural(traces[k].steps.size(), "step", "steps") + ": " +
                   escape_html(traces[k].violation) + "</li>\n";
        }
        out += "</ul></nav>\n";
    }
    out += "</header>\n";
    for (std::size_t k = 0; k < traces.size(); ++k)
        out += html_trace(m, traces[k], k, dot);
    out += "</body>\n</html>\n";
    return out;
}

// ---- a run's document ---------------------------------------------------------------------

std::string render_traces(const HugetlbModel& m, const std::vector<Trace>& traces,
                          TraceFormat format, const std::string& run_summary) {
    std::string out;
    switch (format) {
        case TraceFormat::table:
            for (const Trace& t : traces)
                out += render_table(m, t) + "\n";
            return out;
        case TraceFormat::lanes:
            for (const Trace& t : traces)
                out += render_lanes(m, t) + "\n";
            return out;
        case TraceFormat::json: return traces_json(m, traces).dump(2) + "\n";
        case TraceFormat::dot:
            for (const Trace& t : traces)
                out += render_msc_dot(m, t);
            return out;
        case TraceFormat::svg: {
            require_dot();
            std::vector<std::string> docs;
            for (const Trace& t : traces)
                docs.push_back(render_svg(m, t));
            return docs.size() == 1 ? docs.front() : stack_svgs(docs);
        }
        case TraceFormat::html: return render_html(m, traces, run_summary);
    }
    return out;
}

}  // namespace hugecheck::counterexamples
