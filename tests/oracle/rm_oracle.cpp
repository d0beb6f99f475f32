// Independent test oracle: the hugetlb reference model (RM) of
// ../shared/spec/reference-model.md, implemented from the spec text alone (see
// rm_oracle.hpp and NOTES.md). Deliberately plain: one State struct holding every RM
// variable as std::uint64_t (unsigned wrap-around as in the kernel), one function per RM
// step, breadth-first search over serialized states.
#include "rm_oracle.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace rm_oracle {
namespace {

constexpr std::uint64_t kNone = ~std::uint64_t{0};  // "none" for page_node, owned, table_data
constexpr int kMaxNodes = 8;
constexpr int kMaxActors = 16;

// Control points of an actor. kIdle: between ops (the first step of the next op, F1 / U1 /
// S1 / O1, is taken from here). The other values are the RM step labels an actor waits at.
enum Pc : std::uint64_t {
    kIdle = 0,
    kB1,
    kB2,
    kB3,
    kS2,
    kR1,
    kR4,
    kR5,
    kR5b,
    kR6,
    kR6f,
    kR7,
    kR10
};

struct Locals {
    std::uint64_t op = 0;  // index of the current / next op in the script
    std::uint64_t pc = kIdle;
    std::uint64_t tmp = 0;
    std::uint64_t count = 0;
    std::uint64_t page_node = kNone;
    std::uint64_t min_count = 0;
    std::uint64_t ret = 0;
    std::uint64_t owned = kNone;  // survives across ops
};

struct State {
    std::uint64_t max_huge_pages = 0;
    std::uint64_t nr_overcommit_huge_pages = 0;
    std::uint64_t nr_huge_pages = 0;
    std::uint64_t free_huge_pages = 0;
    std::uint64_t resv_huge_pages = 0;
    std::uint64_t surplus_huge_pages = 0;
    std::array<std::uint64_t, kMaxNodes> nr_huge_pages_node{};
    std::array<std::uint64_t, kMaxNodes> free_huge_pages_node{};
    std::array<std::uint64_t, kMaxNodes> surplus_huge_pages_node{};
    std::array<std::uint64_t, kMaxNodes> buddy{};
    std::uint64_t next_nid_to_alloc = 0;
    std::uint64_t next_nid_to_free = 0;
    std::uint64_t table_data = kNone;
    std::array<Locals, kMaxActors> actor{};
};

// persistent_huge_pages(h) = nr - surplus (unsigned).
std::uint64_t persistent(const State& s) {
    return s.nr_huge_pages - s.surplus_huge_pages;
}

// One RM edge: the successor state plus what the step did that transition properties see.
struct Edge {
    State to;
    bool underflow = false;       // P2: a global counter was decremented from 0
    bool surplus_bumped = false;  // P4: a B-step incremented `surplus`
    bool p5_violated = false;     // S2 wrote another actor's tmp
    bool p8_violated = false;     // adjust_pool_surplus(-1) failed in R1's loop1
};

// ---------------------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------------------
class Stepper {
  public:
    Stepper(const Scenario& sc) : sc_(sc), N_(static_cast<std::uint64_t>(sc.nodes)) {}

    bool done(const State& s, std::size_t a) const {
        return s.actor[a].pc == kIdle && s.actor[a].op == sc_.actors[a].script.size();
    }

    // Every successor of actor a (not done) in state s, one Edge per RM edge.
    void successors(const State& s, std::size_t a, std::vector<Edge>& out) {
        out_ = &out;
        a_ = a;
        Edge e{s};
        const Locals& l = s.actor[a];
        const Op& op = sc_.actors[a].script.at(l.op);
        switch (l.pc) {
            case kIdle:
                switch (op.kind) {
                    case OpKind::Fault: return F1(e);
                    case OpKind::Unmap: return U1(e);
                    case OpKind::Resize: return S1(e);
                    case OpKind::Overcommit: return O1(e, op.value);
                }
                break;
            case kB1: return B1(e);
            case kB2: return B2(e);
            case kB3: return B3(e);
            case kS2: return S2(e, op.value);
            case kR1: return R1(e);
            case kR4: return R4(e);
            case kR5: return R5(e);
            case kR5b: return R5b(e);
            case kR6: return R6(e);
            case kR6f: return R6f(e);
            case kR7: return R7(e);
            case kR10: return R10(e);
        }
        throw std::logic_error("rm_oracle: bad pc");
    }

