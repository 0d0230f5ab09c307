// compute links load and util (its rule files are YAML read through load's
// field reader), never the render layer above it.
// The upward include stays last, after the ones that must be found:
// clang-format off
#include "compute/rankings.h"
#include "load/front_matter.h"
#include "util/text.h"
#include "render/pages.h"
