// Helpers shared by the tests: scenarios from inline TOML, hand-built states, successor
// lists, and a full exploration with properties.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <rapidcheck.h>

#include "counterexamples/trace.hpp"
#include "explorer/bfs.hpp"
#include "model/hugetlb_model.hpp"
#include "model/scenario.hpp"
#include "properties/properties.hpp"

namespace hugecheck::test {

inline model::Scenario scenario(const std::string& toml, const std::string& name = "test") {
    return model::parse_scenario(toml, "test.toml", name);
}

// The step tests' scenario (tests/test_steps.cpp, tests/test_coverage.cpp): two nodes; A
// faults from node 1, B and D resize, C writes the overcommit sysctl.
inline constexpr const char* kTwoNodeSteps = R"toml(
nodes = 2
mem = [3, 2]
pool = [1, 1]
overcommit = 2
[[actor]]
name = "A"
home = 1
script = ["FAULT", "UNMAP"]
[[actor]]
name = "B"
home = 0
script = ["RESIZE(3)", "RESIZE(0)"]
[[actor]]
name = "C"
home = 0
script = ["OVERCOMMIT(5)"]
[[actor]]
name = "D"
home = 1
script = ["RESIZE(1)"]
)toml";

// An unpacked state to edit by slot and to pack.
struct Values {
    const model::HugetlbModel* m;
    std::vector<std::uint64_t> v;

    static Values initial(const model::HugetlbModel& m) {
        std::vector<std::byte> s(m.state_bytes() + model::kPackSlack);
        m.initial_state(s.data());
        return {&m, m.unpack(s.data())};
    }
    static Values of(const model::HugetlbModel& m, const std::byte* s) { return {&m, m.unpack(s)}; }

    std::uint64_t& operator[](model::Slot s) { return v[s]; }
    std::uint64_t operator[](model::Slot s) const { return v[s]; }
    std::vector<std::byte> packed() const {
        std::vector<std::byte> out = m->pack(v);
        out.resize(m->state_bytes() + model::kPackSlack);
        return out;
    }
    bool operator==(const Values& o) const { return v == o.v; }
};

// Printed by GoogleTest when two Values differ: only the slots that matter.
inline std::ostream& operator<<(std::ostream& os, const Values& x) {
    for (model::Slot s = 0; s < x.v.size(); ++s)
        if (x.v[s] != 0) os << x.m->slot_name(s) << "=" << x.m->format_value(s, x.v[s]) << " ";
    return os;
}

struct Successor {
    model::Transition transition;
    Values after;
};

inline std::vector<Successor> successors(const model::HugetlbModel& m, const Values& before,
                                         int only_actor = -1) {
    std::vector<Successor> out;
    model::HugetlbModel::Context ctx = m.make_context();
    const std::vector<std::byte> packed = before.packed();
    auto sink = [&](const std::byte* s, const model::Transition& t) {
        out.push_back({t, Values::of(m, s)});
    };
    if (only_actor < 0)
        m.for_each_successor(ctx, packed.data(), sink);
    else
        m.actor_successors(ctx, packed.data(), static_cast<std::uint32_t>(only_actor), sink);
    return out;
}

struct Explored {
    explorer::Status status;
    explorer::Stats stats;
    // property id ("P1") -> length of the shortest trace found
    std::map<std::string, std::uint32_t> shortest;
    std::vector<counterexamples::Trace> traces;
};

// Explores with --keep-going and the given properties; rebuilds every trace.
inline Explored explore(const model::HugetlbModel& m,
                        properties::PropertySet props = properties::kAllProperties,
                        explorer::Options options = {}) {
    options.keep_going = true;
    const properties::Checker checker(m, props);
    explorer::BreadthFirstSearch search(m, checker, options);
    Explored out{search.run(), {}, {}, {}};
    out.stats = search.stats();
    for (const auto& v : search.violations()) {
        out.shortest[std::string(properties::kProperties[v.property].id)] = v.trace_length;
        out.traces.push_back(counterexamples::build_trace(m, checker, search, v));
    }
    return out;
}

// A variant that can run the scenario, chosen by RapidCheck (v2.6.24 has no RESIZE_NODE).
inline const model::Variant& any_variant_for(const model::Scenario& sc) {
    std::vector<const model::Variant*> able;
    for (const model::Variant* v : model::all_variants())
        if (model::HugetlbModel::missing_features(sc, *v).empty()) able.push_back(v);
    RC_ASSERT(!able.empty());
    return **rc::gen::elementOf(able);
}

// A random small scenario as TOML text (so that generated scenarios also go through the
// parser), for RapidCheck properties. RESIZE_NODE only when asked: the RM has no such op.
inline std::string random_scenario_toml(bool resize_node) {
    const int nodes = *rc::gen::inRange(1, 4);
    std::string mem = "[", pool = "[";
    for (int n = 0; n < nodes; ++n) {
        const int m = *rc::gen::inRange(0, 4);
        const int p = *rc::gen::inRange(0, m + 1);
        mem += (n ? ", " : "") + std::to_string(m);
        pool += (n ? ", " : "") + std::to_string(p);
    }
    std::string toml = "nodes = " + std::to_string(nodes) + "\nmem = " + mem + "]\npool = " + pool +
                       "]\novercommit = " + std::to_string(*rc::gen::inRange(0, 3)) + "\n";
    const int actors = *rc::gen::inRange(1, 4);
    for (int a = 0; a < actors; ++a) {
        toml += "[[actor]]\nname = \"" + std::string(1, static_cast<char>('A' + a)) +
                "\"\nhome = " + std::to_string(*rc::gen::inRange(0, nodes)) + "\nscript = [";
        const int ops = *rc::gen::inRange(1, 4);
        bool owns = false;  // at most one page per actor: no FAULT while one may be owned
        for (int k = 0; k < ops; ++k) {
            int kind = *rc::gen::inRange(0, resize_node ? 5 : 4);
            if (kind == 0 && owns) kind = 1;
            std::string op;
            switch (kind) {
                case 0:
                    op = "FAULT";
                    owns = true;
                    break;
                case 1:
                    op = "UNMAP";
                    owns = false;
                    break;
                case 2: op = "RESIZE(" + std::to_string(*rc::gen::inRange(0, 6)) + ")"; break;
                case 3: op = "OVERCOMMIT(" + std::to_string(*rc::gen::inRange(0, 4)) + ")"; break;
                default:
                    op = "RESIZE_NODE(" + std::to_string(*rc::gen::inRange(0, nodes)) + ", " +
                         std::to_string(*rc::gen::inRange(0, 4)) + ")";
            }
            toml += (k ? ", \"" : "\"") + op + "\"";
        }
        toml += "]\n";
    }
    return toml;
}

}  // namespace hugecheck::test
