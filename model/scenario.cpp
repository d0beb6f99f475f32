#include "model/scenario.hpp"

#include "model/variant.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>
#include <span>
#include <sstream>

namespace hugecheck::model {

std::string_view op_name(OpKind kind) {
    switch (kind) {
        case OpKind::fault: return "FAULT";
        case OpKind::unmap: return "UNMAP";
        case OpKind::resize: return "RESIZE";
        case OpKind::overcommit: return "OVERCOMMIT";
        case OpKind::resize_node: return "RESIZE_NODE";
        case OpKind::alloc: return "ALLOC";
        case OpKind::free: return "FREE";
        case OpKind::mmap: return "MMAP";
        case OpKind::munmap: return "MUNMAP";
        case OpKind::dissolve: return "DISSOLVE";
    }
    return "?";
}

bool is_resize(OpKind kind) {
    return kind == OpKind::resize || kind == OpKind::resize_node;
}

std::string format_operation(const Operation& op) {
    std::string out(op_name(op.kind));
    if (op.kind == OpKind::resize || op.kind == OpKind::overcommit || op.kind == OpKind::mmap)
        out += "(" + std::to_string(op.value) + ")";
    if (op.kind == OpKind::dissolve) out += "(" + std::to_string(op.node) + ")";
    if (op.kind == OpKind::resize_node)
        out += "(" + std::to_string(op.node) + ", " + std::to_string(op.value) + ")";
    return out;
}

namespace {

std::string_view type_name(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::table: return "a table";
        case toml::node_type::array: return "an array";
        case toml::node_type::string: return "a string";
        case toml::node_type::integer: return "an integer";
        case toml::node_type::floating_point: return "a float";
        case toml::node_type::boolean: return "a boolean";
        case toml::node_type::date: return "a date";
        case toml::node_type::time: return "a time";
        case toml::node_type::date_time: return "a date-time";
        default: return "nothing";
    }
}

// Reads one scenario document, keeping file and line for every message.
class Reader {
  public:
    Reader(std::string_view source) : source_(source) {}

    [[noreturn]] void fail(const toml::source_region& where, const std::string& field,
                           const std::string& message) const {
        throw InputError(source_, where.begin.line, field, message);
    }

    std::uint64_t count(const toml::node& node, const std::string& field, std::uint64_t max) const {
        if (!node.is_integer())
            fail(node.source(), field,
                 "expected a non-negative integer, got " + std::string(type_name(node)));
        const std::int64_t v = node.as_integer()->get();
        if (v < 0)
            fail(node.source(), field, "must not be negative (got " + std::to_string(v) + ")");
        if (static_cast<std::uint64_t>(v) > max)
            fail(node.source(), field,
                 std::to_string(v) + " is larger than the limit " + std::to_string(max));
        return static_cast<std::uint64_t>(v);
    }

    std::string string(const toml::node& node, const std::string& field) const {
        if (!node.is_string())
            fail(node.source(), field, "expected a string, got " + std::string(type_name(node)));
        return node.as_string()->get();
    }

    const toml::array& array(const toml::node& node, const std::string& field) const {
        if (!node.is_array())
            fail(node.source(), field, "expected an array, got " + std::string(type_name(node)));
        return *node.as_array();
    }

    std::vector<std::uint64_t> counts(const toml::node& node, const std::string& field,
                                      std::uint64_t max) const {
        std::vector<std::uint64_t> out;
        const toml::array& arr = array(node, field);
        for (std::size_t i = 0; i < arr.size(); ++i)
            out.push_back(count(arr[i], field + "[" + std::to_string(i) + "]", max));
        return out;
    }

