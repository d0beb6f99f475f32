// Scenario files: the embedded ones load, and every kind of bad file is rejected with one
// line that names the file, the line and the field.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "model/scenario_catalog.hpp"
#include "test_support.hpp"

namespace hugecheck {
namespace {

constexpr const char* kGood = R"toml(nodes = 2
mem = [3, 2]
pool = [1, 0]
overcommit = 1
[[actor]]
name = "A"
home = 1
script = ["FAULT", "UNMAP", "RESIZE(4)", "OVERCOMMIT( 2 )"]
)toml";

TEST(Scenario, ParsesEveryField) {
    const model::Scenario sc = model::parse_scenario(kGood, "good.toml", "good");
    EXPECT_EQ(sc.name, "good");
    EXPECT_EQ(sc.nodes, 2u);
    EXPECT_EQ(sc.mem, (std::vector<std::uint64_t>{3, 2}));
    EXPECT_EQ(sc.pool, (std::vector<std::uint64_t>{1, 0}));
    EXPECT_EQ(sc.overcommit, 1u);
    ASSERT_EQ(sc.actors.size(), 1u);
    EXPECT_EQ(sc.actors[0].name, "A");
    EXPECT_EQ(sc.actors[0].home, 1u);
    ASSERT_EQ(sc.actors[0].script.size(), 4u);
    EXPECT_EQ(sc.actors[0].script[2].kind, model::OpKind::resize);
    EXPECT_EQ(sc.actors[0].script[2].value, 4u);
    EXPECT_EQ(model::format_operation(sc.actors[0].script[3]), "OVERCOMMIT(2)");
}

TEST(Scenario, EveryEmbeddedScenarioLoadsByName) {
    const std::vector<std::string> names = {
        "surplus-race",  "sysctl-race", "bench-small", "bench-medium",        "bench-large",
        "bench-xl",      "bench-2xl",   "bench-4xl",   "gigantic-interleave", "gigantic-contention",
        "gigantic-drift"};
    std::size_t rm_scenarios = 0;
    for (const model::EmbeddedScenario& e : model::embedded_scenarios())
        rm_scenarios += !e.name.starts_with("history/");
    ASSERT_EQ(rm_scenarios, names.size());
    for (const std::string& name : names) {
        const model::Scenario sc = model::load_scenario(name);
        EXPECT_EQ(sc.name, name);
        EXPECT_EQ(sc.source, "scenarios/" + name + ".toml");
        EXPECT_FALSE(sc.description.empty()) << name;
    }
    // RM §4: bench-2xl is bench-xl plus G(1): FAULT,UNMAP listed after D.
    const model::Scenario xl = model::load_scenario("bench-xl");
    const model::Scenario xxl = model::load_scenario("bench-2xl");
    ASSERT_EQ(xxl.actors.size(), xl.actors.size() + 1);
    EXPECT_EQ(xxl.actors[4].name, "G");
    EXPECT_EQ(xxl.actors[4].home, 1u);
    EXPECT_EQ(xxl.actors[3].name, "D");
}

TEST(Scenario, LoadsAFileByPath) {
    const std::string path = ::testing::TempDir() + "/my-scenario.toml";
    std::ofstream(path) << kGood;
    const model::Scenario sc = model::load_scenario(path);
    EXPECT_EQ(sc.name, "my-scenario");
    EXPECT_EQ(sc.source, path);
}

std::string error_of(const std::string& text) {
    try {
        model::parse_scenario(text, "bad.toml", "bad");
    } catch (const InputError& e) {
        return e.what();
    }
    return "(accepted)";
}

// kGood with one line replaced (1-based).
std::string with_line(int line, const std::string& replacement) {
    std::string out, row;
    std::istringstream in(kGood);
    for (int n = 1; std::getline(in, row); ++n)
        out += (n == line ? replacement : row) + "\n";
    return out;
}

TEST(ScenarioErrors, UnknownKey) {
    EXPECT_EQ(error_of(with_line(4, "overcommit = 1\nnodez = 2")),
              "bad.toml:5: field 'nodez': unknown key (known: description, nodes, mem, pool, "
              "overcommit, expect, actor, bug, gigantic, frames)");
    EXPECT_EQ(error_of(with_line(7, "home = 1\nhom = 0")),
              "bad.toml:8: field 'actor[0].hom': unknown key (known: name, home, policy, script)");
}

TEST(ScenarioErrors, WrongType) {
    EXPECT_EQ(error_of(with_line(1, "nodes = \"two\"")),
              "bad.toml:1: field 'nodes': expected a non-negative integer, got a string");
    EXPECT_EQ(error_of(with_line(2, "mem = 3")),
              "bad.toml:2: field 'mem': expected an array, got an integer");
    EXPECT_EQ(error_of(with_line(2, "mem = [3, 2.5]")),
              "bad.toml:2: field 'mem[1]': expected a non-negative integer, got a float");
    EXPECT_EQ(error_of(with_line(8, "script = \"FAULT\"")),
              "bad.toml:8: field 'actor[0].script': expected an array, got a string");
    EXPECT_EQ(error_of(with_line(6, "name = 7")),
              "bad.toml:6: field 'actor[0].name': expected a string, got an integer");
}

TEST(ScenarioErrors, NodeIndexOutOfRange) {
    EXPECT_EQ(error_of(with_line(7, "home = 2")),
              "bad.toml:7: field 'actor[0].home': node index 2 is out of range (nodes = 2, so "
              "0..1)");
}

TEST(ScenarioErrors, PoolLargerThanMem) {
    EXPECT_EQ(error_of(with_line(3, "pool = [1, 3]")),
              "bad.toml:3: field 'pool[1]': pool 3 is larger than mem[1] = 2");
}

TEST(ScenarioErrors, EmptyActorList) {
    EXPECT_EQ(error_of("nodes = 1\nmem = [1]\npool = [0]\novercommit = 0\nactor = []\n"),
              "bad.toml:5: field 'actor': the actor list is empty");
    EXPECT_EQ(error_of("nodes = 1\nmem = [1]\npool = [0]\novercommit = 0\n"),
              "bad.toml:1: field 'actor': missing");
}

TEST(ScenarioErrors, UnknownOperation) {
    EXPECT_EQ(error_of(with_line(8, "script = [\"FAULT\", \"SPLIT\"]")),
              "bad.toml:8: field 'actor[0].script[1]': unknown operation 'SPLIT' (known: FAULT, "
              "UNMAP, RESIZE(v), RESIZE_NODE(nid, v), OVERCOMMIT(v), MMAP(k), MUNMAP, "
              "DISSOLVE(nid), ALLOC, FREE)");
    EXPECT_EQ(error_of(with_line(8, "script = [\"RESIZE\"]")),
              "bad.toml:8: field 'actor[0].script[0]': RESIZE needs a value, as in RESIZE(2) "
              "(got 'RESIZE')");
    EXPECT_EQ(error_of(with_line(8, "script = [\"RESIZE(-1)\"]")),
              "bad.toml:8: field 'actor[0].script[0]': the arguments of RESIZE must be "
              "non-negative integers, as in RESIZE(2) (got 'RESIZE(-1)')");
    EXPECT_EQ(error_of(with_line(8, "script = [\"UNMAP(1)\"]")),
              "bad.toml:8: field 'actor[0].script[0]': UNMAP takes no argument (got 'UNMAP(1)')");
}

TEST(ScenarioErrors, CountsAndLimits) {
    EXPECT_EQ(error_of(with_line(1, "nodes = 0")), "bad.toml:1: field 'nodes': must be at least 1");
    EXPECT_EQ(error_of(with_line(1, "nodes = 9")),
              "bad.toml:1: field 'nodes': 9 is larger than the limit 8");
    EXPECT_EQ(error_of(with_line(4, "overcommit = -1")),
              "bad.toml:4: field 'overcommit': must not be negative (got -1)");
    EXPECT_EQ(error_of(with_line(2, "mem = [3]")),
              "bad.toml:2: field 'mem': has 1 entries but nodes = 2");
    EXPECT_EQ(error_of(with_line(2, "mem = [3, 1000000000]")),
              "bad.toml:2: field 'mem[1]': 1000000000 is larger than the limit 65536");
    EXPECT_EQ(error_of(with_line(8, "script = [\"RESIZE(99999999999)\"]")),
              "bad.toml:8: field 'actor[0].script[0]': 99999999999 is larger than the limit "
              "4294967296");
    EXPECT_EQ(error_of(with_line(8, "script = []")),
              "bad.toml:8: field 'actor[0].script': the script is empty");
}

TEST(ScenarioErrors, ActorNames) {
    EXPECT_EQ(
        error_of(std::string(kGood) + "[[actor]]\nname = \"A\"\nhome = 0\nscript = [\"FAULT\"]\n"),
        "bad.toml:10: field 'actor[1].name': duplicate actor name 'A'");
    EXPECT_EQ(error_of(with_line(6, "name = \"A B\"")),
              "bad.toml:6: field 'actor[0].name': 'A B' is not a valid actor name (1 to 16 "
              "characters, no spaces or punctuation)");
    EXPECT_EQ(error_of(with_line(7, "")), "bad.toml:5: field 'actor[0].home': missing");
}

TEST(ScenarioErrors, SecondFaultWhileOwningAPage) {
    EXPECT_EQ(error_of(with_line(8, "script = [\"FAULT\", \"RESIZE(1)\", \"FAULT\"]")),
              "bad.toml:8: field 'actor[0].script[2]': FAULT while the page of an earlier FAULT "
              "may still be owned; an actor holds at most one page (put UNMAP between them)");
}

TEST(ScenarioErrors, InvalidToml) {
    const std::string e = error_of(with_line(3, "pool = [1, 0"));
    EXPECT_EQ(e.rfind("bad.toml:", 0), 0u) << e;
    EXPECT_NE(e.find("not valid TOML"), std::string::npos) << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << "one line: " << e;
}

TEST(ScenarioErrors, UnknownNameAndMissingFile) {
    try {
        model::load_scenario("no-such-scenario");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("--scenario: unknown scenario 'no-such-scenario' "
                                              "(known: bench-2xl, ",
                                              0),
                  0u)
            << e.what();
    }
    try {
        model::load_scenario("/nonexistent/x.toml");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_STREQ(e.what(), "/nonexistent/x.toml: cannot read the scenario file");
    }
}

