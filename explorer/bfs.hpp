// Breadth-first search over packed states, level by level, on any number of threads (see
// docs/internals-explorer.md).
//
// The store holds states in discovery order, which in BFS is level order, so the store
// doubles as the queue: level d is a range of indices, and expanding it produces level
// d + 1. Threads take blocks of the level and insert successors into a lock-free visited
// set, where new states wait as "pending"; when the level is done (or enough are pending,
// Options::commit_pending) they are numbered in the order a sequential search would have
// found them (by the first edge that reached them) and appended. So indices, parents, counts,
// verdicts and traces are the same for every thread count. Every state of level d is checked before
// any of level d + 1, and among the violations of a level the first in that sequential order is
// kept, so the trace recorded for a property is a shortest one.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "explorer/state_store.hpp"
#include "explorer/system.hpp"
#include "explorer/tree_store.hpp"
#include "explorer/visited_set.hpp"
#include "explorer/worker_pool.hpp"

namespace hugecheck::explorer {

enum class Status {
    complete,              // every reachable state explored
    stopped_at_violation,  // first violation found, and not --keep-going
    state_limit,           // --max-states reached
    time_limit,            // --time-limit reached
    memory_limit,          // --max-memory reached
    interrupted,           // SIGINT / SIGTERM
    unbounded,             // a successor past the bounds of the system's encoding
    depth_limit,           // Options::max_depth: deeper levels not expanded
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
        case Status::depth_limit: return "depth limit reached";
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
    unsigned threads = 1;  // worker threads; the results do not depend on it
    // Expand no state deeper than this (the states one step deeper are still found and
    // checked); stop with Status::depth_limit if there were more.
    std::uint32_t max_depth = ~std::uint32_t{0};
    // Hash compaction: the visited set keeps 64-bit fingerprints, the store only the
    // levels still to expand, and no parents; violations have lengths but no traces
    // (keeps_traces() is false). See VisitedSet::fingerprints().
    bool hash_compaction = false;
    // With threads, the new states found wait as pending until this many have gathered
    // (or the level ends), then are committed: what they cost (the state, its key and
    // slot, the numbering arrays: about 60 bytes each) stays below 4 MiB however wide a
    // level is. Below that, a round also ends at 1/256 of the states stored (at least
    // 4096), so that pending states add well under a byte per state to a small search's
    // peak memory. The results do not depend on it; tests set it small.
    std::uint64_t commit_pending = std::uint64_t{1} << 16;
    // Tree compression: the states live in a TreeStore (explorer/tree_store.hpp), exact and
    // shared among states, without parents; a trace is rebuilt backwards by expanding the
    // levels above its end again. Counts, indices, verdicts and traces are those of the
    // plain store. Not with hash_compaction.
    bool tree_compression = false;
};

struct Stats {
    std::uint64_t states = 0;       // distinct states, the initial one included
    std::uint64_t transitions = 0;  // edges generated (one per successor of a sink call)
    std::uint32_t depth = 0;        // largest level reached (initial state: 0)
    std::uint64_t expanded = 0;     // states whose successors were generated
    double seconds = 0;
    std::uint64_t storage_bytes = 0;  // store + visited set (+ pending lists), as allocated
    std::uint64_t used_bytes = 0;     // store + visited set, without the last chunk's slack
    std::uint64_t peak_rss_bytes = 0;
    std::uint64_t tree_nodes = 0, tree_leaves = 0;  // tree compression: keys below the roots
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
          options_(normalised(options)),
          store_(sys.state_bytes(), !options_.hash_compaction && !options_.tree_compression),
          visited_(store_, options_.threads, options_.threads > 1 ? kConcurrentTableLog2 : 10,
                   options_.hash_compaction, options_.tree_compression) {}
    BreadthFirstSearch(const Sys&& sys, Hooks hooks, Options options) = delete;

    void on_progress(ProgressFn fn) { progress_ = std::move(fn); }