    // "FAULT", "UNMAP", "RESIZE(3)", "OVERCOMMIT(1)", "RESIZE_NODE(1, 3)".
    Operation operation(const toml::node& node, const std::string& field,
                        std::uint32_t nodes) const {
        static constexpr const char* kKnown =
            " (known: FAULT, UNMAP, RESIZE(v), RESIZE_NODE(nid, v), OVERCOMMIT(v), MMAP(k), "
            "MUNMAP, DISSOLVE(nid), ALLOC, FREE)";
        const std::string text = string(node, field);
        const std::string_view t = trim(text);
        const auto open = t.find('(');
        const std::string_view head = trim(t.substr(0, open));
        Operation op;
        std::size_t arity = 0;
        if (head == "FAULT")
            op.kind = OpKind::fault;
        else if (head == "UNMAP")
            op.kind = OpKind::unmap;
        else if (head == "RESIZE")
            op.kind = OpKind::resize, arity = 1;
        else if (head == "OVERCOMMIT")
            op.kind = OpKind::overcommit, arity = 1;
        else if (head == "RESIZE_NODE")
            op.kind = OpKind::resize_node, arity = 2;
        else if (head == "ALLOC")
            op.kind = OpKind::alloc;
        else if (head == "FREE")
            op.kind = OpKind::free;
        else if (head == "MMAP")
            op.kind = OpKind::mmap, arity = 1;
        else if (head == "MUNMAP")
            op.kind = OpKind::munmap;
        else if (head == "DISSOLVE")
            op.kind = OpKind::dissolve, arity = 1;
        else
            fail(node.source(), field, "unknown operation '" + text + "'" + kKnown);
        const std::string name(head);
        const bool node_arg = op.kind == OpKind::dissolve;  // DISSOLVE(nid)
        const std::string usage = arity == 2 ? name + "(0, 2)" : name + (node_arg ? "(0)" : "(2)");
        if (arity == 0) {
            if (open != std::string_view::npos)
                fail(node.source(), field, name + " takes no argument (got '" + text + "')");
            return op;
        }
        if (open == std::string_view::npos || t.back() != ')')
            fail(node.source(), field,
                 name + " needs " +
                     (arity == 2 ? "a node and a value"
                      : node_arg ? "a node"
                                 : "a value") +
                     ", as in " + usage + " (got '" + text + "')");
        std::vector<std::uint64_t> args;
        std::string_view rest = t.substr(open + 1, t.size() - open - 2);
        while (true) {
            const auto comma = rest.find(',');
            const std::string_view arg = trim(rest.substr(0, comma));
            std::uint64_t v = 0;
            const auto [end, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), v);
            if (arg.empty() || ec != std::errc{} || end != arg.data() + arg.size())
                fail(node.source(), field,
                     "the arguments of " + name + " must be non-negative integers, as in " + usage +
                         " (got '" + text + "')");
            args.push_back(v);
            if (comma == std::string_view::npos) break;
            rest = rest.substr(comma + 1);
        }
        if (args.size() != arity)
            fail(node.source(), field,
                 name + " takes " +
                     (arity == 2 ? "a node and a value"
                      : node_arg ? "one node"
                                 : "one value") +
                     ", as in " + usage + " (got '" + text + "')");
        if (args.back() > kMaxValue)
            fail(node.source(), field,
                 std::to_string(args.back()) + " is larger than the limit " +
                     std::to_string(kMaxValue));
        if (node_arg) {
            if (args[0] >= nodes)
                fail(node.source(), field,
                     "node index " + std::to_string(args[0]) + " is out of range (nodes = " +
                         std::to_string(nodes) + ", so 0.." + std::to_string(nodes - 1) + ")");
            op.node = static_cast<std::uint32_t>(args[0]);
            return op;
        }
        op.value = args.back();
        if (op.kind == OpKind::mmap && (op.value == 0 || op.value > kMaxReservation))
            fail(node.source(), field,
                 "MMAP(k) reserves 1 to " + std::to_string(kMaxReservation) + " pages (got '" +
                     text + "')");
        if (arity == 2) {
            if (args[0] >= nodes)
                fail(node.source(), field,
                     "node index " + std::to_string(args[0]) + " is out of range (nodes = " +
                         std::to_string(nodes) + ", so 0.." + std::to_string(nodes - 1) + ")");
            op.node = static_cast<std::uint32_t>(args[0]);
        }
        return op;
    }

    static std::string_view trim(std::string_view s) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
            s.remove_prefix(1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
            s.remove_suffix(1);
        return s;
    }

    const std::string& source() const { return source_; }

  private:
    std::string source_;
};

// Fields required at the top level, in the order they are reported when missing.
constexpr std::string_view kTopKeys[] = {"description", "nodes", "mem", "pool",     "overcommit",
                                         "expect",      "actor", "bug", "gigantic", "frames"};
constexpr std::string_view kGiganticKeys[] = {
    "order", "max_order", "pageblock_order", "memory", "reserved", "in_use", "pool"};
constexpr std::string_view kBugKeys[] = {"id",      "title", "fix",   "property",
                                         "present", "cve",   "notes", "masked"};
