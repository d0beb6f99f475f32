// `hugecheck prove`: its options, and the run. Only the helper binary hugecheck-prove links
// Z3 (cli/prove.cpp): `hugecheck prove ...` checks its arguments like any command, then
// executes hugecheck-prove, found beside it, with the same arguments. So the explorer's
// process never maps Z3 (about 1.3 MiB of resident memory that a check does not need).
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace hugecheck::cli {

// Exit statuses (DEVELOPERS.md, `hugecheck --help`).
constexpr int kExitHolds = 0, kExitViolation = 1, kExitUsage = 2, kExitIncomplete = 3;
constexpr int kExitInternal = 70;  // EX_SOFTWARE: a bug in hugecheck

struct ProveOptions {
    std::string suite;
    std::string range_check = "both";
    std::string query;
    unsigned phys_bits = 46;
    std::string max_order = "2..11";
    std::uint64_t max_gigantic_order = 30;
    unsigned timeout = 60;
    std::string scenario_dir;  // write range-in-zone counterexamples as scenarios here
};

// Adds the `prove` subcommand and its options to `app` (both binaries parse them alike).
CLI::App* add_prove_command(CLI::App& app, ProveOptions& o);

// Replaces this process by hugecheck-prove (the directory of /proc/self/exe) with the same
// arguments; returns only on failure, with a message and kExitUsage.
int exec_prover(int argc, char** argv);

// Runs the proofs (cli/prove.cpp, linked into hugecheck-prove only).
int run_prove(const ProveOptions& o);

}  // namespace hugecheck::cli
