// The visited set of the breadth-first search: one open-addressing table (linear probing)
// of 64-bit slots that threads insert into without locks, by compare-and-swap on a slot.
// Nothing is shared between threads but the slots themselves, so two threads only meet
// on a cache line when they probe the same part of the table (see
// docs/internals-explorer.md).
//
// A slot holds the top 31 bits of the state's XXH3-64 hash (the tag), a pending bit and a
// 32-bit reference:
//  - settled: index + 1 of a state in the StateStore;
//  - pending: (thread << 26) | i, the i-th state that thread found in the level being
//    expanded, kept in the thread's pending list (bytes, first discovery key, slot) until
//    the level ends. The search then numbers the level's new states in the order a
//    sequential search would have found them and settles each slot.
// A state's home slot is the top bits of its hash, so the tag holds every bit a larger
// table needs, and growing (between rounds, never during inserts) re-places the slots in
// one pass without reading a single state. Positions grow with the hash, so that pass
// reads and writes the tables in order.
#pragma once

#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "explorer/mapped_memory.hpp"
#include "explorer/state_store.hpp"

namespace hugecheck::explorer {

inline std::uint64_t hash_state(const std::byte* s, std::size_t bytes) {
    return XXH3_64bits(s, bytes);
}

class VisitedSet {
  public:
    // The first edge that found a pending state: (parent index << 32) | edge number. A
    // sequential search appends new states in exactly this order.
    using DiscoveryKey = std::uint64_t;

    static constexpr unsigned kMaxThreads = 64;
    // Pending states one thread may hold in one level.
    static constexpr std::uint64_t kMaxPendingPerThread = std::uint64_t{1} << 26;

    // threads: the pending lists (insert_pending's t < threads); 2^initial_log2 slots.
    // fingerprints: hash compaction (see below). notes: each pending state carries a 64-bit
    // value from the thread that found it first (tree compression: its root key).
    VisitedSet(const StateStore& store, unsigned threads, unsigned initial_log2 = 10,
               bool fingerprints = false, bool notes = false)
        : store_(store),
          bytes_(store.state_bytes()),
          fingerprints_(fingerprints),
          notes_(notes),
          pending_(threads),
          table_((std::uint64_t{1} << initial_log2) * sizeof(std::uint64_t)) {
        slots_ = reinterpret_cast<std::uint64_t*>(table_.data());
        allocate(initial_log2);
    }

    // Hash compaction: a slot holds the state's whole 64-bit hash (its fingerprint) and
    // nothing else, states are never compared, and two states with one fingerprint count
    // as one; the search reports the probability of that. Pending states are in their
    // thread's list but not referenced from the table (a second find of one in the same
    // level is "known" and keeps the first key: the numbering of a level may then differ
    // between thread counts, the counts and depths do not).
    bool fingerprints() const { return fingerprints_; }
    static std::uint64_t fingerprint(std::uint64_t h) { return h ? h : 1; }

    enum class Outcome : std::uint8_t { known, pending_again, added, full };

    // One thread, no pending states: a new state is appended to the store at once by
    // `append(s)` (which returns its index), and the table grows when it must.
    template <class Append>
    Outcome insert_settled(const std::byte* s, std::uint64_t h, Append&& append,
                           StateIndex& index) {
        if (fingerprints_) return insert_fingerprint_settled(s, h, append, index);
        const std::uint64_t tag = h & kTagMask;
        for (std::uint64_t pos = h >> shift_;; pos = (pos + 1) & mask_) {
            const std::uint64_t slot = at(pos).load(std::memory_order_relaxed);
            if (slot == 0) {
                index = append(s);
                at(pos).store(tag | (std::uint64_t{index} + 1), std::memory_order_relaxed);
                if (++settled_used_ > grow_at_) grow();
                return Outcome::added;
            }
            if ((slot & kTagMask) == tag && std::memcmp(state_of(slot), s, bytes_) == 0) {
                index = static_cast<StateIndex>((slot & kRefMask) - 1);
                return Outcome::known;
            }
        }
    }