  private:
    const Scenario& sc_;
    std::uint64_t N_;
    std::vector<Edge>* out_ = nullptr;
    std::size_t a_ = 0;

    Locals& me(Edge& e) const { return e.to.actor[a_]; }
    void emit(const Edge& e) { out_->push_back(e); }

    static void dec(Edge& e, std::uint64_t& counter) {
        if (counter == 0) e.underflow = true;
        --counter;  // wraps modulo 2^64
    }

    // Canonical form: when an op completes every local except `owned` is reset.
    static void complete_op(Locals& l) {
        l.op += 1;
        l.pc = kIdle;
        l.tmp = 0;
        l.count = 0;
        l.page_node = kNone;
        l.min_count = 0;
        l.ret = 0;
    }

    // Home-first order: home node, then the other nodes in ascending id.
    template <class Pred>
    std::uint64_t first_home_first(Pred pred) const {
        const std::uint64_t home = static_cast<std::uint64_t>(sc_.actors[a_].home);
        if (pred(home)) return home;
        for (std::uint64_t n = 0; n < N_; ++n)
            if (n != home && pred(n)) return n;
        return kNone;
    }

    // Cursor order: n = cursor, cursor = (n+1) mod N, try n; at most N tries.
    template <class Pred>
    std::uint64_t first_cursor(std::uint64_t& cursor, Pred pred) const {
        for (std::uint64_t i = 0; i < N_; ++i) {
            const std::uint64_t n = cursor;
            cursor = (n + 1) % N_;
            if (pred(n)) return n;
        }
        return kNone;
    }

    // adjust_pool_surplus(-1): cursor order on next_nid_to_alloc.
    bool adjust_pool_surplus_minus(Edge& e) {
        State& s = e.to;
        const std::uint64_t n = first_cursor(
            s.next_nid_to_alloc, [&](std::uint64_t x) { return s.surplus_huge_pages_node[x] > 0; });
        if (n == kNone) return false;
        dec(e, s.surplus_huge_pages);
        dec(e, s.surplus_huge_pages_node[n]);
        return true;
    }

    // adjust_pool_surplus(+1): cursor order on next_nid_to_free.
    bool adjust_pool_surplus_plus(Edge& e) {
        State& s = e.to;
        const std::uint64_t n = first_cursor(s.next_nid_to_free, [&](std::uint64_t x) {
            return s.surplus_huge_pages_node[x] < s.nr_huge_pages_node[x];
        });
        if (n == kNone) return false;
        s.surplus_huge_pages += 1;
        s.surplus_huge_pages_node[n] += 1;
        return true;
    }

    // free_pool_huge_page(): cursor order on next_nid_to_free.
    bool free_pool_huge_page(Edge& e) {
        State& s = e.to;
        const std::uint64_t n = first_cursor(
            s.next_nid_to_free, [&](std::uint64_t x) { return s.free_huge_pages_node[x] > 0; });
        if (n == kNone) return false;
        dec(e, s.free_huge_pages);
        dec(e, s.free_huge_pages_node[n]);
        dec(e, s.nr_huge_pages);
        dec(e, s.nr_huge_pages_node[n]);
        s.buddy[n] += 1;
        return true;
    }

