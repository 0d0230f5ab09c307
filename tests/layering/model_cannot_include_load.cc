// model sees util and itself; load is above it.
// The upward include stays last, after the ones that must be found:
// clang-format off
#include "model/documents.h"
#include "util/date.h"
#include "load/front_matter.h"
