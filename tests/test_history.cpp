// The fix matrix against kernel history: every (bug, variant) cell is a test that the bug
// shows exactly on the variants whose code has it (the scenario's bug.present). Also the
// whole matrix as text, and docs/variants.md against the step tables in the code.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "cli/matrix.hpp"
#include "cli/step_tables.hpp"
#include "model/hugetlb_model.hpp"
#include "model/variant.hpp"

namespace hugecheck {
namespace {

const cli::Matrix& matrix() {
    static const cli::Matrix m =
        cli::compute_matrix(cli::history_scenarios(), model::all_variants(), explorer::Options{});
    return m;
}

struct CellId {
    std::size_t row, column;
};

std::vector<CellId> all_cells() {
    std::vector<CellId> out;
    const std::size_t rows = cli::history_scenarios().size();
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < model::all_variants().size(); ++c)
            out.push_back({r, c});
    return out;
}

class HistoryCell : public ::testing::TestWithParam<CellId> {};

TEST_P(HistoryCell, AgreesWithKernelHistory) {
    const cli::MatrixRow& row = matrix().rows[GetParam().row];
    const cli::MatrixCell& cell = row.cells[GetParam().column];
    if (!cell.modelled) {  // e.g. a gigantic scenario on a variant without the gigantic path
        EXPECT_FALSE(model::HugetlbModel::missing_features(
                         row.scenario, *model::all_variants()[GetParam().column])
                         .empty());
        EXPECT_FALSE(cell.expected) << "history says " << cell.variant << " has "
                                    << row.scenario.bug.id << ", which it does not model";
        return;
    }
    EXPECT_EQ(cell.status == explorer::Status::complete || cell.violated, true) << cell.text();
    if (!cell.masked_by.empty()) {
        // The violation is another bug's: that bug has its own row, which says the variant
        // has it.
        EXPECT_TRUE(cell.violated) << row.scenario.bug.id << " on " << cell.variant
                                   << ": masked by " << cell.masked_by << ", yet " << cell.text();
        bool masking_bug_present = false;
        for (const cli::MatrixRow& other : matrix().rows)
            if (other.scenario.bug.id == cell.masked_by)
                for (const std::string& v : other.scenario.bug.present)
                    masking_bug_present = masking_bug_present || v == cell.variant;
        EXPECT_TRUE(masking_bug_present)
            << cell.masked_by << " has no history row that lists " << cell.variant;
        return;
    }
    EXPECT_EQ(cell.violated, cell.expected)
        << row.scenario.bug.id << " on " << cell.variant << ": " << cell.text() << ", but "
        << (cell.expected ? "the code has the bug" : "the code does not have the bug");
}

std::string cell_name(const ::testing::TestParamInfo<CellId>& info) {
    const auto scenarios = cli::history_scenarios();
    std::string name =
        scenarios[info.param.row].bug.id + "_" + model::all_variants()[info.param.column]->name();
    for (char& ch : name)
        if (ch == '.' || ch == '-') ch = '_';
    return name;
}

INSTANTIATE_TEST_SUITE_P(Matrix, HistoryCell, ::testing::ValuesIn(all_cells()), cell_name);

TEST(History, EveryIssueBugHasAScenario) {
    std::vector<std::string> ids;
    for (const model::Scenario& s : cli::history_scenarios())
        ids.push_back(s.bug.id);
    EXPECT_EQ(ids, (std::vector<std::string>{"B1", "B3", "B5", "B7", "B8", "B9", "B12", "B13",
                                             "B14", "B15", "K1", "K2", "K3", "HC1"}));
}

// The whole matrix, so that a change of any shortest length or state count shows.
TEST(History, MatrixText) {
    const std::string text = cli::matrix_table(matrix());
    const std::string table = text.substr(0, text.find("\n\n") + 1);
    EXPECT_EQ(
        table,
        "bug  property  v2.6.24    seed           seed-zone-check  "
        "v4.19      v5.4       v6.6       v6.18      "
        "title\n"
        "B1   P1        P1 (2)     P1 (2)         P1 (2)           "
        "holds 65   holds 43   holds 57   holds 38   "
        "surplus conversion race: alloc_buddy_huge_page bumps the global counters first\n"
        "B3   P12       P12 (11)   holds 74       holds 74         "
        "holds 84   holds 84   holds 93   holds 83   "
        "gather_surplus_pages drops the lock before hugetlb_acct_memory commits the reservation\n"
        "B5   P12       holds 70   P12 (12)       P12 (12)         "
        "holds 147  holds 150  holds 162  holds 133  "
        "return_unused_surplus_pages uncommits the reservation before freeing across "
        "cond_resched_lock\n"
        "B7   P13       holds 6    P13 (5) by K1  P13 (5) by K1    "
        "P13 (9)    holds 16   holds 14   holds 12   "
        "alloc_huge_page decrements resv_huge_pages without hugetlb_lock after a surplus page\n"
        "B8   P5        holds 361  P5 (3)         P5 (3)           "
        "P5 (3)     holds 74   holds 26   holds 24   "
        "hugetlb_sysctl_handler shares ctl_table.data between writers\n"
        "B9   P2        —          P2 (7)         P2 (7)           "
        "P2 (7)     holds 22   holds 18   holds 18   "
        "the per-node write computes count += nr - nr_node[nid] from two unlocked reads\n"
        "B12  P6        holds 11   holds 11       holds 11         "
        "P6 (8)     holds 14   holds 15   holds 13   "
        "alloc_surplus_huge_page calls put_page under hugetlb_lock: self-deadlock\n"
        "B13  P2        holds 28   holds 28       holds 28         "
        "P2 (8)     P2 (6)     P2 (7)     holds 15   "
        "nr_huge_pages and surplus_huge_pages incremented in different lock sections\n"
        "B14  P11       —          P11 (3)        P11 (3)          "
        "P11 (3)    holds 11   holds 15   holds 15   "
        "dissolve_free_huge_page dissolves a page whose free_huge_page has not run yet\n"
        "B15  P10       —          P10 (7)        holds 12         "
        "—          —          —          —          "
        "pfn_range_valid_gigantic does not check that the range is in one zone\n"
        "K1   P13       holds 3    P13 (5)        P13 (5)          "
        "holds 9    holds 8    holds 7    holds 6    "
        "alloc_huge_page does not decrement resv_huge_pages when a reserved fault gets a surplus "
        "page\n"
        "K2   P12       —          P12 (2)        P12 (2)          "
        "holds 8    holds 8    holds 13   holds 13   "
        "dissolve_free_huge_page dissolves a free page that a reservation needs\n"
        "K3   P6        P6 (4)     holds 20       holds 20         "
        "holds 23   holds 23   holds 23   holds 20   "
        "return_unused_surplus_pages spins under hugetlb_lock while no node has a free surplus "
        "page\n"
        "HC1  P2        holds 128  holds 128      holds 128        "
        "holds 269  P2 (7)     P2 (8)     P2 (11)    "
        "a temporary surplus folio stays counted in nr_huge_pages while the lock is dropped\n");
    EXPECT_TRUE(matrix().all_agree());
    EXPECT_TRUE(matrix().complete());
}

TEST(History, MatrixJsonAndMarkdown) {
    const nlohmann::json j = cli::matrix_json(matrix());
    EXPECT_EQ(j["format"], "hugecheck-matrix/1");
    EXPECT_EQ(j["agrees_with_history"], true);
    EXPECT_EQ(j["rows"][4]["bug"], "B8");
    EXPECT_EQ(j["rows"][4]["cve"], "CVE-2020-25285");
    EXPECT_EQ(j["rows"][4]["cells"][3]["variant"], "v4.19");
    EXPECT_EQ(j["rows"][4]["cells"][3]["verdict"], "violated");
    EXPECT_EQ(j["rows"][4]["cells"][3]["length"], 3);
    EXPECT_EQ(j["rows"][4]["cells"][4]["verdict"], "holds");
    EXPECT_EQ(j["rows"][4]["cells"][4]["history"], "absent");
    EXPECT_EQ(j["rows"][9]["bug"], "B15");
    EXPECT_EQ(j["rows"][9]["cells"][1]["verdict"], "violated");
    EXPECT_EQ(j["rows"][9]["cells"][3]["verdict"], "not modelled");
    // B7 on the seed: K1's violation, which the scenario's bug.masked names.
    EXPECT_EQ(j["rows"][3]["bug"], "B7");
    EXPECT_EQ(j["rows"][3]["cells"][1]["verdict"], "violated");
    EXPECT_EQ(j["rows"][3]["cells"][1]["history"], "masked by K1");
    const std::string md = cli::matrix_markdown(matrix());
    EXPECT_NE(md.find("| B8 hugetlb_sysctl_handler shares ctl_table.data between writers | P5 | "
                      "holds 361 | **P5 (3)** | **P5 (3)** | **P5 (3)** | holds 74 |"),
              std::string::npos)
        << md;
    EXPECT_NE(md.find("| P13 | holds 6 | P13 (5) by K1 | P13 (5) by K1 | **P13 (9)** |"),
              std::string::npos)
        << md;
}

TEST(History, ADisagreementIsMarked) {
    // Claim that v6.18 has B13: the matrix must say it disagrees.
    std::vector<model::Scenario> scenarios = cli::history_scenarios();
    for (model::Scenario& s : scenarios)
        if (s.bug.id == "B13") s.bug.present.push_back("v6.18");
    const cli::Matrix m =
        cli::compute_matrix(scenarios, model::all_variants(), explorer::Options{});
    EXPECT_FALSE(m.all_agree());
    EXPECT_NE(cli::matrix_table(m).find("holds 15 !"), std::string::npos);
}

TEST(History, ABugClaimedOnAVariantThatDoesNotModelItDisagrees) {
    std::vector<model::Scenario> scenarios;
    for (model::Scenario& s : cli::history_scenarios())
        if (s.bug.id == "B15") scenarios.push_back(s);
    ASSERT_EQ(scenarios.size(), 1u);
    scenarios[0].bug.present.push_back("v4.19");
    const cli::Matrix m =
        cli::compute_matrix(scenarios, model::all_variants(), explorer::Options{});
    EXPECT_FALSE(m.all_agree());
    EXPECT_TRUE(m.complete());
    EXPECT_NE(cli::matrix_table(m).find("— !"), std::string::npos) << cli::matrix_table(m);
}

TEST(History, BudgetMakesCellsIncomplete) {
    explorer::Options tiny;
    tiny.max_states = 3;
    const cli::Matrix m =
        cli::compute_matrix(cli::history_scenarios(), model::all_variants(), tiny);
    EXPECT_FALSE(m.complete());
    EXPECT_FALSE(m.all_agree());
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST(Docs, VariantsMdHasEveryStepTable) {
    const std::string doc = read_file(std::string(HUGECHECK_SOURCE_DIR) + "/docs/variants.md");
    ASSERT_FALSE(doc.empty());
    for (const model::Variant* v : model::all_variants())
        EXPECT_NE(doc.find(cli::steps_markdown(*v)), std::string::npos)
            << "docs/variants.md does not have the current step table of " << v->name()
            << "; regenerate it with: hugecheck steps --markdown";
}

}  // namespace
}  // namespace hugecheck
