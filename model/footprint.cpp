#include "model/footprint.hpp"

#include <array>

namespace hugecheck::model {

std::string_view var_name(Var v) {
    static constexpr std::array<std::string_view, kVarCount> names = {
        "max_huge_pages",
        "nr_overcommit_huge_pages",
        "nr_huge_pages",
        "free_huge_pages",
        "resv_huge_pages",
        "surplus_huge_pages",
        "nr_huge_pages_node",
        "free_huge_pages_node",
        "surplus_huge_pages_node",
        "buddy",
        "next_nid_to_alloc",
        "next_nid_to_free",
        "table_data",
        "overcommit_table_data",
        "hugetlb_lock",
        "resize_lock",
        "pfn",
        "isolated",
        "own_tmp",
        "any_tmp",
        "frames",
        "unused_nid",
    };
    const auto i = static_cast<std::size_t>(v);
    return i < names.size() ? names[i] : std::string_view("?");
}

std::string format_vars(VarSet set) {
    std::string out;
    for (unsigned k = 0; k < kVarCount; ++k)
        if (set & (VarSet{1} << k))
            out += (out.empty() ? "" : ", ") + std::string(var_name(static_cast<Var>(k)));
    return out.empty() ? "nothing" : out;
}

}  // namespace hugecheck::model
