// The reference model (RM, seed variant) of one scenario as a Promela model for SPIN, so
// that an independent model checker can count the scenario's states: one process, one
// d_step per RM step of each actor (and per outcome of the step's cond_resched_lock
// choice), the RM's variables as globals, the steps' scratch `hidden`. SPIN with
// -DNOREDUCE then stores exactly the RM's states. docs/peers.md has the encoding and the
// commands.
#pragma once

#include <string>

#include "model/scenario.hpp"

namespace hugecheck::peers {

// Throws InputError for a scenario the RM does not cover (a [gigantic] table, RESIZE_NODE,
// ALLOC, FREE) or whose values do not fit Promela's 32-bit int.
std::string to_promela(const model::Scenario& scenario);

}  // namespace hugecheck::peers
