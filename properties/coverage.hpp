// Coverage, as SPIN's "unreached in proctype": which steps and which of their named
// outcomes (model/variant.hpp, Outcome) a search executed, and which it never reached;
// and vacuity: a property that holds while steps it depends on never ran is flagged.
// docs/coverage.md explains the output.
//
//   CoverageRecorder rec(system);              // the model, or a reduction of it
//   BreadthFirstSearch search(rec, checker, options);
//   search.run();                              // its contexts end here: counts are in
//   CoverageReport r = coverage_report(model, rec.counts(), {selected, violated, ...});
//   std::cout << coverage_text(r);
#pragma once

#include <array>
#include <bit>
#include <concepts>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "explorer/system.hpp"
#include "model/hugetlb_model.hpp"
#include "properties/properties.hpp"

namespace hugecheck::properties {

// Per step label: how many transitions took each declared outcome, and in all.
class CoverageCounts {
  public:
    // Slots of a step's row: 0..14 its declared outcomes (bit k of Transition::outcomes),
    // then an undeclared outcome (bit 15), no outcome marked, and every transition.
    static constexpr std::size_t kUndeclared = model::kMaxOutcomes;
    static constexpr std::size_t kUnmarked = kUndeclared + 1;
    static constexpr std::size_t kRuns = kUnmarked + 1;
    static constexpr std::size_t kSlots = kRuns + 1;
    static_assert(model::kUndeclaredOutcome == 1u << kUndeclared);

    // The hot path: a few increments, no allocation.
    void add(const model::Transition& t) {
        std::uint64_t* row = rows_[static_cast<std::size_t>(t.step)].data();
        ++row[kRuns];
        unsigned mask = t.outcomes;
        if (mask == 0) ++row[kUnmarked];
        for (; mask != 0; mask &= mask - 1)
            ++row[static_cast<std::size_t>(std::countr_zero(mask))];
    }
    std::uint64_t runs(model::Step s) const { return row(s)[kRuns]; }
    std::uint64_t outcome(model::Step s, std::size_t k) const { return row(s)[k]; }
    std::uint64_t undeclared(model::Step s) const { return row(s)[kUndeclared]; }
    std::uint64_t unmarked(model::Step s) const { return row(s)[kUnmarked]; }
    CoverageCounts& operator+=(const CoverageCounts& o);

  private:
    const std::array<std::uint64_t, kSlots>& row(model::Step s) const {
        return rows_[static_cast<std::size_t>(s)];
    }
    std::array<std::array<std::uint64_t, kSlots>, model::kStepCount> rows_{};
};

// A transition system whose labels are model::Transition (the model, or a reduction of
// it: explorer/por.hpp, explorer/symmetry.hpp), with every edge it gives counted. Edges
// pass through unchanged, the sink's answer too. Each context counts on its own (so the
// search's threads share nothing) and adds its counts to the recorder's when it ends; a
// search ends its contexts when run() returns (explorer/bfs.hpp, dfs.hpp), so counts() is
// complete after run(). A trace rebuilt through the recorder afterwards counts again.
template <explorer::TransitionSystem Sys>
requires std::same_as<typename Sys::Label, model::Transition>
class CoverageRecorder {
  public:
    using Label = model::Transition;

    struct Context {
        typename Sys::Context inner;
        std::unique_ptr<CoverageCounts> counts;
        const CoverageRecorder* owner = nullptr;
        Context(typename Sys::Context c, const CoverageRecorder* o)
            : inner(std::move(c)), counts(std::make_unique<CoverageCounts>()), owner(o) {}
        Context(Context&& o) noexcept
            : inner(std::move(o.inner)), counts(std::move(o.counts)), owner(o.owner) {}
        Context& operator=(Context&&) = delete;
        ~Context() {
            if (counts) owner->merge(*counts);
        }
    };

    explicit CoverageRecorder(const Sys& sys) : sys_(sys) {}
    CoverageRecorder(const Sys&&) = delete;

    std::size_t state_bytes() const { return sys_.state_bytes(); }
    Context make_context() const { return Context(sys_.make_context(), this); }
    void initial_state(std::byte* out) const { sys_.initial_state(out); }

    template <class Sink>
    void for_each_successor(Context& ctx, const std::byte* s, Sink&& sink) const {
        CoverageCounts& counts = *ctx.counts;
        sys_.for_each_successor(ctx.inner, s, [&](const std::byte* succ, const Label& label) {
            counts.add(label);
            return sink(succ, label);
        });
    }

