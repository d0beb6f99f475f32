#include "cli/step_tables.hpp"

#include <algorithm>
#include <vector>

namespace hugecheck::cli {

namespace {

std::string ops_text(model::OpSet ops) {
    std::string out;
    for (unsigned k = 0; k < 5; ++k) {
        const auto op = static_cast<model::OpKind>(k);
        if (ops & model::op_bit(op))
            out += (out.empty() ? "" : ", ") + std::string(model::op_name(op));
    }
    return out;
}

std::string locks_text(const model::StepDef& s) {
    std::string out;
    if (s.takes & model::lock::resize) out += "resize_lock, ";
    out += (s.takes & model::lock::hugetlb) ? "hugetlb_lock" : "unlocked";
    return out;
}

std::string notes_text(const model::Variant& v, const model::StepDef& s) {
    std::string out;
    if (v.is_first(s.label)) {
        for (unsigned k = 0; k < 5; ++k) {
            const auto op = static_cast<model::OpKind>(k);
            if (v.first_step(op) == s.label)
                out += std::string(out.empty() ? "first step of " : ", ") +
                       std::string(model::op_name(op));
        }
    }
    if (s.surplus_allocator) out += std::string(out.empty() ? "" : "; ") + "surplus allocator (P4)";
    if (s.writes_through != model::SharedTable::none)
        out += std::string(out.empty() ? "" : "; ") + "writes through a shared ctl_table (P5)";
    return out;
}

std::vector<std::vector<std::string>> rows(const model::Variant& v) {
    std::vector<std::vector<std::string>> out;
    for (const model::StepDef& s : v.steps())
        out.push_back({std::string(model::step_name(s.label)), ops_text(s.ops), locks_text(s),
                       std::string(s.function), std::string(s.source), std::string(s.summary),
                       notes_text(v, s)});
    return out;
}

const std::vector<std::string> kHead = {"label",  "ops",    "section", "kernel function",
                                        "source", "effect", "notes"};

}  // namespace

std::string steps_markdown(const model::Variant& v) {
    std::string out = "| " + kHead[0];
    for (std::size_t k = 1; k < kHead.size(); ++k)
        out += " | " + kHead[k];
    out += " |\n|";
    for (std::size_t k = 0; k < kHead.size(); ++k)
        out += "---|";
    out += "\n";
    for (const auto& r : rows(v)) {
        out += "| " + r[0];
        for (std::size_t k = 1; k < r.size(); ++k)
            out += " | " + r[k];
        out += " |\n";
    }
    return out;
}

std::string steps_text(const model::Variant& v) {
    std::string out =
        "variant " + v.name() + ": " + v.description() + "\nsource: " + v.source() + "\n";
    const auto table = rows(v);
    std::vector<std::size_t> width(4, 0);
    for (const auto& r : table)
        for (std::size_t k = 0; k < 4; ++k)
            width[k] = std::max(width[k], r[k].size());
    for (const auto& r : table) {
        std::string line = "  ";
        for (std::size_t k = 0; k < 4; ++k)
            line += r[k] + std::string(width[k] + 2 - r[k].size(), ' ');
        out += line + r[5] + "  [" + r[4] + "]" + (r[6].empty() ? "" : " (" + r[6] + ")") + "\n";
    }
    return out;
}

}  // namespace hugecheck::cli
