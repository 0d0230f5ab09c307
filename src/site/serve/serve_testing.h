// What the unit tests of src/site/serve share: a fresh folder under /tmp and
// a file written into it.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace bulletin::serve_testing {

// A fresh folder under /tmp, removed at the end of the test.
struct TempFolder {
  std::string path;
  TempFolder() {
    char pattern[] = "/tmp/bulletin-serve-test-XXXXXX";
    path = mkdtemp(pattern);
  }
  ~TempFolder() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  std::string operator/(const std::string& rel) const { return path + "/" + rel; }
};

// Writes `text` to `path`, making its folders.
inline void write(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

}  // namespace bulletin::serve_testing
