#include "cli/matrix.hpp"

#include <algorithm>
#include <tuple>

#include "model/hugetlb_model.hpp"
#include "model/scenario_catalog.hpp"
#include "properties/properties.hpp"

namespace hugecheck::cli {

bool MatrixCell::agrees() const {
    const bool violation_expected = expected || !masked_by.empty();
    if (!modelled) return !violation_expected;
    return status == explorer::Status::complete || violated ? violated == violation_expected
                                                            : false;
}

std::string MatrixCell::text() const {
    if (!modelled) return "not modelled";
    if (violated) return "violated (" + std::to_string(length) + ")";
    if (status != explorer::Status::complete)
        return std::string("incomplete (") + explorer::status_name(status) + ")";
    return "holds (" + std::to_string(states) + ")";
}

bool Matrix::all_agree() const {
    for (const MatrixRow& r : rows)
        for (const MatrixCell& c : r.cells)
            if (!c.agrees()) return false;
    return true;
}

bool Matrix::complete() const {
    for (const MatrixRow& r : rows)
        for (const MatrixCell& c : r.cells)
            if (c.modelled && !c.violated && c.status != explorer::Status::complete) return false;
    return true;
}

std::vector<model::Scenario> history_scenarios() {
    std::vector<model::Scenario> out;
    for (const model::EmbeddedScenario& e : model::embedded_scenarios()) {
        if (!e.name.starts_with("history/")) continue;
        out.push_back(model::load_scenario(e.name));
        if (!out.back().has_bug)
            throw InputError(out.back().source, 0, "bug", "a history scenario needs a [bug] table");
    }
    // The kernel bugs (B1, B3, ...) in number order, then other kernel bugs met on
    // the way (K1, ...), then hugecheck's own findings (HC1, ...).
    auto key = [](const model::Scenario& s) {
        const std::string& id = s.bug.id;
        const std::size_t digits = id.find_first_of("0123456789");
        const std::string prefix = id.substr(0, digits);
        const unsigned long number =
            digits == std::string::npos ? 0 : std::stoul(id.substr(digits));
        const int rank = prefix == "B" ? 0 : prefix == "K" ? 1 : 2;
        return std::make_tuple(rank, prefix, number);
    };
    std::sort(out.begin(), out.end(),
              [&](const auto& a, const auto& b) { return key(a) < key(b); });
    return out;
}

Matrix compute_matrix(const std::vector<model::Scenario>& scenarios,
                      const std::vector<const model::Variant*>& variants,
                      const explorer::Options& options) {
    Matrix m;
    m.variants = variants;
    for (const model::Scenario& sc : scenarios) {
        const properties::PropertySet property =
            properties::parse_property_list(sc.bug.property, sc.source + ": bug.property");
        MatrixRow row{sc, {}};
        for (const model::Variant* v : variants) {
            MatrixCell cell;
            cell.variant = v->name();
            cell.expected = std::find(sc.bug.present.begin(), sc.bug.present.end(), v->name()) !=
                            sc.bug.present.end();
            for (const auto& [name, id] : sc.bug.masked)
                if (name == v->name()) cell.masked_by = id;
            if (!model::HugetlbModel::missing_features(sc, *v).empty()) {
                cell.modelled = false;
                row.cells.push_back(cell);
                continue;
            }
            const model::HugetlbModel model(sc, *v);
            const properties::Checker checker(model, property);
            explorer::BreadthFirstSearch search(model, checker, options);
            cell.status = search.run();
            cell.violated = !search.violations().empty();
            if (cell.violated) cell.length = search.violations().front().trace_length;
            cell.states = search.stats().states;
            row.cells.push_back(cell);
        }
        m.rows.push_back(std::move(row));
    }
    return m;
}

namespace {

// A cell as the table shows it: "P5 (3)" / "holds 74", and "!" where history disagrees.
std::string cell_text(const MatrixRow& r, const MatrixCell& c) {
    std::string t = !c.modelled  ? "—"
                    : c.violated ? r.scenario.bug.property + " (" + std::to_string(c.length) + ")" +
                                       (c.masked_by.empty() ? "" : " by " + c.masked_by)
                    : c.status == explorer::Status::complete ? "holds " + std::to_string(c.states)
                                                             : "incomplete";
    return c.agrees() ? t : t + " !";
}

// Columns a string takes: its code points ("—" is one).
std::size_t columns(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        n += (c & 0xC0) != 0x80;
    return n;
}

std::string pad(const std::string& s, std::size_t width) {
    return s + std::string(width > columns(s) ? width - columns(s) : 0, ' ');
}

}  // namespace

std::string matrix_table(const Matrix& m) {
    std::vector<std::vector<std::string>> grid;
    std::vector<std::string> head = {"bug", "property"};
    for (const model::Variant* v : m.variants)
        head.push_back(v->name());
    head.push_back("title");
    grid.push_back(head);
    for (const MatrixRow& r : m.rows) {
        std::vector<std::string> line = {r.scenario.bug.id, r.scenario.bug.property};
        for (const MatrixCell& c : r.cells)
            line.push_back(cell_text(r, c));
        line.push_back(r.scenario.bug.title);
        grid.push_back(line);
    }
    std::vector<std::size_t> width(head.size(), 0);
    for (const auto& line : grid)
        for (std::size_t k = 0; k + 1 < line.size(); ++k)
            width[k] = std::max(width[k], columns(line[k]));
    std::string out;
    for (const auto& line : grid) {
        for (std::size_t k = 0; k < line.size(); ++k)
            out += k + 1 < line.size() ? pad(line[k], width[k] + 2) : line[k];
        out += "\n";
    }
    out +=
        "\ncells: the property violated with its shortest trace length, or holds with the "
        "states explored; '—' where the variant does not model the scenario (the gigantic "
        "path; RESIZE_NODE and DISSOLVE on v2.6.24); "
        "'by K1': the violation is another bug's (the scenario's bug.masked); "
        "'!' where the verdict differs from kernel history (the scenario's bug.present)\n";
    return out;
}

std::string matrix_markdown(const Matrix& m) {
    std::string out = "| bug | property |";
    for (const model::Variant* v : m.variants)
        out += " " + v->name() + " |";
    out += " fixed by |\n|---|---|";
    for (std::size_t k = 0; k < m.variants.size(); ++k)
        out += "---|";
    out += "---|\n";
    for (const MatrixRow& r : m.rows) {
        out += "| " + r.scenario.bug.id + " " + r.scenario.bug.title + " | " +
               r.scenario.bug.property + " |";
        for (const MatrixCell& c : r.cells) {
            std::string t = cell_text(r, c);
            if (c.violated && c.masked_by.empty()) t = "**" + t + "**";
            out += " " + t + " |";
        }
        out += " " + r.scenario.bug.fix + " |\n";
    }
    return out;
}

nlohmann::json matrix_json(const Matrix& m) {
    nlohmann::json rows = nlohmann::json::array();
    for (const MatrixRow& r : m.rows) {
        nlohmann::json cells = nlohmann::json::array();
        for (const MatrixCell& c : r.cells)
            cells.push_back({{"variant", c.variant},
                             {"verdict", !c.modelled                              ? "not modelled"
                                         : c.violated                             ? "violated"
                                         : c.status == explorer::Status::complete ? "holds"
                                                                                  : "incomplete"},
                             {"length", c.violated ? nlohmann::json(c.length) : nlohmann::json()},
                             {"states", c.states},
                             {"history", c.expected             ? "present"
                                         : !c.masked_by.empty() ? "masked by " + c.masked_by
                                                                : "absent"},
                             {"agrees", c.agrees()}});
        rows.push_back({{"bug", r.scenario.bug.id},
                        {"title", r.scenario.bug.title},
                        {"fix", r.scenario.bug.fix},
                        {"cve", r.scenario.bug.cve},
                        {"property", r.scenario.bug.property},
                        {"scenario", r.scenario.name},
                        {"present", r.scenario.bug.present},
                        {"cells", cells}});
    }
    nlohmann::json variants = nlohmann::json::array();
    for (const model::Variant* v : m.variants)
        variants.push_back(v->name());
    return {{"format", "hugecheck-matrix/1"},
            {"variants", variants},
            {"rows", rows},
            {"agrees_with_history", m.all_agree()},
            {"complete", m.complete()}};
}

}  // namespace hugecheck::cli
