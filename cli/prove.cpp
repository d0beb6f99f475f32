// `hugecheck prove` with Z3: the pfn suite (properties/pfn/queries.hpp), its bounds checked,
// its verdicts printed, counterexamples written as scenarios on request.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "cli/pfn_scenario.hpp"
#include "cli/prove.hpp"
#include "model/input_error.hpp"
#include "properties/pfn/queries.hpp"

namespace hugecheck::cli {

namespace {

// "LO..HI" or "N".
std::pair<std::uint64_t, std::uint64_t> parse_order_range(const std::string& text) {
    const auto dots = text.find("..");
    try {
        if (dots == std::string::npos) {
            const std::uint64_t v = std::stoull(text);
            return {v, v};
        }
        return {std::stoull(text.substr(0, dots)), std::stoull(text.substr(dots + 2))};
    } catch (const std::exception&) {
        throw InputError("--max-order", 0, "", "'" + text + "' is not an order or a range LO..HI");
    }
}

}  // namespace

int run_prove(const ProveOptions& o) {
    if (o.suite != "pfn")
        throw InputError("prove", 0, "", "unknown suite '" + o.suite + "' (known: pfn)");
    pfn::Bounds b;
    b.phys_bits = o.phys_bits;
    std::tie(b.max_order_min, b.max_order_max) = parse_order_range(o.max_order);
    b.order_max = o.max_gigantic_order;
    b.timeout_seconds = o.timeout;
    if (b.phys_bits <= b.page_shift || b.phys_bits > 64 + b.page_shift)
        throw InputError("--phys-bits", 0, "",
                         std::to_string(o.phys_bits) + " is not between 13 and 76");
    if (b.max_order_min < 1 || b.max_order_min > b.max_order_max || b.max_order_max > 30)
        throw InputError("--max-order", 0, "", "MAX_ORDER must be a range within 1..30");
    if (b.order_max < b.max_order_min || b.order_max > 63)
        throw InputError("--max-gigantic-order", 0, "",
                         "the gigantic order must be between MAX_ORDER and 63");
    if (b.timeout_seconds == 0) throw InputError("--timeout", 0, "", "must be at least 1 second");
    std::vector<pfn::RangeCheck> checks;
    if (o.range_check == "seed" || o.range_check == "both") checks.push_back(pfn::RangeCheck::seed);
    if (o.range_check == "same-zone" || o.range_check == "both")
        checks.push_back(pfn::RangeCheck::same_zone);
    if (checks.empty())
        throw InputError("--range-check", 0, "",
                         "unknown check '" + o.range_check + "' (known: seed, same-zone, both)");
    std::vector<std::string> only;
    for (std::size_t pos = 0; pos < o.query.size();) {
        const auto comma = o.query.find(',', pos);
        only.push_back(o.query.substr(pos, comma - pos));
        pos = comma == std::string::npos ? o.query.size() : comma + 1;
    }

    std::cout << "hugecheck prove pfn: the gigantic-page path of the seed (alloc_gigantic_page, "
                 "pfn_range_valid_gigantic, alloc_contig_range), over every memory layout within "
                 "the bounds\nbounds: "
              << b.describe() << "\n\n"
              << std::flush;
    const std::vector<pfn::QueryResult> results =
        pfn::prove_pfn(b, checks, only, std::max(1u, std::thread::hardware_concurrency()));
    int proved = 0, counterexamples = 0, unknown = 0;
    for (std::size_t k = 0; k < results.size(); ++k) {
        const pfn::QueryResult& r = results[k];
        std::string name = r.id;
        if (r.id == "range-in-zone")
            name += r.check == pfn::RangeCheck::seed ? " (the seed's pfn_range_valid_gigantic)"
                                                     : " (with the 2016 same-zone check)";
        char secs[32];
        std::snprintf(secs, sizeof secs, "%.1f s", r.seconds);
        std::cout << "[" << k + 1 << "/" << results.size() << "] " << name << ": " << r.statement
                  << "\n";
        switch (r.verdict) {
            case pfn::Verdict::proved:
                ++proved;
                std::cout << "      proved for all layouts within the bounds (" << secs << ")\n";
                break;
            case pfn::Verdict::counterexample: {
                ++counterexamples;
                if (!r.replay_agrees)
                    throw std::logic_error("query " + r.id +
                                           ": the concrete evaluation does not confirm Z3's "
                                           "counterexample");
                std::cout << "      COUNTEREXAMPLE (" << secs
                          << "; replayed through the concrete evaluation: it agrees)\n";
                std::istringstream lines(r.counterexample);
                for (std::string line; std::getline(lines, line);)
                    std::cout << "        " << line << "\n";
                if (!o.scenario_dir.empty() && r.id == "range-in-zone") {
                    std::string why;
                    const std::optional<std::string> toml = counterexample_scenario(r, &why);
                    if (!toml) {
                        std::cout << "        (no scenario: " << why << ")\n";
                        break;
                    }
                    const std::string path =
                        o.scenario_dir + "/range-in-zone-" +
                        (r.check == pfn::RangeCheck::seed ? "seed" : "same-zone") + ".toml";
                    std::ofstream file(path);
                    if (!(file << *toml))
                        throw InputError("--scenario-dir", 0, "", "cannot write '" + path + "'");
                    std::cout << "        as a scenario: " << path
                              << " (hugecheck check --scenario " << path << ")\n";
                }
                break;
            }
            case pfn::Verdict::unknown:
                ++unknown;
                std::cout << "      UNKNOWN, not proved: " << r.reason << "\n";
                break;
        }
    }
    std::cout << "\nresult: " << proved << " proved, " << counterexamples << " counterexample(s), "
              << unknown << " unknown\n";
    if (counterexamples) return kExitViolation;
    return unknown ? kExitIncomplete : kExitHolds;
}

}  // namespace hugecheck::cli
