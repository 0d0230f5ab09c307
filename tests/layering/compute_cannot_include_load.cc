// compute links only util: load (and cmark behind it) is not among what it uses.
#include "compute/rankings.h"
#include "util/text.h"
#include "load/markdown.h"
