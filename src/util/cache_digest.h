// Digests of what a build compares only with its own earlier builds: a
// source file's text for the parse cache, a page's inputs for the manifest,
// a cache record's checksum. XXH3 (libxxhash), ~20x faster than SHA-256
// here, where SHA-256 of the 10k-article corpus was ~5 % of a cold build.
// What is published or signed for the record (snapshots, PDFs, publish)
// keeps SHA-256 (util/sha256.h).
#pragma once

#include <string>
#include <string_view>

namespace bulletin {

// "xxh128:" followed by the 32 lowercase hex digits of XXH3-128 (as
// `xxhsum -H2` prints them).
std::string cache_digest(std::string_view bytes);

// XXH3-64 of `bytes`: a record's checksum.
unsigned long long cache_checksum64(std::string_view bytes);

}  // namespace bulletin
