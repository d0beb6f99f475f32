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
inline constexpr OpSet kMmap = op_bit(OpKind::mmap);
inline constexpr OpSet kMunmap = op_bit(OpKind::munmap);
inline constexpr OpSet kDissolve = op_bit(OpKind::dissolve);
// The surplus allocator serves a FAULT and gather_surplus_pages (MMAP).
inline constexpr OpSet kSurplus = kFault | kMmap;
// hugetlb_acct_memory(+k) may give a short reservation back (return_unused_surplus_pages).
inline constexpr OpSet kUnreserve = kMunmap | kMmap;
inline constexpr std::uint8_t kLocked = lock::hugetlb;
inline constexpr std::uint8_t kZone = lock::zone;

}  // namespace hugecheck::model::variants
