#include "model/packed_layout.hpp"

#include <stdexcept>

namespace hugecheck::model {

Slot PackedLayout::add(std::string name, std::uint8_t width, bool is_signed) {
    if (width > 56) throw std::logic_error("field " + name + " is wider than 56 bits");
    const Slot s = static_cast<Slot>(fields_.size());
    fields_.push_back({std::move(name), bits_, width, is_signed});
    const std::uint64_t mask = width == 0 ? 0 : (~std::uint64_t{0} >> (64 - width));
    hot_.push_back({bits_, width, is_signed, mask});
    if (width > 0) stored_.push_back(s);
    bits_ += width;
    return s;
}

void PackedLayout::overflow(Slot s, std::uint64_t v) const {
    const Field& f = fields_[s];
    throw std::logic_error("value " + std::to_string(v) + " of " + f.name +
                           " does not fit its packed width of " + std::to_string(f.width) +
                           (f.is_signed ? " signed" : " unsigned") +
                           " bits; the scenario bound analysis is wrong");
}

}  // namespace hugecheck::model
