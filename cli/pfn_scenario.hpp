// A counterexample of `hugecheck prove pfn`'s range-in-zone query as a gigantic scenario,
// so that the explorer can run the allocation it describes (--scenario-dir).
#pragma once

#include <optional>
#include <string>

#include "properties/pfn/queries.hpp"

namespace hugecheck::cli {

// The scenario TOML for a range-in-zone counterexample: its layout, its orders, and one
// actor that grows the pool on node 0 (the queries' scanned node) until the scan has
// reached the counterexample's round. `why_not` says why there is none: another query, or
// a layout too large for an explorer scenario.
std::optional<std::string> counterexample_scenario(const pfn::QueryResult& r, std::string* why_not);

}  // namespace hugecheck::cli
