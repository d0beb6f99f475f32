#include "cli/step_tables.hpp"

#include <algorithm>
#include <vector>

namespace hugecheck::cli {

namespace {

std::string ops_text(model::OpSet ops) {
    std::string out;
    for (unsigned k = 0; k < model::kOpKinds; ++k) {
        const auto op = static_cast<model::OpKind>(k);
        if (ops & model::op_bit(op))
            out += (out.empty() ? "" : ", ") + std::string(model::op_name(op));
    }
    return out;
}

std::string locks_text(const model::StepDef& s) {
    std::string out;
    if (s.takes & model::lock::resize) out += "resize_lock, ";
    if (s.takes & model::lock::zone)
        out += "zone->lock";
    else
        out += (s.takes & model::lock::hugetlb) ? "hugetlb_lock" : "unlocked";
    return out;
}

std::string notes_text(const model::Variant& v, const model::StepDef& s) {
    std::string out;
    if (v.is_first(s.label)) {
        for (unsigned k = 0; k < model::kOpKinds; ++k) {
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

// A patch variant shows only the steps its patch changed.
std::vector<std::vector<std::string>> rows(const model::Variant& v) {
    std::vector<std::vector<std::string>> out;
    for (const model::StepDef& s : v.steps())
        if (v.patch_of().empty() || std::find(v.patched_steps().begin(), v.patched_steps().end(),
                                              s.label) != v.patched_steps().end())
            out.push_back({std::string(model::step_name(s.label)), ops_text(s.ops), locks_text(s),
                           std::string(s.function), std::string(s.source), std::string(s.summary),
                           notes_text(v, s)});
    return out;
}

const std::vector<std::string> kHead = {"label",  "ops",    "section", "kernel function",
                                        "source", "effect", "notes"};

std::string patch_line(const model::Variant& v) {
    return v.patch_of().empty() ? "" : "The steps of " + v.patch_of() + ", with these changed:\n";
}

}  // namespace

std::string steps_markdown(const model::Variant& v) {
    std::string out = patch_line(v);
    if (!out.empty()) out += "\n";
    out += "| " + kHead[0];
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
    std::string out = "variant " + v.name() + ": " + v.description() + "\nsource: " + v.source() +
                      "\n" + patch_line(v);
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
