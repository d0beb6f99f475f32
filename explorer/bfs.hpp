// Breadth-first search over packed states (see docs/internals-explorer.md).
//
// The store appends states in discovery order, which in BFS is level order, so the store
// doubles as the queue: expanding state i means generating its successors and appending
// the new ones. Levels are ranges of indices; a state's depth is its level. Because every
// state of level d is checked before any of level d + 1, the first violation recorded for a
// property is one with a shortest trace, and the parent indices give that trace.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "explorer/state_store.hpp"
#include "explorer/system.hpp"
#include "explorer/visited_set.hpp"

namespace hugecheck::explorer {

enum class Status {
    complete,              // every reachable state explored
    stopped_at_violation,  // first violation found, and not --keep-going
    state_limit,           // --max-states reached
    time_limit,            // --time-limit reached
    memory_limit,          // --max-memory reached
    interrupted,           // SIGINT / SIGTERM
    unbounded,             // a successor past the bounds of the system's encoding
};

inline const char* status_name(Status s) {
    switch (s) {
        case Status::complete: return "complete";
        case Status::stopped_at_violation: return "stopped at the first violation";
        case Status::state_limit: return "state limit reached";
        case Status::time_limit: return "time limit reached";
        case Status::memory_limit: return "memory limit reached";
        case Status::interrupted: return "interrupted";
        case Status::unbounded: return "the state space leaves the bounds of its encoding";
    }
    return "?";
}

struct Options {
    bool keep_going = false;             // explore everything; one trace per violated property
    std::uint64_t max_states = 0;        // 0: no limit (besides kMaxStates)
    double time_limit_seconds = 0;       // 0: none
    std::uint64_t max_memory_bytes = 0;  // bound on the store and visited set; 0: none
    const std::atomic<bool>* interrupt = nullptr;  // set asynchronously to stop
    double progress_interval_seconds = 1.0;
};

struct Stats {
    std::uint64_t states = 0;       // distinct states, the initial one included
    std::uint64_t transitions = 0;  // edges generated (one per successor of a sink call)
    std::uint32_t depth = 0;        // largest level reached (initial state: 0)
    std::uint64_t expanded = 0;     // states whose successors were generated
    double seconds = 0;
    std::uint64_t storage_bytes = 0;  // store + visited set, as allocated
    std::uint64_t used_bytes = 0;     // store + visited set, without the last chunk's slack
    std::uint64_t peak_rss_bytes = 0;
    double states_per_second() const { return seconds > 0 ? states / seconds : 0; }
    double bytes_per_state() const {
        return states ? static_cast<double>(used_bytes) / static_cast<double>(states) : 0;
    }
};

enum class Where { state, transition, deadend };

template <class Label>
struct Violation {
    unsigned property = 0;  // index into the hooks' property set
    Where where = Where::state;
    StateIndex state = 0;              // the violating state, or the source of the violating edge
    Label label{};                     // Where::transition: the edge's label
    std::vector<std::byte> successor;  // Where::transition: the edge's target (+ slack)
    std::uint32_t trace_length = 0;    // steps from the initial state
};

inline std::uint64_t peak_rss_bytes() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<std::uint64_t>(u.ru_maxrss) * 1024;  // Linux: KiB
}

template <TransitionSystem Sys, PropertyHooks<typename Sys::Label> Hooks = NoProperties>
class BreadthFirstSearch {
  public:
    using Label = typename Sys::Label;
    using Clock = std::chrono::steady_clock;
    using ProgressFn = std::function<void(const Stats&, std::uint64_t queued)>;

    // The search keeps a reference to the system (it may be large) and a copy of the
    // hooks (small objects); a temporary system would dangle, so it is refused.
    BreadthFirstSearch(const Sys& sys, Hooks hooks, Options options)
        : sys_(sys),
          hooks_(std::move(hooks)),
          options_(options),
          store_(sys.state_bytes()),
          visited_(store_) {}
    BreadthFirstSearch(const Sys&& sys, Hooks hooks, Options options) = delete;

    void on_progress(ProgressFn fn) { progress_ = std::move(fn); }

    Status run() {
        start_ = Clock::now();
        last_progress_ = start_;
        typename Sys::Context ctx = sys_.make_context();
        const std::size_t bytes = sys_.state_bytes();
        std::vector<std::byte> initial(bytes + kStateSlack);
        sys_.initial_state(initial.data());
        visited_.insert(initial.data(), kNoParent);
        level_starts_ = {0};
        record(hooks_.state_violations(store_.state(0)), Where::state, 0, nullptr, nullptr);
        status_ = stopping() ? Status::stopped_at_violation : Status::complete;

        std::uint64_t level_end = store_.size();
        for (std::uint64_t i = 0; i < store_.size() && status_ == Status::complete; ++i) {
            if (i == level_end) {  // level d is done: the next one starts here
                level_starts_.push_back(i);
                level_end = store_.size();
            }
            expand(ctx, static_cast<StateIndex>(i));
            ++stats_.expanded;
            if (status_ == Status::complete) status_ = check_budgets();
        }
        // Stopped inside a level: the states after level_end form the next, unexpanded one.
        if (level_end < store_.size()) level_starts_.push_back(level_end);
        finish_stats();
        return status_;
    }

    Status status() const { return status_; }
    // Status::unbounded: what the system said.
    const std::string& unbounded_reason() const { return unbounded_reason_; }
    const Stats& stats() const { return stats_; }
    const std::vector<Violation<Label>>& violations() const { return violations_; }
    const StateStore& store() const { return store_; }
    PropertyMask violated() const { return violated_; }

