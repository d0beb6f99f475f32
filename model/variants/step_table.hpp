// Shorthands for writing a variant's step table (model/variants/*.cpp): the operations a
// step belongs to and the lock section it runs in.
#pragma once

#include <cstdint>

#include "model/variant.hpp"

namespace hugecheck::model::variants {

inline constexpr OpSet kFault = op_bit(OpKind::fault);
inline constexpr OpSet kUnmap = op_bit(OpKind::unmap);
inline constexpr OpSet kResize = op_bit(OpKind::resize);  // RESIZE alone; kResizeOps: both
inline constexpr OpSet kNode = op_bit(OpKind::resize_node);
inline constexpr OpSet kOvercommit = op_bit(OpKind::overcommit);
inline constexpr OpSet kAlloc = op_bit(OpKind::alloc);
inline constexpr OpSet kFree = op_bit(OpKind::free);
inline constexpr std::uint8_t kLocked = lock::hugetlb;
inline constexpr std::uint8_t kZone = lock::zone;

}  // namespace hugecheck::model::variants