    // Processes, when the system has them (a partial-order reduction around the recorder).
    std::uint32_t processes() const requires requires(const Sys& sys) { sys.processes(); }
    { return sys_.processes(); }
    template <class Sink>
    void for_each_process_successor(Context& ctx, const std::byte* s, std::uint32_t p,
                                    Sink&& sink) const requires
        requires(const Sys& sys, typename Sys::Context& c) {
        sys.for_each_process_successor(c, s, p, [](const std::byte*, const Label&) {});
    }
    {
        CoverageCounts& counts = *ctx.counts;
        sys_.for_each_process_successor(ctx.inner, s, p,
                                        [&](const std::byte* succ, const Label& label) {
                                            counts.add(label);
                                            return sink(succ, label);
                                        });
    }
    std::string_view unrepresentable(const Context& ctx) const requires
        requires(const Sys& sys, const typename Sys::Context& c) {
        sys.unrepresentable(c);
    }
    { return sys_.unrepresentable(ctx.inner); }

    // The counts of the contexts that have ended.
    CoverageCounts counts() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return total_;
    }

  private:
    void merge(const CoverageCounts& c) const {
        std::lock_guard<std::mutex> lock(mutex_);
        total_ += c;
    }

    const Sys& sys_;
    mutable std::mutex mutex_;
    mutable CoverageCounts total_;
};

// How the counts were made, for the report's verdicts.
struct CoverageRun {
    PropertySet selected = 0;    // the properties checked
    PropertySet violated = 0;    // those a violation was found for
    bool complete = true;        // the search explored every reachable state
    bool partial_order = false;  // --por: the reduced graph (it may skip outcomes)
};

struct OutcomeCoverage {
    model::Outcome outcome;
    std::uint64_t count = 0;  // transitions that took it
    // The scenario can give it at all (OutcomeInfo::needs and ops): one that cannot is
    // "not applicable", not unreached.
    bool applicable = true;
    std::string why_not;  // !applicable: "one node", "no RESIZE_NODE", ...
};

struct StepCoverage {
    model::Step step;
    std::string function, summary;
    // One of the scenario's operations has the step (StepDef::ops), on the path its
    // hstate takes (the gigantic path or the buddy one).
    bool in_scenario = true;
    std::string why_not;  // !in_scenario: "OVERCOMMIT", "gigantic hstates only", ...
    std::uint64_t runs = 0;
    std::vector<OutcomeCoverage> outcomes;  // as declared; empty: one implicit outcome
    // Model bugs (CoverageReport::problems): transitions that marked an outcome the step
    // does not declare, or none although it declares some.
    std::uint64_t undeclared = 0, unmarked = 0;
};

struct OutcomeRef {
    model::Step step;
    model::Outcome outcome;
};

// A selected property that holds, and what it depends on (depends_on()).
struct PropertyVacuity {
    std::size_t property = 0;                  // index into kProperties
    std::vector<model::Step> depends_on;       // in this scenario
    std::vector<model::Step> unreached_steps;  // of those
    // Applicable outcomes of the dependent steps that ran, never taken; an outcome that
    // is the property's own violation (P8's loop1_race) is left out.
    std::vector<OutcomeRef> unreached_outcomes;
    bool flagged() const { return !unreached_steps.empty(); }
};

struct CoverageReport {
    std::string scenario, variant;
    CoverageRun run;
    std::vector<StepCoverage> steps;       // the variant's table order
    std::vector<PropertyVacuity> vacuity;  // selected and not violated, in P order
    std::vector<std::string> problems;     // a handler marked what its step does not declare

    std::size_t steps_in_scenario() const;
    std::size_t steps_reached() const;
    std::size_t outcomes_applicable() const;  // of the steps in the scenario
    std::size_t outcomes_reached() const;
    // Unreached, SPIN's sense: steps in the scenario that never ran, and applicable
    // outcomes of steps in the scenario never taken (with outcome unset: the step).
    struct Unreached {
        model::Step step;
        bool is_outcome = false;
        model::Outcome outcome{};
    };
    std::vector<Unreached> unreached() const;
};

// The steps property `index` (0 = P1) depends on, among the variant's: those that write a
// variable it reads, may raise an event it looks at, or that it watches (P4, P5). From the
// footprints and properties::visibility(), with what the reduction need not see added:
// the variables P3 and P7 read on quiescent and terminal states, the locks of P6.
std::vector<model::Step> depends_on(const model::HugetlbModel& model, std::size_t index);

CoverageReport coverage_report(const model::HugetlbModel& model, const CoverageCounts& counts,
                               const CoverageRun& run);
std::string coverage_text(const CoverageReport& report);
nlohmann::json coverage_json(const CoverageReport& report);

}  // namespace hugecheck::properties
