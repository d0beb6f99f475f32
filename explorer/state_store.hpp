// Every distinct state found, in discovery order, with the index of the state it was first
// reached from. States live back to back in fixed-size chunks (no per-state allocation,
// and no reallocation that would copy the whole store); index i is the i-th state found.
// In a breadth-first search discovery order is BFS order, so the store is also the queue.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "explorer/mapped_memory.hpp"
#include "explorer/system.hpp"

namespace hugecheck::explorer {

using StateIndex = std::uint32_t;
inline constexpr StateIndex kNoParent = ~StateIndex{0};
inline constexpr std::uint64_t kMaxStates = kNoParent;  // indices 0 .. 2^32 - 2

class StateStore {
  public:
    // keep_parents = false: no parent indices (a search whose traces come from elsewhere).
    explicit StateStore(std::size_t state_bytes, bool keep_parents = true)
        : state_bytes_(state_bytes), keep_parents_(keep_parents) {}

    std::size_t state_bytes() const { return state_bytes_; }
    std::uint64_t size() const { return size_; }

    const std::byte* state(StateIndex i) const {
        return chunks_[i >> kChunkShift].states + (i & kChunkMask) * state_bytes_;
    }
    StateIndex parent(StateIndex i) const {
        return keep_parents_ ? chunks_[i >> kChunkShift].parents[i & kChunkMask] : kNoParent;
    }
    bool keeps_parents() const { return keep_parents_; }

    // Appends a state; the caller checks size() < kMaxStates first.
    StateIndex append(const std::byte* s, StateIndex parent) {
        const StateIndex i = static_cast<StateIndex>(size_);
        if ((i & kChunkMask) == 0) add_chunk();
        Chunk& c = chunks_.back();
        std::memcpy(c.states + (i & kChunkMask) * state_bytes_, s, state_bytes_);
        if (keep_parents_) c.parents[i & kChunkMask] = parent;
        ++size_;
        return i;
    }

    // Makes room for n more states at indices size() .. size() + n - 1, to be filled with
    // put() (by several threads at once, each its own indices).
    void extend(std::uint64_t n) {
        const std::uint64_t end = size_ + n;
        while (chunks_.size() * kChunkStates < end)
            add_chunk();
        size_ = end;
    }
    void put(StateIndex i, const std::byte* s, StateIndex parent) {
        Chunk& c = chunks_[i >> kChunkShift];
        std::memcpy(c.states + (i & kChunkMask) * state_bytes_, s, state_bytes_);
        if (keep_parents_) c.parents[i & kChunkMask] = parent;
    }

    // Frees the chunks that hold only states below index i: those states (and parents)
    // may no longer be read. A search that keeps no trace in the store drops the levels
    // it has expanded.
    void release_before(std::uint64_t i) {
        for (std::uint64_t c = released_; c < chunks_.size() && (c + 1) * kChunkStates <= i; ++c) {
            chunks_[c] = Chunk{};
            released_ = c + 1;
        }
    }

    // Frees every state (a search that moved them elsewhere).
    void clear() {
        chunks_.clear();
        size_ = 0;
        released_ = 0;
    }

    // Bytes the states and parent indices take: the figure per state.
    std::size_t used_bytes() const {
        return (size_ - std::min<std::uint64_t>(size_, released_ * kChunkStates)) * per_state();
    }
    // Bytes allocated for them (whole chunks): the figure for a memory budget.
    std::size_t memory_bytes() const {
        return (chunks_.size() - released_) * (kChunkStates * per_state() + kStateSlack);
    }

  private:
    static constexpr unsigned kChunkShift = 12;  // 4096 states a chunk
    static constexpr std::size_t kChunkStates = std::size_t{1} << kChunkShift;
    static constexpr StateIndex kChunkMask = kChunkStates - 1;

    // Without parents the store drops expanded levels: those chunks come from mmap, so
    // that freeing one gives its memory back at once (see mapped_memory.hpp).
    struct Chunk {
        std::unique_ptr<std::byte[]> heap;
        MappedMemory mapped;
        std::byte* states = nullptr;
        std::unique_ptr<StateIndex[]> parents;
    };
    void add_chunk() {
        Chunk c;
        const std::size_t bytes = kChunkStates * state_bytes_ + kStateSlack;
        if (keep_parents_) {
            c.heap = std::make_unique<std::byte[]>(bytes);
            c.states = c.heap.get();
            c.parents = std::make_unique_for_overwrite<StateIndex[]>(kChunkStates);
        } else {
            c.mapped = MappedMemory(bytes);
            c.states = c.mapped.data();
        }
        chunks_.push_back(std::move(c));
    }
    std::size_t per_state() const {
        return state_bytes_ + (keep_parents_ ? sizeof(StateIndex) : 0);
    }

    std::size_t state_bytes_;
    bool keep_parents_;
    std::uint64_t released_ = 0;  // chunks [0, released_) are freed
    std::uint64_t size_ = 0;
    std::vector<Chunk> chunks_;
};

}  // namespace hugecheck::explorer
