// util is the bottom layer: it sees only itself.
// The upward include stays last, after the ones that must be found:
// clang-format off
#include "util/text.h"
#include "model/documents.h"
