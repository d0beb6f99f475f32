// The properties P1..P8 of the RM (§3): what each one states, what kind it is, how it is
// checked on packed states, and the line that explains a violation.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "model/hugetlb_model.hpp"
#include "model/independence.hpp"

namespace hugecheck::properties {

enum class Kind {
    every_state,  // invariant on every reachable state
    quiescent,    // invariant on states where every actor is between ops or done
    terminal,     // invariant on states where every actor is done
    transition,   // sees the state before and after one step, and the step's label
    deadlock,     // a state with no step enabled
};
std::string_view kind_name(Kind kind);

struct Property {
    std::string_view id;    // "P1"
    std::string_view name;  // short name for headlines: "nr = Σnode"
    Kind kind;
    std::string_view statement;  // one line
};

inline constexpr std::size_t kPropertyCount = 13;
inline constexpr std::array<Property, kPropertyCount> kProperties = {{
    {"P1", "nr = Σnode", Kind::every_state,
     "nr_huge_pages, free_huge_pages and surplus_huge_pages equal the sums of their per-node "
     "counters (the hugetlb_lock invariant: the lock is free in every RM state)"},
    {"P2", "counters in range", Kind::every_state,
     "free <= nr and surplus <= nr, globally and per node, and no step decrements a counter "
     "or computes a count below zero"},
    {"P3", "no page lost", Kind::quiescent,
     "when every actor is between ops: buddy[n] + nr_huge_pages_node[n] == mem[n] on every "
     "node, and nr - free == the number of actors that own a page (gigantic scenarios: every "
     "pfn is free, an ALLOC's, or in a counted huge page: heads per node == "
     "nr_huge_pages_node, free heads == free_huge_pages_node, heads in use == owners)"},
    {"P4", "surplus <= overcommit", Kind::transition,
     "a step of the surplus allocator (alloc_buddy_huge_page B1..B3, alloc_surplus_huge_page "
     "V1..V6) that increases surplus_huge_pages leaves it <= nr_overcommit_huge_pages"},
    {"P5", "private sysctl buffer", Kind::transition,
     "a write through a shared ctl_table (S2, OS2: proc_doulongvec_minmax) writes the "
     "writer's own tmp: table->data == &self.tmp"},
    {"P6", "no deadlock", Kind::deadlock,
     "no step takes a lock its own actor holds (self-deadlock), and a state with no step "
     "enabled has every actor done"},
    {"P7", "max = persistent", Kind::terminal,
     "when every actor is done, max_huge_pages == persistent_huge_pages (nr - surplus)"},
    {"P8", "surplus conversion", Kind::transition,
     "in set_max_huge_pages' first loop, adjust_pool_surplus(-1) does not fail while "
     "surplus_huge_pages > 0 shows a surplus page that no node has (the surplus conversion "
     "race of alloc_buddy_huge_page)"},
    {"P9", "pfn owned once", Kind::transition,
     "gigantic scenarios: no step takes a pfn that is not free, so no pfn belongs to two huge "
     "pages, or to a huge page and an ordinary allocation"},
    {"P10", "gigantic page in one zone", Kind::every_state,
     "gigantic scenarios: every gigantic page starts at a multiple of nr_pages and all its pfns "
     "are memory of its head's node, in that node's zone (alloc_contig_range's \"the PFN range "
     "must belong to a single zone\")"},
    {"P11", "pages agree with counters", Kind::every_state,
     "scenarios with pages with identity: on every node, the frames on the free list number "
     "free_huge_pages_node, the frames in the pool number nr_huge_pages_node, the frames in "
     "buddy number buddy[n], and no frame is in buddy and on a free list at once"},
    {"P12", "resv <= free", Kind::every_state,
     "whenever hugetlb_lock is free, resv_huge_pages <= free_huge_pages: every reservation "
     "has a free page to back it"},
    {"P13", "reservations conserved", Kind::quiescent,
     "when every actor is between ops: resv_huge_pages == the reservations the mappings hold "
     "that no fault has consumed (the sum of the actors' `reserved`)"},
}};

// A set of properties: bit k is P(k+1).
using PropertySet = std::uint64_t;
inline constexpr PropertySet kAllProperties = (PropertySet{1} << kPropertyCount) - 1;
inline constexpr PropertySet bit(std::size_t index) {
    return PropertySet{1} << index;
}

// Parses "P1,P8" (also "p1", spaces); throws InputError naming `option` on an unknown id.
PropertySet parse_property_list(std::string_view list, std::string_view option);
std::string format_property_set(PropertySet set);  // "P1 P8"

// What the selected properties can see, for partial-order reduction (model/independence.hpp):
// a step that may change what one of them observes is visible and never taken alone.
//  - P1, P2 read the pool counters; P10 the pfns (state invariants);
//  - P3 is evaluated only where every actor is between ops: only a step that starts or
//    ends an op can change its outcome (in between, the state is not quiescent);
//  - P7 is evaluated on terminal states and P6's dead ends are states without successors:
//    the reduction keeps every reachable dead end, so neither needs visible steps, except
//    P6's self-deadlock, a state property of an actor that holds a lock across steps:
//    every step of the ops that can hold one is visible;
//  - P11 reads the frames and the node counters, P12 resv, free and hugetlb_lock; P13 is
//    evaluated where every actor is between ops, as P3;
//  - transition properties: the steps they look at (P4, P5) or the events they read (the
//    underflow of P2, P8's failed conversion, P9's reused pfn).
model::Visibility visibility(const model::HugetlbModel& model, PropertySet selected);

// Evaluates the selected properties on packed states of one model. It is the property
// hook object of the explorer: every method returns the set of violated properties.
class Checker {
  public:
    Checker(const model::HugetlbModel& model, PropertySet selected);

    PropertySet selected() const { return selected_; }
    PropertySet state_violations(const std::byte* state) const;
    PropertySet transition_violations(const std::byte* before, const std::byte* after,
                                      const model::Transition& t) const;
    PropertySet deadend_violations(const std::byte* state) const;

    // The values that break property `index` (0 = P1), as one line. `before` and `t` are
    // used by transition properties and may be null for the others.
    std::string explain(std::size_t index, const std::byte* state, const std::byte* before,
                        const model::Transition* t) const;

  private:
    bool p1_holds(const std::byte* s) const;
    bool p2_holds(const std::byte* s) const;
    bool p3_holds(const std::byte* s) const;
    bool p7_holds(const std::byte* s) const;
    bool p3_gigantic_holds(const std::byte* s, std::string* why) const;
    bool p10_holds(const std::byte* s, std::string* why) const;
    bool p6_self_deadlock(const std::byte* s) const;
    bool p11_holds(const std::byte* s, std::string* why) const;
    bool p12_holds(const std::byte* s) const;
    bool p13_holds(const std::byte* s) const;
    model::Slot table_slot(model::SharedTable table) const;

    const model::HugetlbModel& model_;
    PropertySet selected_;
    PropertySet state_kinds_;  // selected properties checked by state_violations
};

}  // namespace hugecheck::properties
