// The pieces of mm/hugetlb.c and mm/page_alloc.c that a gigantic hstate runs, over a
// StepCtx of a gigantic scenario (model/gigantic_layout.hpp): the free lists of gigantic
// pages, freeing one back to the buddy allocator, the ordinary page allocator, and the
// page source through which alloc_gigantic_page's pfn_range_valid_gigantic (pfn/) reads
// the pfns. docs/gigantic.md describes the model.
#pragma once

#include <cstdint>

#include "model/hugetlb_model.hpp"

namespace hugecheck::model::kernel {

inline constexpr std::uint64_t kNoPfn = ~std::uint64_t{0};

// page_to_nid(pfn_to_page(pfn)).
std::uint32_t page_to_nid(const StepCtx& c, std::uint64_t pfn);
std::uint64_t pfn_state_of(const StepCtx& c, std::uint64_t pfn);

// list_empty(&h->hugepage_freelists[nid]).
bool gigantic_free_list_empty(const StepCtx& c, std::uint32_t nid);
// dequeue_huge_page_node: the page at the top of node nid's free list, off the list and
// in use (free_huge_pages--, free_huge_pages_node[nid]--). Returns its head or kNoPfn.
std::uint64_t dequeue_gigantic_page(StepCtx& c, std::uint32_t nid);
// enqueue_huge_page: onto the top of the list of page_to_nid(head) (free++, free_node++).
void enqueue_gigantic_page(StepCtx& c, std::uint64_t head);
// update_and_free_page of a gigantic page: nr_huge_pages--, nr_huge_pages_node[
// page_to_nid(head)]--, destroy_compound_gigantic_page and free_gigantic_page: every pfn
// back to the buddy allocator (free_contig_range).
void update_and_free_gigantic_page(StepCtx& c, std::uint64_t head);
// free_huge_page of a gigantic page: to the buddy allocator if page_to_nid(head) has
// surplus (update_and_free_page, surplus--), else enqueue_huge_page.
void free_gigantic_huge_page(StepCtx& c, std::uint64_t head);
// Takes a pfn for a new owner (alloc_pages, isolate_freepages_range). A pfn that is not
// free raises event::pfn_reused (P9).
void take_pfn(StepCtx& c, std::uint64_t pfn, std::uint64_t new_state);

// What pfn_range_valid_gigantic reads of a pfn (pfn/gigantic.hpp, "Pages"): the layout's
// static kinds and the state's pfn slots.
class PfnPages {
  public:
    using D = pfn::Concrete;
    explicit PfnPages(const StepCtx& c);
    bool valid(const D&, std::uint64_t pfn) const;                 // pfn_valid
    bool in_zone_of(const D&, std::uint64_t pfn, int node) const;  // page_zone() == node's
    bool reserved_page(const D&, std::uint64_t pfn) const;         // PageReserved
    bool counted(const D&, std::uint64_t pfn) const;               // page_count() > 0
    bool huge_page(const D&, std::uint64_t pfn) const;             // PageHuge

  private:
    const StepCtx& c_;
    const GiganticLayout& g_;
};

}  // namespace hugecheck::model::kernel
