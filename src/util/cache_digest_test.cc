#include "util/cache_digest.h"

#include <catch2/catch.hpp>

#include <string>

// The expected values are what `xxhsum -H2` (XXH3-128) and `xxhsum -H3`
// (XXH3-64) of Debian's xxhash package print for the same bytes; 1000 bytes
// take XXH3's long-input path (over 240 bytes).
TEST_CASE("cache digests are XXH3-128 as xxhsum prints it", "[cache_digest]") {
  using bulletin::cache_digest;
  CHECK(cache_digest("") == "xxh128:99aa06d3014798d86001c324468d497f");
  CHECK(cache_digest("abc") == "xxh128:06b05ab6733a618578af5f94892f3950");
  CHECK(cache_digest("党建") == "xxh128:9c1701a91cda5c8fb2955d5a5dbfe593");
  CHECK(cache_digest(std::string(1000, 'a')) == "xxh128:b01da365eddaa29cb3e7af627147db7c");
}

TEST_CASE("cache checksums are XXH3-64", "[cache_digest]") {
  using bulletin::cache_checksum64;
  CHECK(cache_checksum64("") == 0x2d06800538d394c2ULL);
  CHECK(cache_checksum64("abc") == 0x78af5f94892f3950ULL);
  CHECK(cache_checksum64(std::string(1000, 'a')) == 0xb3e7af627147db7cULL);
}
