// Depth-first search, for memory-lean bug hunting (SPIN's default order): one thread, a
// stack of the states on the current path with their successors, and the visited set of
// the breadth-first search (exact, or fingerprints with Options::hash_compaction). A
// violation's trace is the stack itself, so no parents are kept; but traces are not
// shortest, and the first violation found depends on the successor order. The same
// states are reached as by the breadth-first search (counts agree; tests hold them to it).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "explorer/bfs.hpp"

namespace hugecheck::explorer {

template <TransitionSystem Sys, PropertyHooks<typename Sys::Label> Hooks = NoProperties>
class DepthFirstSearch {
  public:
    using Label = typename Sys::Label;
    using Clock = std::chrono::steady_clock;

    DepthFirstSearch(const Sys& sys, Hooks hooks, Options options)
        : sys_(sys),
          hooks_(std::move(hooks)),
          options_(options),
          bytes_(sys.state_bytes()),
          store_(bytes_, !options.hash_compaction),  // (exact: heap chunks; parents unused)
          visited_(store_, 1, 10, options.hash_compaction) {}
    DepthFirstSearch(const Sys&& sys, Hooks hooks, Options options) = delete;

    Status run() {
        start_ = Clock::now();
        typename Sys::Context ctx = sys_.make_context();
        std::vector<std::byte> initial(bytes_ + kStateSlack);
        sys_.initial_state(initial.data());
        insert(initial.data());
        push(initial.data());
        if (hooks_.selected())
            record(hooks_.state_violations(initial.data()), Where::state, nullptr, nullptr);
        status_ = stopping() ? Status::stopped_at_violation : Status::complete;
        while (!frames_.empty() && status_ == Status::complete) {
            Frame& f = frames_.back();
            if (!f.expanded) {
                expand(ctx);
                continue;
            }
            if (f.next == f.end) {
                pop();
                continue;
            }
            const std::size_t k = f.next++;
            const std::byte* succ = successor(k);
            if (!insert(succ)) continue;
            const bool check = hooks_.selected() != 0;
            push(succ);  // may move the arena: `succ` is not used after this
            if (check)
                record(hooks_.state_violations(state_of(frames_.back())), Where::state, nullptr,
                       nullptr);
            if (stopping()) status_ = Status::stopped_at_violation;
            if (status_ == Status::complete) status_ = check_budgets();
        }
        finish_stats();
        return status_;
    }

    Status status() const { return status_; }
    const std::string& unbounded_reason() const { return unbounded_reason_; }
    const Stats& stats() const { return stats_; }
    const std::vector<Violation<Label>>& violations() const { return violations_; }
    PropertyMask violated() const { return violated_; }
    // The states from the initial one to violation k's state (for a transition
    // violation: to its source; the edge is in the violation), each with kStateSlack.
    const std::vector<std::vector<std::byte>>& path(std::size_t k) const { return paths_[k]; }
    double omission_probability() const {
        const double n = static_cast<double>(stats_.states);
        return options_.hash_compaction ? std::min(1.0, n * (n - 1) / 2 / 18446744073709551616.0)
                                        : 0.0;
    }

  private:
    // A state on the path: its bytes at `at` in the arena, then its successors' bytes and
    // labels at [begin, end) once it is expanded; `next` is the one to try next.
    struct Frame {
        std::size_t at = 0;
        std::size_t begin = 0, end = 0, next = 0;
        bool expanded = false;
    };

    const std::byte* state_of(const Frame& f) const { return arena_.data() + f.at; }
    const std::byte* successor(std::size_t k) const { return arena_.data() + successors_at_[k]; }

    bool insert(const std::byte* s) {
        StateIndex index = 0;
        const auto outcome = visited_.insert_settled(
            s, hash_state(s, bytes_),
            [&](const std::byte* n) { return store_.append(n, kNoParent); }, index);
        if (options_.hash_compaction) store_.release_before(store_.size());
        return outcome == VisitedSet::Outcome::added;
    }

    void push(const std::byte* s) {
        const std::size_t at = arena_.size();
        const std::size_t offset = s - arena_.data();
        const bool inside = s >= arena_.data() && offset < arena_.size();
        arena_.resize(at + bytes_ + kStateSlack);
        std::memcpy(arena_.data() + at, inside ? arena_.data() + offset : s, bytes_);
        Frame f;
        f.at = at;
        f.begin = f.end = f.next = successors_at_.size();
        frames_.push_back(f);
        stats_.depth =
            std::max<std::uint32_t>(stats_.depth, static_cast<std::uint32_t>(frames_.size() - 1));
    }

    void pop() {
        const Frame f = frames_.back();
        frames_.pop_back();
        arena_.resize(f.at);
        successors_at_.resize(f.begin);
    }

