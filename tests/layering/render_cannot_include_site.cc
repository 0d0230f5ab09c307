// render is below site.
#include "render/pages.h"
#include "site/build/project.h"
