// The pieces of mm/hugetlb.c that several versions share, written once over a StepCtx and
// named after the kernel functions they model. A variant's steps are built from these;
// where a version does something differently, its variant file says so in its own code.
// The ones with branches of their own mark the step's outcome (StepCtx::outcome; the lists
// are in model/variants/outcomes.hpp): dequeue_huge_page_vma, alloc_pages_home_first,
// free_huge_page, convert_surplus_pages, mark_surplus_pages, node_count, and gigantic.hpp's
// free_gigantic_huge_page.
#pragma once

#include <cstdint>

#include "model/frames.hpp"
#include "model/hugetlb_model.hpp"

namespace hugecheck::model::kernel {

// ---- frames (docs/frames.md; every one is a no-op without Scenario::frames) ----------
// Moves one frame of node n from state `from` to `to`. Returns false, changing nothing,
// when node n has no frame in state `from`: the counters said there was a page the
// frames do not have, and the page/counter agreement (P11) already reports that.
bool frame_move(StepCtx& c, std::uint32_t n, std::uint64_t from, std::uint64_t to);
// The page the actor hands over on node n (temporary, unlisted or dropped, in that order
// of preference) goes to `to`. A page dissolved while dropped is in buddy already: it
// becomes corrupt (in two places at once).
void frame_release(StepCtx& c, std::uint32_t n, std::uint64_t to);
// The frame state of the actor's own hold in `role`.
std::uint64_t mine(const StepCtx& c, frames::Role role);

// for_each_node_mask_to_alloc / _to_free: hstate_next_node_to_alloc over nodes_allowed:
// n = cursor, or the next allowed node after it if it is not allowed; cursor = the next
// allowed node after n; try n. nodes_weight(mask) tries. Returns the first node `pick`
// accepts, or c.nodes when none does.
template <class Pick>
std::uint32_t first_in_cursor_order(StepCtx& c, Slot cursor, Pick&& pick);
std::uint32_t next_node_in(std::uint32_t n, NodeMask mask, std::uint32_t nodes);

// dequeue_huge_page_vma without a reservation: if free - resv > 0, the first node in
// home-first order with a free page gives one (free--, free_node--, owned = n; a gigantic
// page: the top of the node's free list, owned = its head pfn + 1).
bool dequeue_huge_page_vma(StepCtx& c);

// alloc_pages / __alloc_pages_nodemask with the local node preferred and no
// __GFP_THISNODE: the first node in home-first order with a buddy block. Returns the node
// (buddy--) or c.nodes.
std::uint32_t alloc_pages_home_first(StepCtx& c);

// alloc_pool_huge_page's loop: alloc_pages with __GFP_THISNODE on each allowed node in
// cursor order on next_nid_to_alloc. Returns the node (buddy--) or c.nodes.
std::uint32_t alloc_pool_huge_page_node(StepCtx& c);

// prep_new_huge_page / account_new_hugetlb_folio: nr++, nr_node++; the frame the actor
// allocated becomes unlisted.
void prep_new_huge_page(StepCtx& c, std::uint32_t n);
// enqueue_huge_page: free++, free_node++.
void enqueue_huge_page(StepCtx& c, std::uint32_t n);
// update_and_free_page of v4.x/v5.4, called under hugetlb_lock: nr--, nr_node--, and the
// page back to the buddy allocator in the same critical section.
// `from` is the frame's state: frames::free, or kHeld for the page the actor hands over.
// kNoFrame: the caller moves the frame itself.
inline constexpr std::uint64_t kHeld = ~std::uint64_t{0};
inline constexpr std::uint64_t kNoFrame = ~std::uint64_t{0} - 1;
void update_and_free_page(StepCtx& c, std::uint32_t n, std::uint64_t from = kHeld);
// remove_hugetlb_folio of v6.x, under hugetlb_lock: nr--, nr_node--, the free counters if
// the folio was on a free list, the surplus counters if adjust_surplus. The page goes back
// to the buddy allocator later, with the lock dropped (free_to_buddy).
void remove_hugetlb_folio(StepCtx& c, std::uint32_t n, bool adjust_surplus, bool on_free_list);
// __update_and_free_hugetlb_folio without hugetlb_lock: buddy++, the leaving frame too.
void free_to_buddy(StepCtx& c, std::uint32_t n);

// free_huge_page of a page that is not temporary, up to v5.4: a page of a node with
// surplus goes back to buddy (update_and_free_page, surplus--), any other is enqueued.
void free_huge_page(StepCtx& c, std::uint32_t n);

// adjust_pool_surplus: -1 converts a surplus page (cursor order on next_nid_to_alloc,
// first allowed node with surplus), +1 marks a page surplus (cursor order on
// next_nid_to_free, first allowed node with surplus < nr).
bool adjust_pool_surplus(StepCtx& c, int delta);
// free_pool_huge_page(acct_surplus = 0) up to v5.4: cursor order on next_nid_to_free, the
// first allowed node with a free page gives it to buddy under the lock (a gigantic page:
// the top of the node's free list, its pfns back to buddy).
// With acct_surplus (return_unused_surplus_pages), only a node with surplus pages gives
// one, and it stops being surplus.
bool free_pool_huge_page(StepCtx& c, bool acct_surplus = false);
// remove_pool_huge_page / remove_pool_hugetlb_folio(acct_surplus = 0) of v6.x: the same
// choice of page, counters only. Returns the node or c.nodes.
std::uint32_t remove_pool_huge_page(StepCtx& c, bool acct_surplus = false);

// set_max_huge_pages' first loop: convert surplus pages while count > persistent. Raises
// event::loop1_adjust_failed when adjust_pool_surplus(-1) fails while surplus_huge_pages
// exceeds Σ surplus_huge_pages_node (P8; with every node allowed, any failure).
void convert_surplus_pages(StepCtx& c);
// set_max_huge_pages' last loop: mark pages surplus while count < persistent.
void mark_surplus_pages(StepCtx& c);

// The node-specific count of a RESIZE_NODE: count = v + adjustment, computed as the
// kernel does in unsigned long, then (from v5.4 on, `clamp`) ULONG_MAX if the sum came out
// below v. `exact` is the adjustment in exact arithmetic: if v + exact < 0 the count went
// below zero and event::underflow is raised (P2).
void node_count(StepCtx& c, std::uint64_t adjustment, __int128 exact, bool clamp);

// set_max_huge_pages' local page_list (newest first, as list_add builds it).
void page_list_push(StepCtx& c, std::uint32_t n);
std::uint32_t page_list_pop(StepCtx& c);  // the head; the list must not be empty
bool page_list_empty(const StepCtx& c);
std::uint64_t page_list_length(const StepCtx& c);

// ---- template implementation ---------------------------------------------------------

template <class Pick>
std::uint32_t first_in_cursor_order(StepCtx& c, Slot cursor, Pick&& pick) {
    const auto tries = static_cast<std::uint32_t>(__builtin_popcount(c.mask));
    for (std::uint32_t t = 0; t < tries; ++t) {
        auto n = static_cast<std::uint32_t>(c[cursor]);
        if (!(c.mask & (NodeMask{1} << n))) n = next_node_in(n, c.mask, c.nodes);
        c.w.set(cursor, next_node_in(n, c.mask, c.nodes));
        if (pick(n)) return n;
    }
    return c.nodes;
}

}  // namespace hugecheck::model::kernel
