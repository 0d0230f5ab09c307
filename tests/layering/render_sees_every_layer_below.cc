// A render file may include its own layer and every layer it links.
#include "compute/decimal.h"
#include "load/front_matter.h"
#include "model/documents.h"
#include "render/pages.h"
#include "util/text.h"
