// load sees model and util; compute is above it.
#include "load/documents.h"
#include "model/documents.h"
#include "compute/decimal.h"
