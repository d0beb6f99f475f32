#include "peers/common.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <numeric>

#include "model/hugetlb_model.hpp"

namespace hugecheck::peers {

using model::OpKind;
using model::Step;

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool is_identifier(std::string_view s) {
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
}

// The widest of some fields of hugecheck's layout, as the range of values it holds.
Range range_of(const model::PackedLayout& layout, const std::vector<model::Slot>& slots) {
    Range r;
    bool is_signed = false;
    for (model::Slot s : slots) {
        r.bits = std::max<unsigned>(r.bits, layout.field(s).width);
        is_signed = is_signed || layout.field(s).is_signed;
    }
    if (r.bits == 0) return r;
    if (is_signed) {
        r.lo = -(std::int64_t{1} << (r.bits - 1));
        r.hi = (std::int64_t{1} << (r.bits - 1)) - 1;
    } else {
        r.hi = (std::int64_t{1} << r.bits) - 1;
    }
    return r;
}

}  // namespace

bool PeerActor::has(model::OpKind kind) const {
    return !ops_of(kind).empty();
}

std::vector<std::uint32_t> PeerActor::ops_of(model::OpKind kind) const {
    std::vector<std::uint32_t> out;
    for (std::uint32_t i = 0; i < actor->script.size(); ++i)
        if (actor->script[i].kind == kind) out.push_back(i);
    return out;
}

std::string PeerActor::describe() const {
    std::string out = actor->name + (id != actor->name ? " (as " + id + ")" : "") + ", home " +
                      std::to_string(actor->home) + ":";
    for (std::size_t i = 0; i < actor->script.size(); ++i)
        out += (i == 0 ? " " : ", ") + model::format_operation(actor->script[i]);
    return out;
}

PeerScenario describe_scenario(const model::Scenario& sc, std::string_view format,
                               const std::vector<std::string_view>& keywords,
                               const std::vector<std::string_view>& identifiers) {
    const std::string what = "export " + std::string(format);
    if (sc.gigantic.enabled)
        throw InputError(sc.source, 0, "gigantic",
                         what +
                             " models the reference model only, which has no gigantic pages "
                             "(check this scenario with hugecheck check)");
    if (sc.frames)
        throw InputError(sc.source, 0, "frames",
                         what +
                             " models the reference model only, which has no pages with "
                             "identity (check this scenario with hugecheck check)");
    for (std::size_t a = 0; a < sc.actors.size(); ++a)
        for (const model::Operation& op : sc.actors[a].script)
            if (op.kind != model::OpKind::fault && op.kind != model::OpKind::unmap &&
                op.kind != model::OpKind::resize && op.kind != model::OpKind::overcommit)
                throw InputError(sc.source, 0, "actor[" + std::to_string(a) + "].script",
                                 what + " models the reference model only (FAULT, UNMAP, " +
                                     "RESIZE(v), OVERCOMMIT(v)); actor " + sc.actors[a].name +
                                     " runs " + model::format_operation(op));

    PeerScenario p;
    p.sc = &sc;
    p.max_frees = std::accumulate(sc.mem.begin(), sc.mem.end(), std::uint64_t{0});
    p.pool = std::accumulate(sc.pool.begin(), sc.pool.end(), std::uint64_t{0});

    // Value ranges: the widths hugecheck's seed model packs each variable in. Its packing
    // refuses any value that does not fit, so they cover every reachable value.
    const model::HugetlbModel m(sc, "seed");
    const model::Vars& v = m.vars();
    std::vector<model::Slot> counters = {v.max_huge_pages,  v.nr_overcommit_huge_pages,
                                         v.nr_huge_pages,   v.free_huge_pages,
                                         v.resv_huge_pages, v.surplus_huge_pages};
    counters.insert(counters.end(), v.surplus_huge_pages_node.begin(),
                    v.surplus_huge_pages_node.end());
    p.counter = range_of(m.layout(), counters);
    std::vector<model::Slot> node_counters = v.nr_huge_pages_node;
    node_counters.insert(node_counters.end(), v.free_huge_pages_node.begin(),
                         v.free_huge_pages_node.end());
    node_counters.insert(node_counters.end(), v.buddy.begin(), v.buddy.end());
    p.node_counter = range_of(m.layout(), node_counters);
    std::vector<model::Slot> locals;
    for (const model::ActorSlots& s : v.actor)
        locals.insert(locals.end(), {s.tmp, s.count, s.min_count, s.ret});
    p.local = range_of(m.layout(), locals);

    // Actor identifiers: the name when it is one and clashes with nothing, else actor_<k>.
    std::vector<std::string> taken(identifiers.begin(), identifiers.end());
    taken.insert(taken.end(), std::begin(kStepNames), std::end(kStepNames));
    auto free_name = [&](const std::string& s) {
        for (std::string_view k : keywords)
            if (lower(k) == lower(s)) return false;
        return std::find(taken.begin(), taken.end(), s) == taken.end();
    };
    for (std::size_t a = 0; a < sc.actors.size(); ++a) {
        PeerActor pa;
        pa.actor = &sc.actors[a];
        pa.id = sc.actors[a].name;
        if (!is_identifier(pa.id) || pa.id.front() == '_' || !free_name(pa.id)) {
            pa.id = "actor_" + std::to_string(a);
            while (!free_name(pa.id))
                pa.id += "_";
        }
        taken.push_back(pa.id);
        p.max_script = std::max<std::uint32_t>(p.max_script,
                                               static_cast<std::uint32_t>(pa.actor->script.size()));
        p.actors.push_back(std::move(pa));
    }
    p.file_stem = sc.name;
    std::replace(p.file_stem.begin(), p.file_stem.end(), '/', '-');
    return p;
}