    // free_huge_page() accounting for a page on node n (U1, R5b).
    static void free_huge_page(Edge& e, std::uint64_t n) {
        State& s = e.to;
        if (s.surplus_huge_pages_node[n] > 0) {  // update_and_free_page
            dec(e, s.nr_huge_pages);
            dec(e, s.nr_huge_pages_node[n]);
            dec(e, s.surplus_huge_pages);
            dec(e, s.surplus_huge_pages_node[n]);
            s.buddy[n] += 1;
        } else {  // enqueue_huge_page
            s.free_huge_pages += 1;
            s.free_huge_pages_node[n] += 1;
        }
    }

    // F1: dequeue_huge_page_vma.
    void F1(Edge e) {
        State& s = e.to;
        if (s.free_huge_pages - s.resv_huge_pages > 0) {
            const std::uint64_t n =
                first_home_first([&](std::uint64_t x) { return s.free_huge_pages_node[x] > 0; });
            if (n != kNone) {
                dec(e, s.free_huge_pages);
                dec(e, s.free_huge_pages_node[n]);
                me(e).owned = n;
                complete_op(me(e));
                return emit(e);
            }
            // free > 0 but no node has a free page: dequeue returns NULL (see NOTES.md).
        }
        me(e).pc = kB1;
        emit(e);
    }

    // B1: alloc_buddy_huge_page head.
    void B1(Edge e) {
        State& s = e.to;
        if (s.surplus_huge_pages >= s.nr_overcommit_huge_pages) {
            complete_op(me(e));  // fault fails
            return emit(e);
        }
        s.nr_huge_pages += 1;
        s.surplus_huge_pages += 1;
        e.surplus_bumped = true;
        me(e).pc = kB2;
        emit(e);
    }

    // B2: alloc_pages(NUMA_NO_NODE), home-first.
    void B2(Edge e) {
        State& s = e.to;
        const std::uint64_t n = first_home_first([&](std::uint64_t x) { return s.buddy[x] > 0; });
        if (n != kNone) dec(e, s.buddy[n]);
        me(e).page_node = n;  // kNone when not found
        me(e).pc = kB3;
        emit(e);
    }

    // B3: alloc_buddy_huge_page tail.
    void B3(Edge e) {
        State& s = e.to;
        const std::uint64_t n = me(e).page_node;
        if (n != kNone) {
            s.nr_huge_pages_node[n] += 1;
            s.surplus_huge_pages_node[n] += 1;
            me(e).owned = n;
        } else {
            dec(e, s.nr_huge_pages);
            dec(e, s.surplus_huge_pages);
        }
        complete_op(me(e));
        emit(e);
    }

    // U1: free_huge_page of the owned page.
    void U1(Edge e) {
        const std::uint64_t n = me(e).owned;
        if (n != kNone) {
            free_huge_page(e, n);
            me(e).owned = kNone;
        }
        complete_op(me(e));
        emit(e);
    }

    // S1: tmp = max_huge_pages; table->data = &tmp.
    void S1(Edge e) {
        me(e).tmp = e.to.max_huge_pages;
        e.to.table_data = a_;
        me(e).pc = kS2;
        emit(e);
    }

    // S2: proc_doulongvec_minmax writes v through table->data.
    void S2(Edge e, std::uint64_t v) {
        State& s = e.to;
        if (s.table_data == kNone) throw std::logic_error("rm_oracle: S2 with table_data none");
        if (s.table_data != a_) e.p5_violated = true;
        s.actor[s.table_data].tmp = v;
        me(e).pc = kR1;
        emit(e);
    }

    // R1: set_max_huge_pages from its spin_lock.
    void R1(Edge e) {
        State& s = e.to;
        Locals& l = me(e);
        l.count = l.tmp;
        // loop1
        while (s.surplus_huge_pages > 0 && l.count > persistent(s)) {
            if (!adjust_pool_surplus_minus(e)) {
                e.p8_violated = true;
                break;
            }
        }
        grow_check(e);
    }