    // Thread t, concurrently with the others: a state not seen before becomes pending in
    // t's list with discovery key `first`; a pending one keeps the smaller key. The table
    // must have room (see used() / grow()): the search grows it between rounds. `known`
    // (if given) receives the index of a settled state (Outcome::known; not with
    // fingerprints).
    Outcome insert_pending(unsigned t, const std::byte* s, std::uint64_t h, DiscoveryKey first,
                           std::uint64_t note = 0, StateIndex* known = nullptr) {
        if (fingerprints_) return insert_fingerprint_pending(t, s, h, first);
        const std::uint64_t tag = h & kTagMask;
        PendingList& mine = pending_[t];
        std::uint64_t probes = 0;
        for (std::uint64_t pos = h >> shift_;; pos = (pos + 1) & mask_) {
            if (++probes > mask_) return Outcome::full;  // the search let the table fill up
            std::uint64_t slot = at(pos).load(std::memory_order_acquire);
            if (slot == 0) {
                const std::uint64_t i = mine.size.load(std::memory_order_relaxed);
                if (i == kMaxPendingPerThread) return Outcome::full;
                Entry e = mine.entry(i, layout_);  // written before the slot publishes it
                std::memcpy(e.bytes, s, bytes_);
                e.first->store(first, std::memory_order_relaxed);
                *e.slot = pos;
                if (e.note) *e.note = note;
                const std::uint64_t claim = tag | kPendingBit | (std::uint64_t{t} << 26) | i;
                if (at(pos).compare_exchange_strong(slot, claim, std::memory_order_acq_rel,
                                                    std::memory_order_acquire)) {
                    mine.size.store(i + 1, std::memory_order_relaxed);
                    return Outcome::added;
                }
                // Another thread took the slot first: `slot` is now its value.
            }
            if ((slot & kTagMask) == tag && std::memcmp(state_of(slot), s, bytes_) == 0) {
                if (!(slot & kPendingBit)) {
                    if (known) *known = static_cast<StateIndex>((slot & kRefMask) - 1);
                    return Outcome::known;
                }
                std::atomic<DiscoveryKey>& k = *pending_entry(slot).first;
                DiscoveryKey cur = k.load(std::memory_order_relaxed);
                while (first < cur &&
                       !k.compare_exchange_weak(cur, first, std::memory_order_relaxed))
                    ;
                return Outcome::pending_again;
            }
        }
    }

    // --- between rounds (no insert running) --------------------------------------------
    // States in the table, settled and pending (an estimate while inserts run).
    std::uint64_t used() const { return settled_used_ + pending_count(); }
    bool wants_growth(std::uint64_t extra = 0) const { return used() + extra > grow_at_; }
    // Whether `extra` more states could be inserted before the table is 15/16 full: the
    // search keeps the inserts threads may have in flight below that.
    bool has_room(std::uint64_t extra) const { return used() + extra <= (mask_ + 1) / 16 * 15; }
    // Doubles the table until `extra` more states fit below its load factor.
    void grow(std::uint64_t extra = 0) {
        while (wants_growth(extra) || !has_room(extra))
            rehash(log2_ + 1);
    }

    std::uint64_t pending_count() const {
        std::uint64_t n = 0;
        for (const PendingList& p : pending_)
            n += p.size.load(std::memory_order_relaxed);
        return n;
    }
    unsigned threads() const { return static_cast<unsigned>(pending_.size()); }
    std::uint64_t pending_size(unsigned t) const {
        return pending_[t].size.load(std::memory_order_relaxed);
    }
    DiscoveryKey pending_key(unsigned t, std::uint64_t i) const {
        return pending_[t].entry(i, layout_).first->load(std::memory_order_relaxed);
    }
    const std::byte* pending_state(unsigned t, std::uint64_t i) const {
        return pending_[t].entry(i, layout_).bytes;
    }
    // The note of the thread that added the pending state (constructed with notes).
    std::uint64_t pending_note(unsigned t, std::uint64_t i) const {
        return *pending_[t].entry(i, layout_).note;
    }
    // The pending state (t, i) is now store index `index` (threads may settle disjoint
    // states at once).
    void settle(unsigned t, std::uint64_t i, StateIndex index) {
        if (fingerprints_) return;
        std::atomic_ref<std::uint64_t> slot = at(*pending_[t].entry(i, layout_).slot);
        const std::uint64_t tag = slot.load(std::memory_order_relaxed) & kTagMask;
        slot.store(tag | (std::uint64_t{index} + 1), std::memory_order_relaxed);
    }
    // After every pending state was settled (or the search stops).
    void clear_pending() {
        for (PendingList& p : pending_) {
            settled_used_ += p.size.load(std::memory_order_relaxed);
            p.size.store(0, std::memory_order_relaxed);  // its chunks are kept for reuse
        }
    }
    // Forgets every state (no pending one) and starts again from 2^log2 empty slots.
    void clear(unsigned log2) {
        table_ = MappedMemory((std::uint64_t{1} << log2) * sizeof(std::uint64_t));
        slots_ = reinterpret_cast<std::uint64_t*>(table_.data());
        allocate(log2);
        settled_used_ = 0;
    }
    // Tree compression keeps settled states in the tree (tree_store.hpp), and the table only
    // dedups a level's new states: once they are stored there, their slots are emptied
    // (all of them, so no probe sequence is cut) and the table is empty again.
    void drop_pending() {
        for (PendingList& p : pending_) {
            const std::uint64_t n = p.size.load(std::memory_order_relaxed);
            for (std::uint64_t i = 0; i < n; ++i)
                at(*p.entry(i, layout_).slot).store(0, std::memory_order_relaxed);
            p.size.store(0, std::memory_order_relaxed);
        }
    }

