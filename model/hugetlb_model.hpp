// The hugetlb model of one scenario on one kernel variant, as a transition system: the
// state layout, successor generation (actor by actor, gated on the locks each step
// takes), and reading states back. The steps themselves are the variant's
// (model/variants/); the explorer sees only initial_state / for_each_successor and opaque
// byte strings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/function_ref.hpp"
#include "model/gigantic_layout.hpp"
#include "model/packed_layout.hpp"
#include "model/scenario.hpp"
#include "model/variant.hpp"

namespace hugecheck::model {

// owned, page_node, table_data and lock owners hold 0 for "none" and k + 1 for node or
// actor k, so that the canonical reset of a completed op ("every local to 0/none") is
// all zeros.
inline constexpr std::uint64_t kNone = 0;
inline constexpr std::uint64_t encode_index(std::uint32_t k) {
    return std::uint64_t{k} + 1;
}

using NodeMask = std::uint32_t;  // nodes_allowed: bit n = node n

// A transition label: which actor took which step, which outcome of the step's choices
// (0 for a step without choices), and events: facts about the step's inside that
// transition properties need and that the states do not show. `outcomes` are the named
// branches the handler took (bit k: the step's k-th declared Outcome), for coverage;
// handlers are deterministic, so equal steps and choices have equal outcomes.
struct Transition {
    std::uint8_t actor = 0;
    Step step = Step::F1;
    std::uint8_t events = 0;
    std::uint32_t choice = 0;
    OutcomeMask outcomes = 0;
    bool operator==(const Transition&) const = default;
};

namespace event {
// set_max_huge_pages' first loop: adjust_pool_surplus(-1) failed while the global surplus
// counter exceeds the nodes' (P8).
inline constexpr std::uint8_t loop1_adjust_failed = 1;
// A counter was decremented at 0, or a count computation went below zero (P2).
inline constexpr std::uint8_t underflow = 2;
// A step took a pfn that was not free: it now belongs to two owners (P9).
inline constexpr std::uint8_t pfn_reused = 4;
}  // namespace event

// The slots of an actor's variables: its position in the script and its locals.
struct ActorSlots {
    Slot op, pc, tmp, count, page_node, min_count, ret, owned;
    // set_max_huge_pages' local page_list (v6.6+): the nodes of its pages, newest first, as
    // the base-(N+1) digits node+1 of one number (0: the empty list).
    Slot page_list;
    // Gigantic scenarios. alloc_gigantic_page's `pfn` + 1 (the candidate it works on or
    // scans from next; 0: the next node of for_each_node_mask_to_alloc) and how many nodes
    // it has started (nr_nodes counted up); page_node is the node it scans. normal_page:
    // the pfn + 1 of the ordinary page an ALLOC holds. owned is a head pfn + 1.
    Slot gigantic_pfn, gigantic_tries, normal_page;
    // The reservations of the actor's mapping (MMAP) that no fault has consumed yet; like
    // `owned`, it survives across ops.
    Slot reserved;
};

// The slots of the state's variables, named as in the kernel.
struct Vars {
    Slot max_huge_pages, nr_overcommit_huge_pages;
    Slot nr_huge_pages, free_huge_pages, resv_huge_pages, surplus_huge_pages;
    Slot next_nid_to_alloc, next_nid_to_free;
    Slot unused_nid;  // 2.6.24: return_unused_surplus_pages' static nid (Features::own_cursors)
    Slot table_data;  // whose tmp the shared ctl_table of nr_hugepages points to
    Slot overcommit_table_data;  // the same for nr_overcommit_hugepages (v4.19)
    Slot hugetlb_lock;           // owner, when a variant can hold it across steps
    Slot resize_lock;            // owner of h->resize_lock (v6.6+)
    std::vector<Slot> nr_huge_pages_node, free_huge_pages_node, surplus_huge_pages_node;
    std::vector<Slot> buddy;  // free huge-page-sized blocks in node n's buddy allocator
    // Gigantic scenarios: the state of each pfn (pfn_state; a hole, reserved or in-use pfn
    // has a slot of width 0), and whether pageblock b is MIGRATE_ISOLATE.
    std::vector<Slot> pfn, isolated;
    // Pages with identity: frames[n] are node n's frames (model/frames.hpp), sorted.
    std::vector<std::vector<Slot>> frames;
    std::vector<ActorSlots> actor;
};

// The unpacked state a step works on. It remembers which slots the step wrote, so that
// emitting a successor re-packs only those and the next actor starts from a clean copy.
class Work {
  public:
    std::uint64_t operator[](Slot s) const {
        if (read_flag_) [[unlikely]]
            read_flag_[s] = 1;  // the footprint check records what a step reads
        return cur_[s];
    }
    void set(Slot s, std::uint64_t v) {
        if (!dirty_flag_[s]) {
            dirty_flag_[s] = 1;
            dirty_[dirty_count_++] = s;
        }
        cur_[s] = v;
    }
    // Counters are unsigned long: increments and decrements wrap modulo 2^64.
    void inc(Slot s) { set(s, (*this)[s] + 1); }
    void dec(Slot s) {
        if ((*this)[s] == 0) events_ |= event::underflow;
        set(s, cur_[s] - 1);
    }
    void raise(std::uint8_t e) { events_ |= e; }
    // One more turn of a loop that moves a page per turn. More turns than there are pages
    // means corrupt counters (after a double free, B14) would loop for 2^64 turns, as the
    // kernel would: the step is then given up (HugetlbModel::unrepresentable).
    bool spinning(std::uint64_t pages) {
        if (++spins_ <= pages) return false;
        runaway_ = true;
        return true;
    }