StepText step_text(model::Step step) {
    const model::StepDef& d = model::find_variant("seed").step(step);
    return {std::string(model::step_name(step)) + " " + std::string(d.function) + " (seed " +
                std::string(d.source) + ")",
            std::string(d.summary)};
}

std::string list(const std::vector<std::uint64_t>& values) {
    std::string out = "[";
    for (std::size_t i = 0; i < values.size(); ++i)
        out += (i == 0 ? "" : ", ") + std::to_string(values[i]);
    return out + "]";
}

std::vector<std::string> scenario_lines(const PeerScenario& p) {
    const model::Scenario& sc = *p.sc;
    std::vector<std::string> out;
    out.push_back("scenario " + sc.name + " (" + sc.source + ")" +
                  (sc.description.empty() ? "" : ": " + sc.description));
    out.push_back(std::to_string(sc.nodes) + (sc.nodes == 1 ? " node" : " nodes") + ", mem " +
                  list(sc.mem) + ", pool " + list(sc.pool) + ", overcommit " +
                  std::to_string(sc.overcommit));
    for (const PeerActor& a : p.actors)
        out.push_back("  " + a.describe());
    // Free text goes into comments: one line each, and no comment terminator.
    for (std::string& line : out) {
        std::replace(line.begin(), line.end(), '\n', ' ');
        std::replace(line.begin(), line.end(), '\r', ' ');
        for (std::size_t at; (at = line.find("*/")) != std::string::npos;)
            line.replace(at, 2, "* /");
    }
    return out;
}

std::string op_is(const PeerActor& a, const std::vector<std::uint32_t>& ops, const ExprSyntax& x) {
    std::string out;
    for (std::uint32_t i : ops)
        out += (out.empty() ? "" : std::string(x.disjunction)) + "op[" + a.id + "]" +
               std::string(x.eq) + str(i);
    return ops.size() > 1 ? "(" + out + ")" : out;
}

std::string op_value(const PeerActor& a, model::OpKind kind, const ExprSyntax& x) {
    const std::vector<std::uint32_t> ops = a.ops_of(kind);
    std::string out = str(a.actor->script[ops.back()].value);
    for (std::size_t j = ops.size() - 1; j-- > 0;) {
        const std::uint64_t v = a.actor->script[ops[j]].value;
        if (out == str(v)) continue;
        out = "(op[" + a.id + "]" + std::string(x.eq) + str(ops[j]) + std::string(x.then) + str(v) +
              std::string(x.otherwise) + out + ")";
    }
    return out;
}

void for_each_step(const PeerActor& a, const ExprSyntax& x,
                   const std::function<void(Step, const std::string&, const std::string&)>& step,
                   const std::function<void(Step, const std::string&)>& choices) {
    const std::string& id = a.id;
    const std::string home = str(a.actor->home);
    const std::string pc = "pc[" + id + "]" + std::string(x.eq);
    const std::string idle = pc + "IDLE" + std::string(x.conjunction);
    auto at = [&](std::string_view label) { return pc + std::string(label); };
    auto first = [&](OpKind kind) { return idle + op_is(a, a.ops_of(kind), x); };
    if (a.has(OpKind::fault)) {
        step(Step::F1, first(OpKind::fault), "F1_dequeue_huge_page_vma(" + id + ", " + home + ")");
        step(Step::B1, at("B1"), "B1_alloc_buddy_huge_page(" + id + ")");
        step(Step::B2, at("B2"), "B2_alloc_pages(" + id + ", " + home + ")");
        step(Step::B3, at("B3"), "B3_alloc_buddy_huge_page(" + id + ")");
    }
    if (a.has(OpKind::unmap)) step(Step::U1, first(OpKind::unmap), "U1_free_huge_page(" + id + ")");
    if (a.has(OpKind::resize)) {
        step(Step::S1, first(OpKind::resize), "S1_hugetlb_sysctl_handler_common(" + id + ")");
        step(Step::S2, at("S2"),
             "S2_proc_doulongvec_minmax(" + id + ", " + op_value(a, OpKind::resize, x) + ")");
        choices(Step::R1, "R1_set_max_huge_pages");
        step(Step::R4, at("R4"), "R4_alloc_fresh_huge_page(" + id + ")");
        step(Step::R5, at("R5"), "R5_prep_new_huge_page(" + id + ")");
        step(Step::R5b, at("R5b"), "R5b_free_huge_page(" + id + ")");
        choices(Step::R6, "R6_set_max_huge_pages");
        step(Step::R6f, at("R6f"), "R6f_set_max_huge_pages(" + id + ")");
        choices(Step::R7, "R7_cond_resched_lock");
        step(Step::R10, at("R10"), "R10_nr_hugepages_store_common(" + id + ")");
    }
    if (a.has(OpKind::overcommit))
        step(Step::O1, first(OpKind::overcommit),
             "O1_hugetlb_overcommit_handler(" + id + ", " + op_value(a, OpKind::overcommit, x) +
                 ")");
}

}  // namespace hugecheck::peers