    std::size_t table_bytes() const { return (mask_ + 1) * sizeof(std::uint64_t); }
    // What growing costs at most: the table grows in place (see rehash()).
    std::size_t table_bytes_after_growth() const { return 2 * table_bytes(); }
    std::size_t pending_bytes() const {
        std::size_t b = 0;
        for (const PendingList& p : pending_)
            b += p.chunks_allocated * layout_.chunk_bytes;
        return b;
    }

  private:
    template <class Append>
    Outcome insert_fingerprint_settled(const std::byte* s, std::uint64_t h, Append&& append,
                                       StateIndex& index) {
        const std::uint64_t fp = fingerprint(h);
        for (std::uint64_t pos = fp >> shift_;; pos = (pos + 1) & mask_) {
            const std::uint64_t slot = at(pos).load(std::memory_order_relaxed);
            if (slot == fp) return Outcome::known;
            if (slot == 0) {
                index = append(s);
                at(pos).store(fp, std::memory_order_relaxed);
                if (++settled_used_ > grow_at_) grow();
                return Outcome::added;
            }
        }
    }

    Outcome insert_fingerprint_pending(unsigned t, const std::byte* s, std::uint64_t h,
                                       DiscoveryKey first) {
        const std::uint64_t fp = fingerprint(h);
        PendingList& mine = pending_[t];
        std::uint64_t probes = 0;
        for (std::uint64_t pos = fp >> shift_;; pos = (pos + 1) & mask_) {
            if (++probes > mask_) return Outcome::full;
            std::uint64_t slot = at(pos).load(std::memory_order_relaxed);
            if (slot == 0) {
                const std::uint64_t i = mine.size.load(std::memory_order_relaxed);
                if (i == kMaxPendingPerThread) return Outcome::full;
                if (at(pos).compare_exchange_strong(slot, fp, std::memory_order_relaxed)) {
                    Entry e = mine.entry(i, layout_);  // only its owner reads it this level
                    std::memcpy(e.bytes, s, bytes_);
                    e.first->store(first, std::memory_order_relaxed);
                    mine.size.store(i + 1, std::memory_order_relaxed);
                    return Outcome::added;
                }
            }
            if (slot == fp) return Outcome::known;
        }
    }

    static constexpr std::uint64_t kTagMask = ~std::uint64_t{0} << 33;
    static constexpr std::uint64_t kPendingBit = std::uint64_t{1} << 32;
    static constexpr std::uint64_t kRefMask = 0xffffffffu;
    static constexpr std::uint64_t kIndexMask = kMaxPendingPerThread - 1;

    // A thread's pending states, in chunks that never move: other threads read them while
    // the owner appends. The chunk directory is allocated whole for the same reason.
    static constexpr unsigned kChunkShift = 12;
    static constexpr std::uint64_t kChunkStates = std::uint64_t{1} << kChunkShift;
    struct Entry {
        std::byte* bytes;
        std::atomic<DiscoveryKey>* first;
        std::uint64_t* slot;
        std::uint64_t* note;  // null without notes
    };
    // Layout of a chunk: keys, slots, notes (if any), then the state bytes (+ slack).
    struct ChunkLayout {
        std::size_t bytes, notes, states, chunk_bytes;
        ChunkLayout(std::size_t state_bytes, bool with_notes)
            : bytes(state_bytes),
              notes(kChunkStates * 2 * sizeof(std::uint64_t)),
              states(notes + (with_notes ? kChunkStates * sizeof(std::uint64_t) : 0)),
              chunk_bytes(states + kChunkStates * state_bytes + kStateSlack) {}
        bool with_notes() const { return states != notes; }
    };
    struct alignas(64) PendingList {
        std::atomic<std::uint64_t> size{0};
        std::uint64_t chunks_allocated = 0;
        // Allocated by the owner with its first chunk, before any slot can point into it.
        std::unique_ptr<std::unique_ptr<std::byte[]>[]> chunks;

