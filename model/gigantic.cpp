#include "model/gigantic.hpp"

#include <string>

namespace hugecheck::model::kernel {

std::uint32_t page_to_nid(const StepCtx& c, std::uint64_t pfn) {
    return static_cast<std::uint32_t>(c.m.gigantic()->node_of(pfn));
}

std::uint64_t pfn_state_of(const StepCtx& c, std::uint64_t pfn) {
    return c[c.v.pfn[pfn]];
}

namespace {
// Every free page on node nid's list, visited with its depth from the top.
template <class F>
void for_each_free_page(const StepCtx& c, std::uint32_t nid, F&& f) {
    const GiganticLayout& g = *c.m.gigantic();
    for (std::uint64_t p = 0; p < g.pfn_end(); ++p) {
        if (g.kind(p) != PfnKind::ram || g.node_of(p) != static_cast<int>(nid)) continue;
        const std::uint64_t st = c[c.v.pfn[p]];
        if (st >= pfn_state::head_free) f(p, st - pfn_state::head_free);
    }
}
}  // namespace

bool gigantic_free_list_empty(const StepCtx& c, std::uint32_t nid) {
    bool empty = true;
    for_each_free_page(c, nid, [&](std::uint64_t, std::uint64_t) { empty = false; });
    return empty;
}

// The top is depth 0 as long as every list change goes through enqueue and dequeue; the
// shallowest page is taken so that a variant that breaks a list (a mutant in the tests)
// still has a well-defined model.
std::uint64_t dequeue_gigantic_page(StepCtx& c, std::uint32_t nid) {
    std::uint64_t head = kNoPfn, top = kNoPfn;
    for_each_free_page(c, nid, [&](std::uint64_t p, std::uint64_t depth) {
        if (depth < top) head = p, top = depth;
    });
    if (head == kNoPfn) return head;
    for_each_free_page(c, nid, [&](std::uint64_t p, std::uint64_t depth) {
        if (depth > top) c.w.set(c.v.pfn[p], c[c.v.pfn[p]] - 1);
    });
    c.w.set(c.v.pfn[head], pfn_state::head_in_use);
    c.w.dec(c.v.free_huge_pages);
    c.w.dec(c.v.free_huge_pages_node[nid]);
    return head;
}

void enqueue_gigantic_page(StepCtx& c, std::uint64_t head) {
    const std::uint32_t nid = page_to_nid(c, head);
    for_each_free_page(
        c, nid, [&](std::uint64_t p, std::uint64_t) { c.w.set(c.v.pfn[p], c[c.v.pfn[p]] + 1); });
    c.w.set(c.v.pfn[head], pfn_state::head_free);
    c.w.inc(c.v.free_huge_pages);
    c.w.inc(c.v.free_huge_pages_node[nid]);
    c.note([&] {
        return "enqueue_huge_page: pfn " + std::to_string(head) + " onto node " +
               std::to_string(nid) + "'s free list";
    });
}

void update_and_free_gigantic_page(StepCtx& c, std::uint64_t head) {
    const std::uint32_t nid = page_to_nid(c, head);
    c.w.dec(c.v.nr_huge_pages);
    c.w.dec(c.v.nr_huge_pages_node[nid]);
    for (std::uint64_t p = head; p < head + c.m.gigantic()->nr_pages(); ++p)
        c.w.set(c.v.pfn[p], pfn_state::free);
    c.note([&] {
        return "update_and_free_page: free_gigantic_page returns pfns [" + std::to_string(head) +
               ", " + std::to_string(head + c.m.gigantic()->nr_pages()) + ") to buddy";
    });
}

void free_gigantic_huge_page(StepCtx& c, std::uint64_t head) {
    const std::uint32_t nid = page_to_nid(c, head);
    if (c[c.v.surplus_huge_pages_node[nid]] > 0) {
        c.outcome(Outcome::freed_to_buddy);
        update_and_free_gigantic_page(c, head);
        c.w.dec(c.v.surplus_huge_pages);
        c.w.dec(c.v.surplus_huge_pages_node[nid]);
    } else {
        c.outcome(Outcome::enqueued);
        enqueue_gigantic_page(c, head);
    }
}

void take_pfn(StepCtx& c, std::uint64_t pfn, std::uint64_t new_state) {
    if (c[c.v.pfn[pfn]] != pfn_state::free) {
        c.w.raise(event::pfn_reused);
        c.note([&] {
            return "pfn " + std::to_string(pfn) + " is taken while " +
                   pfn_state_text(c[c.v.pfn[pfn]]);
        });
    }
    c.w.set(c.v.pfn[pfn], new_state);
}

PfnPages::PfnPages(const StepCtx& c) : c_(c), g_(*c.m.gigantic()) {}

bool PfnPages::valid(const D&, std::uint64_t pfn) const {
    return g_.kind(pfn) != PfnKind::hole;
}
bool PfnPages::in_zone_of(const D&, std::uint64_t pfn, int node) const {
    return g_.node_of(pfn) == node;
}
bool PfnPages::reserved_page(const D&, std::uint64_t pfn) const {
    return g_.kind(pfn) == PfnKind::reserved;
}
// page_count() reads the compound head's count: a tail counts as its head does. A page in
// use holds a reference; a free huge page has none.
bool PfnPages::counted(const D&, std::uint64_t pfn) const {
    if (g_.kind(pfn) == PfnKind::in_use) return true;
    if (g_.kind(pfn) != PfnKind::ram) return false;
    std::uint64_t p = pfn;
    while (p > 0 && c_[c_.v.pfn[p]] == pfn_state::tail)
        --p;
    const std::uint64_t st = c_[c_.v.pfn[p]];
    return st == pfn_state::normal || st == pfn_state::taken || st == pfn_state::head_in_use;
}
bool PfnPages::huge_page(const D&, std::uint64_t pfn) const {
    if (g_.kind(pfn) != PfnKind::ram) return false;
    const std::uint64_t st = c_[c_.v.pfn[pfn]];
    return st == pfn_state::tail || is_head(st);
}

}  // namespace hugecheck::model::kernel
