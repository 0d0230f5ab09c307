// A site file may include its own layer and every layer below.
#include "compute/rankings.h"
#include "load/markdown.h"
#include "model/documents.h"
#include "render/templates.h"
#include "site/build/build.h"
#include "site/check/links.h"
#include "util/fs.h"
