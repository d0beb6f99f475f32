// The hugetlb reference model (RM) of the seed code as a transition system: the state
// layout, the steps of each kernel function, and successor generation. The explorer sees
// it only through initial_state / for_each_successor and opaque byte strings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/function_ref.hpp"
#include "model/packed_layout.hpp"
#include "model/scenario.hpp"
#include "model/steps.hpp"

namespace hugecheck::model {

// owned, page_node and table_data hold 0 for "none" and k + 1 for node/actor k, so that
// the canonical reset of a completed op ("every local to 0/none") is all zeros.
inline constexpr std::uint64_t kNone = 0;
inline constexpr std::uint64_t encode_index(std::uint32_t k) {
    return std::uint64_t{k} + 1;
}

struct VariantInfo {
    std::string_view name;
    std::string_view description;
};
// The kernel variants this build models.
const std::vector<VariantInfo>& variants();

// The slots of an actor's variables: its position in the script and its locals.
struct ActorSlots {
    Slot op, pc, tmp, count, page_node, min_count, ret, owned;
};

// The slots of the RM's variables (§1), named as in the kernel.
struct Vars {
    Slot max_huge_pages, nr_overcommit_huge_pages;
    Slot nr_huge_pages, free_huge_pages, resv_huge_pages, surplus_huge_pages;
    Slot next_nid_to_alloc, next_nid_to_free;
    Slot table_data;  // whose tmp the shared ctl_table.data of nr_hugepages points to
    std::vector<Slot> nr_huge_pages_node, free_huge_pages_node, surplus_huge_pages_node;
    std::vector<Slot> buddy;  // free huge-page-sized blocks in node n's buddy allocator
    std::vector<ActorSlots> actor;
};

// The unpacked state a step works on. It remembers which slots the step wrote, so that
// emitting a successor re-packs only those and the next actor starts from a clean copy.
class Work {
  public:
    std::uint64_t operator[](Slot s) const { return cur_[s]; }
    void set(Slot s, std::uint64_t v) {
        if (!dirty_flag_[s]) {
            dirty_flag_[s] = 1;
            dirty_[dirty_count_++] = s;
        }
        cur_[s] = v;
    }
    // Counters are unsigned long: increments and decrements wrap modulo 2^64.
    void inc(Slot s) { set(s, cur_[s] + 1); }
    void dec(Slot s) {
        if (cur_[s] == 0) events_ |= event::underflow;
        set(s, cur_[s] - 1);
    }
    // Facts about the step's inside that the states do not show (model/steps.hpp).
    void raise(std::uint8_t event) { events_ |= event; }

    // Narration for traces; `make` runs only when a trace is being rendered.
    bool narrating() const { return notes_ != nullptr; }
    template <class F>
    void note(F&& make) {
        if (notes_) notes_->push_back(make());
    }
    void drop_note() {
        if (notes_) notes_->pop_back();
    }

  private:
    friend class HugetlbModel;
    std::uint64_t* cur_ = nullptr;
    const std::uint64_t* base_ = nullptr;
    Slot* dirty_ = nullptr;
    std::uint8_t* dirty_flag_ = nullptr;
    std::uint32_t dirty_count_ = 0;
    std::uint8_t events_ = 0;
    std::vector<std::string>* notes_ = nullptr;
};

class HugetlbModel {
  public:
    using Label = Transition;

    // Per-thread scratch space: successor generation allocates nothing once it exists.
    struct Context {
        std::vector<std::uint64_t> base, cur;
        std::vector<Slot> dirty;
        std::vector<std::uint8_t> dirty_flag;
        std::vector<std::byte> out;
    };

    // Throws InputError for an unknown variant.
    explicit HugetlbModel(Scenario scenario, std::string_view variant = "seed");

    const Scenario& scenario() const { return scenario_; }
    std::string_view variant() const { return variant_; }
    const PackedLayout& layout() const { return layout_; }
    const Vars& vars() const { return vars_; }
    std::uint32_t nodes() const { return scenario_.nodes; }
    std::uint32_t actors() const { return static_cast<std::uint32_t>(scenario_.actors.size()); }

    // --- the transition-system interface the explorer uses -----------------------------
    std::size_t state_bytes() const { return layout_.bytes(); }
    Context make_context() const;
    void initial_state(std::byte* out) const;  // out: state_bytes() + kPackSlack bytes
    template <class Sink>  // sink(const std::byte* successor, const Transition&)
    void for_each_successor(Context& ctx, const std::byte* state, Sink&& sink) const {
        successors(ctx, state, FunctionRef<void(const std::byte*, const Transition&)>(sink), -1,
                   nullptr);
    }