    // grow check; if the pool is big enough, shrink in the same section.
    void grow_check(Edge e) {
        State& s = e.to;
        Locals& l = me(e);
        if (l.count > persistent(s)) {
            l.pc = kR4;  // unlock
            return emit(e);
        }
        // shrink
        l.min_count = std::max(l.count, s.resv_huge_pages + s.nr_huge_pages - s.free_huge_pages);
        shrink_loop(e);
    }

    // shrink loop with the cond_resched_lock choice after every successful
    // free_pool_huge_page(), then finish.
    void shrink_loop(Edge e) {
        while (me(e).min_count < persistent(e.to)) {
            if (!free_pool_huge_page(e)) break;
            Edge dropped = e;  // choice: drop the lock -> the step ends at R7
            dropped.to.actor[a_].pc = kR7;
            emit(dropped);
            // choice: keep the lock and go on looping
        }
        finish(e);
    }

    void finish(Edge e) {
        State& s = e.to;
        while (me(e).count < persistent(s)) {
            if (!adjust_pool_surplus_plus(e)) break;
        }
        me(e).ret = persistent(s);
        me(e).pc = kR10;  // unlock
        emit(e);
    }

    // R4: alloc_fresh_huge_page, cursor order on next_nid_to_alloc.
    void R4(Edge e) {
        State& s = e.to;
        const std::uint64_t n =
            first_cursor(s.next_nid_to_alloc, [&](std::uint64_t x) { return s.buddy[x] > 0; });
        if (n != kNone) {
            dec(e, s.buddy[n]);
            me(e).page_node = n;
            me(e).pc = kR5;
        } else {
            me(e).pc = kR6f;
        }
        emit(e);
    }

    // R5: prep_new_huge_page.
    void R5(Edge e) {
        State& s = e.to;
        const std::uint64_t n = me(e).page_node;
        s.nr_huge_pages += 1;
        s.nr_huge_pages_node[n] += 1;
        me(e).pc = kR5b;
        emit(e);
    }

    // R5b: put_page -> free_huge_page.
    void R5b(Edge e) {
        free_huge_page(e, me(e).page_node);
        me(e).page_node = kNone;
        me(e).pc = kR6;
        emit(e);
    }

    // R6: spin_lock after a successful allocation: grow check again.
    void R6(Edge e) { grow_check(e); }

    // R6f: spin_lock after a failed allocation, goto out.
    void R6f(Edge e) {
        me(e).ret = persistent(e.to);
        me(e).pc = kR10;
        emit(e);
    }

    // R7: re-lock inside cond_resched_lock: continue the shrink loop.
    void R7(Edge e) { shrink_loop(e); }

    // R10: h->max_huge_pages = ret, after the lock is dropped.
    void R10(Edge e) {
        e.to.max_huge_pages = me(e).ret;
        complete_op(me(e));
        emit(e);
    }

