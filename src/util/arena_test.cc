#include "util/arena.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <new>
#include <string>

using namespace bulletin;

namespace {
bool aligned16(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % 16 == 0; }
}  // namespace

TEST_CASE("arena allocations are aligned, distinct and zeroed when asked", "[arena]") {
  BumpArena arena(1024, 4096);
  char* a = static_cast<char*>(arena.allocate(3, true));
  char* b = static_cast<char*>(arena.allocate(40, true));
  CHECK(aligned16(a));
  CHECK(aligned16(b));
  CHECK(b >= a + 16);  // a's rounded size; b's header sits between
  for (int i = 0; i < 40; ++i) CHECK(b[i] == 0);
  std::memset(b, 0x5a, 40);
  // After a reset the same memory comes back: calloc must still be zeroed.
  arena.reset();
  char* c = static_cast<char*>(arena.allocate(40, true));
  int nonzero = 0;
  for (int i = 0; i < 40; ++i) nonzero += c[i] != 0;
  CHECK(nonzero == 0);
  CHECK(arena.held_bytes() == 1024);
}

TEST_CASE("arena reallocate keeps the contents, in place or by copy", "[arena]") {
  BumpArena arena(1024, 4096);
  CHECK(arena.reallocate(nullptr, 10) != nullptr);  // null: allocates
  char* last = static_cast<char*>(arena.reallocate(nullptr, 16));
  std::memcpy(last, "0123456789abcdef", 16);
  // The last allocation with room after it grows where it is.
  char* grown = static_cast<char*>(arena.reallocate(last, 200));
  CHECK(grown == last);
  CHECK(std::string(grown, 16) == "0123456789abcdef");
  // Asking for less than it has keeps the block.
  CHECK(arena.reallocate(grown, 100) == grown);
  // One that is no longer last is copied.
  char* other = static_cast<char*>(arena.allocate(16, false));
  std::memcpy(other, "ZYXWVUTSRQPONMLK", 16);
  char* moved = static_cast<char*>(arena.reallocate(grown, 400));
  CHECK(moved != grown);
  CHECK(std::string(moved, 16) == "0123456789abcdef");
  CHECK(std::string(other, 16) == "ZYXWVUTSRQPONMLK");
  // The last one, its block too small: copied into a new block.
  char* big = static_cast<char*>(arena.reallocate(moved, 5000));
  CHECK(big != moved);
  CHECK(std::string(big, 16) == "0123456789abcdef");
  CHECK(aligned16(big));
}

TEST_CASE("arena gives a large request a block of its own and reset keeps only keep_bytes", "[arena]") {
  BumpArena arena(1024, 2048);
  void* small = arena.allocate(100, false);
  void* large = arena.allocate(10000, true);
  CHECK(small != large);
  CHECK(arena.held_bytes() == 1024 + 16 + 10000);
  arena.reset();
  // The 1 KiB block is kept; the large one went back to the system.
  CHECK(arena.held_bytes() == 1024);
  // Memory is reused from the start after a reset.
  CHECK(arena.allocate(100, false) == small);
  CHECK_THROWS_AS(arena.allocate(size_t(1) << 41, false), std::bad_alloc);
}
