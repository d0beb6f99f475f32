// The reference model (RM, seed variant) of one scenario as a Murphi model for Rumur, so
// that an independent model checker can count the scenario's states: one rule per RM step
// of each actor, a ruleset over the outcome of the step's cond_resched_lock choice, the
// RM's variables with the value ranges of hugecheck's packed state. Rumur without
// symmetry reduction then finds exactly the RM's states. docs/peers.md has the encoding
// and the commands.
#pragma once

#include <string>

#include "model/scenario.hpp"

namespace hugecheck::peers {

// Throws InputError for a scenario the RM does not cover (a [gigantic] table, RESIZE_NODE,
// ALLOC, FREE).
std::string to_murphi(const model::Scenario& scenario);

}  // namespace hugecheck::peers
