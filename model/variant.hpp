// A kernel variant: the steps one kernel version takes for each operation, as a table. A
// step has an RM-style label, the kernel function it models, where it stands in that
// version's source, the locks it takes, and a handler that does the step's work on a
// StepCtx. The tables are written in model/variants/*.cpp and documented in
// docs/variants.md; adding a variant for a patch means copying one file and editing the
// steps the patch changes (docs/variants.md says how).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "model/footprint.hpp"
#include "model/scenario.hpp"

namespace hugecheck::model {

// Every step label of every variant. A variant uses a subset; pc values are dense codes
// per variant, so the order here costs no state bits.
// clang-format off
enum class Step : std::uint8_t {
    F1, B1, B2, B3, V1, V2, V3, V4, V5, V6,          // FAULT
    U1, U2,                                          // UNMAP
    S1, S2, N1, N2,                                  // RESIZE, RESIZE_NODE: before the lock
    R1, R4, R5, R5b, R5c, R6, R6f, R7, R8, R9, R10,  // set_max_huge_pages
    RA, RAf, RS,                                     // set_max_huge_pages, v6.18's batches
    OS1, OS2, O1,                                    // OVERCOMMIT
    G1, G2, G3, G4, G5,                              // set_max_huge_pages, gigantic
    A1, A2,                                          // ALLOC, FREE of an ordinary page
    U0,                                              // UNMAP with frames: the refcount drop
    M1, M2, M3, M4,                                  // MMAP: hugetlb_acct_memory(+k)
    X1, X2, X3,                                      // MUNMAP: return_unused_surplus_pages
    W1, W2, W3,                                      // FAULT: resv-- after a surplus page
    D1, D2,                                          // DISSOLVE
    M5,                                              // MMAP: an extra folio to buddy (v6.x)
};
// clang-format on
inline constexpr std::size_t kStepCount = 54;
std::string_view step_name(Step step);

// The named outcomes of steps (docs/coverage.md): every branch a step handler can take
// (a page found or not, a re-check that failed, a choice taken), so that a run can say
// which ones it never reached. Like Step, one list for every variant; a step declares the
// ones it has (StepDef::outcomes) and its handler marks those it takes
// (StepCtx::outcome), a few bits on the transition.
// clang-format off
enum class Outcome : std::uint8_t {
    dequeued_home, dequeued_other, no_free_page, free_lists_empty, gigantic_fault_fails,
    surplus_full, surplus_bumped, surplus_room, buddy_home, buddy_other, buddy_none,
    page_accounted, bump_undone, recheck_ok, recheck_failed,
    nothing_owned, freed_to_buddy, enqueued, folio_removed,
    own_tmp, other_tmp, count_in_range, count_wraps, count_clamped,
    loop1_converts, loop1_race, loop1_elsewhere, grow, no_shrink, shrink_frees_unlock,
    shrink_frees_keep, shrink_no_free_page, marks_surplus, mark_fails, none_to_mark,
    pool_page, alloc_fails, alloc_fails_batch, batch_done,
    collects_page, collect_no_free_page, more_collected, last_collected,
    overcommit_set, gigantic_einval,
    range_found, next_node, isolated, busy_isolated, busy_unmovable, contig_taken, contig_busy,
    head_on_node, head_elsewhere, pfn_home, pfn_other, no_free_pfn, normal_page_freed,
    dequeued_reserved, reserved_no_page, resv_commits, must_gather, gather_more, gather_enough,
    gather_gives_up, acct_done, acct_cpuset_short,
    acct_failed, unused_frees_unlock, unused_frees_keep, unused_no_free_page, unused_done,
    unused_collects, dissolved, dissolve_not_free, dissolve_reserved, dissolve_retry,
    dissolve_no_page, refcount_dropped, shared_fault_oom, unused_spins, shrink_dequeues,
};
// clang-format on
inline constexpr std::size_t kOutcomeCount = 82;

// When an outcome can happen at all (beyond its step running): a scenario that cannot
// give it lists it as "not applicable", not as unreached.
namespace needs {
inline constexpr std::uint8_t gigantic = 1;   // a gigantic hstate
inline constexpr std::uint8_t normal = 2;     // a hstate that is not gigantic
inline constexpr std::uint8_t two_nodes = 4;  // a second node to fall back to
inline constexpr std::uint8_t frames = 8;     // pages with identity (a dropped page to see)
inline constexpr std::uint8_t mmap = 16;      // a reservation to fault in (an MMAP)
}  // namespace needs

struct OutcomeInfo {
    std::string_view name;  // "loop1_race"
    std::string_view text;  // what the code did, one line
    std::uint8_t needs = 0;
    std::uint16_t ops = 0;  // OpSet: only in these operations (0: any of the step's)
};
const OutcomeInfo& outcome_info(Outcome outcome);

// A step's outcomes, by index: a transition's outcome mask has bit k when the step took
// its k-th declared outcome. Bit 15 stands for an outcome the step does not declare (a
// handler marked something its table entry forgot: tests/test_coverage.cpp fails).
inline constexpr std::size_t kMaxOutcomes = 15;
using OutcomeMask = std::uint16_t;
inline constexpr OutcomeMask kUndeclaredOutcome = OutcomeMask{1} << kMaxOutcomes;

class Outcomes {
  public:
    constexpr Outcomes() = default;
    constexpr Outcomes(std::initializer_list<Outcome> list) {
        for (Outcome o : list) {
            if (size_ == kMaxOutcomes) throw std::logic_error("a step has too many outcomes");
            list_[size_++] = o;
        }
    }
    constexpr const Outcome* begin() const { return list_.data(); }
    constexpr const Outcome* end() const { return list_.data() + size_; }
    constexpr std::size_t size() const { return size_; }
    constexpr bool empty() const { return size_ == 0; }
    constexpr Outcome operator[](std::size_t k) const { return list_[k]; }

