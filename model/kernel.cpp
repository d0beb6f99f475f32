#include "model/kernel.hpp"

#include "model/gigantic.hpp"

namespace hugecheck::model::kernel {

namespace {
std::string node_text(std::uint32_t n) {
    return "node " + std::to_string(n);
}
}  // namespace

std::uint32_t next_node_in(std::uint32_t n, NodeMask mask, std::uint32_t nodes) {
    for (std::uint32_t k = n + 1; k < nodes; ++k)
        if (mask & (NodeMask{1} << k)) return k;
    for (std::uint32_t k = 0; k < nodes; ++k)
        if (mask & (NodeMask{1} << k)) return k;
    return n;
}

bool frame_move(StepCtx& c, std::uint32_t n, std::uint64_t from, std::uint64_t to) {
    if (!c.m.scenario().frames) return false;
    for (Slot s : c.v.frames[n])
        if (c[s] == from) {
            c.w.set(s, to);
            return true;
        }
    return false;
}

std::uint64_t mine(const StepCtx& c, frames::Role role) {
    return frames::held(c.a, role);
}

void frame_release(StepCtx& c, std::uint32_t n, std::uint64_t to) {
    if (!c.m.scenario().frames) return;
    using frames::Role;
    for (Role r : {Role::temporary, Role::unlisted, Role::dropped})
        if (frame_move(c, n, mine(c, r), to)) return;
    if (frame_move(c, n, mine(c, Role::dissolved), frames::corrupt))
        c.note([&] {
            return "the page was dissolved to buddy already: it is now in buddy and " +
                   std::string(to == frames::free ? "on the free list" : "freed again");
        });
}

bool dequeue_huge_page_vma(StepCtx& c) {
    const Vars& v = c.v;
    if (c[v.free_huge_pages] - c[v.resv_huge_pages] == 0) {
        c.outcome(Outcome::no_free_page);
        c.note([] { return std::string("no free huge page"); });
        return false;
    }
    if (c.m.gigantic()) {  // dequeue_huge_page_node takes the top of a node's free list
        for (std::uint32_t n : c.m.home_first(c.a)) {
            const std::uint64_t head = dequeue_gigantic_page(c, n);
            if (head == kNoPfn) continue;
            c.outcome(n == c.m.home_first(c.a)[0] ? Outcome::dequeued_home
                                                  : Outcome::dequeued_other);
            c.w.set(c.self.owned, encode_index(static_cast<std::uint32_t>(head)));
            c.note([&] {
                return "dequeues the gigantic page at pfn " + std::to_string(head) + " of " +
                       node_text(n);
            });
            return true;
        }
        c.outcome(Outcome::free_lists_empty);
        c.note([] { return std::string("free - resv > 0 but no free list has a page"); });
        return false;
    }
    for (std::uint32_t n : c.m.home_first(c.a)) {
        if (c[v.free_huge_pages_node[n]] == 0) continue;
        c.outcome(n == c.m.home_first(c.a)[0] ? Outcome::dequeued_home : Outcome::dequeued_other);
        c.w.dec(v.free_huge_pages);
        c.w.dec(v.free_huge_pages_node[n]);
        c.w.set(c.self.owned, encode_index(n));
        frame_move(c, n, frames::free, mine(c, frames::Role::in_use));
        c.note([&] { return "dequeues a free huge page of " + node_text(n); });
        return true;
    }
    c.outcome(Outcome::free_lists_empty);
    c.note([] { return std::string("free - resv > 0 but no free list has a page"); });
    return false;
}

std::uint32_t alloc_pages_home_first(StepCtx& c) {
    const std::vector<std::uint32_t>& order =
        c.op.kind == OpKind::mmap && !c.m.variant().features().gather_mbind ? c.m.local_first(c.a)
                                                                            : c.m.home_first(c.a);
    for (std::uint32_t n : order) {
        if (c[c.v.buddy[n]] == 0) continue;
        c.w.dec(c.v.buddy[n]);
        frame_move(c, n, frames::buddy, mine(c, frames::Role::allocating));
        c.outcome(n == order[0] ? Outcome::buddy_home : Outcome::buddy_other);
        return n;
    }
    c.outcome(Outcome::buddy_none);
    c.note([] { return std::string("the buddy allocator has no block"); });
    return c.nodes;
}

std::uint32_t alloc_pool_huge_page_node(StepCtx& c) {
    const std::uint32_t n = first_in_cursor_order(
        c, c.v.next_nid_to_alloc, [&](std::uint32_t k) { return c[c.v.buddy[k]] > 0; });
    if (n == c.nodes)
        c.note([] { return std::string("no allowed node has a free block: allocation fails"); });
    else {
        c.w.dec(c.v.buddy[n]);
        frame_move(c, n, frames::buddy, mine(c, frames::Role::allocating));
    }
    return n;
}

void prep_new_huge_page(StepCtx& c, std::uint32_t n) {
    c.w.inc(c.v.nr_huge_pages);
    c.w.inc(c.v.nr_huge_pages_node[n]);
    frame_move(c, n, mine(c, frames::Role::allocating), mine(c, frames::Role::unlisted));
}

void enqueue_huge_page(StepCtx& c, std::uint32_t n) {
    c.w.inc(c.v.free_huge_pages);
    c.w.inc(c.v.free_huge_pages_node[n]);
    frame_release(c, n, frames::free);
    c.note([&] { return "enqueue_huge_page on " + node_text(n); });
}

void update_and_free_page(StepCtx& c, std::uint32_t n, std::uint64_t from) {
    c.w.dec(c.v.nr_huge_pages);
    c.w.dec(c.v.nr_huge_pages_node[n]);
    c.w.inc(c.v.buddy[n]);
    if (from == kHeld)
        frame_release(c, n, frames::buddy);
    else if (from != kNoFrame)
        frame_move(c, n, from, frames::buddy);
}

void remove_hugetlb_folio(StepCtx& c, std::uint32_t n, bool adjust_surplus, bool on_free_list) {
    const Vars& v = c.v;
    if (on_free_list) {
        c.w.dec(v.free_huge_pages);
        c.w.dec(v.free_huge_pages_node[n]);
    }
    if (adjust_surplus) {
        c.w.dec(v.surplus_huge_pages);
        c.w.dec(v.surplus_huge_pages_node[n]);
    }
    c.w.dec(v.nr_huge_pages);
    c.w.dec(v.nr_huge_pages_node[n]);
    if (on_free_list)
        frame_move(c, n, frames::free, mine(c, frames::Role::leaving));
    else
        frame_release(c, n, mine(c, frames::Role::leaving));
}

void free_to_buddy(StepCtx& c, std::uint32_t n) {
    c.w.inc(c.v.buddy[n]);
    frame_move(c, n, mine(c, frames::Role::leaving), frames::buddy);
}

void free_huge_page(StepCtx& c, std::uint32_t n) {
    const Vars& v = c.v;
    if (c[v.surplus_huge_pages_node[n]] > 0) {
        c.outcome(Outcome::freed_to_buddy);
        update_and_free_page(c, n);
        c.w.dec(v.surplus_huge_pages);
        c.w.dec(v.surplus_huge_pages_node[n]);
        c.note(
            [&] { return "update_and_free_page: surplus page of " + node_text(n) + " to buddy"; });
    } else {
        c.outcome(Outcome::enqueued);
        enqueue_huge_page(c, n);
    }
}

bool adjust_pool_surplus(StepCtx& c, int delta) {
    const Vars& v = c.v;
    if (delta < 0) {
        const Slot cursor =
            c.m.variant().features().own_cursors ? v.next_nid_to_free : v.next_nid_to_alloc;
        const std::uint32_t n = first_in_cursor_order(
            c, cursor, [&](std::uint32_t k) { return c[v.surplus_huge_pages_node[k]] > 0; });
        if (n == c.nodes) return false;
        c.w.dec(v.surplus_huge_pages);
        c.w.dec(v.surplus_huge_pages_node[n]);
        return true;
    }
    const std::uint32_t n = first_in_cursor_order(c, v.next_nid_to_free, [&](std::uint32_t k) {
        return c[v.surplus_huge_pages_node[k]] < c[v.nr_huge_pages_node[k]];
    });
    if (n == c.nodes) return false;
    c.w.inc(v.surplus_huge_pages);
    c.w.inc(v.surplus_huge_pages_node[n]);
    return true;
}

namespace {
std::uint32_t pool_page_to_free(StepCtx& c) {
    return first_in_cursor_order(c, c.v.next_nid_to_free, [&](std::uint32_t k) {
        return c[c.v.free_huge_pages_node[k]] > 0;
    });
}
}  // namespace

bool free_pool_huge_page(StepCtx& c, bool acct_surplus) {
    if (c.m.gigantic()) {  // the node's list, not its counter: !list_empty(...)
        const std::uint32_t n =
            first_in_cursor_order(c, c.v.next_nid_to_free,
                                  [&](std::uint32_t k) { return !gigantic_free_list_empty(c, k); });
        if (n == c.nodes) return false;
        update_and_free_gigantic_page(c, dequeue_gigantic_page(c, n));
        return true;
    }
    const std::uint32_t n =
        acct_surplus ? first_in_cursor_order(c, c.v.next_nid_to_free,
                                             [&](std::uint32_t k) {
                                                 return c[c.v.surplus_huge_pages_node[k]] > 0 &&
                                                        c[c.v.free_huge_pages_node[k]] > 0;
                                             })
                     : pool_page_to_free(c);
    if (n == c.nodes) return false;
    c.w.dec(c.v.free_huge_pages);
    c.w.dec(c.v.free_huge_pages_node[n]);
    if (acct_surplus) {
        c.w.dec(c.v.surplus_huge_pages);
        c.w.dec(c.v.surplus_huge_pages_node[n]);
    }
    update_and_free_page(c, n, frames::free);
    return true;
}

std::uint32_t remove_pool_huge_page(StepCtx& c, bool acct_surplus) {
    const std::uint32_t n =
        acct_surplus ? first_in_cursor_order(c, c.v.next_nid_to_free,
                                             [&](std::uint32_t k) {
                                                 return c[c.v.surplus_huge_pages_node[k]] > 0 &&
                                                        c[c.v.free_huge_pages_node[k]] > 0;
                                             })
                     : pool_page_to_free(c);
    if (n != c.nodes) remove_hugetlb_folio(c, n, acct_surplus, true);
    return n;
}

void convert_surplus_pages(StepCtx& c) {
    const Vars& v = c.v;
    while (c[v.surplus_huge_pages] > 0 && c[c.self.count] > c.persistent()) {
        if (c.spinning()) break;
        if (!adjust_pool_surplus(c, -1)) {
            // With every node allowed, a failure here means no node has the surplus the
            // global counter shows: the race. A RESIZE_NODE also fails, rightly, when the
            // surplus is on other nodes; the race is then the global counter exceeding
            // every node's.
            std::uint64_t on_nodes = 0;
            for (std::uint32_t n = 0; n < c.nodes; ++n)
                on_nodes += c[v.surplus_huge_pages_node[n]];
            if (c[v.surplus_huge_pages] > on_nodes) {
                c.outcome(Outcome::loop1_race);
                c.w.raise(event::loop1_adjust_failed);
                c.note([&] {
                    return "adjust_pool_surplus(-1) fails: surplus_huge_pages = " +
                           std::to_string(c[v.surplus_huge_pages]) +
                           " but no node has a surplus page";
                });
            } else {
                c.outcome(Outcome::loop1_elsewhere);
                c.note([] {
                    return std::string("adjust_pool_surplus(-1): no allowed node has surplus");
                });
            }
            return;
        }
        c.outcome(Outcome::loop1_converts);
        c.note([] { return std::string("adjust_pool_surplus(-1) converts a surplus page"); });
    }
}

void mark_surplus_pages(StepCtx& c) {
    while (c[c.self.count] < c.persistent()) {
        if (c.spinning()) break;
        if (!adjust_pool_surplus(c, +1)) {
            c.outcome(Outcome::mark_fails);
            break;
        }
        c.outcome(Outcome::marks_surplus);
        c.note([] { return std::string("adjust_pool_surplus(+1) marks a page surplus"); });
    }
}

void node_count(StepCtx& c, std::uint64_t adjustment, __int128 exact, bool clamp) {
    const std::uint64_t v = c.op.value;
    std::uint64_t count = v + adjustment;
    if (static_cast<__int128>(v) + exact < 0) {
        c.outcome(Outcome::count_wraps);
        c.w.raise(event::underflow);
        c.note([&] {
            return "count = " + std::to_string(v) + " + (" +
                   std::to_string(static_cast<long long>(exact)) + ") goes below zero and wraps";
        });
    }
    if (clamp && count < v) {
        c.outcome(Outcome::count_clamped);
        count = ~std::uint64_t{0};
        c.note([] { return std::string("count < old_count: count = ULONG_MAX"); });
    }
    c.w.set(c.self.count, count);
}

void page_list_push(StepCtx& c, std::uint32_t n) {
    const std::uint64_t base = c.m.page_list_base();
    c.w.set(c.self.page_list, c[c.self.page_list] * base + n + 1);
}

std::uint32_t page_list_pop(StepCtx& c) {
    const std::uint64_t base = c.m.page_list_base();
    const std::uint64_t list = c[c.self.page_list];
    c.w.set(c.self.page_list, list / base);
    return static_cast<std::uint32_t>(list % base - 1);
}

bool page_list_empty(const StepCtx& c) {
    return c[c.self.page_list] == 0;
}

std::uint64_t page_list_length(const StepCtx& c) {
    std::uint64_t n = 0;
    for (std::uint64_t rest = c[c.self.page_list]; rest != 0; rest /= c.m.page_list_base())
        ++n;
    return n;
}

}  // namespace hugecheck::model::kernel
