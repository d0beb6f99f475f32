// Microbenchmarks of the hot parts of a search: successor generation, state hashing, the
// visited set, and whole explorations. Figures, not assertions: run
//   build/bench/hugecheck_bench
// and compare runs as ratios (see bench/README.md).
#include <benchmark/benchmark.h>

#include <vector>

#include "explorer/bfs.hpp"
#include "model/hugetlb_model.hpp"
#include "model/scenario_catalog.hpp"

namespace {

using namespace hugecheck;

// The first `n` states of a scenario in BFS order, back to back (+ slack).
struct Sample {
    std::size_t bytes;
    std::vector<std::byte> states;
    std::size_t count() const { return (states.size() - explorer::kStateSlack) / bytes; }
    const std::byte* state(std::size_t i) const { return states.data() + i * bytes; }
};

Sample sample(const model::HugetlbModel& m, std::uint64_t n) {
    explorer::Options o;
    o.max_states = n;
    explorer::BreadthFirstSearch search(m, explorer::NoProperties{}, o);
    search.run();
    Sample s{m.state_bytes(), {}};
    const std::uint64_t count = std::min<std::uint64_t>(n, search.store().size());
    s.states.resize(count * s.bytes + explorer::kStateSlack);
    for (std::uint64_t i = 0; i < count; ++i)
        std::memcpy(s.states.data() + i * s.bytes,
                    search.store().state(static_cast<explorer::StateIndex>(i)), s.bytes);
    return s;
}

void BM_Successors(benchmark::State& st) {
    const model::HugetlbModel m(model::load_scenario("bench-xl"));
    const Sample s = sample(m, 100000);
    model::HugetlbModel::Context ctx = m.make_context();
    std::uint64_t edges = 0;
    std::size_t i = 0;
    for (auto _ : st) {
        m.for_each_successor(ctx, s.state(i), [&](const std::byte* succ, const model::Transition&) {
            benchmark::DoNotOptimize(succ);
            ++edges;
        });
        if (++i == s.count()) i = 0;
    }
    st.counters["states/s"] =
        benchmark::Counter(static_cast<double>(st.iterations()), benchmark::Counter::kIsRate);
    st.counters["edges/s"] =
        benchmark::Counter(static_cast<double>(edges), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Successors);

void BM_HashState(benchmark::State& st) {
    const model::HugetlbModel m(model::load_scenario("bench-xl"));
    const Sample s = sample(m, 100000);
    std::size_t i = 0;
    for (auto _ : st) {
        benchmark::DoNotOptimize(explorer::hash_state(s.state(i), s.bytes));
        if (++i == s.count()) i = 0;
    }
    st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * s.bytes));
}
BENCHMARK(BM_HashState);

void BM_VisitedInsert(benchmark::State& st) {
    const model::HugetlbModel m(model::load_scenario("bench-xl"));
    const Sample s = sample(m, 1000000);
    for (auto _ : st) {
        explorer::StateStore store(s.bytes);
        explorer::VisitedSet set(store, 1);
        auto append = [&](const std::byte* x) { return store.append(x, 0); };
        explorer::StateIndex index = 0;
        for (int round = 0; round < 2; ++round)
            for (std::size_t i = 0; i < s.count(); ++i)
                benchmark::DoNotOptimize(set.insert_settled(
                    s.state(i), explorer::hash_state(s.state(i), s.bytes), append, index));
    }
    st.counters["inserts/s"] = benchmark::Counter(
        static_cast<double>(st.iterations() * 2 * s.count()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_VisitedInsert)->Unit(benchmark::kMillisecond);

// The concurrent insert of a level's states (pending, then found again), on one thread:
// what the compare-and-swap and the pending lists cost over the sequential insert above.
void BM_VisitedInsertPending(benchmark::State& st) {
    const model::HugetlbModel m(model::load_scenario("bench-xl"));
    const Sample s = sample(m, 1000000);
    for (auto _ : st) {
        explorer::StateStore store(s.bytes);
        explorer::VisitedSet set(store, 1);
        for (int round = 0; round < 2; ++round)
            for (std::size_t i = 0; i < s.count(); ++i) {
                if (set.wants_growth(1)) set.grow();
                benchmark::DoNotOptimize(set.insert_pending(
                    0, s.state(i), explorer::hash_state(s.state(i), s.bytes), i));
            }
        set.clear_pending();
    }
    st.counters["inserts/s"] = benchmark::Counter(
        static_cast<double>(st.iterations() * 2 * s.count()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_VisitedInsertPending)->Unit(benchmark::kMillisecond);

// Whole explorations; the argument is the thread count.
void BM_Explore(benchmark::State& st, const char* scenario) {
    const model::HugetlbModel m(model::load_scenario(scenario));
    explorer::Stats stats;
    explorer::Options o;
    o.threads = static_cast<unsigned>(st.range(0));
    for (auto _ : st) {
        explorer::BreadthFirstSearch search(m, explorer::NoProperties{}, o);
        search.run();
        stats = search.stats();
    }
    st.counters["states"] = static_cast<double>(stats.states);
    st.counters["states/s"] = benchmark::Counter(
        static_cast<double>(stats.states * st.iterations()), benchmark::Counter::kIsRate);
    st.counters["bytes/state"] = stats.bytes_per_state();
}
BENCHMARK_CAPTURE(BM_Explore, bench_large, "bench-large")
    ->Unit(benchmark::kMillisecond)
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Explore, bench_xl, "bench-xl")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
