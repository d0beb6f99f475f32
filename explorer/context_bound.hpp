// Context bounding (Musuvathi and Qadeer's CHESS) as a wrapper around a transition system
// with processes: only schedules with at most K preemptions are explored. A preemption is
// a step of a process other than the one that took the previous step while that one could
// still have gone on; switching away from a process that is blocked or finished is free.
// Most concurrency bugs need very few preemptions, and the bounded space is far smaller,
// so this is a fast bug-finding mode; a result that holds is a bounded result.
//
// A state is the system's state followed by two bytes: the process that took the last
// step + 1 (0 before the first step) and the preemptions so far. The same system state
// reached by schedules that differ in those two is stored once per pair, as in CHESS.
// Every state with a successor in the system keeps one here (the last process may always
// go on, and if it cannot, switching is free), so the bound adds no dead ends.
//
// The system must offer processes (sys.processes() and sys.for_each_process_successor,
// in the order for_each_successor gives them), as explorer/por.hpp requires.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "explorer/system.hpp"

namespace hugecheck::explorer {

template <class Sys>
class ContextBound {
  public:
    using Label = typename Sys::Label;
    static constexpr unsigned kMaxBound = 254;           // the count is one byte
    static constexpr std::uint32_t kMaxProcesses = 254;  // so is the last process + 1

    struct Context {
        typename Sys::Context inner;
        std::vector<std::byte> out;  // the successor being extended (+ slack)
    };

    ContextBound(const Sys& sys, unsigned bound) : sys_(sys), bound_(bound) {}
    ContextBound(const Sys&&, unsigned) = delete;

    std::size_t state_bytes() const { return sys_.state_bytes() + 2; }
    Context make_context() const {
        return Context{sys_.make_context(), std::vector<std::byte>(state_bytes() + kStateSlack)};
    }
    void initial_state(std::byte* out) const {
        sys_.initial_state(out);
        out[sys_.state_bytes()] = std::byte{0};
        out[sys_.state_bytes() + 1] = std::byte{0};
    }

    // The process that took the last step (-1: none yet) and the preemptions so far.
    int last_process(const std::byte* s) const {
        return static_cast<int>(std::to_integer<unsigned>(s[sys_.state_bytes()])) - 1;
    }
    unsigned preemptions(const std::byte* s) const {
        return std::to_integer<unsigned>(s[sys_.state_bytes() + 1]);
    }
    unsigned bound() const { return bound_; }

    template <class Sink>
    void for_each_successor(Context& ctx, const std::byte* s, Sink&& sink) const {
        const std::size_t bytes = sys_.state_bytes();
        const int last = last_process(s);
        const unsigned used = preemptions(s);
        bool last_enabled = false;
        if (last >= 0)
            sys_.for_each_process_successor(
                ctx.inner, s, static_cast<std::uint32_t>(last),
                [&](const std::byte*, const Label&) { last_enabled = true; });
        const std::uint32_t n = sys_.processes();
        for (std::uint32_t p = 0; p < n; ++p) {
            const bool preempts = last_enabled && static_cast<int>(p) != last;
            if (preempts && used >= bound_) continue;
            const auto mark = static_cast<std::byte>(p + 1);
            const auto count = static_cast<std::byte>(used + (preempts ? 1 : 0));
            sys_.for_each_process_successor(
                ctx.inner, s, p, [&](const std::byte* succ, const Label& label) {
                    std::memcpy(ctx.out.data(), succ, bytes);
                    ctx.out[bytes] = mark;
                    ctx.out[bytes + 1] = count;
                    return sink(static_cast<const std::byte*>(ctx.out.data()), label);
                });
        }
    }

    std::string_view unrepresentable(const Context& ctx) const {
        if constexpr (requires { sys_.unrepresentable(ctx.inner); })
            return sys_.unrepresentable(ctx.inner);
        else
            return {};
    }

  private:
    const Sys& sys_;
    unsigned bound_;
};

}  // namespace hugecheck::explorer
