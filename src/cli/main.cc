// bulletin: the command line. Each subcommand is a short script over the core
// library (see commands.h); errors are printed once, by the command.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <new>
#include <vector>

#include "cli/commands.h"
#include "util/input_check.h"
#include "util/text.h"

int main(int argc, char** argv) {
  using namespace bulletin;
  CLI::App app{"bulletin: builds the static site of official bulletins, notices and rankings"};
  app.set_version_flag("--version", std::string("bulletin ") + BULLETIN_VERSION);
  app.require_subcommand(1);

  std::vector<std::pair<CLI::App*, Run>> commands;
  for (const Command& c : kCommands) {
    CLI::App* sub = app.add_subcommand(c.name, c.description);
    commands.emplace_back(sub, Run{});
    c.setup(*sub, commands.back().second);
  }
  // CLI11 would say "A subcommand is required" for a misspelt command.
  if (argc > 1 && argv[1][0] != '-') {
    std::vector<std::string> names;
    for (const Command& c : kCommands) names.push_back(c.name);
    if (std::find(names.begin(), names.end(), argv[1]) == names.end()) {
      std::cerr << "bulletin: unknown command '" << argv[1] << "'";
      if (auto guess = did_you_mean(argv[1], names)) std::cerr << "; did you mean '" << *guess << "'?";
      std::cerr << "\nRun bulletin --help for the list of commands.\n";
      return kUsageError;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kUsageError;
  }
  // The boundary: whatever a command did not catch ends here as one message
  // and exit status 1, never as std::terminate and a signal.
  for (auto& [sub, run] : commands) {
    if (!*sub) continue;
    try {
      return run();
    } catch (const Error& e) {
      std::cerr << e.diagnostic().format() << "\n";
      return kContentError;
    } catch (const std::filesystem::filesystem_error& e) {
      std::cerr << "bulletin " << sub->get_name() << ": error: " << e.code().message();
      if (!e.path1().empty()) std::cerr << ": " << e.path1().string();
      std::cerr << "\n";
      return kContentError;
    } catch (const std::bad_alloc&) {
      std::cerr << "bulletin " << sub->get_name() << ": error: out of memory\n";
      return kContentError;
    } catch (const std::exception& e) {
      std::cerr << "bulletin " << sub->get_name() << ": error: " << utf8_sanitized(e.what()) << "\n";
      return kContentError;
    } catch (...) {
      std::cerr << "bulletin " << sub->get_name() << ": error: unexpected failure\n";
      return kContentError;
    }
  }
  return kUsageError;
}
