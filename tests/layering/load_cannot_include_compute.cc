// load sees model and util; compute is above it.
// The upward include stays last, after the ones that must be found:
// clang-format off
#include "load/documents.h"
#include "model/documents.h"
#include "compute/decimal.h"
