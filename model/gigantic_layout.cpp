#include "model/gigantic_layout.hpp"

#include <algorithm>

namespace hugecheck::model {

bool is_head(std::uint64_t state) {
    return state >= pfn_state::head_in_use;
}

std::string pfn_state_text(std::uint64_t state) {
    switch (state) {
        case pfn_state::free: return "free";
        case pfn_state::normal: return "alloc_pages";
        case pfn_state::taken: return "contig";
        case pfn_state::tail: return "tail";
        case pfn_state::head_in_use: return "head in use";
    }
    return "head free #" + std::to_string(state - pfn_state::head_free);
}

GiganticLayout::GiganticLayout(const Scenario& sc) {
    const GiganticConfig& g = sc.gigantic;
    pfn_end_ = g.pfn_end;
    order_ = g.order;
    nr_pages_ = std::uint64_t{1} << g.order;
    pageblock_nr_pages_ = std::uint64_t{1} << g.pageblock_order;
    pageblocks_ = (pfn_end_ + pageblock_nr_pages_ - 1) / pageblock_nr_pages_;
    orders_ = {g.max_order, g.pageblock_order, g.order};
    kind_.assign(pfn_end_, PfnKind::hole);
    node_of_.assign(pfn_end_, -1);
    zone_.assign(sc.nodes, pfn::Range<Concrete>{0, 0});
    std::vector<bool> has_memory(sc.nodes, false);
    std::vector<std::uint64_t> node_pfns(sc.nodes, 0);
    for (const MemoryRange& r : g.memory) {
        for (std::uint64_t p = r.start; p < r.end; ++p) {
            kind_[p] = PfnKind::ram;
            node_of_[p] = static_cast<int>(r.node);
        }
        pfn::Range<Concrete>& z = zone_[r.node];
        z = has_memory[r.node]
                ? pfn::Range<Concrete>{std::min(z.start, r.start), std::max(z.end, r.end)}
                : pfn::Range<Concrete>{r.start, r.end};
        has_memory[r.node] = true;
        node_pfns[r.node] += r.end - r.start;
    }
    for (std::uint64_t p : g.reserved)
        kind_[p] = PfnKind::reserved;
    for (std::uint64_t p : g.in_use)
        kind_[p] = PfnKind::in_use;
    block_memory_.assign(pageblocks_, 0);
    for (std::uint64_t p = 0; p < pfn_end_; ++p)
        if (kind_[p] != PfnKind::hole) block_memory_[p / pageblock_nr_pages_] = 1;
    for (std::uint64_t n : node_pfns)
        max_free_list_ = std::max(max_free_list_, n);
}

}  // namespace hugecheck::model
