// Pages with identity (docs/frames.md): with Scenario::frames, every huge-page-sized block
// of node n is a frame whose state is a slot of the state vector, kept beside the counters
// by the same steps that change them. A frame's state says where the page is: in the
// buddy allocator, on its node's free list, or held by an actor in one of the roles below.
// Frames of one node in the same state are interchangeable, so the model stores each
// node's frames sorted (HugetlbModel sorts them after every step): a state is the
// multiset, not an assignment of pages to positions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hugecheck::model::frames {

inline constexpr std::uint64_t buddy = 0;  // a free block of the buddy allocator
inline constexpr std::uint64_t free = 1;   // on its node's free list (HPageFreed, refcount 0)
// In the buddy allocator and on a free list at once: enqueue_huge_page of a page that
// dissolve_free_huge_page had already given back to buddy (B14). No step moves it again.
inline constexpr std::uint64_t corrupt = 2;

// What an actor's hold on a frame is.
enum class Role : std::uint8_t {
    allocating,  // taken from buddy by the actor, not yet a hugetlb page (prep_new_huge_page)
    unlisted,    // counted in nr_huge_pages, on no list, refcount 1: a new page in flight
    temporary,   // unlisted and PageHugeTemporary: alloc_surplus_huge_page's re-check failed
    in_use,      // the page a FAULT mapped (owned), refcount 1
    dropped,     // UNMAP's put_page_testzero took the refcount to 0; free_huge_page to come
    leaving,     // out of the pool (remove_hugetlb_folio), back to buddy after the unlock
    dissolved,   // dissolved to buddy while dropped: the actor's free_huge_page is still to come
};
inline constexpr std::uint64_t kRoles = 7;

constexpr std::uint64_t held(std::uint32_t actor, Role role) {
    return 3 + std::uint64_t{actor} * kRoles + static_cast<std::uint64_t>(role);
}
constexpr std::uint64_t max_code(std::uint32_t actors) {
    return 2 + std::uint64_t{actors} * kRoles;
}
constexpr bool is_held(std::uint64_t code) {
    return code >= 3;
}
constexpr std::uint32_t holder(std::uint64_t code) {
    return static_cast<std::uint32_t>((code - 3) / kRoles);
}
constexpr Role role(std::uint64_t code) {
    return static_cast<Role>((code - 3) % kRoles);
}
// PageHuge: part of the pool (counted in nr_huge_pages_node).
constexpr bool counted(std::uint64_t code) {
    if (code == free) return true;
    if (!is_held(code)) return false;  // buddy, corrupt (the pool gave it up before)
    const Role r = role(code);
    return r == Role::unlisted || r == Role::temporary || r == Role::in_use || r == Role::dropped;
}
constexpr bool in_buddy(std::uint64_t code) {
    return code == buddy || code == corrupt || (is_held(code) && role(code) == Role::dissolved);
}
constexpr bool on_free_list(std::uint64_t code) {
    return code == free || code == corrupt;
}

std::string_view role_name(Role role);

}  // namespace hugecheck::model::frames