    Status run() {
        start_ = Clock::now();
        last_progress_ = start_;
        const std::size_t bytes = sys_.state_bytes();
        // Each worker's scratch space is made on its own thread, so that malloc takes it
        // from that thread's arena: two threads' hot buffers never share a cache line.
        workers_.clear();
        workers_.resize(options_.threads);
        if (options_.threads > 1) pool_.emplace(options_.threads);
        run_on_workers([&](unsigned t) { workers_[t] = std::make_unique<Worker>(sys_); });
        std::vector<std::byte> initial(bytes + kStateSlack);
        sys_.initial_state(initial.data());
        StateIndex first = 0;
        visited_.insert_settled(
            initial.data(), hash_state(initial.data(), bytes),
            [&](const std::byte* s) { return store_.append(s, kNoParent); }, first);
        level_starts_ = {0};
        level_end_ = stored();
        status_ = Status::complete;
        if (hooks_.selected()) {
            Candidates found;
            add_state_candidate(found, hooks_.state_violations(initial.data()), 0, Event{0, 0});
            adopt(found, Event{}, false);
            if (stopping()) status_ = Status::stopped_at_violation;
        }
        while (status_ == Status::complete) {
            const std::uint64_t lo = level_starts_.back(), hi = stored();
            if (lo == hi) break;
            if (level_starts_.size() - 1 > options_.max_depth) {
                status_ = Status::depth_limit;
                break;
            }
            expand_level(lo, hi);
            if (options_.hash_compaction) store_.release_before(hi);  // level lo..hi is done
            if (stored() == hi) break;  // no new state: the search is over
            level_starts_.push_back(hi);
            level_end_ = stored();
            if (options_.tree_compression && !tree_ && stored() >= kShapeSample) move_to_tree();
        }
        if (options_.tree_compression && !tree_) move_to_tree();
        pool_.reset();
        finish_stats();
        // The workers' contexts end with the search: a system that counts in them (a
        // reduction, explorer/por.hpp) has its totals now, before any trace is rebuilt.
        workers_.clear();
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

    // Whether path_to() and state_copy() give every state of a trace (not with hash
    // compaction). With tree compression store() is empty: the states are in tree().
    bool keeps_traces() const { return options_.tree_compression || store_.keeps_parents(); }
    // Tree compression: the store (null before run() or without it).
    const TreeStore* tree() const { return tree_ ? &*tree_ : nullptr; }
    // States stored: store().size(), or the tree's.
    std::uint64_t stored() const { return tree_ ? tree_->size() : store_.size(); }
    // A copy of stored state i (state_bytes() + kStateSlack bytes), from either store.
    std::vector<std::byte> state_copy(StateIndex i) const {
        std::vector<std::byte> out(sys_.state_bytes() + kStateSlack);
        if (tree_) {
            TreeStore::Cursor c = tree_->cursor();
            tree_->get(i, out.data(), c);
        } else {
            std::memcpy(out.data(), store_.state(i), sys_.state_bytes());
        }
        return out;
    }
    // Hash compaction: the probability that two of the states found share a fingerprint,
    // so that one of them (and what only it leads to) was missed: n(n-1)/2 pairs, each
    // colliding with probability 2^-64.
    double omission_probability() const {
        const double n = static_cast<double>(stats_.states);
        return options_.hash_compaction ? std::min(1.0, n * (n - 1) / 2 / 18446744073709551616.0)
                                        : 0.0;
    }

    // Indices from the initial state to `i`, both included.
    std::vector<StateIndex> path_to(StateIndex i) const {
        if (tree_) return path_in_tree(i);
        std::vector<StateIndex> path;
        for (StateIndex k = i; k != kNoParent; k = store_.parent(k))
            path.push_back(k);
        std::reverse(path.begin(), path.end());
        return path;
    }

  private:
    static constexpr std::uint64_t kBlock = 64;  // states a thread takes from the level at once
    // Tree compression: the first states, stored plainly, whose words choose the tree's shape.
    static constexpr std::uint64_t kShapeSample = 16384;
    // The note of a pending state with a node missing below its root (no root key has all
    // ones: indices stay below 2^32 - 1).
    static constexpr std::uint64_t kIncomplete = ~std::uint64_t{0};
    // With threads, the table starts large enough for every thread's block of inserts in
    // flight (see work()); one thread grows it before any insert that would overfill it.
    static constexpr unsigned kConcurrentTableLog2 = 17;
    // Commit rounds (Options::commit_pending): at least this many pending states, or this
    // share of the states stored.
    static constexpr std::uint64_t kMinCommitRound = 4096, kCommitShare = 256;

    // Where an event happens in the order of a sequential search: expanding state `at >>
    // 32`, at its edge `at & 0xffffffff` (a dead end or an unbounded state: after every
    // edge), and within one edge the transition's check before the new state's.
    enum Kind : std::uint8_t { transition = 0, new_state = 1, unbounded = 2, deadend = 3 };
    struct Event {
        std::uint64_t at = 0;
        std::uint8_t kind = 0;
        auto operator<=>(const Event&) const = default;
    };
    static constexpr std::uint32_t kAfterEdges = 0xffffffffu;

    struct Candidate {
        Event event;
        Violation<Label> v;
    };
    // The first violation of each property an expansion pass found (a worker takes its
    // blocks in increasing order, so its first is its smallest).
    struct Candidates {
        PropertyMask mask = 0;
        std::vector<Candidate> list;
    };

    struct alignas(64) Worker {  // its counters on lines of their own
        explicit Worker(const Sys& sys) : ctx(sys.make_context()) {}
        typename Sys::Context ctx;
        std::atomic<std::uint64_t> transitions{0}, expanded{0};
        Candidates found;
        // Hash compaction: no state below this is read by this worker any more (see
        // release_expanded()).
        std::atomic<std::uint64_t> floor{0};
        bool unbounded = false;
        Event unbounded_at;
        std::string unbounded_reason;
        // Tree compression: the state being expanded, its nodes, and lookup scratch space.
        std::vector<std::byte> state;
        TreeStore::Cursor near, scratch;
    };

    static Options normalised(Options o) {
        o.threads = std::clamp(o.threads, 1u, VisitedSet::kMaxThreads);
        if (o.tree_compression && o.hash_compaction)
            throw std::invalid_argument("tree compression and hash compaction exclude each other");
        return o;
    }

    // --- tree compression -----------------------------------------------------------------
    // The tree's shape is fitted to the first states of the search: the levels up to the
    // first kShapeSample states are stored plainly (a function of the system alone, so the
    // shape is the same for every thread count; it decides only how much memory the tree
    // takes, never an index), then moved into the tree, in index order, between two levels.
    void move_to_tree() {
        const std::size_t bytes = sys_.state_bytes();
        tree_.emplace(bytes, TreeShape::fitted(bytes, std::min(store_.size(), kShapeSample),
                                               [&](std::uint64_t i) {
                                                   return store_.state(static_cast<StateIndex>(i));
                                               }));
        run_on_workers([&](unsigned t) {
            workers_[t]->state.resize(bytes + kStateSlack);
            workers_[t]->near = tree_->cursor();
            workers_[t]->scratch = tree_->cursor();
        });
        TreeStore::Cursor *c = &workers_[0]->scratch, *previous = &workers_[0]->near;
        for (std::uint64_t i = 0; i < store_.size(); ++i) {
            bool added = false;  // consecutive states share most nodes
            tree_->insert(store_.state(static_cast<StateIndex>(i)), i ? previous : nullptr, *c,
                          added);
            if (!added) throw std::logic_error("tree compression: a state stored twice");
            std::swap(c, previous);
        }
        store_.clear();
        // From now on the visited set only dedups each level's new states.
        visited_.clear(options_.threads > 1 ? kConcurrentTableLog2 : 10);
    }

    // The tree keeps no parents. The parent the plain store records for a state k of depth
    // d is the one that found k first: the first state of level d - 1 (in index order) with
    // k among its successors. So the path is rebuilt backwards, expanding level d - 1 from
    // its start until a state reaches k: at most one more expansion of the levels above.
    // The sink answers as it did in the search (old: stored before level d).
    std::vector<StateIndex> path_in_tree(StateIndex k) const {
        const std::size_t bytes = sys_.state_bytes();
        typename Sys::Context ctx = sys_.make_context();
        std::vector<std::byte> target(bytes + kStateSlack), state(bytes + kStateSlack);
        TreeStore::Cursor near = tree_->cursor(), scratch = tree_->cursor();
        std::vector<StateIndex> path{k};
        for (std::uint32_t d = depth_of(k); d > 0; --d) {
            tree_->get(k, target.data(), scratch);
            const std::uint64_t level_d = level_starts_[d];
            std::uint64_t parent = level_d;
            for (std::uint64_t j = level_starts_[d - 1]; j < level_d && parent == level_d; ++j) {
                tree_->get(static_cast<StateIndex>(j), state.data(), near);
                bool reached = false;
                sys_.for_each_successor(
                    ctx, state.data(), [&](const std::byte* succ, const Label&) {
                        if (std::memcmp(succ, target.data(), bytes) == 0) {
                            reached = true;
                            return false;  // k is in level d
                        }
                        const std::uint64_t index = tree_->find(succ, &near, scratch);
                        return index != TreeStore::kAbsent && index < level_d;
                    });
                if (reached) parent = j;
            }
            if (parent == level_d)
                throw std::logic_error("tree compression: a stored state that no state reaches");
            k = static_cast<StateIndex>(parent);
            path.push_back(k);
        }
        std::reverse(path.begin(), path.end());
        return path;
    }

    // The sink's work for a successor with tree compression; returns whether it is old (as
    // for the plain store). With threads, the tree holds exactly the states before the next
    // level and is read-only while the level runs; a state not in it goes to the visited
    // set's pending states, which then only dedups the level's new states.
    bool visit_in_tree(Worker& w, unsigned t, std::uint64_t at, const std::byte* succ,
                       bool concurrent, bool check) {
        if (concurrent) {
            // A new state's root key goes with it, for commit_to_tree().
            std::uint64_t root = kIncomplete;
            if (tree_->root_key(succ, &w.near, w.scratch, root)) {
                const std::uint64_t index = tree_->find_root(root, &w.near, w.scratch);
                // A state of the next level may be in the tree already (an earlier round).
                if (index != TreeStore::kAbsent) return index < level_end_;
            }
            const std::uint64_t h = hash_state(succ, sys_.state_bytes());
            if (visited_.insert_pending(t, succ, h, at, root) == VisitedSet::Outcome::full)
                throw std::logic_error("visited set: no room for a level's new states");
            return false;
        }
        if (tree_->size() >= kMaxStates) {
            stop_status_ = Status::state_limit;
            stop_.store(true, std::memory_order_relaxed);
            return false;
        }
        bool added = false;
        const StateIndex index = tree_->insert(succ, &w.near, w.scratch, added);
        if (added && check)
            add_state_candidate(w.found, hooks_.state_violations(succ), index,
                                Event{at, new_state});
        return !added && index < level_end_;
    }

    // --- one level ------------------------------------------------------------------------
    void expand_level(std::uint64_t lo, std::uint64_t hi) {
        next_block_.store(lo, std::memory_order_relaxed);
        stop_.store(false, std::memory_order_relaxed);
        stop_status_ = Status::complete;
        for (auto& w : workers_) {
            w->found = {};
            w->unbounded = false;
            w->floor.store(lo, std::memory_order_relaxed);
        }
        const bool concurrent = options_.threads > 1;
        // Rounds: the threads expand blocks until the level is done, a budget stops them,
        // the table needs to grow, or the pending states reach commit_pending; growing and
        // committing happen here, between rounds. A round ends at a block boundary with
        // every parent below it expanded, so a state's first discovery is in the first
        // round that finds it: committing round by round numbers the states exactly as
        // one commit of the whole level would, and the pending states of a wide level
        // never all wait at once.
        Candidates found;
        std::uint64_t round_lo = lo;
        for (;;) {
            grow_.store(false, std::memory_order_relaxed);
            commit_.store(false, std::memory_order_relaxed);
            commit_at_ = std::min(options_.commit_pending,
                                  std::max(kMinCommitRound, stored() / kCommitShare));
            run_on_workers([&](unsigned t) { work(*workers_[t], t, hi, concurrent); });
            if (stop_.load(std::memory_order_relaxed)) break;
            const bool grow = grow_.load(std::memory_order_relaxed);
            const bool commit = commit_.load(std::memory_order_relaxed);
            if (!grow && !commit) break;  // the level is done
            if (commit) {
                const std::uint64_t round_hi = std::min(next_block_.load(), hi);
                commit_level(round_lo, round_hi, found);
                round_lo = round_hi;
            }
            if (grow) visited_.grow(in_flight());
        }
        if (stop_status_ == Status::complete && states_full_.load(std::memory_order_relaxed))
            stop_status_ = Status::state_limit;

        if (concurrent) commit_level(round_lo, std::min(next_block_.load(), hi), found);
        // Merge the workers' first events: the earliest stop, then the violations before it.
        Event stop_at{~std::uint64_t{0}, 0xff};
        bool unbounded_stop = false;
        for (auto& w : workers_) {
            for (Candidate& c : w->found.list)
                found.list.push_back(std::move(c));
            if (w->unbounded && w->unbounded_at < stop_at) {
                stop_at = w->unbounded_at;
                unbounded_reason_ = w->unbounded_reason;
                unbounded_stop = true;
            }
        }
        adopt(found, stop_at, unbounded_stop);
        if (stopping())
            status_ = Status::stopped_at_violation;
        else if (unbounded_stop)
            status_ = Status::unbounded;
        else if (stop_status_ != Status::complete)
            status_ = stop_status_;
    }

    // Runs job(t) for every worker t, thread 0 on the caller's. An exception in any of
    // them (a broken bound of the model, say) stops the others and is rethrown here.
    void run_on_workers(const std::function<void(unsigned)>& job) {
        if (options_.threads == 1) return job(0);
        pool_->run([&](unsigned t) {
            try {
                job(t);
            } catch (...) {
                stop_.store(true, std::memory_order_relaxed);
                throw;
            }
        });
    }

    void work(Worker& w, unsigned t, std::uint64_t hi, bool concurrent) {
        for (;;) {
            if (stop_.load(std::memory_order_relaxed) || grow_.load(std::memory_order_relaxed))
                return;
            if (concurrent) {
                // Every thread may insert a block's worth of successors before it looks
                // again: keep room for them all, or grow first.
                if (visited_.wants_growth(in_flight()) || !visited_.has_room(in_flight())) {
                    grow_.store(true, std::memory_order_relaxed);
                    return;
                }
                if (visited_.pending_count() >= commit_at_) {
                    commit_.store(true, std::memory_order_relaxed);
                    return;
                }
                if (commit_.load(std::memory_order_relaxed)) return;
            }
            // Published before taking a block: every block taken after it is above it.
            w.floor.store(next_block_.load(std::memory_order_relaxed), std::memory_order_release);
            const std::uint64_t b = next_block_.fetch_add(kBlock, std::memory_order_relaxed);
            if (b >= hi) return;
            if (t == 0 && options_.hash_compaction) release_expanded(b);
            const std::uint64_t e = std::min(b + kBlock, hi);
            for (std::uint64_t i = b; i < e; ++i) {
                expand(w, t, static_cast<StateIndex>(i), concurrent);
                bump(w.expanded, 1);
                // Budgets are thread 0's to check, after each of its states, except the
                // state budget, which every thread checks (thread 0 may be descheduled);
                // a stop ends every thread's block at once.
                if (t == 0) {
                    const Status s = check_budgets();
                    if (s != Status::complete) {
                        stop_status_ = s;
                        stop_.store(true, std::memory_order_relaxed);
                    }
                } else if (options_.max_states && states_so_far() >= options_.max_states) {
                    states_full_.store(true, std::memory_order_relaxed);
                    stop_.store(true, std::memory_order_relaxed);
                }
                if (stop_.load(std::memory_order_relaxed)) return;
            }
        }
    }

    void expand(Worker& w, unsigned t, StateIndex i, bool concurrent) {
        const std::byte* s = nullptr;
        if (tree_) {
            tree_->get(i, w.state.data(), w.near);  // its nodes: most are its successors' too
            s = w.state.data();
        } else {
            s = store_.state(i);
        }
        const std::size_t bytes = sys_.state_bytes();
        const bool check = hooks_.selected() != 0;
        std::uint32_t edge = 0;
        sys_.for_each_successor(w.ctx, s, [&](const std::byte* succ, const Label& label) {
            const std::uint32_t e = edge++;
            const std::uint64_t at = (std::uint64_t{i} << 32) | e;
            if (check) {
                const PropertyMask bad = hooks_.transition_violations(s, succ, label) & ~violated_;
                if (bad & ~w.found.mask)
                    add_candidate(w.found, bad, Event{at, transition}, Where::transition, i, &label,
                                  succ);
            }
            // The sink's answer: was the successor stored before this level (a level <= the
            // source's)? A reduction's cycle proviso asks it (explorer/system.hpp). It
            // does not depend on the thread count: new states of the next level are
            // pending, or past level_end_, whoever found them first.
            if (tree_) return visit_in_tree(w, t, at, succ, concurrent, check);
            const std::uint64_t h = hash_state(succ, bytes);
            if (concurrent) {
                StateIndex index = 0;
                const auto outcome = visited_.insert_pending(t, succ, h, at, 0, &index);
                if (outcome == VisitedSet::Outcome::full)
                    throw std::logic_error("visited set: no room for a level's new states");
                // Hash compaction cannot tell a pending fingerprint from a settled one,
                // and which thread found it first depends on timing: every successor is
                // "old" (sound for a proviso, and the same for every thread count). A
                // settled state may be of the next level (committed in an earlier round).
                return options_.hash_compaction ||
                       (outcome == VisitedSet::Outcome::known && index < level_end_);
            }
            if (store_.size() >= kMaxStates) {
                stop_status_ = Status::state_limit;
                stop_.store(true, std::memory_order_relaxed);
                return false;
            }
            StateIndex index = 0;
            const auto outcome = visited_.insert_settled(
                succ, h, [&](const std::byte* n) { return store_.append(n, i); }, index);
            if (outcome == VisitedSet::Outcome::added && check)
                add_state_candidate(w.found, hooks_.state_violations(succ), index,
                                    Event{at, new_state});
            return options_.hash_compaction ||
                   (outcome == VisitedSet::Outcome::known && index < level_end_);
        });
        bump(w.transitions, edge);
        if (edge > max_degree_.load(std::memory_order_relaxed)) raise_max_degree(edge);
        bool unrepresentable = false;
        if constexpr (requires { sys_.unrepresentable(w.ctx); }) {
            const std::string_view why = sys_.unrepresentable(w.ctx);
            if (!why.empty()) {
                unrepresentable = true;
                if (!w.unbounded) {
                    w.unbounded = true;
                    w.unbounded_at = Event{(std::uint64_t{i} << 32) | kAfterEdges, unbounded};
                    w.unbounded_reason = std::string(why);
                }
            }
        }
        if (edge == 0 && check && !unrepresentable) {
            const PropertyMask bad = hooks_.deadend_violations(s) & ~violated_;
            if (bad & ~w.found.mask)
                add_candidate(w.found, bad, Event{(std::uint64_t{i} << 32) | kAfterEdges, deadend},
                              Where::deadend, i, nullptr, nullptr);
        }
    }

    // Hash compaction keeps no expanded state: thread 0 gives back the store's chunks below
    // every worker's floor (its own is `own`) while the level goes on.
    void release_expanded(std::uint64_t own) {
        std::uint64_t low = own;
        for (auto& w : workers_)
            if (w.get() != workers_[0].get())
                low = std::min(low, w->floor.load(std::memory_order_acquire));
        store_.release_before(low);
    }

    // A counter only its worker writes and thread 0 reads for progress: no locked add.
    static void bump(std::atomic<std::uint64_t>& c, std::uint64_t by) {
        c.store(c.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
    }

    std::uint64_t in_flight() const {
        return std::uint64_t{options_.threads} * kBlock *
               max_degree_.load(std::memory_order_relaxed);
    }

    void raise_max_degree(std::uint64_t d) {
        std::uint64_t cur = max_degree_.load(std::memory_order_relaxed);
        while (d > cur && !max_degree_.compare_exchange_weak(cur, d, std::memory_order_relaxed))
            ;
    }

    // Numbers the level's pending states in the order a sequential search appends them (by
    // their first edge: parent index, then edge number), appends them to the store, and
    // checks the new states' properties.
    void commit_level(std::uint64_t lo, std::uint64_t hi, Candidates& found) {
        if (options_.hash_compaction) return commit_unordered(found);
        const std::uint64_t n = visited_.pending_count();
        const std::uint64_t width = hi - lo;  // the parents expanded since the last commit
        offsets_.assign(width + 1, 0);
        const unsigned lists = visited_.threads();
        for (unsigned t = 0; t < lists; ++t)
            for (std::uint64_t p = 0; p < visited_.pending_size(t); ++p)
                ++offsets_[(visited_.pending_key(t, p) >> 32) - lo + 1];
        for (std::uint64_t k = 1; k <= width; ++k)
            offsets_[k] += offsets_[k - 1];
        order_.resize(n);
        for (unsigned t = 0; t < lists; ++t)
            for (std::uint64_t p = 0; p < visited_.pending_size(t); ++p) {
                const std::uint64_t key = visited_.pending_key(t, p);
                order_[offsets_[(key >> 32) - lo]++] = {key, t, static_cast<std::uint32_t>(p)};
            }
        // Within one parent, by edge number (a handful of states each).
        for (std::uint64_t a = 0; a < n;) {
            std::uint64_t b = a + 1;
            while (b < n && (order_[b].first >> 32) == (order_[a].first >> 32))
                ++b;
            if (b - a > 1)
                std::sort(order_.begin() + a, order_.begin() + b,
                          [](const Ref& x, const Ref& y) { return x.first < y.first; });
            a = b;
        }
        const std::uint64_t base = stored();
        const std::uint64_t take = std::min(n, kMaxStates - base);
        if (take < n) stop_status_ = Status::state_limit;
        if (tree_) return commit_to_tree(take, found);
        store_.extend(take);
        // Copy and settle, then check the new states: a slice of the level per thread. Each
        // slice's first violation of a property is the smallest in it.
        const bool check = hooks_.selected() != 0;
        std::vector<Candidates> per(options_.threads);
        const std::uint64_t slice = (take + options_.threads - 1) / options_.threads;
        run_on_workers([&](unsigned t) {
            const std::uint64_t from = std::min(take, t * slice), to = std::min(take, from + slice);
            for (std::uint64_t k = from; k < to; ++k) {
                const Ref& r = order_[k];
                const StateIndex index = static_cast<StateIndex>(base + k);
                store_.put(index, visited_.pending_state(r.thread, r.p),
                           static_cast<StateIndex>(r.first >> 32));
                visited_.settle(r.thread, r.p, index);
            }
        });
        if (!check) {
            visited_.clear_pending();
            return;
        }
        // The checks read whole 64-bit words, past a state's end into its neighbour's
        // bytes: only once every state is in place.
        run_on_workers([&](unsigned t) {
            const std::uint64_t from = std::min(take, t * slice), to = std::min(take, from + slice);
            for (std::uint64_t k = from; k < to; ++k) {
                const StateIndex index = static_cast<StateIndex>(base + k);
                const PropertyMask bad = hooks_.state_violations(store_.state(index)) & ~violated_;
                if (bad & ~per[t].mask)
                    add_state_candidate(per[t], bad, index, Event{order_[k].first, new_state});
            }
        });
        visited_.clear_pending();
        for (Candidates& c : per)
            for (Candidate& x : c.list)
                found.list.push_back(std::move(x));
    }

    // Tree compression: the level's new states go into the tree in their order, then are
    // checked from the pending lists. The tree takes no concurrent insert, but the thread
    // that found a state first noted its root key (the tree did not change during the
    // level): the root keys are appended in order, the few states with a node missing
    // below the root inserting their nodes first, and then the threads index slices of
    // them.
    void commit_to_tree(std::uint64_t take, Candidates& found) {
        const std::uint64_t base = tree_->size();
        auto state = [&](std::uint64_t k) {
            return visited_.pending_state(order_[k].thread, order_[k].p);
        };
        tree_->reserve_states(take);
        for (std::uint64_t k = 0; k < take; ++k) {
            std::uint64_t root = visited_.pending_note(order_[k].thread, order_[k].p);
            if (root == kIncomplete)  // (or a state of 8 bytes that are all ones: no matter)
                root = tree_->insert_below_root(state(k), nullptr, workers_[0]->scratch);
            tree_->append_state(root);
        }
        const std::uint64_t slice = (take + options_.threads - 1) / options_.threads;
        run_on_workers([&](unsigned t) {
            const std::uint64_t from = std::min(take, t * slice), to = std::min(take, from + slice);
            tree_->index_states(base + from, base + to);
        });
        if (hooks_.selected()) {
            std::vector<Candidates> per(options_.threads);
            run_on_workers([&](unsigned t) {
                const std::uint64_t from = std::min(take, t * slice),
                                    to = std::min(take, from + slice);
                for (std::uint64_t k = from; k < to; ++k) {
                    const PropertyMask bad = hooks_.state_violations(state(k)) & ~violated_;
                    if (bad & ~per[t].mask)
                        add_state_candidate(per[t], bad, static_cast<StateIndex>(base + k),
                                            Event{order_[k].first, new_state});
                }
            });
            for (Candidates& x : per)
                for (Candidate& y : x.list)
                    found.list.push_back(std::move(y));
        }
        visited_.drop_pending();
    }

    // Hash compaction: no trace will read the numbering, so each thread appends its own
    // pending list (in its discovery order, so its first violation is its smallest) without
    // the sort and its arrays.
    void commit_unordered(Candidates& found) {
        const unsigned lists = visited_.threads();
        std::vector<std::uint64_t> start(lists + 1, store_.size());
        for (unsigned t = 0; t < lists; ++t)
            start[t + 1] = start[t] + visited_.pending_size(t);
        const std::uint64_t take = std::min<std::uint64_t>(start[lists], kMaxStates) - start[0];
        if (start[0] + take < start[lists]) stop_status_ = Status::state_limit;
        store_.extend(take);
        const std::uint64_t end = start[0] + take;
        run_on_workers([&](unsigned t) {
            for (std::uint64_t i = start[t]; i < std::min(start[t + 1], end); ++i)
                store_.put(static_cast<StateIndex>(i), visited_.pending_state(t, i - start[t]),
                           kNoParent);
        });
        if (hooks_.selected()) {
            std::vector<Candidates> per(lists);
            run_on_workers([&](unsigned t) {
                for (std::uint64_t i = start[t]; i < std::min(start[t + 1], end); ++i) {
                    const StateIndex index = static_cast<StateIndex>(i);
                    const PropertyMask bad =
                        hooks_.state_violations(store_.state(index)) & ~violated_;
                    if (bad & ~per[t].mask)
                        add_state_candidate(
                            per[t], bad, index,
                            Event{visited_.pending_key(t, i - start[t]), new_state});
                }
            });
            for (Candidates& c : per)
                for (Candidate& x : c.list)
                    found.list.push_back(std::move(x));
        }
        visited_.clear_pending();
    }

    // --- violations -----------------------------------------------------------------------
    void add_state_candidate(Candidates& c, PropertyMask bad, StateIndex index, Event at) {
        bad &= ~violated_;
        if (bad & ~c.mask) add_candidate(c, bad, at, Where::state, index, nullptr, nullptr);
    }

    void add_candidate(Candidates& c, PropertyMask bad, Event at, Where where, StateIndex i,
                       const Label* label, const std::byte* successor) {
        bad &= ~c.mask;
        for (unsigned p = 0; bad != 0; ++p, bad >>= 1) {
            if (!(bad & 1)) continue;
            Candidate x;
            x.event = at;
            x.v.property = p;
            x.v.where = where;
            x.v.state = i;
            if (label) x.v.label = *label;
            if (successor) {  // with the slack every state buffer carries
                x.v.successor.assign(successor, successor + sys_.state_bytes());
                x.v.successor.resize(sys_.state_bytes() + kStateSlack);
            }
            c.list.push_back(std::move(x));
            c.mask |= PropertyMask{1} << p;
        }
    }

    // Keeps, per property not violated before, the earliest candidate; without
    // --keep-going only those at the earliest violating edge (a sequential search stops
    // there), and never one after the state the system could not represent.
    void adopt(Candidates& found, Event stop_at, bool has_stop) {
        auto& list = found.list;
        std::sort(list.begin(), list.end(), [](const Candidate& a, const Candidate& b) {
            return a.event != b.event ? a.event < b.event : a.v.property < b.v.property;
        });
        std::uint64_t first_at = ~std::uint64_t{0};
        for (Candidate& c : list) {
            if (has_stop && !(c.event < stop_at)) break;
            if (violated_ & (PropertyMask{1} << c.v.property)) continue;
            if (!options_.keep_going && violated_ != 0 && c.event.at != first_at) break;
            first_at = c.event.at;
            c.v.trace_length = c.v.where == Where::state
                                   ? depth_of_new(c.v.state)
                                   : depth_of(c.v.state) + (c.v.where == Where::transition);
            violated_ |= PropertyMask{1} << c.v.property;
            violations_.push_back(std::move(c.v));
        }
    }

    // Depth of a state that may belong to the level being appended (past level_end_).
    std::uint32_t depth_of_new(StateIndex i) const {
        const auto levels = static_cast<std::uint32_t>(level_starts_.size());
        if (i < level_starts_.back()) return depth_of(i);
        return i < level_end_ ? levels - 1 : levels;
    }

    bool stopping() const { return violated_ != 0 && !options_.keep_going; }

    // --- budgets and progress (thread 0, between blocks) --------------------------------
    std::uint64_t states_so_far() const { return stored() + visited_.pending_count(); }

    std::uint64_t memory_so_far() const {
        const std::uint64_t pending = visited_.pending_count();
        if (tree_)  // (the tree's growth for the pending states: see check_budgets())
            return tree_->memory_bytes() + visited_.table_bytes() + visited_.pending_bytes();
        // The pending states are copied into the store when the level ends.
        const std::uint64_t per_state = sys_.state_bytes() + sizeof(StateIndex);
        return store_.memory_bytes() + visited_.table_bytes() + visited_.pending_bytes() +
               pending * per_state;
    }

    Status check_budgets() {
        const std::uint64_t states = states_so_far();
        if (options_.max_states && states >= options_.max_states) return Status::state_limit;
        if (states + (std::uint64_t{1} << 24) >= kMaxStates) return Status::state_limit;
        if (options_.max_memory_bytes) {
            // Growing the table needs the old one and one twice its size.
            std::uint64_t need = memory_so_far();
            if (visited_.wants_growth(std::uint64_t{options_.threads} * kBlock))
                need += visited_.table_bytes_after_growth();
            if (tree_)  // the tree's growth by this level's new states and the next block's
                need += tree_->growth_bytes(visited_.pending_count() +
                                            std::uint64_t{options_.threads} * kBlock);
            if (need > options_.max_memory_bytes) return Status::memory_limit;
        }
        if (options_.interrupt && options_.interrupt->load(std::memory_order_relaxed))
            return Status::interrupted;
        if ((++budget_calls_ & 1023) == 0) {  // the clock: every 1024 states
            const auto now = Clock::now();
            const double elapsed = std::chrono::duration<double>(now - start_).count();
            if (options_.time_limit_seconds > 0 && elapsed >= options_.time_limit_seconds)
                return Status::time_limit;
            if (progress_ && std::chrono::duration<double>(now - last_progress_).count() >=
                                 options_.progress_interval_seconds) {
                last_progress_ = now;
                Stats s = stats_;
                s.states = states;
                s.transitions = 0;
                s.expanded = 0;
                for (auto& w : workers_) {
                    s.transitions += w->transitions.load(std::memory_order_relaxed);
                    s.expanded += w->expanded.load(std::memory_order_relaxed);
                }
                s.depth = static_cast<std::uint32_t>(level_starts_.size());
                s.seconds = elapsed;
                s.storage_bytes = memory_so_far();
                s.used_bytes = s.storage_bytes;
                s.peak_rss_bytes = peak_rss_bytes();
                progress_(s, states - s.expanded);
            }
        }
        return Status::complete;
    }

    void finish_stats() {
        stats_.states = stored();
        stats_.transitions = stats_.expanded = 0;
        for (auto& w : workers_) {
            stats_.transitions += w->transitions.load(std::memory_order_relaxed);
            stats_.expanded += w->expanded.load(std::memory_order_relaxed);
        }
        stats_.depth = stored() ? depth_of_new(static_cast<StateIndex>(stored() - 1)) : 0;
        stats_.seconds = std::chrono::duration<double>(Clock::now() - start_).count();
        stats_.storage_bytes =
            store_.memory_bytes() + visited_.table_bytes() + visited_.pending_bytes();
        stats_.used_bytes = store_.used_bytes() + visited_.table_bytes();
        if (tree_) {  // the visited set's table held only pending states
            stats_.storage_bytes += tree_->memory_bytes();
            stats_.used_bytes += tree_->used_bytes();
            stats_.tree_nodes = tree_->nodes();
            stats_.tree_leaves = tree_->leaves();
        }
        stats_.peak_rss_bytes = peak_rss_bytes();
    }

    struct Ref {  // a pending state: its discovery key, and where it is
        std::uint64_t first;
        std::uint32_t thread, p;
    };

    const Sys& sys_;
    const Hooks hooks_;
    Options options_;
    StateStore store_;               // empty with tree compression
    std::optional<TreeStore> tree_;  // tree compression: the states
    VisitedSet visited_;
    std::optional<WorkerPool> pool_;  // threads > 1: the workers 1.. (0 is run()'s caller)
    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<std::uint64_t> level_starts_;
    std::uint64_t level_end_ = 0;  // end of the last level in level_starts_
    std::vector<std::uint64_t> offsets_;
    std::vector<Ref> order_;
    alignas(64) std::atomic<std::uint64_t> next_block_{0};  // written every block: its own line
    alignas(64) std::atomic<bool> stop_{false};             // read every state
    std::atomic<bool> states_full_{false};       // a worker other than 0 saw --max-states
    std::atomic<bool> grow_{false};              // a round ends so that the table can grow
    std::atomic<bool> commit_{false};            // ... or so that its new states are committed
    std::uint64_t commit_at_ = 0;                // pending states that end a round (set per round)
    std::atomic<std::uint64_t> max_degree_{64};  // most successors of one state seen (or 64)
    alignas(64) Status stop_status_ = Status::complete;  // why stop_ was set
    std::uint64_t budget_calls_ = 0;
    Status status_ = Status::complete;
    std::string unbounded_reason_;
    Stats stats_;
    std::vector<Violation<Label>> violations_;
    PropertyMask violated_ = 0;
    ProgressFn progress_;
    Clock::time_point start_, last_progress_;
};

}  // namespace hugecheck::explorer
