#include "model/variants/shared_steps.hpp"

#include <algorithm>
#include <string>

#include "model/frames.hpp"
#include "model/gigantic.hpp"
#include "model/kernel.hpp"
#include "model/variants/reservation_steps.hpp"

namespace hugecheck::model::shared {

namespace {
std::string num(std::uint64_t v) {
    return std::to_string(v);
}
std::uint32_t page_node(const StepCtx& c) {
    return static_cast<std::uint32_t>(c[c.self.page_node] - 1);
}
}  // namespace

// ---- FAULT ------------------------------------------------------------------------

void F1_to_B1(StepCtx& c) {
    if (c[c.self.reserved] > 0) return resv::F1_reserved(c);
    if (kernel::dequeue_huge_page_vma(c)) {
        c.complete();
    } else if (c.m.gigantic()) {
        c.outcome(Outcome::gigantic_fault_fails);
        c.note([] {
            return std::string(
                "alloc_buddy_huge_page: hstate_is_gigantic, no surplus pages: the fault "
                "fails (ENOSPC)");
        });
        c.complete();
    } else {
        c.go(Step::B1);
    }
    c.emit();
}

void F1_shared_or_private(StepCtx& c) {
    if (c[c.self.reserved] > 0) return resv::F1_shared_no_fallback(c);
    F1_to_B1(c);
}

// ---- alloc_buddy_huge_page (2.6.24 - v4.15; the seed) -------------------------------

// B1: alloc_buddy_huge_page, the locked head: "assume we will successfully allocate".
void B1(StepCtx& c) {
    const Vars& v = c.v;
    if (c[v.surplus_huge_pages] >= c[v.nr_overcommit_huge_pages]) {
        c.outcome(Outcome::surplus_full);
        c.note([&] {
            return "surplus_huge_pages " + num(c[v.surplus_huge_pages]) +
                   " >= nr_overcommit_huge_pages " + num(c[v.nr_overcommit_huge_pages]) +
                   (c.op.kind == OpKind::mmap ? ": no surplus page" : ": the fault fails (ENOSPC)");
        });
        resv::surplus_failed(c);
    } else {
        c.outcome(Outcome::surplus_bumped);
        c.w.inc(v.nr_huge_pages);
        c.w.inc(v.surplus_huge_pages);
        c.go(Step::B2);
    }
    c.emit();
}

// B2: alloc_pages(NUMA_NO_NODE), unlocked.
void B2(StepCtx& c) {
    const std::uint32_t n = kernel::alloc_pages_home_first(c);
    c.w.set(c.self.page_node, n == c.nodes ? kNone : encode_index(n));
    c.go(Step::B3);
    c.emit();
}

// B3: alloc_buddy_huge_page, the locked tail: "We incremented the global counters
// already", so only the node's; or undo the B1 bump.
void B3(StepCtx& c) {
    const Vars& v = c.v;
    const std::uint64_t page_node = c[c.self.page_node];
    if (page_node != kNone) {
        const auto n = static_cast<std::uint32_t>(page_node - 1);
        c.outcome(Outcome::page_accounted);
        c.w.inc(v.nr_huge_pages_node[n]);
        c.w.inc(v.surplus_huge_pages_node[n]);
        kernel::frame_move(c, n, kernel::mine(c, frames::Role::allocating),
                           kernel::mine(c, frames::Role::unlisted));
        resv::surplus_page(c);  // the fault's page, or (MMAP) onto surplus_list
    } else {
        c.outcome(Outcome::bump_undone);
        c.w.dec(v.nr_huge_pages);
        c.w.dec(v.surplus_huge_pages);
        c.note([&] {
            return std::string("no page: undo the bump") +
                   (c.op.kind == OpKind::mmap ? "" : ", the fault fails");
        });
        resv::surplus_failed(c);
    }
    c.emit();
}

void F1_to_V1(StepCtx& c) {
    if (c[c.self.reserved] > 0) return resv::F1_reserved(c);
    if (kernel::dequeue_huge_page_vma(c))
        c.complete();
    else
        c.go(Step::V1);
    c.emit();
}

void V1(StepCtx& c) {
    if (c[c.v.surplus_huge_pages] >= c[c.v.nr_overcommit_huge_pages]) {
        c.outcome(Outcome::surplus_full);
        c.note([&] {
            return "surplus_huge_pages " + num(c[c.v.surplus_huge_pages]) +
                   " >= nr_overcommit_huge_pages " + num(c[c.v.nr_overcommit_huge_pages]) +
                   ": no surplus page";
        });
        resv::surplus_failed(c);
    } else {
        c.outcome(Outcome::surplus_room);
        c.go(Step::V2);
    }
    c.emit();
}

void V2(StepCtx& c) {
    const std::uint32_t n = kernel::alloc_pages_home_first(c);
    if (n == c.nodes) {
        c.note([] { return std::string("no page: alloc_surplus_huge_page returns NULL"); });
        resv::surplus_failed(c);
    } else {
        c.w.set(c.self.page_node, encode_index(n));
        c.go(Step::V3);
    }
    c.emit();
}

void V3_prep(StepCtx& c) {
    kernel::prep_new_huge_page(c, page_node(c));
    c.go(Step::V4);
    c.emit();
}

bool surplus_recheck(StepCtx& c) {
    const Vars& v = c.v;
    if (c[v.surplus_huge_pages] >= c[v.nr_overcommit_huge_pages]) {
        c.outcome(Outcome::recheck_failed);
        kernel::frame_move(c, page_node(c), kernel::mine(c, frames::Role::unlisted),
                           kernel::mine(c, frames::Role::temporary));
        return false;
    }
    c.outcome(Outcome::recheck_ok);
    c.w.inc(v.surplus_huge_pages);
    c.w.inc(v.surplus_huge_pages_node[page_node(c)]);
    return true;
}

void V4_put_page_locked(StepCtx& c) {
    if (surplus_recheck(c)) {
        resv::surplus_page(c);
    } else {
        c.note([] {
            return std::string(
                "surplus full: SetPageHugeTemporary and put_page with hugetlb_lock held");
        });
        c.w.set(c.v.hugetlb_lock, encode_index(c.a));  // free_huge_page spins on it forever
        c.go(Step::V5);
    }
    c.emit();
}

void V4_put_page_unlocked(StepCtx& c) {
    if (surplus_recheck(c)) {
        resv::surplus_page(c);
    } else {
        c.note([] { return std::string("surplus full: temporary page, unlock, put_page"); });
        c.go(Step::V5);
    }
    c.emit();
}

void V5_update_and_free_page(StepCtx& c) {
    kernel::update_and_free_page(c, page_node(c));
    c.note([] { return std::string("the temporary page goes back to buddy: no surplus page"); });
    resv::surplus_failed(c);
    c.emit();
}

void V5_remove_hugetlb_folio(StepCtx& c) {
    kernel::remove_hugetlb_folio(c, page_node(c), false, false);
    c.go(Step::V6);
    c.emit();
}

void V6(StepCtx& c) {
    kernel::free_to_buddy(c, page_node(c));
    c.note([] { return std::string("the temporary page goes back to buddy: no surplus page"); });
    resv::surplus_failed(c);
    c.emit();
}

// ---- UNMAP ------------------------------------------------------------------------

void U1_free_huge_page(StepCtx& c) {
    const std::uint64_t owned = c[c.self.owned];
    if (owned == kNone) {
        c.outcome(Outcome::nothing_owned);
        c.note([] { return std::string("no page owned: nothing to free"); });
    } else if (c.m.gigantic()) {
        kernel::free_gigantic_huge_page(c, owned - 1);
        c.w.set(c.self.owned, kNone);
    } else {
        kernel::free_huge_page(c, static_cast<std::uint32_t>(owned - 1));
        c.w.set(c.self.owned, kNone);
    }
    c.complete();
    c.emit();
}

bool nothing_to_free(StepCtx& c) {
    if (c[c.self.owned] != kNone) return false;
    c.outcome(Outcome::nothing_owned);
    c.note([] { return std::string("no page owned: nothing to free"); });
    c.complete();
    c.emit();
    return true;
}

void U1_free_huge_folio(StepCtx& c) {
    if (nothing_to_free(c)) return;
    const std::uint64_t owned = c[c.self.owned];
    const auto n = static_cast<std::uint32_t>(owned - 1);
    c.w.set(c.self.owned, kNone);
    if (c[c.v.surplus_huge_pages_node[n]] > 0) {
        c.outcome(Outcome::folio_removed);
        kernel::remove_hugetlb_folio(c, n, true, false);
        c.note([&] { return "remove_hugetlb_folio: surplus page of node " + num(n) + "; unlock"; });
        c.w.set(c.self.page_node, owned);
        c.go(Step::U2);
    } else {
        c.outcome(Outcome::enqueued);
        kernel::enqueue_huge_page(c, n);
        c.complete();
    }
    c.emit();
}

void U2(StepCtx& c) {
    kernel::free_to_buddy(c, page_node(c));
    c.complete();
    c.emit();
}

// ---- RESIZE with the shared ctl_table ----------------------------------------------

void S1(StepCtx& c) {
    c.w.set(c.self.tmp, c[c.v.max_huge_pages]);
    c.w.set(c.v.table_data, encode_index(c.a));
    c.go(Step::S2);
    c.emit();
}

void S2(StepCtx& c) {
    const auto t = static_cast<std::uint32_t>(c[c.v.table_data] - 1);
    c.w.set(c.v.actor[t].tmp, c.op.value);
    c.outcome(t == c.a ? Outcome::own_tmp : Outcome::other_tmp);
    if (t != c.a) c.note([&] { return "table->data points to " + c.m.actor_name(t) + "'s tmp"; });
    c.go(Step::R1);
    c.emit();
}

// 2.6.24: the ctl_table's .data is &max_huge_pages itself.
void S1_store_max(StepCtx& c) {
    c.w.set(c.v.max_huge_pages, c.op.value);
    c.note([&] { return "max_huge_pages = " + num(c.op.value) + ", without the lock"; });
    c.go(Step::S2);
    c.emit();
}

void S2_load_max(StepCtx& c) {
    c.w.set(c.self.count, c[c.v.max_huge_pages]);
    c.note([&] {
        return "count = max_huge_pages = " + num(c[c.v.max_huge_pages]) +
               (c[c.v.max_huge_pages] == c.op.value ? "" : ": another writer's value");
    });
    c.go(Step::R1);
    c.emit();
}

// `count += h->nr_huge_pages - h->nr_huge_pages_node[nid]` loads nr_huge_pages first (N1)
// and nr_huge_pages_node[nid] second (N2); another CPU may change either between.
void N1(StepCtx& c) {
    c.w.set(c.self.count, c.op.value + c[c.v.nr_huge_pages]);
    c.note([&] {
        return "count = " + num(c.op.value) + " + nr_huge_pages " + num(c[c.v.nr_huge_pages]) +
               ", loaded without the lock";
    });
    c.go(Step::N2);
    c.emit();
}

void N2(StepCtx& c) {
    const std::uint64_t partial = c[c.self.count];
    const std::uint64_t nr_node = c[c.v.nr_huge_pages_node[c.op.node]];
    c.outcome(partial < nr_node ? Outcome::count_wraps : Outcome::count_in_range);
    if (partial < nr_node) c.w.raise(event::underflow);
    c.w.set(c.self.count, partial - nr_node);
    c.note([&] {
        return "count -= nr_huge_pages_node[" + num(c.op.node) + "] " + num(nr_node) +
               ", loaded without the lock" + (partial < nr_node ? ": below zero, it wraps" : "");
    });
    c.go(Step::R1);
    c.emit();
}

// ---- set_max_huge_pages up to v5.4 -------------------------------------------------

void out(StepCtx& c, MaxStore store) {
    if (store == MaxStore::under_lock) {
        c.w.set(c.v.max_huge_pages, c.persistent());
        c.note(
            [&] { return "out: max_huge_pages = persistent_huge_pages = " + num(c.persistent()); });
        c.complete();
    } else {
        c.w.set(c.self.ret, c.persistent());
        c.note([&] { return "ret = persistent_huge_pages = " + num(c.persistent()) + "; unlock"; });
        c.go(Step::R10);
    }
}

namespace {
// 2.6.24's shrink: `page = dequeue_huge_page(NULL, 0); update_and_free_page(page);` while
// min_count < persistent, all under the lock. dequeue_huge_page walks the resizing task's
// zonelist (home node first) and takes any free page; update_and_free_page leaves the
// surplus counters alone, whether or not the page's node has surplus pages.
void shrink_by_dequeue(StepCtx& c) {
    const Vars& v = c.v;
    while (c[c.self.min_count] < c.persistent()) {
        if (c.spinning()) break;
        std::uint32_t n = c.nodes;
        for (std::uint32_t k : c.m.home_first(c.a))
            if (c[v.free_huge_pages_node[k]] > 0) {
                n = k;
                break;
            }
        if (n == c.nodes) {
            c.outcome(Outcome::shrink_no_free_page);
            c.note([] { return std::string("dequeue_huge_page finds no free page"); });
            return;
        }
        c.outcome(Outcome::shrink_dequeues);
        c.w.dec(v.free_huge_pages);
        c.w.dec(v.free_huge_pages_node[n]);
        kernel::update_and_free_page(c, n, frames::free);
        c.note([&] {
            return "dequeue_huge_page: a free page of node " + num(n) +
                   ", update_and_free_page to buddy";
        });
    }
}
}  // namespace

void set_max_huge_pages_locked(StepCtx& c, Step entry, MaxStore store) {
    const Vars& v = c.v;
    const ActorSlots& s = c.self;
    if (entry == Step::R1) kernel::convert_surplus_pages(c);
    if (entry == Step::R1 || entry == Step::R6) {
        // The grow loop's condition: allocate with the lock dropped (R4).
        if (c[s.count] > c.persistent()) {
            c.outcome(Outcome::grow);
            c.note([&] {
                return "count " + num(c[s.count]) + " > persistent " + num(c.persistent()) +
                       ": unlock and allocate";
            });
            c.go(c.m.gigantic() ? Step::G1 : Step::R4);  // alloc_fresh_gigantic_page
            return c.emit();
        }
        // Shrink: keep enough pages for reservations and pages in use.
        const std::uint64_t in_use =
            c[v.resv_huge_pages] + c[v.nr_huge_pages] - c[v.free_huge_pages];
        c.w.set(s.min_count, std::max(c[s.count], in_use));
    }
    if (c[s.min_count] >= c.persistent()) c.outcome(Outcome::no_shrink);
    if (c.m.variant().features().shrink_dequeues) {
        shrink_by_dequeue(c);
        kernel::mark_surplus_pages(c);
        out(c, store);
        return c.emit();
    }
    while (c[s.min_count] < c.persistent()) {
        if (c.spinning()) break;
        if (!kernel::free_pool_huge_page(c)) {
            c.outcome(Outcome::shrink_no_free_page);
            c.note([] { return std::string("free_pool_huge_page finds no free page"); });
            break;
        }
        c.note([] { return std::string("free_pool_huge_page frees a page to buddy"); });
        // cond_resched_lock drops the lock: that outcome's step ends here. The pc is set
        // again by whatever this section emits next.
        c.go(Step::R7);
        c.note([] { return std::string("cond_resched_lock drops hugetlb_lock"); });
        c.emit(Outcome::shrink_frees_unlock);
        c.w.drop_note();
        c.outcome(Outcome::shrink_frees_keep);
    }
    kernel::mark_surplus_pages(c);
    out(c, store);
    c.emit();
}

void R1_from_tmp(StepCtx& c) {
    if (c.op.kind == OpKind::resize) c.w.set(c.self.count, c[c.self.tmp]);
    set_max_huge_pages_locked(c, Step::R1, MaxStore::after_unlock);
}
void R1_from_count(StepCtx& c) {
    set_max_huge_pages_locked(c, Step::R1, MaxStore::after_unlock);
}
void R6_after_unlock(StepCtx& c) {
    set_max_huge_pages_locked(c, Step::R6, MaxStore::after_unlock);
}
void R7_after_unlock(StepCtx& c) {
    set_max_huge_pages_locked(c, Step::R7, MaxStore::after_unlock);
}
void R6f_after_unlock(StepCtx& c) {
    out(c, MaxStore::after_unlock);
    c.emit();
}

void R10(StepCtx& c) {
    c.w.set(c.v.max_huge_pages, c[c.self.ret]);
    c.complete();
    c.emit();
}

void count_under_lock(StepCtx& c) {
    if (c.op.kind == OpKind::resize) {
        c.w.set(c.self.count, c.op.value);
    } else {
        const std::uint64_t nr = c[c.v.nr_huge_pages];
        const std::uint64_t nr_node = c[c.v.nr_huge_pages_node[c.op.node]];
        kernel::node_count(c, nr - nr_node, static_cast<__int128>(nr) - nr_node, true);
    }
}

void R1_private_table(StepCtx& c) {
    count_under_lock(c);
    set_max_huge_pages_locked(c, Step::R1, MaxStore::under_lock);
}
void R6_under_lock(StepCtx& c) {
    set_max_huge_pages_locked(c, Step::R6, MaxStore::under_lock);
}
void R7_under_lock(StepCtx& c) {
    set_max_huge_pages_locked(c, Step::R7, MaxStore::under_lock);
}
void R6f_under_lock(StepCtx& c) {
    out(c, MaxStore::under_lock);
    c.emit();
}

void R4(StepCtx& c) {
    const std::uint32_t n = kernel::alloc_pool_huge_page_node(c);
    if (n == c.nodes) {
        c.outcome(Outcome::alloc_fails);
        c.go(Step::R6f);
    } else {
        c.outcome(Outcome::pool_page);
        c.w.set(c.self.page_node, encode_index(n));
        c.go(Step::R5);
    }
    c.emit();
}

void R5(StepCtx& c) {
    kernel::prep_new_huge_page(c, page_node(c));
    c.go(Step::R5b);
    c.emit();
}

// "If this allocation races such that we no longer need the page, free_huge_page will
// handle it by freeing the page and reducing the surplus."
void R5b(StepCtx& c) {
    kernel::free_huge_page(c, page_node(c));
    c.w.set(c.self.page_node, kNone);
    c.go(Step::R6);
    c.emit();
}

// ---- set_max_huge_pages of v6.6 and v6.18 ---------------------------------------------

void after_collect(StepCtx& c) {
    if (kernel::page_list_empty(c)) {
        c.go(Step::R9);
    } else {
        c.note([&] {
            return "unlock: update_and_free_pages_bulk frees " + num(kernel::page_list_length(c)) +
                   " page(s)";
        });
        c.go(Step::R8);
    }
}

void R8(StepCtx& c) {
    const std::uint32_t n = kernel::page_list_pop(c);
    kernel::free_to_buddy(c, n);
    const bool last = kernel::page_list_empty(c);
    c.outcome(last ? Outcome::last_collected : Outcome::more_collected);
    c.go(last ? Step::R9 : Step::R8);
    c.emit();
}

void R9(StepCtx& c) {
    if (c[c.self.count] >= c.persistent()) c.outcome(Outcome::none_to_mark);
    kernel::mark_surplus_pages(c);
    c.w.set(c.v.max_huge_pages, c.persistent());
    c.note([&] { return "out: max_huge_pages = persistent_huge_pages = " + num(c.persistent()); });
    c.release(lock::resize);
    c.complete();
    c.emit();
}

void R6f_release(StepCtx& c) {
    c.w.set(c.v.max_huge_pages, c.persistent());
    c.note([&] { return "out: max_huge_pages = persistent_huge_pages = " + num(c.persistent()); });
    c.release(lock::resize);
    c.complete();
    c.emit();
}

// ---- OVERCOMMIT --------------------------------------------------------------------

void O1_value(StepCtx& c) {
    if (c.m.gigantic()) {
        c.outcome(Outcome::gigantic_einval);
        c.note([] { return std::string("hstate_is_gigantic: -EINVAL, nothing changes"); });
        c.complete();
        return c.emit();
    }
    c.outcome(Outcome::overcommit_set);
    c.w.set(c.v.nr_overcommit_huge_pages, c.op.value);
    c.complete();
    c.emit();
}

}  // namespace hugecheck::model::shared
