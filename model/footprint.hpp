// What a step may read and write: its footprint, declared beside it in the variant's step
// table. Partial-order reduction (model/independence.hpp) decides from footprints which
// steps of different actors commute, and a checking wrapper (model/footprint_check.hpp)
// runs every step of the tests' state spaces with its reads and writes recorded and
// fails when one touches a variable its footprint does not name.
//
// Variables are named by class, as the kernel names them: a per-node array is one class
// (a step that touches nr_huge_pages_node[1] touches "nr_huge_pages_node"). An actor's
// own locals (op, pc, count, page_node, owned, ...) are private to it and not listed,
// except `tmp`: S2/OS2 of another actor can write it through the shared ctl_table.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace hugecheck::model {

enum class Var : std::uint8_t {
    max_huge_pages,
    nr_overcommit_huge_pages,
    nr_huge_pages,
    free_huge_pages,
    resv_huge_pages,
    surplus_huge_pages,
    nr_huge_pages_node,
    free_huge_pages_node,
    surplus_huge_pages_node,
    buddy,  // free huge-page-sized blocks of the buddy allocators
    next_nid_to_alloc,
    next_nid_to_free,
    table_data,             // the shared ctl_table of nr_hugepages: whose tmp .data points to
    overcommit_table_data,  // the same for nr_overcommit_hugepages
    hugetlb_lock,           // its owner, in variants that hold it across steps
    resize_lock,            // h->resize_lock's owner
    pfn,                    // gigantic scenarios: the state of every pfn
    isolated,               // gigantic scenarios: MIGRATE_ISOLATE pageblocks
    own_tmp,                // the actor's own tmp
    any_tmp,                // the tmp of the actor table->data points to (S2, OS2)
    frames,                 // pages with identity: the state of every frame
    unused_nid,             // 2.6.24: return_unused_surplus_pages' own static nid
};
inline constexpr unsigned kVarCount = 22;
std::string_view var_name(Var v);

using VarSet = std::uint32_t;  // bit k: Var k
constexpr VarSet bit(Var v) {
    return VarSet{1} << static_cast<unsigned>(v);
}
constexpr VarSet vars(std::initializer_list<Var> list) {
    VarSet s = 0;
    for (Var v : list)
        s |= bit(v);
    return s;
}
std::string format_vars(VarSet set);  // "free_huge_pages, buddy"

struct Footprint {
    VarSet reads = 0;  // read, or read and written
    VarSet writes = 0;
    std::uint8_t events = 0;  // event:: bits the step may raise (model/hugetlb_model.hpp)
    bool ends_op = false;     // the step may complete its actor's op

    constexpr Footprint operator|(const Footprint& o) const {
        return {reads | o.reads, writes | o.writes, static_cast<std::uint8_t>(events | o.events),
                ends_op || o.ends_op};
    }
    constexpr VarSet touches() const { return reads | writes; }
};

// The footprint seen from another actor: the shared variables it reads and writes, where
// a write through table->data (any_tmp) may hit any actor's tmp and so counts against
// another actor's own_tmp; two actors' own tmps are distinct variables.
constexpr bool independent(const Footprint& a, const Footprint& b) {
    constexpr VarSet tmp = bit(Var::own_tmp) | bit(Var::any_tmp);
    auto shared = [&](VarSet s) { return (s & tmp) ? (s & ~tmp) | bit(Var::any_tmp) : s; };
    auto shared_writes = [&](const Footprint& f) {
        return (f.writes & ~tmp) | (f.writes & bit(Var::any_tmp));
    };
    // A write through table->data meets any access to a tmp; own tmps never meet.
    const VarSet a_w = shared_writes(a), b_w = shared_writes(b);
    const VarSet a_all = shared(a.touches()), b_all = shared(b.touches());
    return (a_w & b_all) == 0 && (b_w & a_all) == 0;
}

}  // namespace hugecheck::model