    // O1: nr_overcommit_huge_pages = v.
    void O1(Edge e, std::uint64_t v) {
        e.to.nr_overcommit_huge_pages = v;
        complete_op(me(e));
        emit(e);
    }
};

// ---------------------------------------------------------------------------------------
// Serialization: every variable as an LEB128 varint, in a fixed order. "none" (kNone)
// fields are stored as value+1 so that none is the single byte 0.
// ---------------------------------------------------------------------------------------
void put(std::string& k, std::uint64_t v) {
    while (v >= 0x80) {
        k.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    k.push_back(static_cast<char>(v));
}

std::uint64_t get(std::string_view k, std::size_t& i) {
    std::uint64_t v = 0;
    int shift = 0;
    for (;;) {
        const auto b = static_cast<unsigned char>(k.at(i++));
        v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
        shift += 7;
    }
}

void encode(const State& s, std::size_t nodes, std::size_t actors, std::string& k) {
    k.clear();
    put(k, s.max_huge_pages);
    put(k, s.nr_overcommit_huge_pages);
    put(k, s.nr_huge_pages);
    put(k, s.free_huge_pages);
    put(k, s.resv_huge_pages);
    put(k, s.surplus_huge_pages);
    for (std::size_t n = 0; n < nodes; ++n) {
        put(k, s.nr_huge_pages_node[n]);
        put(k, s.free_huge_pages_node[n]);
        put(k, s.surplus_huge_pages_node[n]);
        put(k, s.buddy[n]);
    }
    put(k, s.next_nid_to_alloc);
    put(k, s.next_nid_to_free);
    put(k, s.table_data + 1);
    for (std::size_t a = 0; a < actors; ++a) {
        const Locals& l = s.actor[a];
        put(k, l.op);
        put(k, l.pc);
        put(k, l.tmp);
        put(k, l.count);
        put(k, l.page_node + 1);
        put(k, l.min_count);
        put(k, l.ret);
        put(k, l.owned + 1);
    }
}

State decode(std::string_view k, std::size_t nodes, std::size_t actors) {
    State s;
    std::size_t i = 0;
    s.max_huge_pages = get(k, i);
    s.nr_overcommit_huge_pages = get(k, i);
    s.nr_huge_pages = get(k, i);
    s.free_huge_pages = get(k, i);
    s.resv_huge_pages = get(k, i);
    s.surplus_huge_pages = get(k, i);
    for (std::size_t n = 0; n < nodes; ++n) {
        s.nr_huge_pages_node[n] = get(k, i);
        s.free_huge_pages_node[n] = get(k, i);
        s.surplus_huge_pages_node[n] = get(k, i);
        s.buddy[n] = get(k, i);
    }
    s.next_nid_to_alloc = get(k, i);
    s.next_nid_to_free = get(k, i);
    s.table_data = get(k, i) - 1;
    for (std::size_t a = 0; a < actors; ++a) {
        Locals& l = s.actor[a];
        l.op = get(k, i);
        l.pc = get(k, i);
        l.tmp = get(k, i);
        l.count = get(k, i);
        l.page_node = get(k, i) - 1;
        l.min_count = get(k, i);
        l.ret = get(k, i);
        l.owned = get(k, i) - 1;
    }
    if (i != k.size()) throw std::logic_error("rm_oracle: bad key");
    return s;
}

// Set of serialized states, numbered in insertion (= BFS) order. Keys live in 64 MiB
// chunks with a 2-byte length prefix; the hash table is open addressing over indices.
class StateStore {
  public:
    StateStore() { slots_.assign(1u << 16, 0); }

    std::uint64_t size() const { return pos_.size(); }

    std::string_view key(std::uint64_t idx) const {
        const std::uint64_t p = pos_[idx];
        const std::uint8_t* b = chunks_[p >> 32].get() + (p & 0xffffffffu);
        const std::size_t len =
            static_cast<std::size_t>(b[0]) | (static_cast<std::size_t>(b[1]) << 8);
        return {reinterpret_cast<const char*>(b + 2), len};
    }

    enum class Insert { kKnown, kAdded, kRefused };

    // Adds the key unless it is known; a new key is refused when may_add is false.
    Insert insert(std::string_view k, bool may_add = true) {
        if ((pos_.size() + 1) * 10 > slots_.size() * 7) grow();
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = hash(k) & mask;; i = (i + 1) & mask) {
            if (slots_[i] == 0) {
                if (!may_add) return Insert::kRefused;
                if (pos_.size() >= 0xffffffffu)
                    throw std::length_error("rm_oracle: too many states");
                slots_[i] = static_cast<std::uint32_t>(pos_.size() + 1);
                pos_.push_back(append(k));
                return Insert::kAdded;
            }
            if (key(slots_[i] - 1) == k) return Insert::kKnown;
        }
    }

  private:
    static constexpr std::size_t kChunk = std::size_t{1} << 26;
    std::vector<std::unique_ptr<std::uint8_t[]>> chunks_;
    std::size_t used_ = kChunk;         // bytes used in the last chunk
    std::vector<std::uint64_t> pos_;    // chunk << 32 | offset
    std::vector<std::uint32_t> slots_;  // 0 empty, else index + 1

    static std::size_t hash(std::string_view k) { return std::hash<std::string_view>{}(k); }

    std::uint64_t append(std::string_view k) {
        if (k.size() > 0xffff) throw std::length_error("rm_oracle: key too long");
        if (used_ + k.size() + 2 > kChunk) {
            chunks_.push_back(std::make_unique<std::uint8_t[]>(kChunk));
            used_ = 0;
        }
        std::uint8_t* b = chunks_.back().get() + used_;
        b[0] = static_cast<std::uint8_t>(k.size() & 0xff);
        b[1] = static_cast<std::uint8_t>(k.size() >> 8);
        std::memcpy(b + 2, k.data(), k.size());
        const std::uint64_t p = (static_cast<std::uint64_t>(chunks_.size() - 1) << 32) | used_;
        used_ += k.size() + 2;
        return p;
    }

    void grow() {
        std::vector<std::uint32_t> bigger(slots_.size() * 2, 0);
        const std::size_t mask = bigger.size() - 1;
        for (std::uint64_t idx = 0; idx < pos_.size(); ++idx) {
            std::size_t i = hash(key(idx)) & mask;
            while (bigger[i] != 0)
                i = (i + 1) & mask;
            bigger[i] = static_cast<std::uint32_t>(idx + 1);
        }
        slots_.swap(bigger);
    }
};

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------
struct StateChecks {
    const Scenario& sc;
    std::size_t nodes;
    std::size_t actors;

