#include "counterexamples/preemptions.hpp"

#include <xxhash.h>

#include <cstring>
#include <limits>
#include <vector>

namespace hugecheck::counterexamples {

namespace {

using model::HugetlbModel;

constexpr std::uint32_t kNoEntry = std::numeric_limits<std::uint32_t>::max();

// The (state, last actor) pairs: keys of state_bytes() + 1 bytes in one arena, found
// through an open-addressing index of pair numbers.
class PairTable {
  public:
    explicit PairTable(std::size_t state_bytes) : key_bytes_(state_bytes + 1) {}

    // The pair's number, adding it if new.
    std::uint32_t intern(const std::byte* state, std::uint8_t last_plus_one) {
        std::memcpy(scratch(), state, key_bytes_ - 1);
        scratch()[key_bytes_ - 1] = std::byte{last_plus_one};
        if ((count_ + 1) * 2 > index_.size()) grow();
        const std::uint64_t h = XXH3_64bits(scratch(), key_bytes_);
        std::size_t i = h & (index_.size() - 1);
        while (index_[i] != kNoEntry) {
            if (std::memcmp(key(index_[i]), scratch(), key_bytes_) == 0) return index_[i];
            i = (i + 1) & (index_.size() - 1);
        }
        index_[i] = count_;
        keys_.insert(keys_.end(), scratch(), scratch() + key_bytes_);
        return count_++;
    }
    const std::byte* key(std::uint32_t pair) const { return keys_.data() + pair * key_bytes_; }
    int last_actor(std::uint32_t pair) const {
        return std::to_integer<int>(key(pair)[key_bytes_ - 1]) - 1;
    }
    std::size_t size() const { return count_; }

  private:
    std::byte* scratch() {
        if (scratch_.size() < key_bytes_) scratch_.resize(key_bytes_);
        return scratch_.data();
    }
    void grow() {
        std::vector<std::uint32_t> bigger(index_.empty() ? 1024 : index_.size() * 2, kNoEntry);
        for (std::uint32_t p = 0; p < count_; ++p) {
            std::size_t i = XXH3_64bits(key(p), key_bytes_) & (bigger.size() - 1);
            while (bigger[i] != kNoEntry)
                i = (i + 1) & (bigger.size() - 1);
            bigger[i] = p;
        }
        index_.swap(bigger);
    }

