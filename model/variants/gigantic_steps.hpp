// The steps of the gigantic-page path (seed 000:183-272, 000:300-419), used by the seed
// and its patch variants, and the ordinary page allocator's ALLOC and FREE that compete
// with it for pfns. set_max_huge_pages' grow loop goes to G1 instead of R4 when the hstate
// is gigantic; G5 ends in R6, as R5b does. docs/gigantic.md walks through them.
#pragma once

#include "model/hugetlb_model.hpp"

namespace hugecheck::model::shared {

// G1: alloc_fresh_gigantic_page / alloc_gigantic_page, one zone->lock section: with no
// candidate, the next node of for_each_node_mask_to_alloc; then the scan `pfn =
// ALIGN(zone_start_pfn, nr_pages); while (zone_spans_last_pfn(z, pfn, nr_pages))` from
// the candidate on, until pfn_range_valid_gigantic accepts a range (unlock the zone: G2)
// or the zone ends: the next node (G1), or, with every allowed node tried, the allocation
// fails and set_max_huge_pages takes its lock again (R6f). G1_seed uses the seed's
// pfn_range_valid_gigantic, G1_same_zone the one with the 2016 same-zone check.
void G1_seed(StepCtx& c);
void G1_same_zone(StepCtx& c);
// G2: alloc_contig_range's start_isolate_page_range over [pfn_max_align_down(start),
// pfn_max_align_up(end)): each pageblock with memory becomes MIGRATE_ISOLATE, or -EBUSY
// when one already is (another alloc_contig_range) or has an unmovable page
// (has_unmovable_pages: reserved, in use, an ordinary allocation, pages being taken);
// -EBUSY: the zone lock again and pfn += nr_pages (G1).
void G2(StepCtx& c);
// G3: the rest of alloc_contig_range: nothing to migrate (huge pages are skipped), the
// outer_start search, test_pages_isolated(outer_start, end) — every pfn free, else -EBUSY
// (G1) — then isolate_freepages_range takes [start, end); undo_isolate_page_range.
void G3(StepCtx& c);
// G4: prep_compound_gigantic_page, then prep_new_huge_page(h, page, nid) under
// hugetlb_lock: nr++, nr_huge_pages_node[nid]++ for the node alloc_gigantic_page scanned.
void G4(StepCtx& c);
// G5: prep_new_huge_page's put_page: free_huge_page under hugetlb_lock, which reads
// page_to_nid(head); then set_max_huge_pages re-takes the lock (R6).
void G5(StepCtx& c);

// A1: ALLOC, alloc_pages(GFP_KERNEL, 0) under the zone lock: any free pfn of the first
// node in home-first order that has one, outside isolated pageblocks (the buddy
// allocator's choice among them is not modelled: every one is a successor). None: fails.
void A1(StepCtx& c);
// A2: FREE, __free_pages of the page A1 took (none: nothing to free).
void A2(StepCtx& c);

}  // namespace hugecheck::model::shared
