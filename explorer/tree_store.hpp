// The exact compressed state store of `--compress` (Options::tree_compression): LTSmin's
// tree compression (Laarman, van de Pol, Weber 2011), over states as byte strings (see
// docs/internals-explorer.md).
//
// A state is cut into 32-bit words (the last one zero-padded, and a zero word added to make
// their number even). A binary tree of a fixed shape covers them: a leaf is a pair of words
// (a 64-bit key), an inner node a pair of 32-bit child indices (a 64-bit key), the root an
// inner node (or, for a state of at most 8 bytes, the only leaf). Every position of the shape
// has its own table that stores each distinct key once: an append-only key array (a key's
// index is its position in it) and an open-addressing index over it. States that share a
// half share its node, so a level of the tree below the root holds far fewer keys than
// there are states.
//
// The root table is the state store: its key array is indexed by state index (in a
// breadth-first search, discovery order, so levels are index ranges as in StateStore), and
// its index table is the visited set of settled states. Inner keys are bit-packed: a child
// index takes only as many bits as its table's size needs.
//
// Lookups only read, so threads may look up at once while nobody inserts (the search
// inserts between its rounds, on one thread). Nothing is allocated per state: callers keep
// a Cursor (one key and index per position) per thread.
#pragma once

#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "explorer/mapped_memory.hpp"
#include "explorer/state_store.hpp"

