// The trace formats: the exact lanes text of the seed's race, the chart's Graphviz source
// (one lifeline per actor, one node per step; dot accepts it), the SVG documents, the HTML
// page (escaped, every step, changed cells marked), and every format on a history and a
// gigantic scenario.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
// GCC 12 with the sanitizers reports std::regex's std::function members as maybe
// uninitialized (a false positive inside <regex>).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#include <set>

#include "counterexamples/render.hpp"
#include "model/input_error.hpp"
#include "model/scenario_catalog.hpp"
#include "test_support.hpp"

namespace hugecheck {
namespace {

using counterexamples::TraceFormat;

const counterexamples::Trace& trace_of(const test::Explored& e, std::size_t property) {
    for (const auto& t : e.traces)
        if (t.property == property) return t;
    throw std::runtime_error("no trace");
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

// Tags balance: every element opened is closed in order (enough to catch a broken splice
// of documents; the SVG comes from dot, which writes well-formed XML).
std::string unbalanced_tag(const std::string& xml) {
    std::vector<std::string> open;
    const std::regex tag(R"(<(/?)([A-Za-z][A-Za-z0-9:_-]*)[^>]*?(/?)>)");
    for (auto it = std::sregex_iterator(xml.begin(), xml.end(), tag); it != std::sregex_iterator();
         ++it) {
        const std::smatch& t = *it;
        static const std::set<std::string> kVoid = {"br", "meta", "hr", "img", "input", "link"};
        if (t[3] == "/" || kVoid.contains(t[2])) continue;
        if (t[1] == "") {
            open.push_back(t[2]);
        } else {
            if (open.empty() || open.back() != t[2]) return "</" + t[2].str() + ">";
            open.pop_back();
        }
    }
    return open.empty() ? "" : "<" + open.back() + ">";
}

// Runs `dot -Tsvg` on a file; the exit status. ctest runs tests in parallel, so the file is
// named after the test.
int run_dot(const std::string& source) {
    const std::string path = testing::TempDir() + "/render_" +
                             testing::UnitTest::GetInstance()->current_test_info()->name() + ".dot";
    std::ofstream(path) << source;
    return std::system(("dot -Tsvg " + path + " > /dev/null 2>&1").c_str());
}

TEST(Render, LanesOfSurplusRaceP8) {
    const model::HugetlbModel m(model::load_scenario("surplus-race"));
    const test::Explored e = test::explore(m);
    EXPECT_EQ(
        counterexamples::render_lanes(m, trace_of(e, 7)),
        "P8 surplus conversion violated — scenario surplus-race, variant seed, 5 steps, 1 "
        "preemption\n"
        "initial: max_huge_pages=0 nr_overcommit_huge_pages=1 nr_huge_pages=0 free_huge_pages=0 "
        "resv_huge_pages=0 surplus_huge_pages=0 nr_huge_pages_node=[0] free_huge_pages_node=[0] "
        "surplus_huge_pages_node=[0] buddy=[2]\n"
        "actors: A: FAULT; B: RESIZE(1)\n"
        " #  A                                        B                                     "
        "changes\n"
        " 1  F1 dequeue_huge_page_vma [hugetlb_lock]                                        "
        "(no free huge page) → B1\n"
        " 2  B1 alloc_buddy_huge_page [hugetlb_lock]                                        "
        "nr_huge_pages 0→1, surplus_huge_pages 0→1 → B2\n"
        "    ⇢ preempted at B2 by B\n"
        " 3  │                                        S1 hugetlb_sysctl_handler_common      "
        "table->data none→&B.tmp → S2\n"
        " 4  │                                        S2 proc_doulongvec_minmax             "
        "B.tmp 0→1 → R1\n"
        " 5  │                                        R1 set_max_huge_pages [hugetlb_lock]  "
        "B.count 0→1 (adjust_pool_surplus(-1) fails: surplus_huge_pages = 1 but no node has a "
        "surplus page; count 1 > persistent 0: unlock and allocate) → R4\n"
        "legend: [L] the step runs under lock L; │ inside an operation; ⇢ preempted: it could "
        "have gone on\n"
        "adjust_pool_surplus(-1) of B fails while surplus_huge_pages = 1 but Σ "
        "surplus_huge_pages_node = 0: the surplus page is not converted\n");
}

TEST(Render, ParseTraceFormat) {
    EXPECT_EQ(counterexamples::parse_trace_format("table"), TraceFormat::table);
    EXPECT_EQ(counterexamples::parse_trace_format("lanes"), TraceFormat::lanes);
    EXPECT_EQ(counterexamples::parse_trace_format("json"), TraceFormat::json);
    EXPECT_EQ(counterexamples::parse_trace_format("dot"), TraceFormat::dot);
    EXPECT_EQ(counterexamples::parse_trace_format("svg"), TraceFormat::svg);
    EXPECT_EQ(counterexamples::parse_trace_format("html"), TraceFormat::html);
    for (const char* bad : {"", "Table", "png", "table "}) {
        try {
            counterexamples::parse_trace_format(bad);
            ADD_FAILURE() << "accepted '" << bad << "'";
        } catch (const InputError& err) {
            EXPECT_EQ(err.file(), "--format");
            EXPECT_EQ(std::string(err.what()), "--format: unknown format '" + std::string(bad) +
                                                   "' (known: table, lanes, json, dot, svg, html)");
        }
    }
}

// The chart's source as dot reads it: one lifeline head per actor, one node per step,
// one row (rank=same) per step, and the broken property at the end.
TEST(Render, MscDotHasOneLifelinePerActorAndOneNodePerStep) {
    const model::HugetlbModel m(model::load_scenario("surplus-race"));
    const test::Explored e = test::explore(m);
    const counterexamples::Trace& t = trace_of(e, 7);
    const std::string dot = counterexamples::render_msc_dot(m, t);
    EXPECT_EQ(dot.rfind("digraph G {\n", 0), 0u) << dot;
    auto nodes = [&](const std::string& kind) {
        const std::regex node("\n" + kind + "[0-9]+ \\[");
        return static_cast<std::size_t>(
            std::distance(std::sregex_iterator(dot.begin(), dot.end(), node), {}));
    };
    EXPECT_EQ(nodes("actor"), m.actors());  // actor0, actor1: the heads of the lifelines
    EXPECT_EQ(nodes("end"), m.actors());
    EXPECT_EQ(nodes("step"), t.steps.size());
    EXPECT_NE(dot.find("\nstep5 ["), std::string::npos);
    EXPECT_EQ(dot.find("\nstep6 ["), std::string::npos);
    EXPECT_EQ(count(dot, "{rank=same;"), t.steps.size() + 2);
    // Step 3 is B's: A's lane has a point at that row.
    EXPECT_NE(dot.find("{rank=same; a0_3; step3;}"), std::string::npos) << dot;
    EXPECT_NE(dot.find("<B>3  S1</B>  hugetlb_sysctl_handler_common"), std::string::npos);
    // The one preemption (B after A's B1) is a dashed red edge from step 2 to step 3.
    EXPECT_EQ(count(dot, "label=\"preemption\""), 1u);
    EXPECT_NE(dot.find("step2->step3 [style=dashed"), std::string::npos) << dot;
    // The violation text, HTML-escaped for the label, and the property.
    EXPECT_NE(dot.find("✗ P8 surplus conversion violated"), std::string::npos);
    EXPECT_NE(dot.find("table-&gt;data none→&amp;B.tmp"), std::string::npos);
    EXPECT_EQ(dot, counterexamples::render_msc_dot(m, t));  // deterministic
    if (!counterexamples::dot_available()) GTEST_SKIP() << "dot is not on PATH";
    EXPECT_EQ(run_dot(dot), 0) << dot;
}

TEST(Render, MscDotColoursLockSections) {
    // v6.18's RESIZE holds resize_lock from R1 to R9: its lifeline is thick in between.
    const model::HugetlbModel m(model::load_scenario("history/hc1-temporary-folio-window"),
                                "v6.18");
    const test::Explored e = test::explore(m);
    const std::string dot = counterexamples::render_msc_dot(m, trace_of(e, 1));
    EXPECT_NE(dot.find("[+resize_lock] [hugetlb_lock]"), std::string::npos) << dot;
    EXPECT_NE(dot.find("step9->step10 [arrowhead=none, weight=100, color=\"#3b5bdb\", penwidth=4]"),
              std::string::npos)
        << dot;
    EXPECT_EQ(count(dot, "label=\"preemption\""), 3u);
    if (!counterexamples::dot_available()) GTEST_SKIP() << "dot is not on PATH";
    EXPECT_EQ(run_dot(dot), 0) << dot;
}

TEST(Render, SvgIsOneDocumentPerRun) {
    const model::HugetlbModel m(model::load_scenario("surplus-race"));
    const test::Explored e = test::explore(m);
    ASSERT_EQ(e.traces.size(), 2u);
    if (!counterexamples::dot_available()) {
        EXPECT_THROW(counterexamples::render_svg(m, e.traces[0]), InputError);
        GTEST_SKIP() << "dot is not on PATH";
    }
    const std::string one = counterexamples::render_traces(m, {e.traces[0]}, TraceFormat::svg, "");
    EXPECT_TRUE(one.starts_with("<?xml") || one.starts_with("<svg")) << one.substr(0, 200);
    EXPECT_EQ(count(one, "<svg"), 1u);
    EXPECT_EQ(unbalanced_tag(one), "");
    EXPECT_NE(one.find("P1 nr = Σnode violated"), std::string::npos);

    const std::string both = counterexamples::render_traces(m, e.traces, TraceFormat::svg, "");
    EXPECT_TRUE(both.starts_with("<?xml")) << both.substr(0, 200);
    EXPECT_EQ(count(both, "<svg"), 3u);  // the outer document and one per trace
    EXPECT_EQ(unbalanced_tag(both), "");
    EXPECT_EQ(count(both, "</svg>"), 3u);
    // The second chart sits below the first, and ids do not collide.
    EXPECT_NE(both.find("<svg x=\"0\" y=\"0.00\""), std::string::npos);
    const std::regex second("<svg x=\"0\" y=\"([0-9.]+)\"");
    std::vector<double> ys;
    for (auto it = std::sregex_iterator(both.begin(), both.end(), second);
         it != std::sregex_iterator(); ++it)
        ys.push_back(std::stod((*it)[1]));
    ASSERT_EQ(ys.size(), 2u);
    EXPECT_GT(ys[1], 100.0);
    EXPECT_NE(both.find("id=\"t1_graph0\""), std::string::npos);
    EXPECT_NE(both.find("id=\"t2_graph0\""), std::string::npos);
    EXPECT_NE(both.find("P8 surplus conversion violated"), std::string::npos);
}

TEST(Render, HtmlShowsEveryStepAndHighlightsChanges) {
    const model::HugetlbModel m(model::load_scenario("surplus-race"));
    const test::Explored e = test::explore(m);
    const std::string html = counterexamples::render_html(m, e.traces, "states 48 <&> done");
    EXPECT_TRUE(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">")) << html.substr(0, 100);
    EXPECT_TRUE(html.ends_with("</body>\n</html>\n"));
    // No external resources: no stylesheet links, scripts or remote URLs.
    EXPECT_EQ(html.find("<link"), std::string::npos);
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_EQ(html.find("src=\"http"), std::string::npos);
    // Escaped: the run summary, "table->data", "&B.tmp".
    EXPECT_NE(html.find("states 48 &lt;&amp;&gt; done"), std::string::npos);
    EXPECT_EQ(html.find("<&>"), std::string::npos);
    EXPECT_NE(html.find("<div>table-&gt;data</div>"), std::string::npos);
    EXPECT_EQ(html.find("table->data"), std::string::npos);
    EXPECT_NE(html.find("&amp;B.tmp"), std::string::npos);
    EXPECT_EQ(html.find("&B.tmp"), std::string::npos);
    // Every step of both traces has its row (P1: 2 steps, P8: 5), the last one marked.
    for (int k = 1; k <= 2; ++k)
        EXPECT_NE(html.find("id=\"trace1-" + std::to_string(k) + "\""), std::string::npos) << k;
    for (int k = 1; k <= 5; ++k)
        EXPECT_NE(html.find("id=\"trace2-" + std::to_string(k) + "\""), std::string::npos) << k;
    EXPECT_EQ(html.find("id=\"trace2-6\""), std::string::npos);
    EXPECT_NE(html.find("<tr class=\"broke\" id=\"trace2-5\">"), std::string::npos);
    EXPECT_EQ(html.find("<tr class=\"broke\" id=\"trace2-4\">"), std::string::npos);
    // P8 step 4 (B's S2) sets B.tmp 0→1 and moves B to R1: those cells, and only changed
    // ones, are highlighted.
    const std::size_t row4 = html.find("id=\"trace2-4\"");
    const std::string step4 = html.substr(row4, html.find("</tr>", row4) - row4);
    EXPECT_EQ(count(step4, "class=\"v chg\""), 2u) << step4;
    EXPECT_NE(step4.find("title=\"B.pc: S2 → R1\">R1</td>"), std::string::npos) << step4;
    EXPECT_NE(step4.find("<td class=\"v chg\" title=\"B.tmp: 0 → 1\">1</td>"), std::string::npos)
        << step4;
    // P1's step 2 changes nr_huge_pages and surplus_huge_pages (and A's pc).
    const std::size_t p1 = html.find("id=\"trace1-2\"");
    const std::string p1step2 = html.substr(p1, html.find("</tr>", p1) - p1);
    EXPECT_NE(p1step2.find("title=\"nr_huge_pages: 0 → 1\""), std::string::npos) << p1step2;
    EXPECT_NE(p1step2.find("title=\"surplus_huge_pages: 0 → 1\""), std::string::npos);
    EXPECT_NE(p1step2.find("title=\"A.pc: B1 → B2\""), std::string::npos);
    EXPECT_EQ(count(p1step2, "class=\"v chg\""), 3u);
    // The property, its violation in the box, the preemption.
    EXPECT_NE(html.find("<div class=\"violation\"><span class=\"id\">✗ P8</span> "
                        "adjust_pool_surplus(-1) of B fails while surplus_huge_pages = 1 but Σ "
                        "surplus_huge_pages_node = 0: the surplus page is not converted</div>"),
              std::string::npos);
    EXPECT_NE(html.find("⇢ preempts A"), std::string::npos);
    EXPECT_EQ(unbalanced_tag(html.substr(html.find("<html"))), "");
    if (counterexamples::dot_available()) {
        EXPECT_EQ(count(html, "<svg"), 2u);  // the chart of each trace, inline
    } else {
        EXPECT_NE(html.find("needs Graphviz"), std::string::npos);
    }
}

TEST(Render, HtmlWithoutTraces) {
    const model::HugetlbModel m(model::load_scenario("surplus-race"));
    const std::string html = counterexamples::render_html(m, {}, "");
    EXPECT_NE(html.find("No counterexample"), std::string::npos);
    EXPECT_EQ(unbalanced_tag(html.substr(html.find("<html"))), "");
}

TEST(Render, TableAndJsonAreTheExistingOnes) {
    const model::HugetlbModel m(model::load_scenario("surplus-race"));
    const test::Explored e = test::explore(m);
    EXPECT_EQ(counterexamples::render_traces(m, e.traces, TraceFormat::table, ""),
              counterexamples::render_table(m, e.traces[0]) + "\n" +
                  counterexamples::render_table(m, e.traces[1]) + "\n");
    EXPECT_EQ(counterexamples::render_traces(m, e.traces, TraceFormat::lanes, ""),
              counterexamples::render_lanes(m, e.traces[0]) + "\n" +
                  counterexamples::render_lanes(m, e.traces[1]) + "\n");
    EXPECT_EQ(counterexamples::render_traces(m, e.traces, TraceFormat::json, ""),
              counterexamples::traces_json(m, e.traces).dump(2) + "\n");
    const std::string dot = counterexamples::render_traces(m, e.traces, TraceFormat::dot, "");
    EXPECT_EQ(count(dot, "digraph G {"), 2u);
}

// Every format on history scenarios (locks held across steps, a self-deadlock, three
// actors) and on a gigantic one (memory maps), as the command line would write them.
TEST(Render, EveryFormatOnHistoryAndGiganticScenarios) {
    struct Case {
        const char* scenario;
        const char* variant;
    };
    for (const Case& c :
         {Case{"history/b12-put-page-under-lock", "v4.19"},
          Case{"history/hc1-temporary-folio-window", "v6.18"},
          Case{"history/b8-shared-ctl-table", "seed"}, Case{"gigantic-interleave", "seed"}}) {
        const model::HugetlbModel m(model::load_scenario(c.scenario), c.variant);
        const test::Explored e = test::explore(m);
        ASSERT_FALSE(e.traces.empty()) << c.scenario;
        for (TraceFormat f : {TraceFormat::table, TraceFormat::lanes, TraceFormat::json,
                              TraceFormat::dot, TraceFormat::svg, TraceFormat::html}) {
            if (f == TraceFormat::svg && !counterexamples::dot_available()) continue;
            std::string text;
            ASSERT_NO_THROW(text = counterexamples::render_traces(m, e.traces, f, "summary"))
                << c.scenario << " format " << static_cast<int>(f);
            EXPECT_GT(text.size(), 200u) << c.scenario;
            for (const auto& t : e.traces)
                EXPECT_NE(text.find(std::string(properties::kProperties[t.property].id)),
                          std::string::npos)
                    << c.scenario;
        }
        if (counterexamples::dot_available()) {
            for (const auto& t : e.traces)
                EXPECT_EQ(run_dot(counterexamples::render_msc_dot(m, t)), 0) << c.scenario;
        }
    }
}

TEST(Render, LanesMarkLocksHeldAcrossSteps) {
    // v4.19: A's V4 takes hugetlb_lock and keeps it; its V5 would take it again (B12).
    const model::HugetlbModel m(model::load_scenario("history/b12-put-page-under-lock"), "v4.19");
    const test::Explored e = test::explore(m);
    const std::string lanes = counterexamples::render_lanes(m, trace_of(e, 5));
    EXPECT_NE(lanes.find(" 8  V4 alloc_surplus_huge_page [+hugetlb_lock]"), std::string::npos)
        << lanes;
    EXPECT_NE(lanes.find("    ⇢ preempted at V4 by B\n"), std::string::npos) << lanes;
    EXPECT_NE(lanes.find("[+L]/[-L] takes/releases L, held across steps"), std::string::npos);
    EXPECT_TRUE(lanes.ends_with(
        "self-deadlock: A at V5 (free_huge_page) takes hugetlb_lock, which it already holds\n"));
    const model::HugetlbModel m14(model::load_scenario("history/hc1-temporary-folio-window"),
                                  "v6.18");
    const std::string lanes14 = counterexamples::render_lanes(m14, trace_of(test::explore(m14), 1));
    EXPECT_NE(lanes14.find("R1 set_max_huge_pages [+resize_lock] [hugetlb_lock]"),
              std::string::npos)
        << lanes14;
    EXPECT_NE(lanes14.find("R9 set_max_huge_pages [-resize_lock] [hugetlb_lock]"),
              std::string::npos);
}

}  // namespace
}  // namespace hugecheck
