// The site config, bulletin.yaml at the project root.
#pragma once

#include "model/documents.h"
#include "util/fs.h"

namespace bulletin {

// Reads PROJECT/bulletin.yaml. A missing file is an error (it is what makes a
// folder a bulletin project); problems are reported to diags.
SiteConfig load_config(const FileSystem& fs, const std::string& root, Diagnostics& diags);

}  // namespace bulletin
