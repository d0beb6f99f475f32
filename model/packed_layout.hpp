// The bit-packed form of a state: every variable is a field of `width` bits at a bit
// offset in a flat byte string. The model computes on unpacked 64-bit values; packing is
// exact or it throws, never silently lossy:
//  - an unsigned field (a pc, a node or none, an op index) holds 0 .. 2^width - 1;
//  - a counter field is two's complement in `width` bits: the RM's counters are
//    `unsigned long`, and a decrement below zero wraps to 2^64 - 1; stored sign-extended,
//    such a value packs as -1 and unpacks to exactly 2^64 - 1 again.
// Widths come from bounds of the scenario (see HugetlbModel); a width of 0 is a field
// that is always 0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace hugecheck::model {

using Slot = std::uint32_t;  // index of a variable in the unpacked state

// Packed states are read and written 8 bytes at a time; buffers holding a packed state
// must have this many bytes of slack after the last state.
inline constexpr std::size_t kPackSlack = 8;

class PackedLayout {
  public:
    struct Field {
        std::string name;
        std::uint32_t bit_offset = 0;
        std::uint8_t width = 0;
        bool is_signed = false;
    };

    // Appends a field and returns its slot. Widths above 56 bits are refused: a field must
    // fit in one unaligned 64-bit word at any bit position.
    Slot add(std::string name, std::uint8_t width, bool is_signed);

    std::size_t slots() const { return fields_.size(); }
    std::size_t bytes() const { return (bits_ + 7) / 8; }
    std::uint32_t bits() const { return bits_; }
    const Field& field(Slot s) const { return fields_[s]; }

    std::uint64_t read(const std::byte* packed, Slot s) const {
        const Hot& h = hot_[s];
        if (h.width == 0) return 0;
        std::uint64_t word;
        std::memcpy(&word, packed + (h.offset >> 3), 8);
        std::uint64_t v = (word >> (h.offset & 7)) & h.mask;
        if (h.is_signed && (v >> (h.width - 1)) != 0) v |= ~h.mask;  // sign-extend
        return v;
    }

    // Throws std::logic_error naming the field when the value does not fit: that would be
    // a bound of the scenario analysis that does not hold, and a silently truncated
    // state would make every count after it wrong.
    void write(std::byte* packed, Slot s, std::uint64_t v) const {
        if (!try_write(packed, s, v)) overflow(s, v);
    }
    // write, but a value that does not fit leaves the state as it is and returns false.
    bool try_write(std::byte* packed, Slot s, std::uint64_t v) const {
        const Hot& h = hot_[s];
        const std::uint64_t stored = v & h.mask;
        const std::uint64_t back = (h.is_signed && h.width > 0 && (stored >> (h.width - 1)) != 0)
                                       ? stored | ~h.mask
                                       : stored;
        if (back != v) return false;
        if (h.width == 0) return true;
        std::uint64_t word;
        std::memcpy(&word, packed + (h.offset >> 3), 8);
        const unsigned shift = h.offset & 7;
        word = (word & ~(h.mask << shift)) | (stored << shift);
        std::memcpy(packed + (h.offset >> 3), &word, 8);
        return true;
    }

    // Fields of width 0 are always 0: `values` must hold 0 there already (a fresh or
    // previously unpacked buffer), and only the others are read.
    void unpack(const std::byte* packed, std::uint64_t* values) const {
        for (Slot s : stored_)
            values[s] = read(packed, s);
    }
    void pack(const std::uint64_t* values, std::byte* packed) const {
        std::memset(packed, 0, bytes());
        for (Slot s = 0; s < hot_.size(); ++s)
            write(packed, s, values[s]);
    }

  private:
    [[noreturn]] void overflow(Slot s, std::uint64_t v) const;

    struct Hot {  // what read/write need, kept dense for the hot path
        std::uint32_t offset;
        std::uint8_t width;
        bool is_signed;
        std::uint64_t mask;
    };
    std::vector<Field> fields_;
    std::vector<Hot> hot_;
    std::vector<Slot> stored_;  // the slots of width > 0
    std::uint32_t bits_ = 0;
};

// Bits needed for an unsigned value 0..max (0 for max = 0).
inline std::uint8_t bits_for(std::uint64_t max) {
    std::uint8_t b = 0;
    while (max != 0) {
        ++b;
        max >>= 1;
    }
    return b;
}

}  // namespace hugecheck::model