    // P1: nr == Σ nr_node, free == Σ free_node, surplus == Σ surplus_node.
    bool p1(const State& s) const {
        std::uint64_t nr = 0, fr = 0, su = 0;
        for (std::size_t n = 0; n < nodes; ++n) {
            nr += s.nr_huge_pages_node[n];
            fr += s.free_huge_pages_node[n];
            su += s.surplus_huge_pages_node[n];
        }
        return s.nr_huge_pages == nr && s.free_huge_pages == fr && s.surplus_huge_pages == su;
    }

    // P2 (state part): free <= nr, surplus <= nr, per node free_node <= nr_node,
    // surplus_node <= nr_node. The underflow part is observed on edges (Edge::underflow).
    bool p2(const State& s) const {
        if (s.free_huge_pages > s.nr_huge_pages || s.surplus_huge_pages > s.nr_huge_pages)
            return false;
        for (std::size_t n = 0; n < nodes; ++n) {
            if (s.free_huge_pages_node[n] > s.nr_huge_pages_node[n]) return false;
            if (s.surplus_huge_pages_node[n] > s.nr_huge_pages_node[n]) return false;
        }
        return true;
    }

    bool quiescent(const State& s) const {
        for (std::size_t a = 0; a < actors; ++a)
            if (s.actor[a].pc != kIdle) return false;
        return true;
    }

    bool all_done(const State& s) const {
        for (std::size_t a = 0; a < actors; ++a)
            if (s.actor[a].pc != kIdle || s.actor[a].op != sc.actors[a].script.size()) return false;
        return true;
    }

    // P3 (quiescent states): buddy[n] + nr_node[n] == mem[n]; nr - free == #owners.
    bool p3(const State& s) const {
        if (!quiescent(s)) return true;
        for (std::size_t n = 0; n < nodes; ++n)
            if (s.buddy[n] + s.nr_huge_pages_node[n] != sc.mem[n]) return false;
        std::uint64_t owners = 0;
        for (std::size_t a = 0; a < actors; ++a)
            if (s.actor[a].owned != kNone) ++owners;
        return s.nr_huge_pages - s.free_huge_pages == owners;
    }

    // P7 (terminal states): max_huge_pages == persistent.
    bool p7(const State& s) const { return !all_done(s) || s.max_huge_pages == persistent(s); }
};

void record(Result& r, int property, std::uint64_t length) {
    int& slot = r.shortest_violation[static_cast<std::size_t>(property - 1)];
    const int len = static_cast<int>(length);
    if (slot < 0 || len < slot) slot = len;
}

}  // namespace

