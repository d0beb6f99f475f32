// Symmetry reduction as a wrapper around a transition system: every state the search sees
// is its orbit's representative, as the canonicalizer makes it (canon.canonicalize(bytes)
// rewrites a state in place). Labels are those of the system's edges from the
// representative, so a trace over representatives is a path of orbits; the model side
// maps it back to real states (counterexamples::trace_from_orbits).
#pragma once

#include <cstring>
#include <string_view>
#include <vector>

#include "explorer/system.hpp"

namespace hugecheck::explorer {

template <class Sys, class Canon>
class SymmetryReduction {
  public:
    using Label = typename Sys::Label;

    struct Context {
        typename Sys::Context inner;
        std::vector<std::byte> canonical;  // the successor being rewritten (+ slack)
    };

    SymmetryReduction(const Sys& sys, const Canon& canon) : sys_(sys), canon_(canon) {}
    SymmetryReduction(const Sys&&, const Canon&) = delete;

    std::size_t state_bytes() const { return sys_.state_bytes(); }
    Context make_context() const {
        return Context{sys_.make_context(),
                       std::vector<std::byte>(sys_.state_bytes() + kStateSlack)};
    }
    void initial_state(std::byte* out) const {
        sys_.initial_state(out);
        canon_.canonicalize(out);
    }

    template <class Sink>
    void for_each_successor(Context& ctx, const std::byte* s, Sink&& sink) const {
        const std::size_t bytes = sys_.state_bytes();
        sys_.for_each_successor(ctx.inner, s, [&](const std::byte* succ, const Label& label) {
            std::memcpy(ctx.canonical.data(), succ, bytes);
            canon_.canonicalize(ctx.canonical.data());
            return sink(static_cast<const std::byte*>(ctx.canonical.data()), label);
        });
    }

    std::string_view unrepresentable(const Context& ctx) const {
        if constexpr (requires { sys_.unrepresentable(ctx.inner); })
            return sys_.unrepresentable(ctx.inner);
        else
            return {};
    }

  private:
    const Sys& sys_;
    const Canon& canon_;
};

}  // namespace hugecheck::explorer
