// The atomic steps of the RM (docs: ../shared/spec/reference-model.md §2) with the kernel
// function each one models and where it stands in the seed documents
// (000 = 000_b63d739d60be1cdb.txt, 002 = 002_7e58ff0a064bff4b.txt).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace hugecheck::model {

// clang-format off
enum class Step : std::uint8_t {
    F1, B1, B2, B3,                              // FAULT
    U1,                                          // UNMAP
    S1, S2, R1, R4, R5, R5b, R6, R6f, R7, R10,   // RESIZE
    O1,                                          // OVERCOMMIT
};
// clang-format on
inline constexpr std::size_t kStepCount = 16;

// Where an actor stands: between ops (`idle`), or at the next step of its current op.
// The first step of an op (F1, U1, S1, O1) is taken from idle. FAULT's steps come first so
// that an actor that only faults needs 2 bits of pc.
enum class Pc : std::uint8_t { idle, B1, B2, B3, S2, R1, R4, R5, R5b, R6, R6f, R7, R10 };
inline constexpr std::uint8_t kLastFaultPc = static_cast<std::uint8_t>(Pc::B3);
inline constexpr std::uint8_t kLastResizePc = static_cast<std::uint8_t>(Pc::R10);

struct StepInfo {
    std::string_view label;     // RM label
    std::string_view function;  // kernel function the step models
    bool locked;                // one hugetlb_lock section (true) or an unlocked action
    std::string_view seed;      // seed document lines
    std::string_view summary;   // what the step does, one line
};

inline constexpr std::array<StepInfo, kStepCount> kSteps = {{
    {"F1", "dequeue_huge_page_vma", true, "002:63-68",
     "take a free huge page, home node first, if free - resv > 0; else go to B1"},
    {"B1", "alloc_buddy_huge_page", true, "002:138-146",
     "fail if surplus >= overcommit, else assume success: nr++, surplus++"},
    {"B2", "alloc_pages", false, "002:148-155",
     "take a block from the buddy allocator, home node first"},
    {"B3", "alloc_buddy_huge_page", true, "002:162-179",
     "account the page on its node, or undo the B1 bump"},
    {"U1", "free_huge_page", true, "002:166 (dtor); 000:129-132",
     "free the owned page: to buddy if its node has surplus, else to the free list"},
    {"S1", "hugetlb_sysctl_handler_common", false, "000:31,37",
     "tmp = max_huge_pages; table->data = &tmp"},
    {"S2", "proc_doulongvec_minmax", false, "000:39",
     "write v to *table->data (the tmp of actor table_data)"},
    {"R1", "set_max_huge_pages", true, "000:121-128,166-181",
     "count = tmp; convert surplus; grow check; shrink; adjust surplus"},
    {"R4", "alloc_fresh_huge_page", false, "000:134-141",
     "take a block from the buddy allocator, cursor order on next_nid_to_alloc"},
    {"R5", "prep_new_huge_page", true, "000:141 (cf. 000:193)", "nr++, nr_huge_pages_node[n]++"},
    {"R5b", "free_huge_page", true, "000:129-132",
     "put_page of the new page: to buddy if its node has surplus, else enqueue"},
    {"R6", "set_max_huge_pages", true, "000:142-149,166-181",
     "relock after a successful allocation: grow check again, or shrink"},
    {"R6f", "set_max_huge_pages", true, "000:142-144,178-180",
     "relock after a failed allocation: goto out, ret = persistent"},
    {"R7", "cond_resched_lock", true, "000:169-181",
     "relock inside cond_resched_lock: continue the shrink loop"},
    {"R10", "__nr_hugepages_store_common", false, "000:89",
     "max_huge_pages = ret, after the lock is dropped"},
    {"O1", "hugetlb_overcommit_handler", true, "(not in the seed)", "nr_overcommit_huge_pages = v"},
}};

inline const StepInfo& step_info(Step s) {
    return kSteps[static_cast<std::size_t>(s)];
}

std::string_view pc_name(Pc pc);

// A transition label: which actor took which step, and which outcome of the step's
// choices (the cond_resched_lock drops of the shrink loop); events are facts about the
// step's inside that transition properties need and that the states do not show.
struct Transition {
    std::uint8_t actor = 0;
    Step step = Step::F1;
    std::uint8_t events = 0;
    std::uint32_t choice = 0;  // 0 for a step without choices
    bool operator==(const Transition&) const = default;
};

namespace event {
// R1's loop1: adjust_pool_surplus(-1) failed while surplus_huge_pages > 0 (P8).
inline constexpr std::uint8_t loop1_adjust_failed = 1;
// A counter was decremented at 0 and wrapped (P2: "no counter underflows").
inline constexpr std::uint8_t underflow = 2;
}  // namespace event

}  // namespace hugecheck::model