Result explore(const Scenario& sc, std::uint64_t max_states) {
    if (sc.nodes < 1 || sc.nodes > kMaxNodes)
        throw std::invalid_argument("rm_oracle: nodes must be 1..8");
    const auto nodes = static_cast<std::size_t>(sc.nodes);
    if (sc.mem.size() != nodes || sc.pool.size() != nodes)
        throw std::invalid_argument("rm_oracle: mem/pool need one entry per node");
    if (sc.actors.size() > static_cast<std::size_t>(kMaxActors))
        throw std::invalid_argument("rm_oracle: too many actors");
    const std::size_t actors = sc.actors.size();
    for (const Actor& a : sc.actors)
        if (a.home < 0 || a.home >= sc.nodes)
            throw std::invalid_argument("rm_oracle: bad home node");

    // Initial state (RM section 1).
    State init;
    for (std::size_t n = 0; n < nodes; ++n) {
        if (sc.pool[n] > sc.mem[n]) throw std::invalid_argument("rm_oracle: pool exceeds mem");
        init.max_huge_pages += sc.pool[n];
        init.nr_huge_pages += sc.pool[n];
        init.free_huge_pages += sc.pool[n];
        init.nr_huge_pages_node[n] = sc.pool[n];
        init.free_huge_pages_node[n] = sc.pool[n];
        init.buddy[n] = sc.mem[n] - sc.pool[n];
    }
    init.nr_overcommit_huge_pages = sc.overcommit0;

    Result res;
    StateChecks checks{sc, nodes, actors};
    auto check_state = [&](const State& s, std::uint64_t depth) {
        if (!checks.p1(s)) record(res, 1, depth);
        if (!checks.p2(s)) record(res, 2, depth);
        if (!checks.p3(s)) record(res, 3, depth);
        if (!checks.p7(s)) record(res, 7, depth);
    };

    StateStore store;
    std::string key;
    encode(init, nodes, actors, key);
    store.insert(key);
    check_state(init, 0);

    Stepper stepper(sc);
    std::vector<Edge> edges;
    std::uint64_t depth = 0;      // BFS depth of the state being expanded
    std::uint64_t level_end = 1;  // first index of depth + 1
    for (std::uint64_t i = 0; i < store.size(); ++i) {
        if (i == level_end) {
            ++depth;
            level_end = store.size();
        }
        const State s = decode(store.key(i), nodes, actors);
        edges.clear();
        for (std::size_t a = 0; a < actors; ++a)
            if (!stepper.done(s, a)) stepper.successors(s, a, edges);
        // P6: a state with no step enabled has every actor done.
        if (edges.empty() && !checks.all_done(s)) record(res, 6, depth);

        for (const Edge& e : edges) {
            ++res.transitions;
            if (e.underflow) record(res, 2, depth + 1);
            // P4: a B-step that increases surplus leaves surplus <= nr_overcommit.
            if (e.surplus_bumped && e.to.surplus_huge_pages > e.to.nr_overcommit_huge_pages)
                record(res, 4, depth + 1);
            if (e.p5_violated) record(res, 5, depth + 1);
            if (e.p8_violated) record(res, 8, depth + 1);

            encode(e.to, nodes, actors, key);
            const bool may_add = max_states == 0 || store.size() < max_states;
            const auto ins = store.insert(key, may_add);
            if (ins == StateStore::Insert::kRefused) {
                res.complete = false;  // bounded: a new state beyond max_states
                break;
            }
            if (ins == StateStore::Insert::kAdded) {
                check_state(e.to, depth + 1);
                res.depth = static_cast<std::uint32_t>(depth + 1);
            }
        }
        if (!res.complete) break;
    }
    res.states = store.size();
    return res;
}

}  // namespace rm_oracle
