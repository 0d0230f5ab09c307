// bulletin: the command line. Each subcommand is a short script over the core
// library (see commands.h); errors are printed once, by the command.
#include <vector>

#include "cli/commands.h"

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