  private:
    std::array<Outcome, kMaxOutcomes> list_{};
    std::uint8_t size_ = 0;
};

// Locks a step takes when it starts. A step that takes a lock someone else holds is not
// enabled; one that takes a lock its own actor holds is a self-deadlock (P6).
namespace lock {
inline constexpr std::uint8_t hugetlb = 1;  // spin_lock(&hugetlb_lock): a locked section
inline constexpr std::uint8_t resize = 2;   // mutex_lock(&h->resize_lock), held across steps
// spin_lock_irqsave(&zone->lock): held within one step only, so it is no state; the bit
// documents the step's critical section (steps are atomic).
inline constexpr std::uint8_t zone = 4;
}  // namespace lock

// A ctl_table whose .data the handler points at its own stack variable (P5).
enum class SharedTable : std::uint8_t { none, nr_hugepages, nr_overcommit_hugepages };

class StepCtx;

// A set of operations (bit k: OpKind k).
using OpSet = std::uint16_t;
constexpr OpSet op_bit(OpKind k) {
    return static_cast<OpSet>(1u << static_cast<unsigned>(k));
}
inline constexpr OpSet kResizeOps = op_bit(OpKind::resize) | op_bit(OpKind::resize_node);
static_assert(kOpKinds <= 16, "OpSet has 16 bits");

struct StepDef {
    Step label;
    OpSet ops;                  // the operations the step belongs to
    std::uint8_t takes = 0;     // lock:: bits taken when the step starts
    std::string_view function;  // the kernel function the step models
    std::string_view source;    // where: "mm/hugetlb.c: set_max_huge_pages" or seed lines
    std::string_view summary;   // what the step does, one line
    void (*run)(StepCtx&) = nullptr;
    // What `run` may read and write (model/footprint.hpp); the locks it takes are added by
    // Variant::footprint().
    Footprint footprint;
    bool surplus_allocator = false;                  // alloc_buddy/alloc_surplus_huge_page (P4)
    SharedTable writes_through = SharedTable::none;  // writes *table->data (P5)
    // The branches `run` can take (empty: one path). Every path marks at least one.
    Outcomes outcomes{};
};

// The first step of each operation, taken from idle. ALLOC and FREE exist only in
// gigantic scenarios, so only variants with Features::gigantic need their steps.
struct FirstSteps {
    Step fault, unmap, resize, overcommit, resize_node;
    Step alloc = Step::A1, free = Step::A2;
    // Only variants with Features::reservations / dissolve need these.
    Step mmap = Step::M1, munmap = Step::X1, dissolve = Step::D1;
};

// How return_unused_surplus_pages gives unused reservations back (reservation_steps.hpp).
enum class UnusedStyle : std::uint8_t {
    per_page,  // v4.10 - v5.x (e5bbc8a6c992): resv-- per page freed, cond_resched_lock after it
    upfront_resched,  // v3.15 - v4.9: resv -= unused first, then cond_resched_lock drops (B5)
    // 2.6.24: resv -= unused first, then a loop that never drops the lock and spins while no
    // node has a free surplus page
    upfront_spin,
    collect,  // v6.x: resv -= unused, pages collected off the pool, freed after the unlock
};

// State a variant needs besides the RM's variables.
struct Features {
    bool shared_nr_hugepages_table = false;  // table->data of nr_hugepages, and tmp (P5)
    bool shared_overcommit_table = false;    // table->data of nr_overcommit_hugepages
    bool hugetlb_lock_state = false;  // hugetlb_lock can stay held across steps (self-deadlock)
    bool resize_lock = false;         // h->resize_lock
    bool page_list = false;           // set_max_huge_pages' local page_list
    bool gigantic = false;            // the gigantic-page path (G1..G5) and ALLOC/FREE
    // MMAP and MUNMAP (M*, X*), FAULTs that consume a reservation (W*), and policy = "bind"
    bool reservations = false;
    bool dissolve = false;  // DISSOLVE (D*)
    UnusedStyle unused = UnusedStyle::per_page;
    // gather_surplus_pages allocates within the task's mbind nodemask (v6.18), not on any
    // node (NUMA_NO_NODE without a nodemask, up to v6.6).
    bool gather_mbind = false;
    // hugetlb_acct_memory checks delta against the free pages of the task's mbind nodes
    // within its cpuset (allowed_mems_nr, v6.x), not of every node (cpuset_mems_nr).
    bool acct_mbind = false;
    // Every step keeps the frames of a scenario with pages with identity (docs/frames.md).
    bool frames = false;
    // RESIZE_NODE: the per-node nr_hugepages file (2.6.33 on).
    bool resize_node = true;
    // 2.6.24: set_max_huge_pages' shrink takes dequeue_huge_page(NULL)'s page (home node
    // first, whether or not its node has surplus pages) and never drops the lock.
    bool shrink_dequeues = false;
    // 2.6.24: adjust_pool_surplus has one static prev_nid for both directions
    // (next_nid_to_free here) and return_unused_surplus_pages its own static nid
    // (unused_nid), not next_nid_to_alloc / next_nid_to_free.
    bool own_cursors = false;
};

class Variant {
  public:
    Variant(std::string name, std::string description, std::string source, Features features,
            FirstSteps first, std::vector<StepDef> steps);

