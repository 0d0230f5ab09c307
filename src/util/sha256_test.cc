#include "util/sha256.h"

#include <catch2/catch.hpp>

TEST_CASE("SHA-256 digests match the standard test vectors", "[sha256]") {
  CHECK(bulletin::sha256("") == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(bulletin::sha256("abc") == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
