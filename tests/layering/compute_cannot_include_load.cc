// compute links only util: load (and cmark behind it) is not among what it uses.
// The upward include stays last, after the ones that must be found:
// clang-format off
#include "compute/rankings.h"
#include "util/text.h"
#include "load/markdown.h"
