// The set of visited states: an open-addressing hash table (linear probing) of 64-bit
// slots over the StateStore. A slot holds the upper 32 bits of the state's hash and its
// index + 1 (0 = empty), so most probes that miss never touch the state bytes. Growing
// rehashes from the store; nothing is allocated per state.
#pragma once

#include <xxhash.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>

#include "explorer/state_store.hpp"

namespace hugecheck::explorer {

inline std::uint64_t hash_state(const std::byte* s, std::size_t bytes) {
    return XXH3_64bits(s, bytes);
}

class VisitedSet {
  public:
    explicit VisitedSet(StateStore& store, unsigned initial_log2 = 10) : store_(store) {
        allocate(initial_log2);
    }

    struct Found {
        StateIndex index;
        bool inserted;
    };

    // Finds `s`, or appends it to the store with `parent` and inserts it.
    Found insert(const std::byte* s, StateIndex parent) {
        const std::size_t bytes = store_.state_bytes();
        const std::uint64_t h = hash_state(s, bytes);
        const std::uint64_t tag = h >> 32;
        for (std::uint64_t pos = h & mask_;; pos = (pos + 1) & mask_) {
            const std::uint64_t slot = slots_[pos];
            if (slot == 0) {
                const StateIndex i = store_.append(s, parent);
                slots_[pos] = (tag << 32) | (std::uint64_t{i} + 1);
                if (++used_ > grow_at_) grow();
                return {i, true};
            }
            if ((slot >> 32) == tag) {
                const StateIndex i = static_cast<StateIndex>((slot & 0xffffffffu) - 1);
                if (std::memcmp(store_.state(i), s, bytes) == 0) return {i, false};
            }
        }
    }

    std::size_t memory_bytes() const { return (mask_ + 1) * sizeof(std::uint64_t); }
    // What the table would hold after its next growth (to keep a memory budget).
    std::size_t memory_bytes_after_growth() const { return 2 * memory_bytes(); }
    bool grows_on_next_insert() const { return used_ + 1 > grow_at_; }

  private:
    void allocate(unsigned log2) {
        mask_ = (std::uint64_t{1} << log2) - 1;
        slots_ = std::make_unique<std::uint64_t[]>(mask_ + 1);  // zeroed: all empty
        grow_at_ = (mask_ + 1) / 4 * 3;                         // load factor 0.75
    }

    void grow() {
        const std::uint64_t old_size = mask_ + 1;
        std::unique_ptr<std::uint64_t[]> old = std::move(slots_);
        unsigned log2 = 0;
        while ((std::uint64_t{1} << log2) < old_size * 2)
            ++log2;
        allocate(log2);
        const std::size_t bytes = store_.state_bytes();
        for (std::uint64_t k = 0; k < old_size; ++k) {
            const std::uint64_t slot = old[k];
            if (slot == 0) continue;
            const StateIndex i = static_cast<StateIndex>((slot & 0xffffffffu) - 1);
            std::uint64_t pos = hash_state(store_.state(i), bytes) & mask_;
            while (slots_[pos] != 0)
                pos = (pos + 1) & mask_;
            slots_[pos] = slot;
        }
    }

    StateStore& store_;
    std::unique_ptr<std::uint64_t[]> slots_;
    std::uint64_t mask_ = 0;
    std::uint64_t used_ = 0;
    std::uint64_t grow_at_ = 0;
};

}  // namespace hugecheck::explorer