    // --- reading states (properties, rendering, tests) ---------------------------------
    std::uint64_t read(const std::byte* state, Slot s) const { return layout_.read(state, s); }
    std::vector<std::uint64_t> unpack(const std::byte* state) const;
    std::vector<std::byte> pack(const std::vector<std::uint64_t>& values) const;
    bool done(const std::byte* state, std::uint32_t actor) const;
    bool idle(const std::byte* state, std::uint32_t actor) const;  // between ops, or done
    bool all_done(const std::byte* state) const;
    bool quiescent(const std::byte* state) const;  // every actor between ops or done
    std::uint64_t persistent_huge_pages(const std::byte* state) const;
    // The step an actor takes next, if it is not done.
    Step next_step(const std::byte* state, std::uint32_t actor) const;

    // --- describing states and steps (traces) ------------------------------------------
    const std::string& slot_name(Slot s) const { return layout_.field(s).name; }
    std::string format_value(Slot s, std::uint64_t v) const;
    const std::string& actor_name(std::uint32_t a) const { return scenario_.actors[a].name; }
    // Is the slot the op or pc of an actor (shown as control flow, not as a change)?
    bool is_control_slot(Slot s) const;
    // Re-runs one transition with narration: what the kernel code did inside the step.
    std::vector<std::string> narrate(Context& ctx, const std::byte* before,
                                     const Transition& t) const;
    // Every successor of one actor, in the explorer's order (tests and replay).
    void actor_successors(Context& ctx, const std::byte* state, std::uint32_t actor,
                          FunctionRef<void(const std::byte*, const Transition&)> sink) const {
        successors(ctx, state, sink, static_cast<int>(actor), nullptr);
    }

  private:
    using Emit = FunctionRef<void(const Transition&)>;

    // All successors (only_actor < 0) or those of one actor; with notes, the steps
    // narrate into them.
    void successors(Context& ctx, const std::byte* state,
                    FunctionRef<void(const std::byte*, const Transition&)> sink, int only_actor,
                    std::vector<std::string>* notes) const;
    void build_layout();

    // The steps (RM §2). Each leaves the actor's next pc in the Work and emits one
    // successor per outcome.
    void step(Work& w, std::uint32_t a, const Emit& emit) const;
    void fault_F1(Work& w, std::uint32_t a, const Emit& emit) const;
    void fault_B1(Work& w, std::uint32_t a, const Emit& emit) const;
    void fault_B2(Work& w, std::uint32_t a, const Emit& emit) const;
    void fault_B3(Work& w, std::uint32_t a, const Emit& emit) const;
    void unmap_U1(Work& w, std::uint32_t a, const Emit& emit) const;
    void resize_S1(Work& w, std::uint32_t a, const Emit& emit) const;
    void resize_S2(Work& w, std::uint32_t a, const Emit& emit) const;
    void resize_R4(Work& w, std::uint32_t a, const Emit& emit) const;
    void resize_R5(Work& w, std::uint32_t a, const Emit& emit) const;
    void resize_R5b(Work& w, std::uint32_t a, const Emit& emit) const;
    void resize_R6f(Work& w, std::uint32_t a, const Emit& emit) const;
    void resize_R10(Work& w, std::uint32_t a, const Emit& emit) const;
    void overcommit_O1(Work& w, std::uint32_t a, const Emit& emit) const;
    // set_max_huge_pages' locked section, entered at R1 (from the top), R6 (the grow
    // check after a successful allocation) or R7 (inside the shrink loop).
    void set_max_huge_pages_locked(Work& w, std::uint32_t a, Step entry, const Emit& emit) const;

    // The kernel's for_each_node_mask_to_alloc / _to_free: n = cursor, cursor = (n + 1)
    // mod N, try n; at most N tries, each advancing the cursor. Returns the first node
    // `pick` accepts, or N when none does (then the cursor is back where it started).
    template <class Pick>
    std::uint32_t first_in_cursor_order(Work& w, Slot cursor, Pick&& pick) const {
        for (std::uint32_t tries = 0; tries < nodes(); ++tries) {
            const auto n = static_cast<std::uint32_t>(w[cursor]);
            w.set(cursor, (n + 1) % nodes());
            if (pick(n)) return n;
        }
        return nodes();
    }
    // Helpers of set_max_huge_pages and free_huge_page.
    bool adjust_pool_surplus(Work& w, int delta) const;
    bool free_pool_huge_page(Work& w) const;
    void free_huge_page(Work& w, std::uint32_t node) const;  // the page's accounting
    void complete_op(Work& w, std::uint32_t a) const;
    std::uint64_t persistent(const Work& w) const {
        return w[vars_.nr_huge_pages] - w[vars_.surplus_huge_pages];
    }
    const Operation& current_op(const Work& w, std::uint32_t a) const {
        return scenario_.actors[a].script[w[vars_.actor[a].op]];
    }
    void set_pc(Work& w, std::uint32_t a, Pc pc) const {
        w.set(vars_.actor[a].pc, static_cast<std::uint64_t>(pc));
    }

    Scenario scenario_;
    std::string variant_;
    PackedLayout layout_;
    Vars vars_;
    std::vector<std::uint8_t> control_slot_;              // per slot: 1 if an actor's op or pc
    std::vector<std::vector<std::uint32_t>> home_first_;  // per actor: node order
};

}  // namespace hugecheck::model
