// SHA-256 digests (OpenSSL) for published snapshots and source files.
#pragma once

#include <string>
#include <string_view>

namespace bulletin {

// "sha256:" followed by 64 lowercase hex digits.
std::string sha256(std::string_view bytes);

}  // namespace bulletin