    // Narration for traces; `make` runs only when a trace is being rendered.
    bool narrating() const { return notes_ != nullptr; }
    template <class F>
    void note(F&& make) {
        if (notes_) notes_->push_back(make());
    }
    void drop_note() {
        if (notes_) notes_->pop_back();
    }
    // Back to the source state: every slot written since, the events and the notes.
    void revert() {
        for (std::uint32_t i = 0; i < dirty_count_; ++i) {
            cur_[dirty_[i]] = base_[dirty_[i]];
            dirty_flag_[dirty_[i]] = 0;
        }
        dirty_count_ = 0;
        events_ = 0;
        spins_ = 0;
        runaway_ = false;
        if (notes_) notes_->clear();
    }

  private:
    friend class HugetlbModel;
    std::uint64_t* cur_ = nullptr;
    const std::uint64_t* base_ = nullptr;
    Slot* dirty_ = nullptr;
    std::uint8_t* dirty_flag_ = nullptr;
    std::uint32_t dirty_count_ = 0;
    std::uint8_t events_ = 0;
    std::uint64_t spins_ = 0;
    bool runaway_ = false;
    std::vector<std::string>* notes_ = nullptr;
    std::uint8_t* read_flag_ = nullptr;  // per slot, while a footprint check runs
};

// What one actor's step did, for the footprint check (model/footprint_check.hpp): the
// slots it read and wrote (over all its choice outcomes) and the events it raised.
struct StepRecord {
    std::uint32_t actor;
    Step step;
    const std::uint8_t* read;  // per slot: 1 if read
    const Slot* written;
    std::uint32_t written_count;
    std::uint8_t events;
};

class HugetlbModel;
using Emit = FunctionRef<void(const Transition&)>;

// What a step handler sees: the state being built, its actor and current op, and the
// operations that end a step.
class StepCtx {
  public:
    StepCtx(const HugetlbModel& model, Work& work, std::uint32_t actor, Step step,
            const Emit& emit);

    const HugetlbModel& m;
    Work& w;
    const Vars& v;
    const std::uint32_t a;
    const ActorSlots& self;
    const Operation& op;
    const std::uint32_t nodes;
    const NodeMask mask;  // nodes_allowed: every node, or {nid} for RESIZE_NODE

    std::uint64_t operator[](Slot s) const { return w[s]; }
    std::uint64_t persistent() const { return w[v.nr_huge_pages] - w[v.surplus_huge_pages]; }
    // Guards a loop that moves one page per turn (Work::spinning): true to leave it.
    bool spinning();
    void go(Step next);                // the actor waits at `next`
    void complete();                   // the op ends: next op, locals reset
    void release(std::uint8_t locks);  // unlock what the actor holds across steps
    // One outcome of the step. Steps with choices call it once per outcome; each call
    // numbers its outcome with the next choice index.
    void emit();
    // Marks one of the step's declared outcomes (StepDef::outcomes): every transition the
    // step emits from now on took that branch. A table look-up and an or.
    void outcome(Outcome o) { t_.outcomes |= outcome_bits_[static_cast<std::size_t>(o)]; }
    // One outcome of a choice: emits with `o` marked, which the choices after it do not
    // take.
    void emit(Outcome o);
    // After an alternative's emit: back to the step's source state for the next one. Only
    // for a step whose lock taking writes nothing (not a resize_lock step).
    void restart() { w.revert(); }
    template <class F>
    void note(F&& make) {
        w.note(std::forward<F>(make));
    }
    const std::string& name() const;  // the actor's name