    // The BFS level of a stored state.
    std::uint32_t depth_of(StateIndex i) const {
        const auto it = std::upper_bound(level_starts_.begin(), level_starts_.end(), i);
        return static_cast<std::uint32_t>(it - level_starts_.begin() - 1);
    }

    // Indices from the initial state to `i`, both included.
    std::vector<StateIndex> path_to(StateIndex i) const {
        std::vector<StateIndex> path;
        for (StateIndex k = i; k != kNoParent; k = store_.parent(k))
            path.push_back(k);
        std::reverse(path.begin(), path.end());
        return path;
    }

  private:
    void expand(typename Sys::Context& ctx, StateIndex i) {
        const std::byte* s = store_.state(i);
        std::uint64_t edges = 0;
        const bool check_edges = hooks_.selected() != 0;
        sys_.for_each_successor(ctx, s, [&](const std::byte* succ, const Label& label) {
            ++edges;
            if (status_ != Status::complete) return;  // stopping: count, store nothing
            if (check_edges) {
                const PropertyMask bad = hooks_.transition_violations(s, succ, label);
                if (bad) record(bad, Where::transition, i, &label, succ);
            }
            if (store_.size() >= kMaxStates) {
                status_ = Status::state_limit;
                return;
            }
            const auto found = visited_.insert(succ, i);
            if (found.inserted && check_edges)
                record(hooks_.state_violations(succ), Where::state, found.index, nullptr, nullptr);
            if (stopping()) status_ = Status::stopped_at_violation;
        });
        stats_.transitions += edges;
        if constexpr (requires { sys_.unrepresentable(ctx); }) {
            const std::string_view why = sys_.unrepresentable(ctx);
            if (!why.empty() && status_ == Status::complete) {
                status_ = Status::unbounded;
                unbounded_reason_ = std::string(why);
            }
        }
        if (edges == 0 && check_edges && status_ == Status::complete)
            record(hooks_.deadend_violations(s), Where::deadend, i, nullptr, nullptr);
        if (stopping() && status_ == Status::complete) status_ = Status::stopped_at_violation;
    }

    // Keeps the first violation of each property: in BFS order that is a shortest one.
    void record(PropertyMask bad, Where where, StateIndex i, const Label* label,
                const std::byte* successor) {
        bad &= ~violated_;
        for (unsigned p = 0; bad != 0; ++p, bad >>= 1) {
            if (!(bad & 1)) continue;
            Violation<Label> v;
            v.property = p;
            v.where = where;
            v.state = i;
            if (label) v.label = *label;
            if (successor) {  // with the slack every state buffer carries
                v.successor.assign(successor, successor + sys_.state_bytes());
                v.successor.resize(sys_.state_bytes() + kStateSlack);
            }
            v.trace_length = depth_of_new(i) + (where == Where::transition ? 1 : 0);
            violations_.push_back(std::move(v));
            violated_ |= PropertyMask{1} << p;
        }
    }

    // Depth of a state that may have been appended in the level being built.
    std::uint32_t depth_of_new(StateIndex i) const {
        if (i == 0) return 0;
        return depth_of(store_.parent(i)) + 1;
    }

    bool stopping() const { return violated_ != 0 && !options_.keep_going; }

    Status check_budgets() {
        if (options_.max_states && store_.size() >= options_.max_states) return Status::state_limit;
        if (options_.max_memory_bytes) {
            std::uint64_t need = store_.memory_bytes() + visited_.memory_bytes();
            if (visited_.grows_on_next_insert()) need += visited_.memory_bytes_after_growth();
            if (need > options_.max_memory_bytes) return Status::memory_limit;
        }
        if (options_.interrupt && options_.interrupt->load(std::memory_order_relaxed))
            return Status::interrupted;
        if ((stats_.expanded & 1023) == 0) {
            const auto now = Clock::now();
            const double elapsed = std::chrono::duration<double>(now - start_).count();
            if (options_.time_limit_seconds > 0 && elapsed >= options_.time_limit_seconds)
                return Status::time_limit;
            if (progress_ && std::chrono::duration<double>(now - last_progress_).count() >=
                                 options_.progress_interval_seconds) {
                last_progress_ = now;
                finish_stats();
                progress_(stats_, store_.size() - stats_.expanded);
            }
        }
        return Status::complete;
    }

    void finish_stats() {
        stats_.states = store_.size();
        stats_.depth = store_.size() ? depth_of_new(static_cast<StateIndex>(store_.size() - 1)) : 0;
        stats_.seconds = std::chrono::duration<double>(Clock::now() - start_).count();
        stats_.storage_bytes = store_.memory_bytes() + visited_.memory_bytes();
        stats_.used_bytes = store_.used_bytes() + visited_.memory_bytes();
        stats_.peak_rss_bytes = peak_rss_bytes();
    }

    const Sys& sys_;
    const Hooks hooks_;
    Options options_;
    StateStore store_;
    VisitedSet visited_;
    std::vector<std::uint64_t> level_starts_;
    Status status_ = Status::complete;
    std::string unbounded_reason_;
    Stats stats_;
    std::vector<Violation<Label>> violations_;
    PropertyMask violated_ = 0;
    ProgressFn progress_;
    Clock::time_point start_, last_progress_;
};

}  // namespace hugecheck::explorer