TEST(Scenario, ResizeNodeAndABugTable) {
    const model::Scenario sc = model::parse_scenario(R"toml(nodes = 2
mem = [1, 1]
pool = [0, 0]
overcommit = 0
[bug]
id = "B9"
title = "t"
fix = "f"
property = "P2"
present = ["seed", "v4.19"]
[[actor]]
name = "A"
home = 0
script = ["RESIZE_NODE(1, 3)"]
)toml",
                                                     "h.toml", "h");
    EXPECT_EQ(sc.actors[0].script[0].kind, model::OpKind::resize_node);
    EXPECT_EQ(sc.actors[0].script[0].node, 1u);
    EXPECT_EQ(sc.actors[0].script[0].value, 3u);
    EXPECT_EQ(model::format_operation(sc.actors[0].script[0]), "RESIZE_NODE(1, 3)");
    ASSERT_TRUE(sc.has_bug);
    EXPECT_EQ(sc.bug.present, (std::vector<std::string>{"seed", "v4.19"}));
}

TEST(ScenarioErrors, ResizeNodeArguments) {
    EXPECT_EQ(error_of(with_line(8, "script = [\"RESIZE_NODE(2, 1)\"]")),
              "bad.toml:8: field 'actor[0].script[0]': node index 2 is out of range (nodes = 2, "
              "so 0..1)");
    EXPECT_EQ(error_of(with_line(8, "script = [\"RESIZE_NODE(1)\"]")),
              "bad.toml:8: field 'actor[0].script[0]': RESIZE_NODE takes a node and a value, as "
              "in RESIZE_NODE(0, 2) (got 'RESIZE_NODE(1)')");
}

