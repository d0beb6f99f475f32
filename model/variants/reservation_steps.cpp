#include "model/variants/reservation_steps.hpp"

#include <string>

#include "model/frames.hpp"
#include "model/kernel.hpp"
#include "model/variants/shared_steps.hpp"

namespace hugecheck::model::resv {

namespace {

std::string num(std::uint64_t v) {
    return std::to_string(v);
}

// MMAP(k)'s delta, as a signed count.
__int128 delta(const StepCtx& c) {
    return static_cast<__int128>(c.op.value);
}

// resv_huge_pages += k (gather_surplus_pages commits the reservation).
void commit_reservation(StepCtx& c) {
    c.w.set(c.v.resv_huge_pages, c[c.v.resv_huge_pages] + c.op.value);
    c.note([&] {
        return "resv_huge_pages += " + num(c.op.value) + " (" + num(c[c.v.resv_huge_pages]) + ")";
    });
}

// return_unused_surplus_pages' loop: per page (from v4.10) resv--, then
// free_pool_huge_page(acct_surplus = 1) and cond_resched_lock, a choice: drop the lock
// (the step ends, X2 resumes) or keep it. count: pages still to try; ret: unused
// reservations still to give back. Then resv -= the rest and the op ends.
void return_unused_loop(StepCtx& c) {
    const Vars& v = c.v;
    const ActorSlots& s = c.self;
    // Up to v4.9 resv_huge_pages was decremented by all of it before the loop (B5).
    const bool per_page = c.m.variant().features().unused == UnusedStyle::per_page;
    while (c[s.count] > 0) {
        if (c.spinning()) break;
        c.w.set(s.count, c[s.count] - 1);
        if (per_page) {
            c.w.dec(v.resv_huge_pages);
            c.w.set(s.ret, c[s.ret] - 1);
        }
        if (!kernel::free_pool_huge_page(c, true)) {
            c.outcome(Outcome::unused_no_free_page);
            c.note([] { return std::string("free_pool_huge_page finds no free surplus page"); });
            c.w.set(s.count, 0);
            break;
        }
        c.note([] { return std::string("free_pool_huge_page frees a surplus page to buddy"); });
        c.go(Step::X2);
        c.note([] { return std::string("cond_resched_lock drops hugetlb_lock"); });
        c.emit(Outcome::unused_frees_unlock);
        c.w.drop_note();
        c.outcome(Outcome::unused_frees_keep);
    }
    const std::uint64_t rest = c[s.ret];
    if (c[v.resv_huge_pages] < rest) c.w.raise(event::underflow);
    c.w.set(v.resv_huge_pages, c[v.resv_huge_pages] - rest);
    c.outcome(Outcome::unused_done);
    c.note(
        [&] { return "resv_huge_pages -= " + num(rest) + " (" + num(c[v.resv_huge_pages]) + ")"; });
    c.complete();
    c.emit();
}

// v6.x: the pages collected off the pool go to buddy one by one with the lock dropped
// (update_and_free_pages_bulk); then the lock again, and the op ends there.
void after_unused_collect(StepCtx& c) {
    if (kernel::page_list_empty(c)) {
        c.outcome(Outcome::unused_done);
        c.complete();
    } else {
        c.note([&] {
            return "unlock: update_and_free_pages_bulk frees " + num(kernel::page_list_length(c)) +
                   " page(s)";
        });
        c.go(Step::X3);
    }
    c.emit();
}

// 2.6.24's return_unused_surplus_pages loop, with resv already lowered: `while (nr_pages)`
// walks the nodes from its static nid and frees a free page of a node with surplus pages;
// it never drops the lock, and a full circle without such a page does not end it. When no
// node has one, no other CPU can ever free one (that takes hugetlb_lock): the CPU spins
// with the lock held, and the actor stays at X2 holding it.
void unused_spin_loop(StepCtx& c, std::uint64_t nr_pages) {
    const Vars& v = c.v;
    for (; nr_pages > 0; --nr_pages) {
        if (c.spinning()) break;
        const std::uint32_t n =
            kernel::first_in_cursor_order(c, v.unused_nid, [&](std::uint32_t k) {
                return c[v.surplus_huge_pages_node[k]] > 0 && c[v.free_huge_pages_node[k]] > 0;
            });
        if (n == c.nodes) {
            c.outcome(Outcome::unused_spins);
            c.w.set(v.hugetlb_lock, encode_index(c.a));
            c.note([&] {
                return num(nr_pages) +
                       " surplus page(s) to free but no node has a free one: the loop spins "
                       "forever with hugetlb_lock held";
            });
            c.go(Step::X2);
            return c.emit();
        }
        c.w.dec(v.free_huge_pages);
        c.w.dec(v.free_huge_pages_node[n]);
        c.w.dec(v.surplus_huge_pages);
        c.w.dec(v.surplus_huge_pages_node[n]);
        kernel::update_and_free_page(c, n, frames::free);
        c.outcome(Outcome::unused_frees_keep);
        c.note([&] { return "frees a free surplus page of node " + num(n) + " to buddy"; });
    }
    c.outcome(Outcome::unused_done);
    c.complete();
    c.emit();
}

// return_unused_surplus_pages(unused): nr_pages = min(unused, surplus_huge_pages).
void return_unused_surplus_pages(StepCtx& c, std::uint64_t unused) {
    const Vars& v = c.v;
    const std::uint64_t surplus = c[v.surplus_huge_pages];
    const std::uint64_t nr_pages = unused < surplus ? unused : surplus;
    const UnusedStyle style = c.m.variant().features().unused;
    if (style == UnusedStyle::per_page) {
        c.w.set(c.self.count, nr_pages);
        c.w.set(c.self.ret, unused);
        return return_unused_loop(c);
    }
    // resv -= unused first ("Uncommit the reservation").
    if (c[v.resv_huge_pages] < unused) c.w.raise(event::underflow);
    c.w.set(v.resv_huge_pages, c[v.resv_huge_pages] - unused);
    c.note([&] {
        return "resv_huge_pages -= " + num(unused) + " (" + num(c[v.resv_huge_pages]) + ")";
    });
    if (style == UnusedStyle::upfront_spin) return unused_spin_loop(c, nr_pages);
    if (style == UnusedStyle::upfront_resched) {  // the loop without resv-- (B5)
        c.w.set(c.self.count, nr_pages);
        c.w.set(c.self.ret, 0);
        return return_unused_loop(c);
    }
    for (std::uint64_t k = 0; k < nr_pages; ++k) {
        const std::uint32_t n = kernel::remove_pool_huge_page(c, true);
        if (n == c.nodes) {
            c.outcome(Outcome::unused_no_free_page);
            break;
        }
        c.outcome(Outcome::unused_collects);
        kernel::page_list_push(c, n);
        c.note([&] { return "remove_pool_hugetlb_folio takes a surplus page of node " + num(n); });
    }
    after_unused_collect(c);
}

// The rest of hugetlb_acct_memory(+k) after gather_surplus_pages succeeded, in its lock
// section: "delta > cpuset_mems_nr(h->free_huge_pages_node)" (every node is in the
// cpuset; v6.x: allowed_mems_nr, the task's mbind nodes) gives the reservation back; else
// the mapping has it.
void acct_tail(StepCtx& c) {
    std::uint64_t free_in_cpuset = 0;
    if (c.m.variant().features().acct_mbind) {  // allowed_mems_nr: the mbind nodes only
        for (std::uint32_t n : c.m.home_first(c.a))
            free_in_cpuset += c[c.v.free_huge_pages_node[n]];
    } else {
        for (std::uint32_t n = 0; n < c.nodes; ++n)
            free_in_cpuset += c[c.v.free_huge_pages_node[n]];
    }
    if (c.op.value > free_in_cpuset) {
        c.outcome(Outcome::acct_cpuset_short);
        c.note([&] {
            return "delta " + num(c.op.value) + " > cpuset_mems_nr " + num(free_in_cpuset) +
                   ": return_unused_surplus_pages, -ENOMEM";
        });
        return return_unused_surplus_pages(c, c.op.value);
    }
    c.outcome(Outcome::acct_done);
    c.w.set(c.self.reserved, c.op.value);
    c.note([&] { return "the mapping holds " + num(c.op.value) + " reservation(s)"; });
    c.complete();
    c.emit();
}

// The first step of the variant's surplus allocator: V1 (alloc_surplus_huge_page, v4.19
// on) or B1 (alloc_buddy_huge_page, the seed).
Step surplus_allocator(const StepCtx& c) {
    return c.m.variant().has(Step::V1) ? Step::V1 : Step::B1;
}

// 2.6.24's hugetlb_acct_memory(+k) after gather_surplus_pages returned 0: the cpuset check
// fails with nothing given back (the pages gather enqueued stay in the pool, unreserved);
// else `resv_huge_pages += delta`, only now, after every lock drop of gather (B3).
void acct_tail_late(StepCtx& c) {
    std::uint64_t free_in_cpuset = 0;
    for (std::uint32_t n = 0; n < c.nodes; ++n)
        free_in_cpuset += c[c.v.free_huge_pages_node[n]];
    if (c.op.value > free_in_cpuset) {
        c.outcome(Outcome::acct_cpuset_short);
        c.note([&] {
            return "delta " + num(c.op.value) + " > cpuset_mems_nr " + num(free_in_cpuset) +
                   ": -ENOMEM, the reservation is not committed";
        });
        c.complete();
        return c.emit();
    }
    c.outcome(Outcome::acct_done);
    commit_reservation(c);
    c.w.set(c.self.reserved, c.op.value);
    c.note([&] { return "the mapping holds " + num(c.op.value) + " reservation(s)"; });
    c.complete();
    c.emit();
}

}  // namespace

// ---- the surplus allocator's callers ---------------------------------------------------

void surplus_page(StepCtx& c) {
    const std::uint64_t page_node = c[c.self.page_node];
    const auto n = static_cast<std::uint32_t>(page_node - 1);
    if (c.op.kind == OpKind::mmap) {
        kernel::page_list_push(c, n);
        c.w.set(c.self.page_node, kNone);
        const bool more = kernel::page_list_length(c) < c[c.self.count];
        c.note([&] { return "list_add(&page->lru, &surplus_list): node " + num(n); });
        c.go(more ? surplus_allocator(c) : Step::M2);
        return;
    }
    c.w.set(c.self.owned, page_node);
    kernel::frame_move(c, n, kernel::mine(c, frames::Role::unlisted),
                       kernel::mine(c, frames::Role::in_use));
    if (c[c.self.reserved] == 0) return c.complete();
    // The fault still consumes its reservation: unlocked up to v5.4 (W1/W2), locked after
    // 12df140f0bdf (W3); before a88c76954804 (v4.4: the seed) not at all.
    if (c.m.variant().has(Step::W1)) return c.go(Step::W1);
    if (c.m.variant().has(Step::W3)) return c.go(Step::W3);
    c.w.set(c.self.reserved, c[c.self.reserved] - 1);
    c.note([] {
        return std::string(
            "the mapping's reservation is used (region_add), but resv_huge_pages is not "
            "decremented: the reserve count leaks");
    });
    c.complete();
}

void surplus_failed(StepCtx& c) {
    if (c.op.kind == OpKind::mmap) {
        c.w.set(c.self.ret, 1);  // alloc_ok = false
        c.w.set(c.self.page_node, kNone);
        c.go(Step::M2);
        return;
    }
    c.complete();
}

// ---- FAULT with a reservation ----------------------------------------------------------

namespace {
// dequeue_huge_page(_vma) for a fault that holds a reservation: the first node its policy
// allows with a free page gives one, resv_huge_pages--, and the fault ends. False: none.
bool dequeue_reserved(StepCtx& c) {
    const Vars& v = c.v;
    for (std::uint32_t n : c.m.home_first(c.a)) {
        if (c[v.free_huge_pages_node[n]] == 0) continue;
        c.outcome(Outcome::dequeued_reserved);
        c.w.dec(v.free_huge_pages);
        c.w.dec(v.free_huge_pages_node[n]);
        c.w.dec(v.resv_huge_pages);
        c.w.set(c.self.reserved, c[c.self.reserved] - 1);
        c.w.set(c.self.owned, encode_index(n));
        kernel::frame_move(c, n, frames::free, kernel::mine(c, frames::Role::in_use));
        c.note([&] {
            return "dequeues a free huge page of node " + num(n) +
                   " with its reservation: resv_huge_pages--";
        });
        c.complete();
        c.emit();
        return true;
    }
    return false;
}
}  // namespace

void F1_reserved(StepCtx& c) {
    if (dequeue_reserved(c)) return;
    c.outcome(Outcome::reserved_no_page);
    c.note([] { return std::string("no free page on the nodes its policy allows: surplus page"); });
    c.go(surplus_allocator(c));
    c.emit();
}

void F1_shared_no_fallback(StepCtx& c) {
    if (dequeue_reserved(c)) return;
    c.outcome(Outcome::shared_fault_oom);
    c.note([] {
        return std::string(
            "alloc_huge_page_shared: no free page on its nodes and no buddy fallback: "
            "VM_FAULT_OOM");
    });
    c.complete();
    c.emit();
}

void W1_load_resv(StepCtx& c) {
    c.w.set(c.self.count, c[c.v.resv_huge_pages]);
    c.note([&] {
        return "h->resv_huge_pages-- without hugetlb_lock: loads " + num(c[c.v.resv_huge_pages]);
    });
    c.go(Step::W2);
    c.emit();
}

void W2_store_resv(StepCtx& c) {
    const std::uint64_t loaded = c[c.self.count];
    const std::uint64_t now = c[c.v.resv_huge_pages];
    if (loaded == 0) c.w.raise(event::underflow);
    c.w.set(c.v.resv_huge_pages, loaded - 1);
    c.w.set(c.self.reserved, c[c.self.reserved] - 1);
    c.note([&] {
        return "stores resv_huge_pages = " + num(loaded - 1) + " (it was " + num(now) +
               (now != loaded ? ": the update in between is lost)" : ")");
    });
    c.complete();
    c.emit();
}

void W3_resv_locked(StepCtx& c) {
    c.w.dec(c.v.resv_huge_pages);
    c.w.set(c.self.reserved, c[c.self.reserved] - 1);
    c.note([] { return std::string("resv_huge_pages-- under hugetlb_lock"); });
    c.complete();
    c.emit();
}

// ---- MMAP ------------------------------------------------------------------------------

void M1_commit_late(StepCtx& c) {
    const Vars& v = c.v;
    const __int128 needed =
        static_cast<__int128>(c[v.resv_huge_pages]) + delta(c) - c[v.free_huge_pages];
    if (needed > 0) return M1(c);
    c.outcome(Outcome::resv_commits);
    c.note([] { return std::string("needed <= 0: gather_surplus_pages returns 0"); });
    acct_tail_late(c);
}

void M1(StepCtx& c) {
    const Vars& v = c.v;
    const __int128 needed =
        static_cast<__int128>(c[v.resv_huge_pages]) + delta(c) - c[v.free_huge_pages];
    if (needed <= 0) {
        c.outcome(Outcome::resv_commits);
        commit_reservation(c);
        return acct_tail(c);
    }
    c.outcome(Outcome::must_gather);
    c.w.set(c.self.count, static_cast<std::uint64_t>(needed));
    c.note([&] {
        return "needed = resv + " + num(c.op.value) +
               " - free = " + num(static_cast<std::uint64_t>(needed)) +
               ": unlock, allocate surplus pages";
    });
    c.go(surplus_allocator(c));
    c.emit();
}

namespace {
void gather_relock(StepCtx& c, bool commit_now) {
    const Vars& v = c.v;
    const ActorSlots& s = c.self;
    const std::uint64_t allocated = kernel::page_list_length(c);
    const __int128 needed = static_cast<__int128>(c[v.resv_huge_pages]) + delta(c) -
                            (static_cast<__int128>(c[v.free_huge_pages]) + allocated);
    if (needed > 0) {
        if (c[s.ret] == 0) {
            c.outcome(Outcome::gather_more);
            c.w.set(s.count, allocated + static_cast<std::uint64_t>(needed));
            c.note([&] {
                return "still " + num(static_cast<std::uint64_t>(needed)) +
                       " page(s) short: unlock and retry";
            });
            c.go(surplus_allocator(c));
            return c.emit();
        }
        c.outcome(Outcome::gather_gives_up);
        c.note([] { return std::string("an allocation failed: free what we have, -ENOMEM"); });
        c.go(kernel::page_list_empty(c) ? Step::M4 : Step::M3);
        return c.emit();
    }
    c.outcome(Outcome::gather_enough);
    c.w.set(s.ret, 0);  // ret = 0, even when an allocation failed: enough pages after all
    // needed + allocated pages of the list go to the pool: none when free pages appeared
    // meanwhile ("if ((--needed) < 0) break").
    const auto to_enqueue =
        needed + allocated > 0 ? static_cast<std::uint64_t>(needed + allocated) : 0;
    c.note([&] {
        return "enough pages: enqueue " + num(to_enqueue) + ", put_page the other " +
               num(allocated - to_enqueue);
    });
    if (commit_now) commit_reservation(c);
    for (std::uint64_t k = 0; k < to_enqueue; ++k)
        kernel::enqueue_huge_page(c, kernel::page_list_pop(c));
    // 2.6.24 drops the lock only around the put_page of a page not needed: with none,
    // gather returns to hugetlb_acct_memory in the same section.
    if (!commit_now && kernel::page_list_empty(c)) return acct_tail_late(c);
    c.go(kernel::page_list_empty(c) ? Step::M4 : Step::M3);
    c.emit();
}
}  // namespace

void M2(StepCtx& c) {
    gather_relock(c, true);
}

void M2_commit_late(StepCtx& c) {
    // 2.6.24: a failed alloc_buddy_huge_page takes the lock and frees every page gathered
    // ("needed = 0; goto free"), without looking at needed again.
    if (c[c.self.ret] != 0) {
        c.outcome(Outcome::gather_gives_up);
        c.note([] { return std::string("an allocation failed: free what we have, -ENOMEM"); });
        if (kernel::page_list_empty(c)) return M4(c);  // the same section: goto out
        c.go(Step::M3);
        return c.emit();
    }
    gather_relock(c, false);
}

void M3(StepCtx& c) {
    kernel::free_huge_page(c, kernel::page_list_pop(c));
    c.go(kernel::page_list_empty(c) ? Step::M4 : Step::M3);
    c.emit();
}

void M3_folio(StepCtx& c) {
    const std::uint32_t n = kernel::page_list_pop(c);
    if (c[c.v.surplus_huge_pages_node[n]] > 0) {
        c.outcome(Outcome::folio_removed);
        kernel::remove_hugetlb_folio(c, n, true, false);
        c.note([&] { return "remove_hugetlb_folio: surplus page of node " + num(n) + "; unlock"; });
        c.w.set(c.self.page_node, encode_index(n));
        c.go(Step::M5);
    } else {
        c.outcome(Outcome::enqueued);
        kernel::enqueue_huge_page(c, n);
        c.go(kernel::page_list_empty(c) ? Step::M4 : Step::M3);
    }
    c.emit();
}

void M5(StepCtx& c) {
    kernel::free_to_buddy(c, static_cast<std::uint32_t>(c[c.self.page_node] - 1));
    c.w.set(c.self.page_node, kNone);
    c.go(kernel::page_list_empty(c) ? Step::M4 : Step::M3);
    c.emit();
}

void M4(StepCtx& c) {
    if (c[c.self.ret] != 0) {
        c.outcome(Outcome::acct_failed);
        c.note([] { return std::string("gather_surplus_pages failed: the mmap fails, -ENOMEM"); });
        c.complete();
        return c.emit();
    }
    acct_tail(c);
}

void M4_commit_late(StepCtx& c) {
    if (c[c.self.ret] != 0) return M4(c);
    acct_tail_late(c);
}

// ---- MUNMAP ----------------------------------------------------------------------------

void X1(StepCtx& c) {
    const std::uint64_t unused = c[c.self.reserved];
    c.w.set(c.self.reserved, 0);
    c.note([&] { return "hugetlb_acct_memory(-" + num(unused) + ")"; });
    return_unused_surplus_pages(c, unused);
}

void X2(StepCtx& c) {
    return_unused_loop(c);
}

void X3(StepCtx& c) {
    kernel::free_to_buddy(c, kernel::page_list_pop(c));
    if (kernel::page_list_empty(c)) {
        c.outcome(Outcome::last_collected);
        c.complete();
    } else {
        c.outcome(Outcome::more_collected);
        c.go(Step::X3);
    }
    c.emit();
}

// ---- UNMAP with frames -----------------------------------------------------------------

void U0(StepCtx& c) {
    if (shared::nothing_to_free(c)) return;
    const auto n = static_cast<std::uint32_t>(c[c.self.owned] - 1);
    c.outcome(Outcome::refcount_dropped);
    kernel::frame_move(c, n, kernel::mine(c, frames::Role::in_use),
                       kernel::mine(c, frames::Role::dropped));
    c.note([] { return std::string("put_page_testzero: the refcount drops to 0, no lock held"); });
    c.go(c.m.variant().first_step(OpKind::unmap));
    c.emit();
}

// ---- DISSOLVE --------------------------------------------------------------------------

namespace {
// dissolve_free_huge_page's work on a page with refcount 0 of node n whose frame is in
// state `frame` (frames::free, a dropped page, or 0 without frames).
// `checks_resv`: from v4.9 (K2's fix) the page is not dissolved when free - resv ==
// 0, and max_huge_pages-- keeps the pool's target; the seed (v4.0) does neither.
void dissolve_page(StepCtx& c, std::uint32_t n, std::uint64_t frame, bool checks_resv) {
    const Vars& v = c.v;
    c.w.dec(v.free_huge_pages);
    c.w.dec(v.free_huge_pages_node[n]);
    if (checks_resv) c.w.dec(v.max_huge_pages);
    kernel::update_and_free_page(c, n, kernel::kNoFrame);  // counters; the frame below
    if (c.m.scenario().frames) {
        // A page dropped by an actor whose free_huge_page is still to come stays that
        // actor's business: it is in buddy, and that free_huge_page will enqueue it.
        const std::uint64_t to = frame == frames::free
                                     ? frames::buddy
                                     : frames::held(frames::holder(frame), frames::Role::dissolved);
        kernel::frame_move(c, n, frame, to);
    }
    c.note([&] {
        return std::string("list_del, free_huge_pages--, ") +
               (checks_resv ? "max_huge_pages--, " : "") +
               "update_and_free_page: the page of node " + num(n) + " goes to buddy";
    });
}
}  // namespace

namespace {
// v6.x: remove_hugetlb_folio(h, folio, adjust_surplus) and max_huge_pages-- under the
// lock; the folio goes to buddy after the unlock (D2; hugetlb_vmemmap_restore cannot fail:
// HVO off). v6.6 passes adjust_surplus = false; v6.18 passes
// surplus_huge_pages_node[nid] > 0 (a free page of a node with surplus is surplus).
void dissolve_folio_locked(StepCtx& c, std::uint32_t n, bool node_surplus_check) {
    const bool adjust_surplus = node_surplus_check && c[c.v.surplus_huge_pages_node[n]] > 0;
    kernel::remove_hugetlb_folio(c, n, adjust_surplus, true);
    c.w.dec(c.v.max_huge_pages);
    c.w.set(c.self.page_node, encode_index(n));
    c.note([&] {
        return "remove_hugetlb_folio of a free folio of node " + num(n) +
               (adjust_surplus ? " (surplus: adjust_surplus)" : "") + ", max_huge_pages--; unlock";
    });
    c.go(Step::D2);
}
void dissolve_folio(StepCtx& c, std::uint32_t n, bool node_surplus_check) {
    dissolve_folio_locked(c, n, node_surplus_check);
    c.emit();
}

// dissolve_free_huge_page on node n. `freed_check`: 7ffddd499ba6 (v5.11, in 5.4 stable):
// a page with refcount 0 that is not on the free list yet (HPageFreed clear) makes it
// unlock and retry, which leaves the state as it was.
// `checks_resv`: see dissolve_page. `node_surplus`: see dissolve_folio_locked.
void dissolve(StepCtx& c, bool checks_resv, bool freed_check, bool v6, bool node_surplus = false) {
    const Vars& v = c.v;
    const std::uint32_t n = c.op.node;
    const bool reserved_all = checks_resv && c[v.free_huge_pages] - c[v.resv_huge_pages] == 0;
    if (!c.m.scenario().frames) {
        if (c[v.free_huge_pages_node[n]] == 0) {
            c.outcome(Outcome::dissolve_no_page);
            c.note([&] { return "node " + num(n) + " has no free huge page"; });
        } else if (reserved_all) {
            c.outcome(Outcome::dissolve_reserved);
            c.note([] { return std::string("free - resv == 0: -EBUSY"); });
        } else {
            c.outcome(Outcome::dissolved);
            if (v6) return dissolve_folio(c, n, node_surplus);
            dissolve_page(c, n, frames::free, checks_resv);
        }
        c.complete();
        return c.emit();
    }
    // With frames: one choice per distinct state of the node's huge pages.
    bool any = false;
    std::uint64_t last = ~std::uint64_t{0};
    for (Slot s : v.frames[n]) {
        const std::uint64_t frame = c[s];
        if (frame == last || !frames::counted(frame)) continue;
        last = frame;
        any = true;
        const bool dropped = frames::is_held(frame) && frames::role(frame) == frames::Role::dropped;
        c.note([&] { return "the page of node " + num(n) + " is " + c.m.frame_text(frame); });
        Outcome o;
        if (frame != frames::free && !dropped) {
            o = Outcome::dissolve_not_free;
            c.note([] { return std::string("page_count > 0: -EBUSY"); });
            c.complete();
        } else if (reserved_all) {
            o = Outcome::dissolve_reserved;
            c.note([] { return std::string("free - resv == 0: -EBUSY"); });
            c.complete();
        } else if (dropped && freed_check) {
            o = Outcome::dissolve_retry;
            c.note([] { return std::string("not HPageFreed yet: unlock, cond_resched, retry"); });
        } else if (v6) {  // only a free folio gets here
            o = Outcome::dissolved;
            dissolve_folio_locked(c, n, node_surplus);
        } else {
            o = Outcome::dissolved;
            dissolve_page(c, n, frame, checks_resv);
            c.complete();
        }
        c.emit(o);
        c.restart();
    }
    if (!any) {
        c.note([&] { return "node " + num(n) + " has no huge page"; });
        c.complete();
        c.emit(Outcome::dissolve_no_page);
    }
}
}  // namespace

void D1_unchecked(StepCtx& c) {
    dissolve(c, false, false, false);
}

void D1_update_and_free_page(StepCtx& c) {
    dissolve(c, true, false, false);
}

void D1_freed_check(StepCtx& c) {
    dissolve(c, true, true, false);
}

void D1_remove_hugetlb_folio(StepCtx& c) {
    dissolve(c, true, true, true);
}

void D1_remove_hugetlb_folio_node_surplus(StepCtx& c) {
    dissolve(c, true, true, true, true);
}

void D2(StepCtx& c) {
    kernel::free_to_buddy(c, static_cast<std::uint32_t>(c[c.self.page_node] - 1));
    c.note([] { return std::string("update_and_free_hugetlb_folio: the folio goes to buddy"); });
    c.complete();
    c.emit();
}

}  // namespace hugecheck::model::resv
