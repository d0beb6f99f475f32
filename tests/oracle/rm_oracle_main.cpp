// rm_oracle_main NAME [max_states]
// Runs the independent RM oracle on a scenario of the RM's section 4 table (or one of the
// small hand-checked cases of NOTES.md) and prints one line:
//   NAME states=S transitions=T depth=D P1=.. ... P8=.. [incomplete]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>

#include "rm_oracle.hpp"

using namespace rm_oracle;

namespace {

Op fault() {
    return {OpKind::Fault, 0};
}
Op unmap() {
    return {OpKind::Unmap, 0};
}
Op resize(std::uint64_t v) {
    return {OpKind::Resize, v};
}
Op overcommit(std::uint64_t v) {
    return {OpKind::Overcommit, v};
}

Scenario make(int nodes, std::vector<std::uint64_t> mem, std::vector<std::uint64_t> pool,
              std::uint64_t overcommit0, std::vector<Actor> actors) {
    Scenario s;
    s.nodes = nodes;
    s.mem = std::move(mem);
    s.pool = std::move(pool);
    s.overcommit0 = overcommit0;
    s.actors = std::move(actors);
    return s;
}

std::map<std::string, Scenario> scenarios() {
    std::map<std::string, Scenario> m;
    // RM section 4.
    m["surplus-race"] = make(1, {2}, {0}, 1, {{"A", 0, {fault()}}, {"B", 0, {resize(1)}}});
    m["sysctl-race"] = make(1, {3}, {0}, 0, {{"A", 0, {resize(1)}}, {"B", 0, {resize(2)}}});
    m["bench-small"] =
        make(2, {2, 2}, {1, 0}, 1,
             {{"A", 0, {fault(), unmap()}}, {"B", 1, {fault()}}, {"C", 0, {resize(2), resize(0)}}});
    m["bench-medium"] = make(2, {3, 3}, {1, 1}, 2,
                             {{"A", 0, {fault(), unmap(), fault()}},
                              {"B", 1, {fault(), unmap()}},
                              {"C", 0, {resize(3), resize(1)}},
                              {"D", 1, {overcommit(1)}}});
    m["bench-large"] = make(3, {3, 3, 2}, {1, 1, 0}, 2,
                            {{"A", 0, {fault(), unmap(), fault()}},
                             {"B", 1, {fault(), unmap(), fault()}},
                             {"C", 2, {fault(), unmap()}},
                             {"D", 0, {resize(4), resize(1)}},
                             {"E", 1, {overcommit(1), overcommit(3)}}});
    m["bench-xl"] = make(3, {4, 4, 3}, {1, 1, 1}, 3,
                         {{"A", 0, {fault(), unmap(), fault()}},
                          {"B", 1, {fault(), unmap(), fault()}},
                          {"C", 2, {fault(), unmap(), fault()}},
                          {"D", 0, {fault(), unmap()}},
                          {"E", 0, {resize(5), resize(1)}},
                          {"F", 1, {overcommit(1), overcommit(4)}}});
    m["bench-2xl"] = make(3, {4, 4, 3}, {1, 1, 1}, 3,
                          {{"A", 0, {fault(), unmap(), fault()}},
                           {"B", 1, {fault(), unmap(), fault()}},
                           {"C", 2, {fault(), unmap(), fault()}},
                           {"D", 0, {fault(), unmap()}},
                           {"G", 1, {fault(), unmap()}},
                           {"E", 0, {resize(5), resize(1)}},
                           {"F", 1, {overcommit(1), overcommit(4)}}});
    m["bench-4xl"] = make(3, {4, 4, 3}, {1, 1, 1}, 3,
                          {{"A", 0, {fault(), unmap(), fault()}},
                           {"B", 1, {fault(), unmap(), fault()}},
                           {"C", 2, {fault(), unmap(), fault()}},
                           {"E", 0, {resize(5), resize(1)}},
                           {"H", 2, {resize(2)}},
                           {"F", 1, {overcommit(1), overcommit(4)}}});
    // Small hand-checked cases (NOTES.md).
    m["tiny-resize1"] = make(1, {1}, {0}, 0, {{"A", 0, {resize(1)}}});
    m["tiny-resize0"] = make(1, {2}, {2}, 0, {{"A", 0, {resize(0)}}});
    m["tiny-overcommit"] =
        make(1, {1}, {0}, 0, {{"A", 0, {overcommit(1)}}, {"B", 0, {overcommit(2)}}});
    m["tiny-fault"] = make(1, {1}, {0}, 1, {{"A", 0, {fault()}}});
    m["tiny-fault-unmap"] = make(2, {1, 1}, {0, 1}, 0, {{"A", 0, {fault(), unmap()}}});
    m["tiny-resize-race"] = make(1, {1}, {0}, 0, {{"A", 0, {resize(1)}}, {"B", 0, {resize(0)}}});
    return m;
}

}  // namespace

int main(int argc, char** argv) {
    const auto all = scenarios();
    if (argc < 2 || argc > 3 || all.find(argv[1]) == all.end()) {
        std::cerr << "usage: rm_oracle_main NAME [max_states]\nNAME:";
        for (const auto& [name, sc] : all)
            std::cerr << ' ' << name;
        std::cerr << '\n';
        return 2;
    }
    const std::string name = argv[1];
    const std::uint64_t max_states = argc == 3 ? std::strtoull(argv[2], nullptr, 10) : 0;

    const auto t0 = std::chrono::steady_clock::now();
    const Result r = explore(all.at(name), max_states);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    std::cout << name << " states=" << r.states << " transitions=" << r.transitions
              << " depth=" << r.depth;
    for (std::size_t p = 0; p < r.shortest_violation.size(); ++p) {
        std::cout << " P" << (p + 1) << '=';
        if (r.shortest_violation[p] < 0)
            std::cout << "holds";
        else
            std::cout << r.shortest_violation[p];
    }
    if (!r.complete) std::cout << " incomplete";
    std::cout << std::endl;
    std::fprintf(stderr, "%s: %.2f s\n", name.c_str(), secs);
    return 0;
}