    std::size_t key_bytes_;
    std::vector<std::byte> keys_, scratch_;
    std::vector<std::uint32_t> index_;
    std::uint32_t count_ = 0;
};

// A way of reaching a pair: from the parent entry by `label`. A goal entry is the end of
// a violating trace (its pair holds the last state).
struct Entry {
    std::uint32_t pair;
    std::uint32_t parent;  // kNoEntry for the initial state
    model::Transition label;
    std::uint32_t preemptions, length;
    bool goal;
};

}  // namespace

FewestPreemptions fewest_preemptions(const HugetlbModel& m, const properties::Checker& checker,
                                     std::size_t property, explorer::Where where,
                                     std::size_t max_length, std::size_t max_pairs) {
    const std::size_t bytes = m.state_bytes();
    const properties::PropertySet want = properties::bit(property);
    HugetlbModel::Context ctx = m.make_context();
    PairTable pairs(bytes);
    std::vector<Entry> entries;
    // buckets[p][len]: the entries with p preemptions and len steps, popped in (p, len)
    // order; best_length[pair]: the fewest steps of an expanded entry with at most the
    // current preemptions.
    std::vector<std::vector<std::vector<std::uint32_t>>> buckets;
    std::vector<std::uint32_t> best_length;
    auto push = [&](const Entry& e) {
        if (buckets.size() <= e.preemptions) buckets.resize(e.preemptions + 1);
        auto& by_length = buckets[e.preemptions];
        if (by_length.size() <= e.length) by_length.resize(e.length + 1);
        by_length[e.length].push_back(static_cast<std::uint32_t>(entries.size()));
        entries.push_back(e);
    };
    auto dominated = [&](std::uint32_t pair, std::uint32_t length) {
        return pair < best_length.size() && best_length[pair] <= length;
    };

    FewestPreemptions result;
    std::vector<std::byte> initial(bytes + model::kPackSlack);
    m.initial_state(initial.data());
    const bool initial_violates =
        where == explorer::Where::state && (checker.state_violations(initial.data()) & want);
    push({pairs.intern(initial.data(), 0), kNoEntry, {}, 0, 0, initial_violates});

    // The successors of the state being expanded (copied: the model reuses its buffer).
    struct Successor {
        model::Transition label;
        std::size_t offset;
    };
    std::vector<Successor> successors;
    std::vector<std::byte> successor_bytes;
    std::vector<std::byte> current(bytes + model::kPackSlack);
    std::uint32_t found = kNoEntry;
    for (std::size_t p = 0; p < buckets.size() && found == kNoEntry; ++p) {
        for (std::size_t len = 0; len < buckets[p].size() && found == kNoEntry; ++len) {
            // Entries pushed at this (p, len) while it is being popped are appended: index
            // by position, not by iterator.
            for (std::size_t k = 0; k < buckets[p][len].size(); ++k) {
                const std::uint32_t id = buckets[p][len][k];
                const Entry e = entries[id];
                if (e.goal) {
                    found = id;
                    break;
                }
                if (dominated(e.pair, e.length)) continue;
                if (best_length.size() <= e.pair) best_length.resize(pairs.size(), kNoEntry);
                best_length[e.pair] = e.length;
                if (pairs.size() > max_pairs) {
                    result.budget_exhausted = true;
                    result.pairs = pairs.size();
                    return result;
                }

                // A padded copy: the model reads whole words past the state's last byte.
                std::memcpy(current.data(), pairs.key(e.pair), bytes);
                const std::byte* state = current.data();
                successors.clear();
                successor_bytes.clear();
                m.for_each_successor(
                    ctx, state, [&](const std::byte* succ, const model::Transition& t) {
                        successors.push_back({t, successor_bytes.size()});
                        successor_bytes.insert(successor_bytes.end(), succ, succ + bytes);
                    });
                if (successors.empty()) {
                    if (where == explorer::Where::deadend &&
                        (checker.deadend_violations(state) & want)) {
                        found = id;
                        break;
                    }
                    continue;
                }
                if (e.length >= max_length) continue;
                const int last = pairs.last_actor(e.pair);
                bool last_enabled = false;
                for (const Successor& s : successors)
                    last_enabled = last_enabled || s.label.actor == last;
                successor_bytes.resize(successor_bytes.size() + model::kPackSlack);
                for (const Successor& s : successors) {
                    const std::byte* succ = successor_bytes.data() + s.offset;
                    const bool preempts = last_enabled && s.label.actor != last;
                    bool goal = false;
                    if (where == explorer::Where::state)
                        goal = checker.state_violations(succ) & want;
                    else if (where == explorer::Where::transition)
                        goal = checker.transition_violations(state, succ, s.label) & want;
                    const std::uint32_t pair =
                        pairs.intern(succ, static_cast<std::uint8_t>(s.label.actor + 1));
                    const std::uint32_t length = e.length + 1;
                    if (!goal && dominated(pair, length)) continue;
                    push({pair, id, s.label, e.preemptions + (preempts ? 1u : 0u), length, goal});
                }
            }
        }
    }
    result.pairs = pairs.size();
    if (found == kNoEntry) return result;

    // The path of entries, root first, as a trace.
    std::vector<std::uint32_t> path;
    for (std::uint32_t id = found; id != kNoEntry; id = entries[id].parent)
        path.push_back(id);
    Trace t;
    t.property = property;
    t.where = where;
    t.initial = padded_copy(pairs.key(entries[path.back()].pair), bytes);
    for (std::size_t k = path.size() - 1; k-- > 0;) {
        const Entry& e = entries[path[k]];
        t.steps.push_back({e.label, padded_copy(pairs.key(entries[e.parent].pair), bytes),
                           padded_copy(pairs.key(e.pair), bytes)});
    }
    const StateBytes& last = t.steps.empty() ? t.initial : t.steps.back().after;
    if (where == explorer::Where::transition)
        t.violation = checker.explain(property, last.data(), t.steps.back().before.data(),
                                      &t.steps.back().transition);
    else
        t.violation = checker.explain(property, last.data(), nullptr, nullptr);
    result.trace = std::move(t);
    return result;
}

}  // namespace hugecheck::counterexamples
