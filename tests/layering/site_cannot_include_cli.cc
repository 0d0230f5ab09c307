// site is below cli (the commands).
#include "site/build/build.h"
#include "cli/commands.h"