  private:
    const Emit& emit_;
    const OutcomeMask* outcome_bits_;
    Transition t_;
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
        std::string unrepresentable;          // see unrepresentable()
        std::vector<std::uint8_t> read_flag;  // record_steps()
    };

    // Throws InputError for an unknown variant, or one that cannot run the scenario.
    explicit HugetlbModel(Scenario scenario, std::string_view variant = "seed");
    // A variant that is not registered (tests: mutants of a variant's steps). It must
    // outlive the model.
    HugetlbModel(Scenario scenario, const Variant& variant);

    const Scenario& scenario() const { return scenario_; }
    // What of the scenario the variant does not model ("reservations (MMAP, MUNMAP)"), or
    // "": a model of the two can be built.
    static std::string missing_features(const Scenario& sc, const Variant& variant);
    const Variant& variant() const { return variant_; }
    const PackedLayout& layout() const { return layout_; }
    const Vars& vars() const { return vars_; }
    std::uint32_t nodes() const { return scenario_.nodes; }
    std::uint32_t actors() const { return static_cast<std::uint32_t>(scenario_.actors.size()); }
    NodeMask all_nodes() const { return (NodeMask{1} << nodes()) - 1; }
    bool has_frames() const { return scenario_.frames; }
    // Does any actor MMAP (so that resv_huge_pages can change)?
    bool has_reservations() const { return reservations_; }
    // The pfn layout of a gigantic scenario, or null: the hstate is not gigantic.
    const GiganticLayout* gigantic() const { return gigantic_ ? &*gigantic_ : nullptr; }

    // --- the transition-system interface the explorer uses -----------------------------
    std::size_t state_bytes() const { return layout_.bytes(); }
    Context make_context() const;
    void initial_state(std::byte* out) const;  // out: state_bytes() + kPackSlack bytes
    template <class Sink>  // sink(const std::byte* successor, const Transition&)
    void for_each_successor(Context& ctx, const std::byte* state, Sink&& sink) const {
        successors(ctx, state, FunctionRef<void(const std::byte*, const Transition&)>(sink), -1,
                   nullptr);
    }

    // Why the last for_each_successor left out a successor, or "": a gigantic scenario's
    // node counters can drift without bound (the seed counts a page on the node it scanned
    // and frees it from its head's node), and a value past its field's width ends the
    // search as incomplete (explorer/system.hpp) rather than as a wrong state.
    std::string_view unrepresentable(const Context& ctx) const { return ctx.unrepresentable; }

    // --- reading states (properties, rendering, tests) ---------------------------------
    std::uint64_t read(const std::byte* state, Slot s) const { return layout_.read(state, s); }
    std::vector<std::uint64_t> unpack(const std::byte* state) const;
    std::vector<std::byte> pack(const std::vector<std::uint64_t>& values) const;
    bool done(const std::byte* state, std::uint32_t actor) const;
    bool idle(const std::byte* state, std::uint32_t actor) const;  // between ops, or done
    bool all_done(const std::byte* state) const;
    bool quiescent(const std::byte* state) const;  // every actor between ops or done
    std::uint64_t persistent_huge_pages(const std::byte* state) const;
    // The step an actor takes next; the actor must not be done.
    Step next_step(const std::byte* state, std::uint32_t actor) const;
    // The lock (lock:: bit) the actor's next step takes and someone holds, or 0.
    std::uint8_t blocked_on(const std::byte* state, std::uint32_t actor) const;
    // The next step takes a lock the actor holds itself: it can never go on.
    bool self_deadlocked(const std::byte* state, std::uint32_t actor) const;
    // "waits for resize_lock held by A" / "spins on hugetlb_lock, which it holds itself".
    std::string wait_text(const std::byte* state, std::uint32_t actor) const;
    // Gigantic scenarios: one character per pfn, "|" between pageblocks, and the legend:
    // "H" head in use, "F" head on a free list, "t" tail, "c" taken by alloc_contig_range,
    // "a" an ALLOC's page, "-" free, "R" reserved, "U" in use, "." a hole; a pageblock that
    // is isolated is in brackets.
    std::string memory_map(const std::byte* state) const;
    // The node of each pfn in the same columns (no pageblock is isolated): "01|00|11|11".
    std::string node_map() const;

