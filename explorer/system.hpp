// What the explorer knows of a model: nothing but this interface, in the spirit of
// LTSmin's PINS. A state is a self-contained byte string of fixed length; a label is a
// small trivially copyable value the explorer stores and hands back, never interprets.
//
//   sys.state_bytes()                       length of every state
//   sys.make_context()                      per-thread scratch space for the system
//   sys.initial_state(out)                  writes the initial state
//   sys.for_each_successor(ctx, s, sink)    sink(const std::byte* successor, const Label&)
//                                           once per outgoing edge, in a fixed order; the
//                                           sink returns whether the successor is "old":
//                                           stored before the level of s (breadth-first),
//                                           or visited before (depth-first). A system may
//                                           ignore it; a reduction's cycle proviso reads
//                                           it (explorer/por.hpp), so a search gives the
//                                           same answer whenever it expands s again
//   sys.unrepresentable(ctx)   (optional)   after for_each_successor: why a successor was
//                                           left out because the encoding cannot hold it
//                                           (the state space is unbounded), or ""; the
//                                           search then stops as incomplete
//
// Property checks are a second object beside the system (like DIVINE's wrappers around a
// model): sets of violated property indices for a new state, an edge, and a state without
// successors.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace hugecheck::explorer {

// Buffers that hold states carry this many bytes of slack after the last state, so
// systems may read and write them a 64-bit word at a time.
inline constexpr std::size_t kStateSlack = 8;

template <class S>
concept TransitionSystem = std::is_trivially_copyable_v<typename S::Label> &&
    requires(const S& sys, typename S::Context& ctx, const std::byte* in, std::byte* out) {
    { sys.state_bytes() } -> std::convertible_to<std::size_t>;
    { sys.make_context() } -> std::same_as<typename S::Context>;
    sys.initial_state(out);
    sys.for_each_successor(ctx, in, [](const std::byte*, const typename S::Label&) {});
};

using PropertyMask = std::uint64_t;  // bit k: property k is violated

template <class H, class Label>
concept PropertyHooks = requires(const H& h, const std::byte* s, const Label& label) {
    { h.selected() } -> std::convertible_to<PropertyMask>;
    { h.state_violations(s) } -> std::convertible_to<PropertyMask>;
    { h.transition_violations(s, s, label) } -> std::convertible_to<PropertyMask>;
    { h.deadend_violations(s) } -> std::convertible_to<PropertyMask>;
};

// No properties: the search only counts.
struct NoProperties {
    PropertyMask selected() const { return 0; }
    PropertyMask state_violations(const std::byte*) const { return 0; }
    template <class Label>
    PropertyMask transition_violations(const std::byte*, const std::byte*, const Label&) const {
        return 0;
    }
    PropertyMask deadend_violations(const std::byte*) const { return 0; }
};

}  // namespace hugecheck::explorer
