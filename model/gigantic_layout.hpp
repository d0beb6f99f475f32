// The static side of a gigantic scenario: its pfns (which are memory, of which node,
// reserved or held by the kernel), each node's zone, and the page-size constants; and how
// the state encodes a pfn. The steps that read and change pfns are model/gigantic.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/scenario.hpp"
#include "pfn/concrete.hpp"
#include "pfn/gigantic.hpp"

namespace hugecheck::model {

// What a pfn is for the whole run.
enum class PfnKind : std::uint8_t {
    hole,      // not memory: pfn_valid() is false
    ram,       // memory whose state the model tracks (pfn_state)
    reserved,  // PageReserved
    in_use,    // held by some kernel user for the whole run: page_count > 0, unmovable
};

// The state of a ram pfn, one slot each. A free huge page's head also holds its place on
// its node's free list (hugepage_freelists[page_to_nid(head)]): enqueue_huge_page puts a
// page at the head of the list and dequeue takes it from there (list_move / list_entry of
// ->next), so the list is a stack and head_free + r is the page r places from the top.
namespace pfn_state {
inline constexpr std::uint64_t free = 0;         // in the buddy allocator (PageBuddy)
inline constexpr std::uint64_t normal = 1;       // an ordinary page an ALLOC actor holds
inline constexpr std::uint64_t taken = 2;        // alloc_contig_range took it; not huge yet
inline constexpr std::uint64_t tail = 3;         // a tail page of a gigantic page
inline constexpr std::uint64_t head_in_use = 4;  // a gigantic page's head, off the free lists
inline constexpr std::uint64_t head_free = 5;    // + r: on its node's free list, r from the top
}  // namespace pfn_state
bool is_head(std::uint64_t state);
std::string pfn_state_text(std::uint64_t state);

class GiganticLayout {
  public:
    using Concrete = pfn::Concrete;

    explicit GiganticLayout(const Scenario& sc);

    std::uint64_t pfn_end() const { return pfn_end_; }  // one past the last pfn of memory
    std::uint64_t nr_pages() const { return nr_pages_; }
    std::uint32_t order() const { return order_; }
    std::uint64_t pageblock_nr_pages() const { return pageblock_nr_pages_; }
    std::uint64_t pageblocks() const { return pageblocks_; }  // covering [0, pfn_end)
    const pfn::Orders<Concrete>& orders() const { return orders_; }

    PfnKind kind(std::uint64_t pfn) const { return pfn < pfn_end_ ? kind_[pfn] : PfnKind::hole; }
    // page_to_nid; -1 for a hole.
    int node_of(std::uint64_t pfn) const { return pfn < pfn_end_ ? node_of_[pfn] : -1; }
    // Node n's zone: [zone_start_pfn, zone_end_pfn), spanning the node's memory ranges
    // (empty, [0, 0), for a node without memory).
    const pfn::Range<Concrete>& zone(std::uint32_t n) const { return zone_[n]; }
    // A pageblock without memory is skipped by start_isolate_page_range
    // (__first_valid_page is NULL): it has no isolation bit.
    bool block_has_memory(std::uint64_t block) const { return block_memory_[block] != 0; }
    // The most pages a node's free list can hold (the width of head_free + r).
    std::uint64_t max_free_list() const { return max_free_list_; }
    // The most gigantic pages memory can hold: a bound of the pool counters.
    std::uint64_t max_pages() const { return pfn_end_ / nr_pages_ + 1; }

  private:
    std::uint64_t pfn_end_, nr_pages_, pageblock_nr_pages_, pageblocks_;
    std::uint32_t order_;
    pfn::Orders<Concrete> orders_;
    std::vector<PfnKind> kind_;
    std::vector<int> node_of_;
    std::vector<pfn::Range<Concrete>> zone_;
    std::vector<std::uint8_t> block_memory_;
    std::uint64_t max_free_list_ = 1;
};

}  // namespace hugecheck::model
