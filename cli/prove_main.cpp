// hugecheck-prove: `hugecheck prove`, in a binary of its own so that only it links Z3 (see
// cli/prove.hpp). `hugecheck prove ...` executes it with the same arguments; it can also be
// run directly, as `hugecheck-prove prove pfn ...`.
#include <CLI/CLI.hpp>

#include <iostream>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/prove.hpp"
#include "model/input_error.hpp"

int main(int argc, char** argv) {
    using namespace hugecheck;
    CLI::App app{"hugecheck-prove: the Z3 proofs of hugecheck (run as `hugecheck prove`)"};
    cli::ProveOptions prove;
    cli::add_prove_command(app, prove);
    app.require_subcommand(1, 1);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "hugecheck: " << e.what() << " (see hugecheck prove --help)\n";
        return cli::kExitUsage;
    }
    try {
        return cli::run_prove(prove);
    } catch (const InputError& e) {
        std::cerr << "hugecheck: " << e.what() << "\n";
        return cli::kExitUsage;
    } catch (const std::bad_alloc&) {
        std::cerr << "hugecheck: out of memory\n";
        return cli::kExitIncomplete;
    } catch (const std::exception& e) {
        std::cerr << "hugecheck: internal error: " << e.what() << "\n";
        return cli::kExitInternal;
    }
}
