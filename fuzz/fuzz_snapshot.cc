// Published snapshots: read, digest, write and read back.
#include <cstdint>
#include <string>

#include "render/snapshot.h"

using namespace bulletin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    Snapshot s = read_snapshot({"data/published/x/v1.yaml", text});
    (void)snapshot_digest(s);
    s.digest = snapshot_digest(s);
    std::string again = write_snapshot(s);
    Snapshot back = read_snapshot({snapshot_path(s.url, s.version), again});
    if (snapshot_digest(back) != s.digest) __builtin_trap();
  } catch (const Error&) {
  }
  return 0;
}