constexpr std::string_view kActorKeys[] = {"name", "home", "policy", "script"};

bool known(std::string_view key, std::span<const std::string_view> keys) {
    for (auto k : keys)
        if (k == key) return true;
    return false;
}

std::string key_list(std::span<const std::string_view> keys) {
    std::string out;
    for (auto k : keys)
        out += (out.empty() ? "" : ", ") + std::string(k);
    return out;
}

// The [gigantic] table: the hstate's orders and a concrete pfn layout. Sets sc.gigantic,
// and sc.pool / sc.mem per node (pool: the initial pages by page_to_nid of their head;
// mem: 0, the memory is the layout's).
void parse_gigantic(const Reader& r, const toml::node& node, Scenario& sc) {
    if (!node.is_table())
        r.fail(node.source(), "gigantic",
               "expected a [gigantic] table, got " + std::string(type_name(node)));
    const toml::table& t = *node.as_table();
    for (auto&& [key, value] : t)
        if (!known(key.str(), kGiganticKeys))
            r.fail(key.source(), "gigantic." + std::string(key.str()),
                   "unknown key (known: " + key_list(kGiganticKeys) + ")");
    auto field = [&](std::string_view key) -> const toml::node& {
        const toml::node* n = t.get(key);
        if (!n)
            throw InputError(r.source(), t.source().begin.line, "gigantic." + std::string(key),
                             "missing");
        return *n;
    };
    GiganticConfig& g = sc.gigantic;
    g.enabled = true;
    const toml::node& order = field("order");
    g.order = static_cast<std::uint32_t>(r.count(order, "gigantic.order", kMaxGiganticOrder));
    const toml::node& max_order = field("max_order");
    g.max_order = static_cast<std::uint32_t>(r.count(max_order, "gigantic.max_order", 64));
    if (g.max_order == 0) r.fail(max_order.source(), "gigantic.max_order", "must be at least 1");
    if (g.order < g.max_order)
        r.fail(order.source(), "gigantic.order",
               "order " + std::to_string(g.order) + " is below max_order " +
                   std::to_string(g.max_order) +
                   ": the hstate is not gigantic (hstate_is_gigantic: order >= MAX_ORDER)");
    const toml::node& pageblock = field("pageblock_order");
    g.pageblock_order =
        static_cast<std::uint32_t>(r.count(pageblock, "gigantic.pageblock_order", 64));
    if (g.pageblock_order >= g.max_order)
        r.fail(pageblock.source(), "gigantic.pageblock_order",
               "pageblock_order " + std::to_string(g.pageblock_order) +
                   " must be below max_order " + std::to_string(g.max_order));

    // memory = [[node, start, end], ...]: [start, end) is memory of the node.
    const toml::node& memory = field("memory");
    const toml::array& ranges = r.array(memory, "gigantic.memory");
    if (ranges.empty()) r.fail(memory.source(), "gigantic.memory", "no memory ranges");
    for (std::size_t i = 0; i < ranges.size(); ++i) {
        const std::string f = "gigantic.memory[" + std::to_string(i) + "]";
        const std::vector<std::uint64_t> v = r.counts(ranges[i], f, kMaxGiganticPfns);
        if (v.size() != 3) r.fail(ranges[i].source(), f, "expected [node, start_pfn, end_pfn]");
        if (v[0] >= sc.nodes)
            r.fail(ranges[i].source(), f,
                   "node index " + std::to_string(v[0]) +
                       " is out of range (nodes = " + std::to_string(sc.nodes) + ")");
        if (v[1] >= v[2])
            r.fail(
                ranges[i].source(), f,
                "the range [" + std::to_string(v[1]) + ", " + std::to_string(v[2]) + ") is empty");
        for (const MemoryRange& other : g.memory)
            if (v[1] < other.end && other.start < v[2])
                r.fail(ranges[i].source(), f,
                       "overlaps [" + std::to_string(other.start) + ", " +
                           std::to_string(other.end) + ") of node " + std::to_string(other.node));
        g.memory.push_back({static_cast<std::uint32_t>(v[0]), v[1], v[2]});
        g.pfn_end = std::max(g.pfn_end, v[2]);
    }
    auto node_of = [&](std::uint64_t pfn) -> int {
        for (const MemoryRange& m : g.memory)
            if (m.start <= pfn && pfn < m.end) return static_cast<int>(m.node);
        return -1;
    };

    // reserved, in_use: pfns of memory, each listed once.
    std::set<std::uint64_t> claimed;
    auto pfn_list = [&](std::string_view key, std::vector<std::uint64_t>& out) {
        const toml::node* n = t.get(key);
        if (!n) return;
        const std::string f = "gigantic." + std::string(key);
        const toml::array& arr = r.array(*n, f);
        for (std::size_t i = 0; i < arr.size(); ++i) {
            const std::string fi = f + "[" + std::to_string(i) + "]";
            const std::uint64_t pfn = r.count(arr[i], fi, kMaxGiganticPfns);
            if (node_of(pfn) < 0)
                r.fail(arr[i].source(), fi, "pfn " + std::to_string(pfn) + " is not memory");
            if (!claimed.insert(pfn).second)
                r.fail(arr[i].source(), fi,
                       "pfn " + std::to_string(pfn) + " is listed twice in reserved/in_use");
            out.push_back(pfn);
        }
    };
    pfn_list("reserved", g.reserved);
    pfn_list("in_use", g.in_use);

    // pool: heads of free gigantic pages, as boot-time allocation leaves them: aligned, of
    // one node's memory, free.
    sc.mem.assign(sc.nodes, 0);
    sc.pool.assign(sc.nodes, 0);
    const std::uint64_t nr_pages = std::uint64_t{1} << g.order;
    if (const toml::node* n = t.get("pool")) {
        const toml::array& arr = r.array(*n, "gigantic.pool");
        for (std::size_t i = 0; i < arr.size(); ++i) {
            const std::string fi = "gigantic.pool[" + std::to_string(i) + "]";
            const std::uint64_t head = r.count(arr[i], fi, kMaxGiganticPfns);
            if (head % nr_pages != 0)
                r.fail(arr[i].source(), fi,
                       "head pfn " + std::to_string(head) + " is not aligned to nr_pages " +
                           std::to_string(nr_pages));
            const int nid = node_of(head);
            for (std::uint64_t p = head; p < head + nr_pages; ++p) {
                if (node_of(p) != nid || nid < 0)
                    r.fail(arr[i].source(), fi,
                           "the page [" + std::to_string(head) + ", " +
                               std::to_string(head + nr_pages) +
                               ") is not memory of one node (pfn " + std::to_string(p) + ")");
                if (!claimed.insert(p).second)
                    r.fail(arr[i].source(), fi,
                           "pfn " + std::to_string(p) +
                               " is reserved, in use or in another pool page");
            }
            g.pool.push_back(head);
            ++sc.pool[static_cast<std::size_t>(nid)];
        }
    }
}

}  // namespace

