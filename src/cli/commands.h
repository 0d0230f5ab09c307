// The subcommands of `bulletin`, one file each, listed in one table.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "util/diagnostics.h"

namespace bulletin {

enum ExitCode { kOk = 0, kContentError = 1, kUsageError = 2 };

using Run = std::function<int()>;

// Declares a subcommand's options on `cmd` and sets `run` to what it does.
struct Command {
  const char* name;
  const char* description;
  void (*setup)(CLI::App& cmd, Run& run);
};

void setup_build(CLI::App& cmd, Run& run);
void setup_check(CLI::App& cmd, Run& run);
void setup_new(CLI::App& cmd, Run& run);
void setup_serve(CLI::App& cmd, Run& run);
void setup_publish(CLI::App& cmd, Run& run);
void setup_import(CLI::App& cmd, Run& run);

inline const Command kCommands[] = {
    {"build", "Build the project into a static site (default: PROJECT/site)", setup_build},
    {"check", "Load and validate everything, report every problem, write nothing", setup_check},
    {"new", "Create an article, notice, issue or rule file with its front matter filled in", setup_new},
    {"serve", "Build, serve on 127.0.0.1, rebuild on change and reload open pages", setup_serve},
    {"publish", "Freeze documents as published (notices, bulletin issues, ranking periods) under data/published",
     setup_publish},
    {"import", "Turn Word documents (.docx) into article or notice sources with their front matter filled in",
     setup_import},
};

struct Project;
struct WriterOptions;
// How build and serve stage a project's site (hard links from its caches).
WriterOptions writer_options(const std::string& project_root);

// "3 pages", "1 page".
std::string plural(int n, const char* one);
// Prints diagnostics to stderr, once, in a stable order.
void print_diagnostics(const Diagnostics& diags);

}  // namespace bulletin