namespace hugecheck::explorer {

// murmur3's 64-bit finaliser: a bijection whose every output bit depends on every input bit,
// so that keys differing in a few low bits (counters) land far apart.
inline std::uint64_t mix64(std::uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

// An append-only array of 64-bit keys (lo | hi << 32), each stored in width_lo + width_hi
// bits (lo in the low bits). Widening re-packs in place from the last key down (every key
// moves up), after mremap made room, so the array never exists twice.
class PackedKeys {
  public:
    explicit PackedKeys(unsigned width_lo = 32, unsigned width_hi = 32) {
        set_widths(width_lo, width_hi);
    }

    std::uint64_t size() const { return size_; }
    unsigned width_lo() const { return lo_; }
    unsigned width_hi() const { return hi_; }

    std::uint64_t get(std::uint64_t i) const { return unpack(read_bits(i * width_, width_)); }

    void push(std::uint64_t key) {
        widen_for(key);
        reserve(size_ + 1);
        write_bits(size_ * width_, width_, pack(key));
        ++size_;
    }

    // Bytes the keys take, rounded up to pages: the pages of the mapping that were ever
    // touched (the rest of its doubling capacity is never committed).
    std::size_t used_bytes() const { return (size_ * width_ + 7) / 8; }
    std::size_t memory_bytes() const {
        return size_ ? (used_bytes() + kSlack + 4095) / 4096 * 4096 : 0;
    }

  private:
    static constexpr std::size_t kSlack = 16;  // reads take two 64-bit words from any byte

    static std::uint64_t low_mask(unsigned bits) {
        return bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
    }
    static std::uint64_t load64(const std::byte* p) {
        std::uint64_t v;
        std::memcpy(&v, p, 8);
        return v;
    }
    static void store64(std::byte* p, std::uint64_t v) { std::memcpy(p, &v, 8); }

    void set_widths(unsigned lo, unsigned hi) {
        lo_ = lo;
        hi_ = hi;
        width_ = lo + hi;
    }
    std::uint64_t pack(std::uint64_t key) const {
        return width_ == 64 ? key : (key & low_mask(lo_)) | ((key >> 32) << lo_);
    }
    std::uint64_t unpack(std::uint64_t v) const {
        return width_ == 64 ? v : (v & low_mask(lo_)) | ((v >> lo_) << 32);
    }

    std::uint64_t read_bits(std::uint64_t bit, unsigned width) const {
        const std::byte* p = memory_.data() + (bit >> 3);
        const unsigned shift = bit & 7;
        std::uint64_t v = load64(p) >> shift;
        if (shift + width > 64) v |= load64(p + 8) << (64 - shift);
        return v & low_mask(width);
    }
    void write_bits(std::uint64_t bit, unsigned width, std::uint64_t v) {
        std::byte* p = memory_.data() + (bit >> 3);
        const unsigned shift = bit & 7;
        const std::uint64_t mask = low_mask(width);
        store64(p, (load64(p) & ~(mask << shift)) | (v << shift));
        if (shift + width > 64) {
            const unsigned rest = shift + width - 64;
            store64(p + 8, (load64(p + 8) & ~low_mask(rest)) | (v >> (64 - shift)));
        }
    }

    void reserve(std::uint64_t keys) {
        const std::size_t need = (keys * width_ + 7) / 8 + kSlack;
        if (need <= memory_.size()) return;
        memory_.grow(std::max<std::size_t>(need, std::max<std::size_t>(4096, 2 * memory_.size())));
    }

    // The key's halves must fit their widths (a child table outgrew a power of two): re-pack
    // every key at the wider widths.
    void widen_for(std::uint64_t key) {
        if (width_ == 64) return;
        const unsigned lo = std::max<unsigned>(lo_, std::bit_width(key & 0xffffffffu));
        const unsigned hi = std::max<unsigned>(hi_, std::bit_width(key >> 32));
        if (lo == lo_ && hi == hi_) return;
        const unsigned old_lo = lo_, old_width = width_;
        set_widths(lo, hi);
        reserve(size_);
        for (std::uint64_t i = size_; i-- > 0;) {
            const std::uint64_t v = read_bits(i * old_width, old_width);
            const std::uint64_t k = (v & low_mask(old_lo)) | ((v >> old_lo) << 32);
            write_bits(i * width_, width_, pack(k));
        }
    }

    MappedMemory memory_;
    std::uint64_t size_ = 0;
    unsigned lo_ = 0, hi_ = 0, width_ = 0;
};

// The keys of one tree position, each stored once. The index is an open-addressing table
// (linear probing) of 32-bit slots: 0 empty, else the key's index + 1 in the low bits and,
// in the bits the index does not need yet, a tag from the key's hash, so that a probe reads
// the key array only on a tag match. The table has any number of slots (a multiple of a
// page's worth): the home slot is the hash scaled to it (Lemire's multiply-shift). It is
// kept at most 80 % full and grows by half in place (mremap), placing every key again from
// the key array: the index then costs 5 to 7.5 bytes per key wherever a search ends (a
// power of two at 75 % would cost 5.3 to 10.7, and its worst case is the usual one).
class NodeTable {
  public:
    static constexpr std::uint64_t kAbsent = ~std::uint64_t{0};

    explicit NodeTable(unsigned width_lo = 32, unsigned width_hi = 32, unsigned log2 = 10)
        : keys_(width_lo, width_hi) {
        resize(std::uint64_t{1} << log2);
    }

    std::uint64_t size() const { return keys_.size(); }
    std::uint64_t key(std::uint64_t i) const { return keys_.get(i); }

    // The key's index, or kAbsent. Only reads: threads may look up at once.
    std::uint64_t find(std::uint64_t key) const {
        const std::uint64_t h = mix64(key), tag = h & tag_mask_;
        for (std::uint64_t pos = home(h);; pos = next(pos)) {
            const std::uint64_t slot = slots_[pos];
            if (slot == 0) return kAbsent;
            if ((slot >> ref_bits_) == tag && keys_.get((slot & ref_mask_) - 1) == key)
                return (slot & ref_mask_) - 1;
        }
    }

    // The key's index; appended if absent (`added`). One thread, no lookup at the same time.
    std::uint64_t insert(std::uint64_t key, bool& added) {
        const std::uint64_t h = mix64(key), tag = h & tag_mask_;
        for (std::uint64_t pos = home(h);; pos = next(pos)) {
            const std::uint64_t slot = slots_[pos];
            if (slot == 0) {
                const std::uint64_t index = keys_.size();
                keys_.push(key);
                added = true;
                if (index + 1 > grow_at_) {
                    resize(grown(slots_count_));  // places this key too
                } else {
                    slots_[pos] = static_cast<std::uint32_t>((tag << ref_bits_) | (index + 1));
                }
                return index;
            }
            if ((slot >> ref_bits_) == tag && keys_.get((slot & ref_mask_) - 1) == key) {
                added = false;
                return (slot & ref_mask_) - 1;
            }
        }
    }

    // Appends a key known to be absent without indexing it: see index_concurrently().
    void append_unindexed(std::uint64_t key) { keys_.push(key); }
    // Grows the index until `more` keys more fit under its load factor. Before
    // append_unindexed(), which would be indexed by the growth.
    void reserve(std::uint64_t more) {
        while (size() + more > grow_at_)
            resize(grown(slots_count_));
    }
    // Indexes key i (appended by append_unindexed(), after reserve()): threads may index
    // different keys at once (a compare-and-swap claims a slot), with no lookup meanwhile.
    // Which of two colliding keys comes first in the probe sequence then depends on timing;
    // a lookup finds both either way.
    void index_concurrently(std::uint64_t i) {
        const std::uint64_t h = mix64(keys_.get(i));
        const auto value = static_cast<std::uint32_t>(((h & tag_mask_) << ref_bits_) | (i + 1));
        for (std::uint64_t pos = home(h);; pos = next(pos)) {
            std::atomic_ref<std::uint32_t> slot(slots_[pos]);
            std::uint32_t empty = 0;
            if (slot.load(std::memory_order_relaxed) == 0 &&
                slot.compare_exchange_strong(empty, value, std::memory_order_relaxed))
                return;
        }
    }

    std::size_t index_bytes() const { return slots_count_ * sizeof(std::uint32_t); }
    std::size_t used_bytes() const { return keys_.used_bytes() + index_bytes(); }
    std::size_t memory_bytes() const { return keys_.memory_bytes() + index_bytes(); }
    // What inserting `more` keys would add to memory_bytes() at most: their bytes (a page
    // more), and the index doubling.
    std::size_t growth_bytes(std::uint64_t more) const {
        std::size_t add = more * sizeof(std::uint64_t) + 4096;
        for (std::uint64_t slots = slots_count_; size() + more > max_load(slots);) {
            slots = grown(slots);
            add += slots * sizeof(std::uint32_t);
        }
        return add;
    }

  private:
    static constexpr std::uint64_t kMaxSlots = std::uint64_t{1} << 33;  // indices are 32-bit
    static constexpr std::uint64_t kSlotsPerPage = 4096 / sizeof(std::uint32_t);

    static std::uint64_t max_load(std::uint64_t slots) { return slots / 5 * 4; }
    static std::uint64_t grown(std::uint64_t slots) {
        const std::uint64_t more = slots + slots / 2;
        return (more + kSlotsPerPage - 1) / kSlotsPerPage * kSlotsPerPage;
    }
    std::uint64_t home(std::uint64_t h) const {
        return static_cast<std::uint64_t>((static_cast<unsigned __int128>(h) * slots_count_) >> 64);
    }
    std::uint64_t next(std::uint64_t pos) const { return pos + 1 == slots_count_ ? 0 : pos + 1; }

    void resize(std::uint64_t slots) {
        if (slots > kMaxSlots) throw std::length_error("tree compression: a table is full");
        slots_count_ = slots;
        grow_at_ = max_load(slots);
        // Indices below grow_at_ < slots need at most bit_width(slots) bits; the rest is tag.
        ref_bits_ = std::min<unsigned>(static_cast<unsigned>(std::bit_width(slots)), 32u);
        ref_mask_ = (std::uint64_t{1} << ref_bits_) - 1;
        tag_mask_ = (std::uint64_t{1} << (32 - ref_bits_)) - 1;
        const std::size_t bytes = slots * sizeof(std::uint32_t);
        index_.grow(bytes);
        slots_ = reinterpret_cast<std::uint32_t*>(index_.data());
        std::memset(slots_, 0, bytes);
        for (std::uint64_t i = 0; i < keys_.size(); ++i) {
            const std::uint64_t h = mix64(keys_.get(i));
            std::uint64_t pos = home(h);
            while (slots_[pos] != 0)
                pos = next(pos);
            slots_[pos] = static_cast<std::uint32_t>(((h & tag_mask_) << ref_bits_) | (i + 1));
        }
    }

    PackedKeys keys_;
    MappedMemory index_;
    std::uint32_t* slots_ = nullptr;
    unsigned ref_bits_ = 0;
    std::uint64_t slots_count_ = 0, grow_at_ = 0, ref_mask_ = 0, tag_mask_ = 0;
};

// The shape of the tree: its positions in post-order (children before their parent, the
// root last). A leaf names its two words (any two: the shape may pair words that are far
// apart in the state); a word at or past the state's end is zero.
struct TreeShape {
    struct Position {
        int left = -1, right = -1;  // children (positions); -1: a leaf
        unsigned word_lo = 0, word_hi = 0;
        bool leaf() const { return left < 0; }
    };
    std::vector<Position> positions;

    static unsigned words_for(std::size_t state_bytes) {
        const unsigned words = static_cast<unsigned>((state_bytes + 3) / 4);
        return std::max(2u, words + (words & 1));
    }

    // Leaves (0, 1), (2, 3), ... and a balanced tree over them, in state order.
    static TreeShape balanced(std::size_t state_bytes) {
        TreeShape s;
        s.build_balanced(0, words_for(state_bytes) / 2);
        return s;
    }

    // The shape that would keep the fewest keys below the root for a sample of states (the
    // first states of the search): every split of the words into halves is tried, for up
    // to kFittedWords words (beyond, balanced()). The number of distinct projections of the
    // sample on a set of words estimates its table's size. Ties go to the first split
    // tried, so the choice depends on the sample alone.
    static constexpr unsigned kFittedWords = 8;
    template <class StateAt>
    static TreeShape fitted(std::size_t state_bytes, std::uint64_t samples, StateAt&& state_at) {
        const unsigned words = words_for(state_bytes);
        if (words > kFittedWords || samples == 0) return balanced(state_bytes);
        const unsigned full = (1u << words) - 1;
        std::vector<std::uint64_t> distinct(full + 1, 0), hashes(samples);
        for (unsigned set = 1; set < full; ++set) {
            if (std::popcount(set) % 2 != 0) continue;
            for (std::uint64_t i = 0; i < samples; ++i) {
                std::uint32_t picked[kFittedWords];
                unsigned n = 0;
                const std::byte* s = state_at(i);
                for (unsigned w = 0; w < words; ++w)
                    if (set >> w & 1) picked[n++] = word_of(s, state_bytes, w);
                hashes[i] = XXH3_64bits(picked, n * sizeof(std::uint32_t));
            }
            std::sort(hashes.begin(), hashes.end());
            distinct[set] = static_cast<std::uint64_t>(std::unique(hashes.begin(), hashes.end()) -
                                                       hashes.begin());
        }
        // cost[set]: keys below the node covering `set`; split[set]: its left child's words.
        std::vector<std::uint64_t> cost(full + 1, 0);
        std::vector<unsigned> split(full + 1, 0);
        for (unsigned size = 4; size <= words; size += 2)
            for (unsigned set = 1; set <= full; ++set) {
                if (static_cast<unsigned>(std::popcount(set)) != size) continue;
                std::uint64_t best = ~std::uint64_t{0};
                const unsigned lowest = set & (0u - set);
                for (unsigned left = (set - 1) & set; left != 0; left = (left - 1) & set) {
                    const unsigned right = set ^ left;
                    if (!(left & lowest) || std::popcount(left) % 2 != 0 || right == 0) continue;
                    const std::uint64_t c =
                        distinct[left] + distinct[right] + cost[left] + cost[right];
                    if (c < best) {
                        best = c;
                        split[set] = left;
                    }
                }
                cost[set] = best;
            }
        TreeShape s;
        s.build_fitted(full, split);
        return s;
    }

    // Word w of a state (zero past its end).
    static std::uint32_t word_of(const std::byte* s, std::size_t state_bytes, unsigned w) {
        std::uint32_t v = 0;
        if (4 * w < state_bytes)
            std::memcpy(&v, s + 4 * w, std::min<std::size_t>(4, state_bytes - 4 * w));
        return v;
    }

  private:
    int build_balanced(unsigned first_leaf, unsigned end_leaf) {
        if (end_leaf - first_leaf == 1) return add_leaf(2 * first_leaf, 2 * first_leaf + 1);
        const unsigned mid = first_leaf + (end_leaf - first_leaf + 1) / 2;
        const int l = build_balanced(first_leaf, mid), r = build_balanced(mid, end_leaf);
        return add_inner(l, r);
    }
    int build_fitted(unsigned set, const std::vector<unsigned>& split) {
        if (std::popcount(set) == 2) {
            const unsigned lo = static_cast<unsigned>(std::countr_zero(set));
            return add_leaf(lo, static_cast<unsigned>(std::countr_zero(set & (set - 1))));
        }
        const int l = build_fitted(split[set], split), r = build_fitted(set ^ split[set], split);
        return add_inner(l, r);
    }
    int add_leaf(unsigned lo, unsigned hi) {
        positions.push_back({-1, -1, lo, hi});
        return static_cast<int>(positions.size() - 1);
    }
    int add_inner(int l, int r) {
        positions.push_back({l, r, 0, 0});
        return static_cast<int>(positions.size() - 1);
    }
};

class TreeStore {
  public:
    static constexpr std::uint64_t kAbsent = NodeTable::kAbsent;

    // Per thread: the key and index of every position of one state (the one being
    // expanded: its successors share most of its nodes, which are then not looked up), or
    // scratch space for a lookup.
    struct Cursor {
        std::vector<std::uint64_t> key, index;
    };

    TreeStore(std::size_t state_bytes, TreeShape shape)
        : state_bytes_(state_bytes), shape_(std::move(shape)) {
        const unsigned real_words = static_cast<unsigned>((state_bytes + 3) / 4);
        for (unsigned w = 0; w < TreeShape::words_for(state_bytes); ++w) {
            Word x;
            if (w < real_words) {
                x.offset = 4 * w;
                const std::size_t bytes = std::min<std::size_t>(4, state_bytes - 4 * w);
                x.mask = bytes == 4 ? 0xffffffffu : (std::uint32_t{1} << (8 * bytes)) - 1;
            }
            words_.push_back(x);
        }
        for (const TreeShape::Position& p : shape_.positions)
            tables_.emplace_back(p.leaf() ? 32 : 1, p.leaf() ? 32 : 1);
    }

    const TreeShape& shape() const { return shape_; }
    Cursor cursor() const {
        return {std::vector<std::uint64_t>(tables_.size()),
                std::vector<std::uint64_t>(tables_.size())};
    }

    // States stored (the root table's keys).
    std::uint64_t size() const { return tables_.back().size(); }

    // Writes state i to `out` (state_bytes() + kStateSlack bytes; the slack is overwritten)
    // and every node of it to `c`.
    void get(StateIndex i, std::byte* out, Cursor& c) const {
        const std::size_t root = tables_.size() - 1;
        c.index[root] = i;
        for (std::size_t p = root + 1; p-- > 0;) {  // parents before their children
            const std::uint64_t key = tables_[p].key(c.index[p]);
            c.key[p] = key;
            const TreeShape::Position& pos = shape_.positions[p];
            if (pos.leaf()) {
                put_word(out, pos.word_lo, static_cast<std::uint32_t>(key));
                put_word(out, pos.word_hi, static_cast<std::uint32_t>(key >> 32));
            } else {
                c.index[pos.left] = key & 0xffffffffu;
                c.index[pos.right] = key >> 32;
            }
        }
    }

    // The index of state s, or kAbsent. `near` (may be null) is a cursor of a state that
    // shares nodes with s: an equal key there is not looked up again. Only reads.
    std::uint64_t find(const std::byte* s, const Cursor* near, Cursor& c) const {
        std::uint64_t key = 0;
        if (!root_key(s, near, c, key)) return kAbsent;
        return find_root(key, near, c);
    }

    // The index of state s, appended with whatever nodes it needs if absent (`added`).
    // One thread, no lookup at the same time; the caller keeps size() below kMaxStates.
    StateIndex insert(const std::byte* s, const Cursor* near, Cursor& c, bool& added) {
        const std::uint64_t key = insert_below_root(s, near, c);
        const std::size_t root = tables_.size() - 1;
        c.key[root] = key;
        added = false;
        c.index[root] =
            near && near->key[root] == key ? near->index[root] : tables_[root].insert(key, added);
        return static_cast<StateIndex>(c.index[root]);
    }

    // find() in two steps: the key the root of s has (false if a node below the root is
    // missing, so that s is absent), then the state with that root key.
    bool root_key(const std::byte* s, const Cursor* near, Cursor& c, std::uint64_t& key) const {
        for (std::size_t p = 0; p + 1 < tables_.size(); ++p) {
            const std::uint64_t k = key_at(s, p, c);
            c.key[p] = k;
            if (near && near->key[p] == k) {
                c.index[p] = near->index[p];
                continue;
            }
            const std::uint64_t i = tables_[p].find(k);
            if (i == kAbsent) return false;
            c.index[p] = i;
        }
        key = key_at(s, tables_.size() - 1, c);
        return true;
    }
    std::uint64_t find_root(std::uint64_t key, const Cursor* near, Cursor& c) const {
        const std::size_t root = tables_.size() - 1;
        c.key[root] = key;
        return c.index[root] =
                   near && near->key[root] == key ? near->index[root] : tables_[root].find(key);
    }

    // Storing many new states (a level's) with threads: (1) the root key of each, from
    // root_key() by any thread, or for a state with a node missing below the root from
    // insert_below_root(), on one thread in the states' order (so that node indices do not
    // depend on the threads); (2) reserve_states() and append_state() of each root key in
    // order; (3) index_states() of slices of them, by any threads.
    std::uint64_t insert_below_root(const std::byte* s, const Cursor* near, Cursor& c) {
        for (std::size_t p = 0; p + 1 < tables_.size(); ++p) {
            const std::uint64_t key = key_at(s, p, c);
            c.key[p] = key;
            bool added = false;
            c.index[p] =
                near && near->key[p] == key ? near->index[p] : tables_[p].insert(key, added);
        }
        return key_at(s, tables_.size() - 1, c);
    }
    void reserve_states(std::uint64_t n) { tables_.back().reserve(n); }
    // The root key of a new state (absent, and distinct from the others appended).
    void append_state(std::uint64_t key) { tables_.back().append_unindexed(key); }
    void index_states(std::uint64_t from, std::uint64_t to) {
        for (std::uint64_t i = from; i < to; ++i)
            tables_.back().index_concurrently(i);
    }

    // Keys below the roots (every table but the root's), and those of the leaves.
    std::uint64_t nodes() const {
        std::uint64_t n = 0;
        for (std::size_t p = 0; p + 1 < tables_.size(); ++p)
            n += tables_[p].size();
        return n;
    }
    std::uint64_t leaves() const {
        std::uint64_t n = 0;
        for (std::size_t p = 0; p + 1 < tables_.size(); ++p)
            if (shape_.positions[p].leaf()) n += tables_[p].size();
        return n;
    }

    std::size_t used_bytes() const {
        std::size_t b = 0;
        for (const NodeTable& t : tables_)
            b += t.used_bytes();
        return b;
    }
    std::size_t memory_bytes() const {
        std::size_t b = 0;
        for (const NodeTable& t : tables_)
            b += t.memory_bytes();
        return b;
    }
    // What the tables grow by, at most, while `more` new states are stored.
    std::size_t growth_bytes(std::uint64_t more) const {
        std::size_t b = 0;
        for (const NodeTable& t : tables_)
            b += t.growth_bytes(more);
        return b;
    }

  private:
    struct Word {
        std::size_t offset = 0;
        std::uint32_t mask = 0;  // 0: a word past the state's end
    };

    std::uint32_t word(const std::byte* s, unsigned w) const {
        std::uint32_t v;
        std::memcpy(&v, s + words_[w].offset, 4);  // the slack covers a partial last word
        return v & words_[w].mask;
    }
    void put_word(std::byte* out, unsigned w, std::uint32_t v) const {
        if (words_[w].mask != 0) std::memcpy(out + words_[w].offset, &v, 4);
    }
    std::uint64_t key_at(const std::byte* s, std::size_t p, const Cursor& c) const {
        const TreeShape::Position& pos = shape_.positions[p];
        if (pos.leaf()) return word(s, pos.word_lo) | (std::uint64_t{word(s, pos.word_hi)} << 32);
        return c.index[pos.left] | (c.index[pos.right] << 32);
    }

    std::size_t state_bytes_;
    TreeShape shape_;
    std::vector<Word> words_;
    std::vector<NodeTable> tables_;  // one per position of shape_, the root's last
};

}  // namespace hugecheck::explorer
