// util is the bottom layer: it sees only itself.
#include "util/text.h"
#include "model/documents.h"
