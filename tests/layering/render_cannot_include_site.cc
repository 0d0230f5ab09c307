// render is below site.
// The upward include stays last, after the ones that must be found:
// clang-format off
#include "render/pages.h"
#include "site/build/project.h"
