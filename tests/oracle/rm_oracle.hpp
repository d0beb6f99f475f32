// An independent, deliberately naive implementation of the reference model (RM,
// ../shared/spec/reference-model.md), written from the spec text alone. It shares no
// code with model/, properties/ or explorer/: tests compare hugecheck's packed engine
// against it (state counts, transition counts, shortest violation lengths).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace rm_oracle {

enum class OpKind { Fault, Unmap, Resize, Overcommit };

struct Op {
    OpKind kind;
    std::uint64_t value = 0;  // RESIZE(v) / OVERCOMMIT(v); 0 for FAULT and UNMAP
};

struct Actor {
    std::string name;
    int home = 0;
    std::vector<Op> script;
};

struct Scenario {
    int nodes = 1;
    std::vector<std::uint64_t> mem, pool;
    std::uint64_t overcommit0 = 0;
    std::vector<Actor> actors;
};

struct Result {
    std::uint64_t states = 0;       // distinct reachable states, the initial one included
    std::uint64_t transitions = 0;  // RM edges: one per (state, actor, step, choice outcome)
    std::uint32_t depth = 0;        // largest BFS depth of a reachable state (initial = 0)
    // Index k is property P(k+1). -1: the property holds on every reachable state/edge.
    // Otherwise the length (number of steps) of a shortest trace that shows the violation:
    // for state properties the BFS depth of the shallowest violating state, for transition
    // properties the depth of the source state + 1.
    std::array<int, 8> shortest_violation{-1, -1, -1, -1, -1, -1, -1, -1};
    bool complete = true;  // false when max_states stopped the search
};

// Breadth-first exploration of every reachable state with every property evaluated
// (exploration never stops at a violation). max_states = 0: no bound.
Result explore(const Scenario& scenario, std::uint64_t max_states = 0);

}  // namespace rm_oracle