        Entry entry(std::uint64_t i, const ChunkLayout& layout) const {
            std::byte* c = chunks[i >> kChunkShift].get();
            const std::uint64_t k = i & (kChunkStates - 1);
            auto* keys = reinterpret_cast<std::atomic<DiscoveryKey>*>(c);
            auto* slots = reinterpret_cast<std::uint64_t*>(c + kChunkStates * sizeof(DiscoveryKey));
            auto* notes = reinterpret_cast<std::uint64_t*>(c + layout.notes);
            return {c + layout.states + k * layout.bytes, keys + k, slots + k,
                    layout.with_notes() ? notes + k : nullptr};
        }
        Entry entry(std::uint64_t i, const ChunkLayout& layout) {
            if ((i >> kChunkShift) >= chunks_allocated) {
                if (!chunks)
                    chunks = std::make_unique<std::unique_ptr<std::byte[]>[]>(kMaxPendingPerThread /
                                                                              kChunkStates);
                chunks[chunks_allocated++] = std::make_unique<std::byte[]>(layout.chunk_bytes);
                auto* keys =
                    reinterpret_cast<std::atomic<DiscoveryKey>*>(chunks[i >> kChunkShift].get());
                for (std::uint64_t k = 0; k < kChunkStates; ++k)
                    new (keys + k) std::atomic<DiscoveryKey>(0);
            }
            return std::as_const(*this).entry(i, layout);
        }
    };

    Entry pending_entry(std::uint64_t slot) const {
        return pending_[(slot >> 26) & 63].entry(slot & kIndexMask, layout_);
    }
    const std::byte* state_of(std::uint64_t slot) const {
        if (slot & kPendingBit) return pending_entry(slot).bytes;
        return store_.state(static_cast<StateIndex>((slot & kRefMask) - 1));
    }

    std::atomic_ref<std::uint64_t> at(std::uint64_t pos) const {
        return std::atomic_ref<std::uint64_t>(slots_[pos]);
    }
    std::uint64_t home(std::uint64_t slot) const {
        // The tag is the hash's top 31 bits (a fingerprint all 64): enough for tables up
        // to 2^31 slots; beyond, the state is hashed again.
        return fingerprints_ || log2_ <= 31 ? slot >> shift_
                                            : hash_state(state_of(slot), bytes_) >> shift_;
    }

    void allocate(unsigned log2) {
        log2_ = log2;
        shift_ = 64 - log2;
        mask_ = (std::uint64_t{1} << log2) - 1;
        grow_at_ = (mask_ + 1) / 4 * 3;  // load factor 0.75
    }

    // Doubles the table in place: mremap moves the pages (no second copy in memory), then
    // every slot is placed again from the top down. A slot's new home is at least its old
    // position except near the start of the table or where a run wraps around; those few
    // wait in a side list and are placed last, as are slots whose run would wrap past the
    // end while unplaced slots still sit at the start.
    void rehash(unsigned log2) {
        const std::uint64_t old_size = mask_ + 1;
        const unsigned old_shift = shift_;
        table_.grow((std::uint64_t{1} << log2) * sizeof(std::uint64_t));
        slots_ = reinterpret_cast<std::uint64_t*>(table_.data());
        allocate(log2);
        std::vector<std::uint64_t> later;
        auto old_home = [&](std::uint64_t slot) {
            return fingerprints_ || log2 - 1 <= 31
                       ? slot >> old_shift
                       : hash_state(state_of(slot), bytes_) >> old_shift;
        };
        for (std::uint64_t p = old_size; p-- > 0;) {
            const std::uint64_t slot = slots_[p];
            if (slot == 0) continue;
            slots_[p] = 0;
            const std::uint64_t h = home(slot);
            if (old_home(slot) > p || h < p || !place_from(h, slot, false)) later.push_back(slot);
        }
        for (const std::uint64_t slot : later)
            place_from(home(slot), slot, true);
    }

    // Linear probing from `pos`; without `may_wrap`, gives up at the end of the table.
    bool place_from(std::uint64_t pos, std::uint64_t slot, bool may_wrap) {
        while (slots_[pos] != 0) {
            if (pos == mask_ && !may_wrap) return false;
            pos = (pos + 1) & mask_;
        }
        slots_[pos] = slot;
        if (!fingerprints_ && (slot & kPendingBit)) *pending_entry(slot).slot = pos;
        return true;
    }

    const StateStore& store_;
    const std::size_t bytes_;
    const bool fingerprints_, notes_;
    const ChunkLayout layout_{bytes_, notes_};
    std::vector<PendingList> pending_;
    MappedMemory table_;
    std::uint64_t* slots_ = nullptr;  // table_'s words, read and written via at()
    unsigned log2_ = 0, shift_ = 0;
    std::uint64_t mask_ = 0, grow_at_ = 0;
    std::uint64_t settled_used_ = 0;
};

}  // namespace hugecheck::explorer
