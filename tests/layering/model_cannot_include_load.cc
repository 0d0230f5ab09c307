// model sees util and itself; load is above it.
#include "model/documents.h"
#include "util/date.h"
#include "load/front_matter.h"