Scenario parse_scenario(std::string_view text, std::string_view source, std::string name) {
    Reader r(source);
    toml::table doc;
    try {
        doc = toml::parse(text, source);
    } catch (const toml::parse_error& e) {
        r.fail(e.source(), "", "not valid TOML: " + std::string(e.description()));
    }
    const toml::source_region top = doc.source();

    Scenario sc;
    sc.name = std::move(name);
    sc.source = std::string(source);
    sc.text = std::string(text);

    for (auto&& [key, node] : doc)
        if (!known(key.str(), kTopKeys))
            r.fail(key.source(), std::string(key.str()),
                   "unknown key (known: " + key_list(kTopKeys) + ")");

    auto required = [&](std::string_view key) -> const toml::node& {
        const toml::node* node = doc.get(key);
        if (!node) throw InputError(r.source(), top.begin.line, std::string(key), "missing");
        return *node;
    };

    const toml::node& nodes = required("nodes");
    sc.nodes = static_cast<std::uint32_t>(r.count(nodes, "nodes", kMaxNodes));
    if (sc.nodes == 0) r.fail(nodes.source(), "nodes", "must be at least 1");

    if (const toml::node* g = doc.get("gigantic")) {
        for (std::string_view key : {"mem", "pool"})
            if (const toml::node* n = doc.get(key))
                r.fail(n->source(), std::string(key),
                       "not used in a gigantic scenario: its memory and pool are in [gigantic]");
        parse_gigantic(r, *g, sc);
    } else if (const toml::node* f = doc.get("frames"); f && f->is_array()) {
        // frames = [0, 0, 1]: one frame per entry, on that node; mem follows from them.
        if (const toml::node* n = doc.get("mem"))
            r.fail(n->source(), "mem", "not used with a frames list: the frames are the memory");
        const std::vector<std::uint64_t> homes = r.counts(*f, "frames", kMaxNodes);
        if (homes.empty()) r.fail(f->source(), "frames", "the frames list is empty");
        sc.mem.assign(sc.nodes, 0);
        for (std::size_t i = 0; i < homes.size(); ++i) {
            if (homes[i] >= sc.nodes)
                r.fail((*f->as_array())[i].source(), "frames[" + std::to_string(i) + "]",
                       "node index " + std::to_string(homes[i]) +
                           " is out of range (nodes = " + std::to_string(sc.nodes) + ")");
            ++sc.mem[homes[i]];
        }
        sc.frames = true;
    } else {
        const toml::node& mem = required("mem");
        sc.mem = r.counts(mem, "mem", kMaxPagesPerNode);
        if (sc.mem.size() != sc.nodes)
            r.fail(mem.source(), "mem",
                   "has " + std::to_string(sc.mem.size()) +
                       " entries but nodes = " + std::to_string(sc.nodes));
        if (const toml::node* f = doc.get("frames")) {
            if (!f->is_boolean())
                r.fail(f->source(), "frames",
                       "expected true, false or a list of the frames' nodes, got " +
                           std::string(type_name(*f)));
            sc.frames = f->as_boolean()->get();
        }
    }
    if (const toml::node* f = doc.get("frames")) {
        if (sc.gigantic.enabled)
            r.fail(f->source(), "frames",
                   "not used in a gigantic scenario: its pfns already have identity");
        std::uint64_t total = 0;
        for (std::uint64_t m : sc.mem)
            total += m;
        if (sc.frames && total > kMaxFrames)
            r.fail(f->source(), "frames",
                   std::to_string(total) + " frames is more than the limit " +
                       std::to_string(kMaxFrames));
    }
    if (!sc.gigantic.enabled) {
        const toml::node& pool = required("pool");
        sc.pool = r.counts(pool, "pool", kMaxPagesPerNode);
        if (sc.pool.size() != sc.nodes)
            r.fail(pool.source(), "pool",
                   "has " + std::to_string(sc.pool.size()) +
                       " entries but nodes = " + std::to_string(sc.nodes));
        for (std::uint32_t n = 0; n < sc.nodes; ++n)
            if (sc.pool[n] > sc.mem[n])
                r.fail((*pool.as_array())[n].source(), "pool[" + std::to_string(n) + "]",
                       "pool " + std::to_string(sc.pool[n]) + " is larger than mem[" +
                           std::to_string(n) + "] = " + std::to_string(sc.mem[n]));
    }

    sc.overcommit = r.count(required("overcommit"), "overcommit", kMaxValue);

    if (const toml::node* d = doc.get("description")) sc.description = r.string(*d, "description");
    if (const toml::node* e = doc.get("expect")) {
        const toml::array& arr = r.array(*e, "expect");
        for (std::size_t i = 0; i < arr.size(); ++i)
            sc.expect.push_back(r.string(arr[i], "expect[" + std::to_string(i) + "]"));
    }

    if (const toml::node* b = doc.get("bug")) {
        if (!b->is_table())
            r.fail(b->source(), "bug", "expected a [bug] table, got " + std::string(type_name(*b)));
        const toml::table& t = *b->as_table();
        for (auto&& [key, node] : t)
            if (!known(key.str(), kBugKeys))
                r.fail(key.source(), "bug." + std::string(key.str()),
                       "unknown key (known: " + key_list(kBugKeys) + ")");
        auto field = [&](std::string_view key, bool needed) -> const toml::node* {
            const toml::node* node = t.get(key);
            if (!node && needed)
                throw InputError(r.source(), t.source().begin.line, "bug." + std::string(key),
                                 "missing");
            return node;
        };
        BugInfo& bug = sc.bug;
        bug.id = r.string(*field("id", true), "bug.id");
        bug.title = r.string(*field("title", true), "bug.title");
        bug.fix = r.string(*field("fix", true), "bug.fix");
        const toml::node& prop = *field("property", true);
        bug.property = r.string(prop, "bug.property");
        if (bug.property.size() < 2 || bug.property[0] != 'P' ||
            bug.property.find_first_not_of("0123456789", 1) != std::string::npos)
            r.fail(prop.source(), "bug.property",
                   "'" + bug.property + "' is not a property id such as P2");
        std::string variant_names;
        for (const Variant* v : all_variants())
            variant_names += (variant_names.empty() ? "" : ", ") + v->name();
        const auto check_variant = [&](const toml::source_region& where, const std::string& f,
                                       const std::string& name) {
            if (std::none_of(all_variants().begin(), all_variants().end(),
                             [&](const Variant* v) { return v->name() == name; }))
                r.fail(where, f, "unknown variant '" + name + "' (known: " + variant_names + ")");
        };
        const toml::array& present = r.array(*field("present", true), "bug.present");
        for (std::size_t i = 0; i < present.size(); ++i) {
            const std::string f = "bug.present[" + std::to_string(i) + "]";
            std::string name = r.string(present[i], f);
            check_variant(present[i].source(), f, name);
            bug.present.push_back(std::move(name));
        }
        // [bug.masked] variant = "K1": the scenario breaks the property on that variant, but
        // through another bug (K1), whether or not the variant also has this one.
        if (const toml::node* m = field("masked", false)) {
            if (!m->is_table())
                r.fail(
                    m->source(), "bug.masked",
                    "expected a table of variant = \"bug id\", got " + std::string(type_name(*m)));
            for (auto&& [key, node] : *m->as_table()) {
                const std::string name(key.str());
                const std::string f = "bug.masked." + name;
                check_variant(key.source(), f, name);
                if (std::find(bug.present.begin(), bug.present.end(), name) != bug.present.end())
                    r.fail(key.source(), f,
                           "the bug is present on " + name + ", so no other bug can mask it there");
                std::string by = r.string(node, f);
                if (by.empty()) r.fail(node.source(), f, "expected the id of the masking bug");
                bug.masked.emplace_back(name, std::move(by));
            }
        }
        if (const toml::node* c = field("cve", false)) bug.cve = r.string(*c, "bug.cve");
        if (const toml::node* n = field("notes", false)) bug.notes = r.string(*n, "bug.notes");
        sc.has_bug = true;
    }

    // [[actor]] tables, in order: the order is the actor order of the RM.
    const toml::node& actors_node = required("actor");
    if (actors_node.is_array() && actors_node.as_array()->empty())
        r.fail(actors_node.source(), "actor", "the actor list is empty");
    if (!actors_node.is_array_of_tables())
        r.fail(actors_node.source(), "actor",
               "expected [[actor]] tables, got " + std::string(type_name(actors_node)));
    const toml::array& actors = *actors_node.as_array();
    if (actors.size() > kMaxActors)
        r.fail(actors_node.source(), "actor",
               std::to_string(actors.size()) + " actors is more than the limit " +
                   std::to_string(kMaxActors));

    std::set<std::string> names;
    for (std::size_t i = 0; i < actors.size(); ++i) {
        const toml::table& t = *actors[i].as_table();
        const std::string where = "actor[" + std::to_string(i) + "]";
        for (auto&& [key, node] : t)
            if (!known(key.str(), kActorKeys))
                r.fail(key.source(), where + "." + std::string(key.str()),
                       "unknown key (known: " + key_list(kActorKeys) + ")");
        auto field = [&](std::string_view key) -> const toml::node& {
            const toml::node* node = t.get(key);
            if (!node)
                throw InputError(r.source(), t.source().begin.line, where + "." + std::string(key),
                                 "missing");
            return *node;
        };
        Actor a;
        const toml::node& name_node = field("name");
        a.name = r.string(name_node, where + ".name");
        if (a.name.empty() || a.name.size() > 16 ||
            a.name.find_first_of(" \t\n.,;:=()[]") != std::string::npos)
            r.fail(name_node.source(), where + ".name",
                   "'" + a.name +
                       "' is not a valid actor name (1 to 16 characters, no spaces "
                       "or punctuation)");
        if (!names.insert(a.name).second)
            r.fail(name_node.source(), where + ".name", "duplicate actor name '" + a.name + "'");

        const toml::node& home = field("home");
        const std::uint64_t h = r.count(home, where + ".home", ~std::uint64_t{0} >> 1);
        if (h >= sc.nodes)
            r.fail(home.source(), where + ".home",
                   "node index " + std::to_string(h) + " is out of range (nodes = " +
                       std::to_string(sc.nodes) + ", so 0.." + std::to_string(sc.nodes - 1) + ")");
        a.home = static_cast<std::uint32_t>(h);
        if (const toml::node* p = t.get("policy")) {
            const std::string policy = r.string(*p, where + ".policy");
            if (policy == "bind")
                a.bind = true;
            else if (policy != "default")
                r.fail(p->source(), where + ".policy",
                       "unknown policy '" + policy +
                           "' (known: default, bind: MPOL_BIND to the home node)");
        }

        const toml::node& script_node = field("script");
        const toml::array& script = r.array(script_node, where + ".script");
        if (script.empty()) r.fail(script_node.source(), where + ".script", "the script is empty");
        if (script.size() > kMaxScriptLength)
            r.fail(script_node.source(), where + ".script",
                   std::to_string(script.size()) + " operations is more than the limit " +
                       std::to_string(kMaxScriptLength));
        bool may_own = false;   // can the actor hold a page when this op starts?
        bool may_hold = false;  // ... an ordinary page of ALLOC?
        bool mapped = false;    // has an MMAP without its MUNMAP yet?
        for (std::size_t k = 0; k < script.size(); ++k) {
            const std::string f = where + ".script[" + std::to_string(k) + "]";
            Operation op = r.operation(script[k], f, sc.nodes);
            // The RM gives an actor at most one page (`owned`); a second FAULT while the
            // first page may still be held would overwrite it and report a lost page that
            // is an artefact of the model, not of the kernel.
            if (op.kind == OpKind::fault && may_own)
                r.fail(script[k].source(), f,
                       "FAULT while the page of an earlier FAULT may still be owned; an actor "
                       "holds at most one page (put UNMAP between them)");
            if (op.kind == OpKind::fault) may_own = true;
            if (op.kind == OpKind::unmap) may_own = false;
            if ((op.kind == OpKind::alloc || op.kind == OpKind::free) && !sc.gigantic.enabled)
                r.fail(script[k].source(), f,
                       std::string(op_name(op.kind)) +
                           " needs a pfn layout: it is an operation of gigantic scenarios "
                           "([gigantic])");
            if (op.kind == OpKind::alloc && may_hold)
                r.fail(script[k].source(), f,
                       "ALLOC while the page of an earlier ALLOC may still be held; an actor "
                       "holds at most one ordinary page (put FREE between them)");
            if (op.kind == OpKind::mmap && mapped)
                r.fail(script[k].source(), f,
                       "MMAP while the mapping of an earlier MMAP is still there; an actor has "
                       "at most one mapping (put MUNMAP between them)");
            if (op.kind == OpKind::munmap && !mapped)
                r.fail(script[k].source(), f, "MUNMAP without an MMAP before it");
            if ((op.kind == OpKind::mmap || op.kind == OpKind::munmap ||
                 op.kind == OpKind::dissolve) &&
                sc.gigantic.enabled)
                r.fail(script[k].source(), f,
                       std::string(op_name(op.kind)) +
                           " is not modelled for a gigantic hstate (gather_surplus_pages cannot "
                           "allocate gigantic pages)");
            if (op.kind == OpKind::mmap) mapped = true;
            if (op.kind == OpKind::munmap) mapped = false;
            if (op.kind == OpKind::alloc) may_hold = true;
            if (op.kind == OpKind::free) may_hold = false;
            a.script.push_back(op);
        }
        sc.actors.push_back(std::move(a));
    }
    return sc;
}

void enable_frames(Scenario& sc) {
    if (sc.gigantic.enabled)
        throw InputError("--frames", 0, "",
                         sc.source + " is a gigantic scenario: its pfns already have identity");
    std::uint64_t total = 0;
    for (std::uint64_t m : sc.mem)
        total += m;
    if (total > kMaxFrames)
        throw InputError("--frames", 0, "",
                         sc.source + " has " + std::to_string(total) +
                             " huge-page blocks, more than the limit of " +
                             std::to_string(kMaxFrames) + " frames");
    if (!sc.frames) {
        sc.frames = true;
        // The recorded text (trace files replay from it) says so too: a top-level key
        // before any table.
        sc.text = "frames = true  # --frames\n" + sc.text;
    }
}

Scenario load_scenario_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path.string(), 0, "", "cannot read the scenario file");
    std::ostringstream text;
    text << in.rdbuf();
    return parse_scenario(text.str(), path.string(), path.stem().string());
}

}  // namespace hugecheck::model
