#include "properties/coverage.hpp"

#include <algorithm>
#include <map>

namespace hugecheck::properties {

using model::Outcome;
using model::Step;

namespace {

constexpr std::size_t P2 = 1, P3 = 2, P5 = 4, P6 = 5, P7 = 6, P8 = 7;

model::OpSet scenario_ops(const model::Scenario& sc) {
    model::OpSet ops = 0;
    for (const model::Actor& a : sc.actors)
        for (const model::Operation& op : a.script)
            ops |= model::op_bit(op.kind);
    return ops;
}

std::string ops_text(model::OpSet ops) {
    std::string out;
    for (unsigned k = 0; k < model::kOpKinds; ++k)
        if (ops & model::op_bit(static_cast<model::OpKind>(k)))
            out += (out.empty() ? "" : " ") +
                   std::string(model::op_name(static_cast<model::OpKind>(k)));
    return out;
}

// Steps on one hstate's path only: set_max_huge_pages grows a gigantic pool through
// alloc_fresh_gigantic_page (G1..G5) instead of alloc_fresh_huge_page (R4, R5, R5b), and
// a gigantic fault never allocates a surplus page (the seed's B1..B3).
std::string path_not_taken(Step s, bool gigantic) {
    switch (s) {
        case Step::G1:
        case Step::G2:
        case Step::G3:
        case Step::G4:
        case Step::G5: return gigantic ? "" : "gigantic hstates only";
        case Step::B1:
        case Step::B2:
        case Step::B3:
        case Step::R4:
        case Step::R5:
        case Step::R5b: return gigantic ? "not on a gigantic hstate's path" : "";
        default: return "";
    }
}

std::string not_applicable(const model::OutcomeInfo& info, const model::HugetlbModel& m,
                           model::OpSet ops, model::OpSet step_ops) {
    if ((info.needs & model::needs::gigantic) && !m.gigantic()) return "not a gigantic hstate";
    if ((info.needs & model::needs::normal) && m.gigantic()) return "a gigantic hstate";
    if ((info.needs & model::needs::two_nodes) && m.nodes() < 2) return "one node";
    if ((info.needs & model::needs::mmap) && !(ops & model::op_bit(model::OpKind::mmap)))
        return "no MMAP";
    if ((info.needs & model::needs::frames) && !m.has_frames()) return "no pages with identity";
    if (info.ops && !(info.ops & ops & step_ops)) return "no " + ops_text(info.ops);
    return "";
}

// An outcome that is the property's violation itself: never taking it is the property
// holding, not a gap in what was tried.
bool is_violation(std::size_t property, Outcome o) {
    return (property == P2 && o == Outcome::count_wraps) ||
           (property == P5 && o == Outcome::other_tmp) ||
           (property == P8 && o == Outcome::loop1_race);
}

std::string step_text(Step s) {
    return std::string(model::step_name(s));
}

std::string outcome_ref_text(Step s, Outcome o) {
    return step_text(s) + " " + std::string(model::outcome_info(o).name);
}

}  // namespace

CoverageCounts& CoverageCounts::operator+=(const CoverageCounts& o) {
    for (std::size_t s = 0; s < rows_.size(); ++s)
        for (std::size_t k = 0; k < kSlots; ++k)
            rows_[s][k] += o.rows_[s][k];
    return *this;
}

// ---- the report ----------------------------------------------------------------------

std::size_t CoverageReport::steps_in_scenario() const {
    return static_cast<std::size_t>(std::count_if(
        steps.begin(), steps.end(), [](const StepCoverage& s) { return s.in_scenario; }));
}

std::size_t CoverageReport::steps_reached() const {
    return static_cast<std::size_t>(
        std::count_if(steps.begin(), steps.end(),
                      [](const StepCoverage& s) { return s.in_scenario && s.runs > 0; }));
}

std::size_t CoverageReport::outcomes_applicable() const {
    std::size_t n = 0;
    for (const StepCoverage& s : steps)
        if (s.in_scenario)
            for (const OutcomeCoverage& o : s.outcomes)
                n += o.applicable;
    return n;
}

std::size_t CoverageReport::outcomes_reached() const {
    std::size_t n = 0;
    for (const StepCoverage& s : steps)
        if (s.in_scenario)
            for (const OutcomeCoverage& o : s.outcomes)
                n += o.applicable && o.count > 0;
    return n;
}

std::vector<CoverageReport::Unreached> CoverageReport::unreached() const {
    std::vector<Unreached> out;
    for (const StepCoverage& s : steps) {
        if (!s.in_scenario) continue;
        if (s.runs == 0) {
            out.push_back({s.step});
            continue;
        }
        for (const OutcomeCoverage& o : s.outcomes)
            if (o.applicable && o.count == 0) out.push_back({s.step, true, o.outcome});
    }
    return out;
}

std::vector<Step> depends_on(const model::HugetlbModel& m, std::size_t index) {
    using model::Var;
    model::Visibility vis = visibility(m, bit(index));
    const model::VarSet pool = model::vars(
        {Var::nr_huge_pages, Var::free_huge_pages, Var::surplus_huge_pages, Var::nr_huge_pages_node,
         Var::free_huge_pages_node, Var::surplus_huge_pages_node});
    const model::VarSet locks = model::vars({Var::hugetlb_lock, Var::resize_lock});
    // The reduction keeps every quiescent and terminal state, so P3 and P7 need no visible
    // variables there; a dependency is about what they read.
    if (index == P3) {
        vis.op_boundaries = false;
        vis.vars |= pool | model::vars({Var::buddy, Var::pfn});
    }
    if (index == P7)
        vis.vars |= model::vars({Var::max_huge_pages, Var::nr_huge_pages, Var::surplus_huge_pages});
    // Without a gigantic hstate there are no pfns: footprints name them for the gigantic
    // path only (P9 and P10 depend on nothing then).
    if (!m.gigantic()) {
        vis.vars &= ~model::vars({Var::pfn, Var::isolated});
        vis.events &= static_cast<std::uint8_t>(~model::event::pfn_reused);
    }
    std::vector<Step> out;
    for (const model::StepDef& s : m.variant().steps()) {
        const model::Footprint f = m.variant().footprint(s.label);
        // As AmpleSets::visible, except P6: the steps that take, hold or drop a lock across
        // steps (a self-deadlock needs both), not every step of their operations.
        const bool dep = index == P6
                             ? (f.touches() & locks) != 0
                             : (f.writes & vis.vars) != 0 || (f.events & vis.events) != 0 ||
                                   vis.steps[static_cast<std::size_t>(s.label)] ||
                                   (s.ops & vis.ops) != 0 || (vis.op_boundaries && f.ends_op);
        if (dep) out.push_back(s.label);
    }
    return out;
}

CoverageReport coverage_report(const model::HugetlbModel& m, const CoverageCounts& counts,
                               const CoverageRun& run) {
    CoverageReport r;
    r.scenario = m.scenario().name;
    r.variant = m.variant().name();
    r.run = run;
    const model::OpSet ops = scenario_ops(m.scenario());
    const bool gigantic = m.gigantic() != nullptr;
    for (const model::StepDef& def : m.variant().steps()) {
        StepCoverage s;
        s.step = def.label;
        s.function = def.function;
        s.summary = def.summary;
        if (!(def.ops & ops))
            s.why_not = ops_text(def.ops);
        else
            s.why_not = path_not_taken(def.label, gigantic);
        s.in_scenario = s.why_not.empty();
        s.runs = counts.runs(def.label);
        s.undeclared = counts.undeclared(def.label);
        s.unmarked = def.outcomes.empty() ? 0 : counts.unmarked(def.label);
        for (std::size_t k = 0; k < def.outcomes.size(); ++k) {
            OutcomeCoverage o;
            o.outcome = def.outcomes[k];
            o.count = counts.outcome(def.label, k);
            o.why_not = not_applicable(model::outcome_info(o.outcome), m, ops, def.ops);
            o.applicable = o.why_not.empty();
            if (!o.applicable && o.count > 0) {  // the scope rule is wrong: trust the count
                r.problems.push_back("outcome " + outcome_ref_text(def.label, o.outcome) +
                                     " was taken, though marked not applicable (" + o.why_not +
                                     ")");
                o.applicable = true;
            }
            s.outcomes.push_back(std::move(o));
        }
        if (s.undeclared)
            r.problems.push_back(
                "step " + step_text(def.label) + " marked an outcome it does not declare in " +
                std::to_string(s.undeclared) +
                " transition(s): its handler and its table entry's outcomes disagree");
        if (s.unmarked)
            r.problems.push_back("step " + step_text(def.label) +
                                 " took a path that marks no outcome in " +
                                 std::to_string(s.unmarked) + " transition(s)");
        if (!s.in_scenario && s.runs > 0)
            r.problems.push_back("step " + step_text(def.label) +
                                 " ran although the scenario cannot take it (" + s.why_not + ")");
        r.steps.push_back(std::move(s));
    }

    std::map<Step, const StepCoverage*> by_label;
    for (const StepCoverage& s : r.steps)
        by_label[s.step] = &s;
    for (std::size_t p = 0; p < kPropertyCount; ++p) {
        if (!(run.selected & bit(p)) || (run.violated & bit(p))) continue;
        PropertyVacuity v;
        v.property = p;
        for (Step label : depends_on(m, p)) {
            const StepCoverage& s = *by_label.at(label);
            if (!s.in_scenario) continue;
            v.depends_on.push_back(label);
            if (s.runs == 0) {
                v.unreached_steps.push_back(label);
                continue;
            }
            for (const OutcomeCoverage& o : s.outcomes)
                if (o.applicable && o.count == 0 && !is_violation(p, o.outcome))
                    v.unreached_outcomes.push_back({label, o.outcome});
        }
        r.vacuity.push_back(std::move(v));
    }
    return r;
}

// ---- rendering ---------------------------------------------------------------------

namespace {

std::string pad(std::string s, std::size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}
std::string pad_left(std::string s, std::size_t width) {
    if (s.size() < width) s.insert(0, width - s.size(), ' ');
    return s;
}

std::string step_list(const std::vector<Step>& steps) {
    std::string out;
    for (Step s : steps)
        out += (out.empty() ? "" : " ") + step_text(s);
    return out;
}

std::string steps_count(std::size_t n) {
    return n == 1 ? "the one step" : "the " + std::to_string(n) + " steps";
}

std::string outcome_list(const std::vector<OutcomeRef>& refs) {
    std::string out;
    for (const OutcomeRef& o : refs)
        out += (out.empty() ? "" : ", ") + outcome_ref_text(o.step, o.outcome);
    return out;
}

}  // namespace

std::string coverage_text(const CoverageReport& r) {
    std::string out = "coverage: scenario " + r.scenario + ", variant " + r.variant + ": " +
                      std::to_string(r.steps_reached()) + " of " +
                      std::to_string(r.steps_in_scenario()) + " steps, " +
                      std::to_string(r.outcomes_reached()) + " of " +
                      std::to_string(r.outcomes_applicable()) + " outcomes reached\n";
    if (!r.run.complete)
        out += "  the search did not finish: counts are of the states it explored\n";
    if (r.run.partial_order)
        out +=
            "  partial-order reduction: the reduced graph leaves interleavings out, so an outcome "
            "unreached here may be reachable without --por\n";

    // The table: every step of the scenario, and its outcomes with how often each ran.
    std::size_t fn_width = 8;
    for (const StepCoverage& s : r.steps)
        if (s.in_scenario) fn_width = std::max(fn_width, s.function.size());
    std::size_t name_width = 7;
    for (const StepCoverage& s : r.steps)
        for (const OutcomeCoverage& o : s.outcomes)
            name_width = std::max(name_width, model::outcome_info(o.outcome).name.size());
    out += " " + pad("step", 5) + pad("function", fn_width + 2) + pad_left("runs", 9) + "  " +
           pad("outcome", name_width + 2) + pad_left("taken", 9) + "\n";
    for (const StepCoverage& s : r.steps) {
        if (!s.in_scenario) continue;
        const std::string head = " " + pad(step_text(s.step), 5) + pad(s.function, fn_width + 2) +
                                 pad_left(std::to_string(s.runs), 9) + "  ";
        const std::string blank(head.size(), ' ');
        if (s.outcomes.empty()) {
            out += head + "(one path)" + (s.runs == 0 ? "  UNREACHED" : "") + "\n";
            continue;
        }
        bool first = true;
        for (const OutcomeCoverage& o : s.outcomes) {
            out += (first ? head : blank) +
                   pad(std::string(model::outcome_info(o.outcome).name), name_width + 2);
            if (!o.applicable)
                out += pad_left("n/a", 9) + "  (" + o.why_not + ")";
            else
                out += pad_left(std::to_string(o.count), 9) + (o.count == 0 ? "  UNREACHED" : "");
            out += "\n";
            first = false;
        }
    }

    // SPIN's list, by kernel function in table order.
    const std::vector<CoverageReport::Unreached> unreached = r.unreached();
    std::vector<std::pair<std::string, std::string>> by_function;
    for (const CoverageReport::Unreached& u : unreached) {
        const StepCoverage& s =
            *std::find_if(r.steps.begin(), r.steps.end(),
                          [&](const StepCoverage& x) { return x.step == u.step; });
        auto it = std::find_if(by_function.begin(), by_function.end(),
                               [&](const auto& f) { return f.first == s.function; });
        if (it == by_function.end()) it = by_function.insert(it, {s.function, ""});
        it->second += u.is_outcome ? "\t" + outcome_ref_text(u.step, u.outcome) + ": " +
                                         std::string(model::outcome_info(u.outcome).text) + "\n"
                                   : "\t" + step_text(u.step) + ": " + s.summary + "\n";
    }
    for (const auto& [function, lines] : by_function)
        out += "unreached in " + function + ":\n" + lines;
    if (unreached.empty()) out += "every step and outcome of the scenario was reached\n";

    std::string na;
    for (const StepCoverage& s : r.steps)
        if (s.in_scenario)
            for (const OutcomeCoverage& o : s.outcomes)
                if (!o.applicable)
                    na += (na.empty() ? "" : ", ") + outcome_ref_text(s.step, o.outcome) + " (" +
                          o.why_not + ")";
    if (!na.empty()) out += "not applicable here: " + na + "\n";
    // Steps of operations the scripts never run, grouped by why.
    std::vector<std::pair<std::string, std::string>> groups;
    for (const StepCoverage& s : r.steps) {
        if (s.in_scenario) continue;
        auto it = std::find_if(groups.begin(), groups.end(),
                               [&](const auto& g) { return g.first == s.why_not; });
        if (it == groups.end()) {
            groups.emplace_back(s.why_not, step_text(s.step));
        } else {
            it->second += " " + step_text(s.step);
        }
    }
    if (!groups.empty()) {
        out += "not in this scenario:";
        for (std::size_t k = 0; k < groups.size(); ++k)
            out += (k ? ", " : " ") + groups[k].second + " (" + groups[k].first + ")";
        out += "\n";
    }

    if (!r.vacuity.empty()) out += "vacuity:\n";
    for (const PropertyVacuity& v : r.vacuity) {
        const std::string id(kProperties[v.property].id);
        if (v.depends_on.empty()) {
            out += "  " + id + " holds; no step of this scenario can change what it checks\n";
            continue;
        }
        if (v.flagged()) {
            out += "  " + id +
                   " holds, but steps it depends on never ran: " + step_list(v.unreached_steps);
            if (!v.unreached_outcomes.empty())
                out += "; outcomes never taken: " + outcome_list(v.unreached_outcomes);
            out += "\n";
        } else if (!v.unreached_outcomes.empty()) {
            out += "  " + id + " holds; " + steps_count(v.depends_on.size()) +
                   " it depends on ran, but some of their outcomes never: " +
                   outcome_list(v.unreached_outcomes) + "\n";
        } else {
            out += "  " + id + " holds; " + steps_count(v.depends_on.size()) +
                   " it depends on ran and took every outcome\n";
        }
    }
    for (const std::string& p : r.problems)
        out += "model problem: " + p + "\n";
    return out;
}

nlohmann::json coverage_json(const CoverageReport& r) {
    using nlohmann::json;
    json steps = json::array();
    for (const StepCoverage& s : r.steps) {
        json outcomes = json::array();
        for (const OutcomeCoverage& o : s.outcomes) {
            json j = {{"name", model::outcome_info(o.outcome).name},
                      {"text", model::outcome_info(o.outcome).text},
                      {"count", o.count},
                      {"applicable", o.applicable}};
            if (!o.applicable) j["why_not"] = o.why_not;
            outcomes.push_back(std::move(j));
        }
        json j = {{"step", step_text(s.step)},
                  {"function", s.function},
                  {"summary", s.summary},
                  {"in_scenario", s.in_scenario},
                  {"runs", s.runs},
                  {"outcomes", std::move(outcomes)}};
        if (!s.in_scenario) j["why_not"] = s.why_not;
        steps.push_back(std::move(j));
    }
    json unreached = json::array();
    for (const CoverageReport::Unreached& u : r.unreached()) {
        json j = {{"step", step_text(u.step)}};
        j["outcome"] = u.is_outcome ? json(model::outcome_info(u.outcome).name) : json(nullptr);
        unreached.push_back(std::move(j));
    }
    json vacuity = json::array();
    for (const PropertyVacuity& v : r.vacuity) {
        json deps = json::array(), steps_never = json::array(), outcomes_never = json::array();
        for (Step s : v.depends_on)
            deps.push_back(step_text(s));
        for (Step s : v.unreached_steps)
            steps_never.push_back(step_text(s));
        for (const OutcomeRef& o : v.unreached_outcomes)
            outcomes_never.push_back(
                {{"step", step_text(o.step)}, {"outcome", model::outcome_info(o.outcome).name}});
        vacuity.push_back({{"property", kProperties[v.property].id},
                           {"flagged", v.flagged()},
                           {"depends_on", std::move(deps)},
                           {"unreached_steps", std::move(steps_never)},
                           {"unreached_outcomes", std::move(outcomes_never)}});
    }
    return {{"scenario", r.scenario},
            {"variant", r.variant},
            {"complete", r.run.complete},
            {"partial_order", r.run.partial_order},
            {"summary",
             {{"steps", r.steps_in_scenario()},
              {"steps_reached", r.steps_reached()},
              {"outcomes", r.outcomes_applicable()},
              {"outcomes_reached", r.outcomes_reached()}}},
            {"steps", std::move(steps)},
            {"unreached", std::move(unreached)},
            {"vacuity", std::move(vacuity)},
            {"problems", r.problems}};
}

}  // namespace hugecheck::properties
