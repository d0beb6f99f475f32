// A scenario: the constants of one RM instance (nodes, memory, the initial pool, the
// overcommit limit) and the actors with their scripts. See docs/scenario-format.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/input_error.hpp"

namespace hugecheck::model {

enum class OpKind : std::uint8_t {
    fault,        // FAULT: alloc_huge_page() without a reservation
    unmap,        // UNMAP: the last reference of the owned page goes, free_huge_page()
    resize,       // RESIZE(v): write v to /proc/sys/vm/nr_hugepages
    overcommit,   // OVERCOMMIT(v): write v to /proc/sys/vm/nr_overcommit_hugepages
    resize_node,  // RESIZE_NODE(nid, v): write v to .../node<nid>/hugepages/.../nr_hugepages
    alloc,        // ALLOC: alloc_pages(GFP_KERNEL, 0), an ordinary page (gigantic scenarios)
    free,         // FREE: __free_pages of that page
    // Reservations (docs/reservations.md): MMAP(k) reserves k huge pages for a shared
    // mapping (hugetlb_reserve_pages -> hugetlb_acct_memory -> gather_surplus_pages); a
    // FAULT of an actor with outstanding reservations consumes one; MUNMAP gives the
    // unused ones back (hugetlb_unreserve_pages -> return_unused_surplus_pages).
    mmap,
    munmap,
    dissolve,  // DISSOLVE(nid): memory offline dissolves a free huge page of node nid
};
inline constexpr unsigned kOpKinds = 10;

std::string_view op_name(OpKind kind);

struct Operation {
    OpKind kind = OpKind::fault;
    std::uint64_t value = 0;  // v of RESIZE(v) / OVERCOMMIT(v) / RESIZE_NODE(nid, v), k of MMAP(k)
    std::uint32_t node = 0;   // nid of RESIZE_NODE(nid, v) and DISSOLVE(nid)
};

// "RESIZE(2)", "FAULT", "RESIZE_NODE(1, 2)"
std::string format_operation(const Operation& op);
bool is_resize(OpKind kind);  // RESIZE or RESIZE_NODE: set_max_huge_pages

struct Actor {
    std::string name;
    std::uint32_t home = 0;  // home node: first in home-first order
    // policy = "bind": the task runs under MPOL_BIND to its home node (numactl --membind),
    // so its faults dequeue and allocate huge pages on that node only; reservations stay
    // global (hugetlb_acct_memory does not look at the mempolicy).
    bool bind = false;
    std::vector<Operation> script;
};

// Limits that keep a scenario inside what the packed state can represent and what an
// explicit-state search can hope to finish; each is checked with a clear message.
inline constexpr std::uint32_t kMaxNodes = 8;  // RM: N in 1..8
inline constexpr std::uint32_t kMaxActors = 32;
inline constexpr std::uint32_t kMaxScriptLength = 64;
inline constexpr std::uint64_t kMaxPagesPerNode = 1u << 16;
inline constexpr std::uint64_t kMaxValue = std::uint64_t{1} << 32;  // RESIZE/OVERCOMMIT argument
// Frames are slots of the state and are sorted per node after every step.
inline constexpr std::uint64_t kMaxFrames = 24;
inline constexpr std::uint64_t kMaxReservation = 64;  // k of MMAP(k)

// Limits of a gigantic scenario's pfn layout: every pfn is a slot of the state.
inline constexpr std::uint64_t kMaxGiganticPfns = 64;
inline constexpr std::uint32_t kMaxGiganticOrder = 6;  // nr_pages = 1 << order <= 64

// [start, end) in pfns, memory of one node.
struct MemoryRange {
    std::uint32_t node = 0;
    std::uint64_t start = 0, end = 0;
};

// A gigantic hstate on a small concrete pfn layout (the [gigantic] table): the pages the
// pool holds are gigantic, allocated by alloc_gigantic_page's scan and alloc_contig_range
// (docs/gigantic.md). Each node has one zone, spanning its memory ranges; the ranges of
// different nodes may interleave.
struct GiganticConfig {
    bool enabled = false;
    std::uint32_t order = 0;            // huge_page_order(h): nr_pages = 1 << order
    std::uint32_t max_order = 0;        // MAX_ORDER (hstate_is_gigantic: order >= MAX_ORDER)
    std::uint32_t pageblock_order = 0;  // pageblock_order, < MAX_ORDER
    std::vector<MemoryRange> memory;
    std::vector<std::uint64_t> reserved;  // PageReserved pfns
    std::vector<std::uint64_t> in_use;    // pfns some kernel user holds (page_count > 0)
    std::vector<std::uint64_t> pool;      // head pfns of the initial free pages, enqueue order
    std::uint64_t pfn_end = 0;            // one past the highest pfn of memory
};

// A scenario of scenarios/history/: the historical bug it shows (docs/history.md).
struct BugInfo {
    std::string id;        // "B8"
    std::string title;     // one line
    std::string fix;       // the fixing commit: "17743798d812 mm/hugetlb: fix a race ..."
    std::string property;  // the property that shows it: "P5"
    std::vector<std::string> present;  // the variants whose code has the bug
    // [bug.masked]: variants whose code lacks this bug's code path but has another known
    // bug (by id) that breaks the same property in this scenario: variant -> bug id.
    std::vector<std::pair<std::string, std::string>> masked;
    std::string cve;    // optional
    std::string notes;  // optional: why the scenario is built this way
};

struct Scenario {
    std::string name;         // file stem, e.g. "surplus-race"
    std::string source;       // where it came from, for messages ("scenarios/x.toml")
    std::string description;  // optional free text
    std::uint32_t nodes = 1;
    // huge-page-sized blocks node n owns in total (0 in a gigantic scenario: its memory is
    // `gigantic.memory`)
    std::vector<std::uint64_t> mem;
    std::vector<std::uint64_t> pool;  // persistent free huge pages on node n at start
    GiganticConfig gigantic;          // enabled: the hstate is gigantic
    std::uint64_t overcommit = 0;     // nr_overcommit_huge_pages at start
    std::vector<Actor> actors;
    // Pages with identity (docs/frames.md): every huge-page-sized block of mem[n] is a frame
    // of node n whose state the model tracks (in buddy, on a free list, in use by an actor,
    // ...), besides the counters. Off, the model is the counter-only RM.
    bool frames = false;
    // Properties this scenario is documented to violate on the seed model (informative;
    // the tests hold the documented verdicts against the checker's).
    std::vector<std::string> expect;
    bool has_bug = false;  // a history scenario, with a [bug] table
    BugInfo bug;
    std::string text;  // the file content as read (for the content hash of traces)
};

// Parses and validates scenario TOML. `source` names the file in every message.
// Throws InputError (file, line, field) on the first problem.
Scenario parse_scenario(std::string_view text, std::string_view source, std::string name);

// Turns on pages with identity for a scenario read without them (`--frames`): every block
// of mem[n] becomes a frame of node n. Throws InputError for a gigantic scenario or more
// than kMaxFrames blocks.
void enable_frames(Scenario& sc);

// Reads a scenario file from disk; its name is the file's stem.
Scenario load_scenario_file(const std::filesystem::path& path);

}  // namespace hugecheck::model
