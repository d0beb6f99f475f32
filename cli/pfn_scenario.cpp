#include "cli/pfn_scenario.hpp"

#include "model/scenario.hpp"

namespace hugecheck::cli {

std::optional<std::string> counterexample_scenario(const pfn::QueryResult& r,
                                                   std::string* why_not) {
    auto refuse = [&](const std::string& why) -> std::optional<std::string> {
        if (why_not) *why_not = why;
        return std::nullopt;
    };
    if (r.verdict != pfn::Verdict::counterexample || r.id != "range-in-zone")
        return refuse("only a range-in-zone counterexample is a gigantic scenario");
    const pfn::ConcreteCase& c = r.example;
    const pfn::Layout<pfn::Concrete>& l = c.layout;
    std::uint64_t end = 0;
    for (const auto& node : l.mem)
        for (const auto& range : node)
            if (range.start < range.end) end = std::max(end, range.end);
    if (end > model::kMaxGiganticPfns || c.orders.order > model::kMaxGiganticOrder ||
        c.k >= model::kMaxGiganticPfns)
        return refuse("the layout is larger than an explorer scenario (pfns below " +
                      std::to_string(model::kMaxGiganticPfns) + ", order up to " +
                      std::to_string(model::kMaxGiganticOrder) + ")");
    auto in = [](const pfn::Range<pfn::Concrete>& range, std::uint64_t p) {
        return range.start <= p && p < range.end;
    };
    auto memory = [&](std::uint64_t p) {
        for (const auto& node : l.mem)
            for (const auto& range : node)
                if (in(range, p)) return true;
        return false;
    };
    std::string ranges, reserved, in_use;
    for (std::size_t n = 0; n < l.mem.size(); ++n)
        for (const auto& range : l.mem[n])
            if (range.start < range.end)
                ranges += (ranges.empty() ? "[" : ", [") + std::to_string(n) + ", " +
                          std::to_string(range.start) + ", " + std::to_string(range.end) + "]";
    for (std::uint64_t p = 0; p < end; ++p) {
        if (!memory(p)) continue;  // a hole fails pfn_valid first
        if (in(l.reserved, p))
            reserved += (reserved.empty() ? "" : ", ") + std::to_string(p);
        else if (in(l.in_use, p) || in(l.huge, p))
            in_use += (in_use.empty() ? "" : ", ") + std::to_string(p);
    }
    const bool seed = r.check == pfn::RangeCheck::seed;
    return "# `hugecheck prove pfn` counterexample of range-in-zone (" +
           std::string(seed ? "the seed's check" : "the same-zone check") +
           "), as a gigantic scenario.\n"
           "# Its PageHuge pfns are in_use here: both make pfn_range_valid_gigantic refuse "
           "them.\n"
           "description = \"prove pfn counterexample: range-in-zone, round " +
           std::to_string(c.k) +
           "\"\nnodes = 2\novercommit = 0\nexpect = [\"P10\"]\n\n[gigantic]\norder = " +
           std::to_string(c.orders.order) + "\nmax_order = " + std::to_string(c.orders.max_order) +
           "\npageblock_order = " + std::to_string(c.orders.pageblock_order) + "\nmemory = [" +
           ranges + "]\nreserved = [" + reserved + "]\nin_use = [" + in_use +
           "]\n\n# node 0's scan reaches round " + std::to_string(c.k) +
           ": grow the pool by that many pages and one more\n[[actor]]\nname = \"A\"\nhome = "
           "0\nscript = [\"RESIZE_NODE(0, " +
           std::to_string(c.k + 1) + ")\"]\n";
}

}  // namespace hugecheck::cli
