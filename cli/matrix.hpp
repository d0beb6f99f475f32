// The fix matrix: every history scenario (scenarios/history/) on every variant, checked
// for the property that shows its bug. A cell is the shortest violation, or "holds" with
// the number of states explored; it agrees with kernel history when it is violated exactly
// on the variants the scenario's [bug] table lists as having the bug.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "explorer/bfs.hpp"
#include "model/scenario.hpp"
#include "model/variant.hpp"

namespace hugecheck::cli {

struct MatrixCell {
    std::string variant;
    bool modelled = true;  // false: the variant cannot run the scenario (gigantic pages)
    explorer::Status status = explorer::Status::complete;
    bool violated = false;
    std::uint32_t length = 0;  // shortest trace, when violated
    std::uint64_t states = 0;  // states explored
    bool expected = false;     // kernel history says the variant has the bug
    std::string masked_by;     // or another bug that breaks the property (bug.masked)
    // verdict == history (an incomplete cell does not agree; a cell that is not modelled
    // agrees unless history says the variant has the bug; a masked cell expects the other
    // bug's violation)
    bool agrees() const;
    std::string text() const;  // "P5 (3)", "holds (74)", "incomplete (state limit)", "—"
};

struct MatrixRow {
    model::Scenario scenario;  // with its [bug] table
    std::vector<MatrixCell> cells;
};

struct Matrix {
    std::vector<const model::Variant*> variants;
    std::vector<MatrixRow> rows;
    bool all_agree() const;
    bool complete() const;
};

// The embedded history scenarios, ordered by bug number.
std::vector<model::Scenario> history_scenarios();

// Runs every cell with `options` as each cell's budget. Throws InputError if a
// scenario names a property that does not exist.
Matrix compute_matrix(const std::vector<model::Scenario>& scenarios,
                      const std::vector<const model::Variant*>& variants,
                      const explorer::Options& options);

std::string matrix_table(const Matrix& m);     // for a terminal
std::string matrix_markdown(const Matrix& m);  // for docs and reviews
nlohmann::json matrix_json(const Matrix& m);

}  // namespace hugecheck::cli
