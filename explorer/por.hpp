// Partial-order reduction as a wrapper around a transition system (as DIVINE and LTSmin
// do it): the search sees a system whose successors are, where the oracle allows it, those
// of one process only (an ample set), and otherwise all of them.
//
// The system must offer processes: sys.processes() and
// sys.for_each_process_successor(ctx, s, p, sink), the edges of process p in s, in the
// order for_each_successor gives them. The oracle's ample_process(s) names a process whose
// enabled transitions satisfy C1 (independent of everything the other processes can still
// do) and C2 (invisible to the properties), or -1. This wrapper adds
//  - C0: an ample set is never empty (no successor: expand fully), so every dead end of
//    the full system is a dead end here and no state becomes one by reduction;
//  - C3, the cycle proviso of breadth-first search: if an ample successor is "old" (the
//    search's sink says it was stored before the level of s, explorer/system.hpp), the
//    other processes' successors are added too. Every cycle has an edge into an earlier
//    or equal level, so no cycle is closed with only ample edges and no transition is
//    ignored forever. An edge the oracle knows to lie on no cycle (progresses(), below)
//    is exempt: it cannot close one. Depth-first search answers "old" for every
//    successor: then every state with an ample edge that may lie on a cycle is expanded
//    fully, which is C3 for any search order.
// With C0-C3 every reachable dead end, and every violation of a property whose visible
// steps the oracle avoided, is reached in the reduced graph (docs/reductions.md).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "explorer/system.hpp"

namespace hugecheck::explorer {

// Counts of one reduced search: how many expanded states took an ample set, how many were
// expanded fully (no ample set, or the proviso).
struct ReductionStats {
    std::uint64_t ample = 0, full = 0, proviso = 0;
};

template <class Sys, class Oracle>
class PartialOrderReduction {
  public:
    using Label = typename Sys::Label;

    struct Context {
        typename Sys::Context inner;
        std::string unrepresentable;  // kept across the calls one expansion makes
        ReductionStats counts;        // this thread's, added to the wrapper's when it ends
        std::atomic<std::uint64_t>* totals = nullptr;
        Context(typename Sys::Context c, std::atomic<std::uint64_t>* t)
            : inner(std::move(c)), totals(t) {}
        Context(Context&& o) noexcept
            : inner(std::move(o.inner)),
              unrepresentable(std::move(o.unrepresentable)),
              counts(std::exchange(o.counts, {})),
              totals(o.totals) {}
        Context& operator=(Context&&) = delete;
        ~Context() {
            if (!totals) return;
            totals[0].fetch_add(counts.ample, std::memory_order_relaxed);
            totals[1].fetch_add(counts.full, std::memory_order_relaxed);
            totals[2].fetch_add(counts.proviso, std::memory_order_relaxed);
        }
    };

    PartialOrderReduction(const Sys& sys, const Oracle& oracle) : sys_(sys), oracle_(oracle) {}
    PartialOrderReduction(const Sys&&, const Oracle&) = delete;

    std::size_t state_bytes() const { return sys_.state_bytes(); }
    Context make_context() const { return Context(sys_.make_context(), totals_); }
    void initial_state(std::byte* out) const { sys_.initial_state(out); }

    template <class Sink>
    void for_each_successor(Context& ctx, const std::byte* s, Sink&& sink) const {
        if (!ctx.unrepresentable.empty()) ctx.unrepresentable.clear();
        const int p = oracle_.ample_process(s);
        if (p < 0) {
            ++ctx.counts.full;
            sys_.for_each_successor(ctx.inner, s, sink);
            keep_reason(ctx);
            return;
        }
        bool any = false, old = false;
        sys_.for_each_process_successor(ctx.inner, s, static_cast<std::uint32_t>(p),
                                        [&](const std::byte* succ, const Label& label) {
                                            any = true;
                                            if (answer(sink, succ, label) && !progresses(s, succ))
                                                old = true;
                                        });
        keep_reason(ctx);
        if (any && !old) {
            ++ctx.counts.ample;
            return;
        }
        if (any)
            ++ctx.counts.proviso;
        else
            ++ctx.counts.full;
        // C3 (an ample successor is old) or C0 (no ample successor): every other process.
        const std::uint32_t n = sys_.processes();
        for (std::uint32_t q = 0; q < n; ++q) {
            if (q == static_cast<std::uint32_t>(p)) continue;
            sys_.for_each_process_successor(ctx.inner, s, q, sink);
            keep_reason(ctx);
        }
    }

    std::string_view unrepresentable(const Context& ctx) const { return ctx.unrepresentable; }

    // The counts of the contexts that have ended (a search's, once it is destroyed).
    ReductionStats stats() const {
        return {totals_[0].load(), totals_[1].load(), totals_[2].load()};
    }

  private:
    // The proviso needs the search's answer: a search whose sink returns nothing cannot
    // run a reduced system (it would close cycles of ample edges unnoticed).
    template <class Sink>
    static bool answer(Sink& sink, const std::byte* succ, const Label& label) {
        static_assert(
            std::is_same_v<std::invoke_result_t<Sink&, const std::byte*, const Label&>, bool>,
            "partial-order reduction needs a search whose sink says whether a state is old");
        return sink(succ, label);
    }
    // An oracle may know edges that lie on no cycle (oracle.progresses(before, after):
    // they raise a rank no edge lowers); an old successor across one needs no proviso.
    bool progresses(const std::byte* before, const std::byte* after) const {
        if constexpr (requires { oracle_.progresses(before, after); })
            return oracle_.progresses(before, after);
        else
            return false;
    }
    void keep_reason(Context& ctx) const {
        if constexpr (requires { sys_.unrepresentable(ctx.inner); }) {
            const std::string_view why = sys_.unrepresentable(ctx.inner);
            if (!why.empty() && ctx.unrepresentable.empty()) ctx.unrepresentable = why;
        }
    }

    const Sys& sys_;
    const Oracle& oracle_;
    mutable std::atomic<std::uint64_t> totals_[3] = {0, 0, 0};
};

}  // namespace hugecheck::explorer
