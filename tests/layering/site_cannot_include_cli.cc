// site is below cli (the commands).
// The upward include stays last, after the ones that must be found:
// clang-format off
#include "site/build/build.h"
#include "cli/commands.h"
