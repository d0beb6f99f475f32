// `hugecheck prove`: the options, and the hand-over to hugecheck-prove (see prove.hpp).
// Nothing here uses Z3.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "cli/prove.hpp"

namespace hugecheck::cli {

CLI::App* add_prove_command(CLI::App& app, ProveOptions& o) {
    CLI::App* prove_cmd = app.add_subcommand(
        "prove",
        "decide properties over every memory layout within bounds with Z3 (suite: pfn, the "
        "gigantic-page path's pfn arithmetic)");
    prove_cmd->add_option("suite", o.suite, "the query suite: pfn")->required();
    prove_cmd->add_option("--range-check", o.range_check,
                          "pfn_range_valid_gigantic: seed, same-zone (the 2016 fix) or both "
                          "(default)");
    prove_cmd->add_option("--query", o.query,
                          "only these queries: scan-in-zone, range-in-zone, isolation-in-zone, "
                          "no-wrap");
    prove_cmd->add_option("--phys-bits", o.phys_bits,
                          "physical address bits: every pfn < 2^(bits - 12) (default 46)");
    prove_cmd->add_option("--max-order", o.max_order,
                          "the MAX_ORDER values covered, N or LO..HI (default 2..11)");
    prove_cmd->add_option("--max-gigantic-order", o.max_gigantic_order,
                          "the largest gigantic order covered (default 30)");
    prove_cmd->add_option("--timeout", o.timeout, "seconds per Z3 search (default 60)");
    prove_cmd->add_option("--scenario-dir", o.scenario_dir,
                          "write each range-in-zone counterexample as a gigantic scenario in this "
                          "directory, for hugecheck check");
    prove_cmd->footer(
        "Exit status: 0 every query proved within the bounds; 1 a counterexample (printed, "
        "and replayed through the concrete evaluation); 2 usage error; 3 Z3 answered unknown "
        "or timed out (never reported as proved).");
    return prove_cmd;
}

int exec_prover(int argc, char** argv) {
    std::error_code ec;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) {
        std::cerr << "hugecheck: prove: cannot find this program's directory (/proc/self/exe: "
                  << ec.message() << ")\n";
        return kExitUsage;
    }
    const std::string prover = (self.parent_path() / "hugecheck-prove").string();
    // argv[0] names the helper; the rest is passed as given ("prove" first, or after
    // options that go before the subcommand).
    std::vector<char*> args{const_cast<char*>(prover.c_str())};
    for (int i = 1; i < argc; ++i)
        args.push_back(argv[i]);
    args.push_back(nullptr);
    std::cout.flush();
    execv(prover.c_str(), args.data());
    std::cerr << "hugecheck: prove: cannot run " << prover << " (" << std::strerror(errno)
              << "); it is built beside hugecheck (cmake --build ... --target hugecheck)\n";
    return kExitUsage;
}

}  // namespace hugecheck::cli
