// bulletin: the command line. Each subcommand is a short script over the core
// library (see commands.h); errors are printed once, by the command.
#include <algorithm>
#include <iostream>
#include <vector>

#include "cli/commands.h"
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
  for (auto& [sub, run] : commands)
    if (*sub) return run();
  return kUsageError;
}
