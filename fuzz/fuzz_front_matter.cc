// The plain YAML reader against yaml-cpp: whatever the plain reader accepts,
// yaml-cpp must accept too and build the same tree (types, scalars, tags,
// styles, marks). The input is YAML, or a Markdown file whose front matter is
// taken as parse_front_matter cuts it. A difference aborts.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "util/yaml_plain.h"

using namespace bulletin;

namespace {

std::string yaml_of(const std::string& text) {
  if (text.rfind("---\n", 0) != 0) return text;
  size_t end = text.find("\n---\n", 3);
  return end == std::string::npos ? text.substr(4) : text.substr(4, end - 3);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string yaml = yaml_of(std::string(reinterpret_cast<const char*>(data), size));
  auto plain = load_plain_yaml(yaml);
  if (!plain) return 0;
  YAML::Node reference;
  try {
    reference = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    std::fprintf(stderr, "plain reader accepted what yaml-cpp refuses: %s\n", e.what());
    std::abort();
  }
  std::string diff = yaml_tree_difference(*plain, reference);
  if (!diff.empty()) {
    std::fprintf(stderr, "plain reader and yaml-cpp differ: %s\n", diff.c_str());
    std::abort();
  }
  return 0;
}