TEST(ScenarioErrors, BugTable) {
    const std::string head = std::string(kGood) + "[bug]\n";
    EXPECT_EQ(error_of(head + "id = \"B1\"\n"), "bad.toml:9: field 'bug.title': missing");
    EXPECT_EQ(error_of(head + "id = \"B1\"\ntitle = \"t\"\nfix = \"f\"\nproperty = \"P1\"\n"
                              "present = [\"v9\"]\n"),
              "bad.toml:14: field 'bug.present[0]': unknown variant 'v9' (known: v2.6.24, seed, "
              "seed-zone-check, v4.19, v5.4, v6.6, v6.18)");
    EXPECT_EQ(error_of(head + "id = \"B1\"\ntitle = \"t\"\nfix = \"f\"\nproperty = \"X\"\n"
                              "present = []\n"),
              "bad.toml:13: field 'bug.property': 'X' is not a property id such as P2");
    EXPECT_EQ(error_of(head + "colour = 1\n"),
              "bad.toml:10: field 'bug.colour': unknown key (known: id, title, fix, property, "
              "present, cve, notes, masked)");
    EXPECT_EQ(error_of(head + "id = \"B1\"\ntitle = \"t\"\nfix = \"f\"\nproperty = \"P1\"\n"
                              "present = [\"seed\"]\n[bug.masked]\nseed = \"K1\"\n"),
              "bad.toml:16: field 'bug.masked.seed': the bug is present on seed, so no other bug "
              "can mask it there");
    EXPECT_EQ(error_of(head + "id = \"B1\"\ntitle = \"t\"\nfix = \"f\"\nproperty = \"P1\"\n"
                              "present = []\n[bug.masked]\nv9 = \"K1\"\n"),
              "bad.toml:16: field 'bug.masked.v9': unknown variant 'v9' (known: v2.6.24, seed, "
              "seed-zone-check, v4.19, v5.4, v6.6, v6.18)");
}

TEST(Variant, UnknownVariantIsAnInputError) {
    try {
        model::HugetlbModel m(model::load_scenario("surplus-race"), "v9.9");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_STREQ(
            e.what(),
            "--variant: unknown variant 'v9.9' (known: v2.6.24, seed, seed-zone-check, v4.19, "
            "v5.4, v6.6, v6.18)");
    }
}

}  // namespace
}  // namespace hugecheck