    // --- describing states and steps (traces) ------------------------------------------
    const std::string& slot_name(Slot s) const { return layout_.field(s).name; }
    std::string format_value(Slot s, std::uint64_t v) const;
    // A frame's state (model/frames.hpp): "buddy", "free list", "in_use by A", ...
    std::string frame_text(std::uint64_t code) const;
    const std::string& actor_name(std::uint32_t a) const { return scenario_.actors[a].name; }
    const StepDef& step_def(Step s) const { return variant_.step(s); }
    // Is the slot the op or pc of an actor (shown as control flow, not as a change)?
    bool is_control_slot(Slot s) const;
    // Re-runs one transition with narration: what the kernel code did inside the step.
    std::vector<std::string> narrate(Context& ctx, const std::byte* before,
                                     const Transition& t) const;
    // Processes, for partial-order reduction (explorer/por.hpp): the actors.
    std::uint32_t processes() const { return actors(); }
    template <class Sink>
    void for_each_process_successor(Context& ctx, const std::byte* state, std::uint32_t actor,
                                    Sink&& sink) const {
        successors(ctx, state, FunctionRef<void(const std::byte*, const Transition&)>(sink),
                   static_cast<int>(actor), nullptr);
    }

    // Every successor of one actor, in the explorer's order (tests and replay).
    void actor_successors(Context& ctx, const std::byte* state, std::uint32_t actor,
                          FunctionRef<void(const std::byte*, const Transition&)> sink) const {
        successors(ctx, state, sink, static_cast<int>(actor), nullptr);
    }

    // Every successor, as for_each_successor, and after each actor's step what it read
    // and wrote (the footprint check; slower: every read is recorded).
    void record_steps(Context& ctx, const std::byte* state,
                      FunctionRef<void(const std::byte*, const Transition&)> sink,
                      FunctionRef<void(const StepRecord&)> record) const;

    // The op an actor runs in a work state (used by StepCtx).
    const Operation& current_op(const Work& w, std::uint32_t a) const {
        return scenario_.actors[a].script[w[vars_.actor[a].op]];
    }
    // The nodes a fault of actor a tries, in order: home first, then the others, or the
    // home node alone under policy = "bind".
    const std::vector<std::uint32_t>& home_first(std::uint32_t a) const { return home_first_[a]; }
    // Home first over every node, whatever the policy: gather_surplus_pages allocates with
    // NUMA_NO_NODE and no nodemask (numa_mem_id() first).
    const std::vector<std::uint32_t>& local_first(std::uint32_t a) const { return local_first_[a]; }
    std::uint64_t page_list_base() const { return nodes() + 1; }  // digits of page_list
    // More pages than any loop of a step can move: every block of memory, plus one.
    std::uint64_t page_bound() const { return page_bound_; }

  private:
    // All successors (only_actor < 0) or those of one actor; with notes, the steps
    // narrate into them.
    void successors(Context& ctx, const std::byte* state,
                    FunctionRef<void(const std::byte*, const Transition&)> sink, int only_actor,
                    std::vector<std::string>* notes,
                    const FunctionRef<void(const StepRecord&)>* record = nullptr) const;
    void build_layout();
    void canonical_frames(std::byte* out, const std::uint8_t* dirty_flag) const;
    Step step_at(std::uint64_t op_index, std::uint64_t pc, std::uint32_t actor) const;
    std::uint8_t lock_conflict(std::uint8_t takes, std::uint64_t hugetlb_owner,
                               std::uint64_t resize_owner) const;

    Scenario scenario_;
    const Variant& variant_;
    std::optional<GiganticLayout> gigantic_;
    PackedLayout layout_;
    Vars vars_;
    std::vector<std::uint8_t> control_slot_;              // per slot: 1 if an actor's op or pc
    std::vector<std::uint8_t> may_drift_;                 // per slot: see unrepresentable()
    std::vector<std::vector<std::uint32_t>> home_first_;  // per actor: node order
    std::vector<std::vector<std::uint32_t>> local_first_;
    bool reservations_ = false;
    bool dissolves_ = false;  // some actor runs DISSOLVE
    std::uint64_t page_bound_ = 0;
    std::string drift_reason_;  // why a may_drift_ slot can leave its field
};

}  // namespace hugecheck::model