    void expand(typename Sys::Context& ctx) {
        Frame& f = frames_.back();
        f.expanded = true;
        ++stats_.expanded;
        if (frames_.size() - 1 >= options_.max_depth) {  // not expanded, but counted as seen
            depth_limited_ = true;
            return;
        }
        const bool check = hooks_.selected() != 0;
        std::size_t edges = 0;
        // The arena grows while the successors come: the model works on a copy.
        current_.assign(arena_.data() + f.at, arena_.data() + f.at + bytes_ + kStateSlack);
        sys_.for_each_successor(
            ctx, current_.data(), [&](const std::byte* succ, const Label& label) {
                ++edges;
                if (check) {
                    const PropertyMask bad =
                        hooks_.transition_violations(current_.data(), succ, label);
                    if (bad) record(bad, Where::transition, &label, succ);
                }
                const std::size_t at = arena_.size();
                arena_.resize(at + bytes_ + kStateSlack);
                std::memcpy(arena_.data() + at, succ, bytes_);
                successors_at_.push_back(at);
                // Successors are looked up when they are visited, not here: every one is
                // "old" (explorer/system.hpp), which keeps a reduction's proviso sound.
                return true;
            });
        Frame& g = frames_.back();
        g.end = successors_at_.size();
        stats_.transitions += edges;
        if constexpr (requires { sys_.unrepresentable(ctx); }) {
            const std::string_view why = sys_.unrepresentable(ctx);
            if (!why.empty() && status_ == Status::complete) {
                status_ = Status::unbounded;
                unbounded_reason_ = std::string(why);
                return;
            }
        }
        if (edges == 0 && check)
            record(hooks_.deadend_violations(state_of(g)), Where::deadend, nullptr, nullptr);
        if (stopping()) status_ = Status::stopped_at_violation;
    }

    // Keeps the first violation of each property, with the stack as its path.
    void record(PropertyMask bad, Where where, const Label* label, const std::byte* successor) {
        bad &= ~violated_;
        for (unsigned p = 0; bad != 0; ++p, bad >>= 1) {
            if (!(bad & 1)) continue;
            Violation<Label> v;
            v.property = p;
            v.where = where;
            if (label) v.label = *label;
            if (successor) {
                v.successor.assign(successor, successor + bytes_);
                v.successor.resize(bytes_ + kStateSlack);
            }
            std::vector<std::vector<std::byte>> path;
            for (const Frame& f : frames_)
                path.emplace_back(arena_.data() + f.at,
                                  arena_.data() + f.at + bytes_ + kStateSlack);
            v.trace_length =
                static_cast<std::uint32_t>(path.size() - 1 + (where == Where::transition));
            violations_.push_back(std::move(v));
            paths_.push_back(std::move(path));
            violated_ |= PropertyMask{1} << p;
        }
    }

    bool stopping() const { return violated_ != 0 && !options_.keep_going; }

    Status check_budgets() {
        if (options_.max_states && store_.size() >= options_.max_states) return Status::state_limit;
        if (store_.size() >= kMaxStates - 1) return Status::state_limit;
        if (options_.max_memory_bytes && memory() > options_.max_memory_bytes)
            return Status::memory_limit;
        if (options_.interrupt && options_.interrupt->load(std::memory_order_relaxed))
            return Status::interrupted;
        if ((++budget_calls_ & 1023) == 0 && options_.time_limit_seconds > 0 &&
            std::chrono::duration<double>(Clock::now() - start_).count() >=
                options_.time_limit_seconds)
            return Status::time_limit;
        return Status::complete;
    }

    std::uint64_t memory() const {
        return store_.memory_bytes() + visited_.table_bytes() + arena_.capacity() +
               successors_at_.capacity() * sizeof(std::size_t);
    }

    void finish_stats() {
        if (status_ == Status::complete && depth_limited_) status_ = Status::depth_limit;
        stats_.states = store_.size();
        stats_.seconds = std::chrono::duration<double>(Clock::now() - start_).count();
        stats_.storage_bytes = memory();
        stats_.used_bytes = store_.used_bytes() + visited_.table_bytes();
        stats_.peak_rss_bytes = peak_rss_bytes();
    }

    const Sys& sys_;
    const Hooks hooks_;
    Options options_;
    const std::size_t bytes_;
    StateStore store_;  // exact mode: the states the table refers to; no parents
    VisitedSet visited_;
    std::vector<Frame> frames_;
    std::vector<std::byte> arena_;            // frames' states and successors, stack-like
    std::vector<std::size_t> successors_at_;  // arena offsets of the successors
    std::vector<std::byte> current_;          // the state being expanded
    Status status_ = Status::complete;
    bool depth_limited_ = false;
    std::string unbounded_reason_;
    Stats stats_;
    std::vector<Violation<Label>> violations_;
    std::vector<std::vector<std::vector<std::byte>>> paths_;
    PropertyMask violated_ = 0;
    std::uint64_t budget_calls_ = 0;
    Clock::time_point start_;
};

}  // namespace hugecheck::explorer
