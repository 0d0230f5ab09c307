#include "util/cache_digest.h"

#include <xxhash.h>

namespace bulletin {

std::string cache_digest(std::string_view bytes) {
  XXH128_canonical_t canonical;  // big-endian: high half first, as xxhsum prints it
  XXH128_canonicalFromHash(&canonical, XXH3_128bits(bytes.data(), bytes.size()));
  static const char* hex = "0123456789abcdef";
  std::string out = "xxh128:";
  out.reserve(out.size() + 2 * sizeof canonical.digest);
  for (unsigned char b : canonical.digest) {
    out += hex[b >> 4];
    out += hex[b & 0xF];
  }
  return out;
}

unsigned long long cache_checksum64(std::string_view bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

}  // namespace bulletin
