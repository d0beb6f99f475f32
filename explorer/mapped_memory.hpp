// Large zero-filled blocks straight from the kernel (mmap), for the store's chunks and the
// visited set's table. Unlike malloc'd memory, a freed block goes back to the system at
// once (malloc keeps freed chunks below its moving mmap threshold in the heap), so a
// search that drops the levels it has expanded really shrinks; and a block can grow by
// mremap, which moves page mappings instead of copying, so a table doubles without
// holding the old and the new copy at once. Pages are committed when first touched.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <new>
#include <utility>

namespace hugecheck::explorer {

class MappedMemory {
  public:
    MappedMemory() = default;
    explicit MappedMemory(std::size_t bytes) : bytes_(bytes) {
        if (bytes_ == 0) return;
        void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) throw std::bad_alloc();
        data_ = static_cast<std::byte*>(p);
    }
    MappedMemory(MappedMemory&& o) noexcept
        : data_(std::exchange(o.data_, nullptr)), bytes_(std::exchange(o.bytes_, 0)) {}
    MappedMemory& operator=(MappedMemory&& o) noexcept {
        if (this != &o) {
            release();
            data_ = std::exchange(o.data_, nullptr);
            bytes_ = std::exchange(o.bytes_, 0);
        }
        return *this;
    }
    MappedMemory(const MappedMemory&) = delete;
    MappedMemory& operator=(const MappedMemory&) = delete;
    ~MappedMemory() { release(); }

    std::byte* data() const { return data_; }
    std::size_t size() const { return bytes_; }
    explicit operator bool() const { return data_ != nullptr; }

    // Grows to `bytes` (more than size()); the old contents keep their offsets (the block
    // may move), the new tail is zero.
    void grow(std::size_t bytes) {
        if (!data_) {
            *this = MappedMemory(bytes);
            return;
        }
        void* p = mremap(data_, bytes_, bytes, MREMAP_MAYMOVE);
        if (p == MAP_FAILED) throw std::bad_alloc();
        data_ = static_cast<std::byte*>(p);
        bytes_ = bytes;
    }

  private:
    void release() {
        if (data_) munmap(data_, bytes_);
        data_ = nullptr;
        bytes_ = 0;
    }
    std::byte* data_ = nullptr;
    std::size_t bytes_ = 0;
};

}  // namespace hugecheck::explorer
