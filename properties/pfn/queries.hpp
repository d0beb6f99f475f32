// `hugecheck prove pfn`: queries over every memory layout within declared bounds, decided
// by Z3 on the terms gigantic.hpp builds. A query states a property of the gigantic-page
// path; Z3 looks for a layout that violates it. None: "proved for all layouts within the
// bounds". One: a counterexample layout, which is replayed through the concrete evaluation
// of the same formulas (it must agree). Z3 answering unknown, or running out of time, is
// reported as such, never as proved.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pfn/concrete.hpp"
#include "pfn/gigantic.hpp"

namespace hugecheck::pfn {

// The layouts and configurations a proof covers (printed with every result).
struct Bounds {
    unsigned phys_bits = 46;  // physical address bits: every pfn < 2^(phys_bits - page_shift)
    unsigned page_shift = 12;
    std::uint64_t max_order_min = 2, max_order_max = 11;  // MAX_ORDER
    std::uint64_t order_max = 30;   // the gigantic order: MAX_ORDER .. order_max
    unsigned timeout_seconds = 60;  // per query
    unsigned pfn_bits() const { return phys_bits - page_shift; }
    std::string describe() const;
};

// A concrete layout for tests and replay: the numbers a model assigns.
struct ConcreteCase {
    Layout<Concrete> layout;
    Orders<Concrete> orders;
    std::uint64_t k = 0, j = 0, o = 0;  // the witnesses: scan round, pfn, outer order
};

enum class Verdict { proved, counterexample, unknown };

struct QueryResult {
    std::string id;         // "range-in-zone"
    std::string statement;  // what is claimed
    RangeCheck check = RangeCheck::same_zone;
    Verdict verdict = Verdict::unknown;
    std::string reason;          // unknown: why (Z3's reason, or the timeout)
    std::string counterexample;  // the layout and what goes wrong, readable
    bool replayed = false;       // the counterexample was evaluated concretely ...
    bool replay_agrees = false;  // ... and violates the property there too
    ConcreteCase example{};      // the counterexample's numbers
    double seconds = 0;
};

// The queries' ids, in the order prove_pfn runs them.
std::vector<std::string> query_ids();

// Runs the suite: every query, for each range check asked (queries that do not read
// pfn_range_valid_gigantic run once), on up to `threads` threads; results in suite order.
// Throws InputError for an unknown query id in `only`.
std::vector<QueryResult> prove_pfn(const Bounds& bounds, const std::vector<RangeCheck>& checks,
                                   const std::vector<std::string>& only = {}, unsigned threads = 1);

// Does the concrete case violate query `id` (with `check`)? The same formulas the
// symbolic query asserts, evaluated on numbers.
bool violates(const std::string& id, const ConcreteCase& c, RangeCheck check);
// Is the case inside the bounds (well-formed layout, orders in range)?
bool well_formed(const ConcreteCase& c, const Bounds& bounds);
std::string describe_case(const std::string& id, const ConcreteCase& c, RangeCheck check);

}  // namespace hugecheck::pfn