    const std::string& name() const { return name_; }
    const std::string& description() const { return description_; }
    const std::string& source() const { return source_; }  // repository and commit
    // The variant a patch variant patches ("seed" for seed-zone-check), or "".
    const std::string& patch_of() const { return patch_of_; }
    // The steps a patch variant changed, in table order (empty for a version).
    const std::vector<Step>& patched_steps() const { return patched_steps_; }
    const Features& features() const { return features_; }
    const std::vector<StepDef>& steps() const { return steps_; }

    bool has(Step label) const { return index_[static_cast<std::size_t>(label)] >= 0; }
    const StepDef& step(Step label) const;  // throws std::logic_error if absent
    Step first_step(OpKind op) const;
    bool is_first(Step label) const;  // the first step of some operation
    // A step's footprint with what taking its locks reads and writes: the owner of a lock
    // that this variant holds across steps.
    Footprint footprint(Step label) const { return footprint_[static_cast<std::size_t>(label)]; }
    // Per Outcome: the bit a transition of this step marks for it (kUndeclaredOutcome if
    // the step does not declare it). StepCtx::outcome indexes it.
    const OutcomeMask* outcome_bits(Step label) const {
        return outcome_bit_[static_cast<std::size_t>(label)].data();
    }
    // Every step any op of `ops` may take (over-approximated by the steps' op sets).
    Footprint footprint_of_ops(OpSet ops) const;

    // pc codes: 0 = idle, then one code per step an actor can wait at, in table order
    // (a step that is only ever an op's first step has none).
    std::uint64_t pc_code(Step label) const { return pc_code_[static_cast<std::size_t>(label)]; }
    Step step_of_pc(std::uint64_t code) const { return step_of_pc_.at(code); }
    std::uint64_t pc_codes() const { return step_of_pc_.size(); }
    // The largest pc code an actor that runs these operations can hold.
    std::uint64_t max_pc(OpSet ops) const;

    // A variant for a patch: this variant's table with the steps in `replaced` swapped in
    // (same labels), under a new name. docs/variants.md: "A variant for a patch".
    Variant patched(std::string name, std::string description, std::string source,
                    const std::vector<StepDef>& replaced) const;

  private:
    std::string name_, description_, source_, patch_of_;
    Features features_;
    FirstSteps first_;
    std::vector<StepDef> steps_;
    std::vector<Step> patched_steps_;
    std::array<int, kStepCount> index_;
    std::array<std::uint64_t, kStepCount> pc_code_{};
    std::array<Footprint, kStepCount> footprint_{};
    std::array<std::array<OutcomeMask, kOutcomeCount>, kStepCount> outcome_bit_{};
    std::vector<Step> step_of_pc_;  // [0]: idle
};

// The variants of this build, in history order (model/variants/registry.cpp).
const std::vector<const Variant*>& all_variants();
// Throws InputError naming --variant for an unknown name.
const Variant& find_variant(std::string_view name);

}  // namespace hugecheck::model
