#include "util/arena.h"

#include <cstdlib>
#include <cstring>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define BULLETIN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BULLETIN_ASAN 1
#endif
#endif
#ifdef BULLETIN_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace bulletin {
namespace {

// Each allocation is preceded by a 16-byte header holding its rounded size
// (how much room it has) and the size asked for (how much reallocate
// copies); 16 keeps every pointer 16-aligned.
constexpr size_t kHeader = 16;
constexpr size_t kAlign = 16;

size_t round_up(size_t n) { return (n + kAlign - 1) & ~(kAlign - 1); }

// Under AddressSanitizer (the fuzz targets) everything in a block but the
// bytes asked for is poisoned, headers included, so a read or write past an
// allocation inside a block is reported as it would be past a malloc'd one.
#ifdef BULLETIN_ASAN
void poison(const void* p, size_t n) { ASAN_POISON_MEMORY_REGION(p, n); }
void unpoison(const void* p, size_t n) { ASAN_UNPOISON_MEMORY_REGION(p, n); }
#else
void poison(const void*, size_t) {}
void unpoison(const void*, size_t) {}
#endif

struct Header {
  size_t room;
  size_t asked;
};

Header read_header(const char* header) {
  unpoison(header, kHeader);
  Header h;
  std::memcpy(&h, header, sizeof h);
  poison(header, kHeader);
  return h;
}

void write_header(char* header, Header h) {
  unpoison(header, kHeader);
  std::memcpy(header, &h, sizeof h);
  poison(header, kHeader);
}

}  // namespace

BumpArena::BumpArena(size_t block_bytes, size_t keep_bytes) : block_bytes_(block_bytes), keep_bytes_(keep_bytes) {}

BumpArena::~BumpArena() {
  for (Block& b : blocks_) {
    unpoison(b.data, b.size);
    std::free(b.data);
  }
}

char* BumpArena::take(size_t total) {
  while (current_ < blocks_.size()) {
    Block& b = blocks_[current_];
    if (b.size - used_ >= total) {
      char* p = b.data + used_;
      used_ += total;
      return p;
    }
    ++current_;
    used_ = 0;
  }
  const size_t size = total > block_bytes_ ? total : block_bytes_;
  char* data = static_cast<char*>(std::malloc(size));
  if (!data) throw std::bad_alloc();
  poison(data, size);
  blocks_.push_back({data, size});
  current_ = blocks_.size() - 1;
  used_ = total;
  return data;
}

void* BumpArena::allocate(size_t bytes, bool zero) {
  if (bytes > (size_t(1) << 40)) throw std::bad_alloc();
  const size_t body = round_up(bytes == 0 ? 1 : bytes);
  char* header = take(kHeader + body);
  write_header(header, {body, bytes});
  last_ = header;
  unpoison(header + kHeader, bytes);
  if (zero) std::memset(header + kHeader, 0, bytes);
  return header + kHeader;
}

void* BumpArena::reallocate(void* p, size_t bytes) {
  if (!p) return allocate(bytes, false);
  char* header = static_cast<char*>(p) - kHeader;
  const Header old = read_header(header);
  if (bytes <= old.room) {
    // It fits where it is.
    if (bytes > old.asked) unpoison(static_cast<char*>(p) + old.asked, bytes - old.asked);
    if (bytes < old.asked) poison(static_cast<char*>(p) + bytes, old.asked - bytes);
    write_header(header, {old.room, bytes});
    return p;
  }
  if (bytes > (size_t(1) << 40)) throw std::bad_alloc();
  const size_t body = round_up(bytes);
  if (header == last_) {
    // The last allocation ends where the block's free part starts: grow it
    // there when the block has room.
    Block& b = blocks_[current_];
    if (b.size - used_ >= body - old.room) {
      used_ += body - old.room;
      write_header(header, {body, bytes});
      unpoison(static_cast<char*>(p) + old.asked, bytes - old.asked);
      return p;
    }
  }
  void* grown = allocate(bytes, false);
  std::memcpy(grown, p, old.asked);
  return grown;
}

void BumpArena::reset() {
  size_t kept = 0;
  size_t n = 0;
  for (Block& b : blocks_) {
    if (kept + b.size <= keep_bytes_) {
      kept += b.size;
      poison(b.data, b.size);
      blocks_[n++] = b;
    } else {
      unpoison(b.data, b.size);
      std::free(b.data);
    }
  }
  blocks_.resize(n);
  current_ = 0;
  used_ = 0;
  last_ = nullptr;
}

size_t BumpArena::held_bytes() const {
  size_t total = 0;
  for (const Block& b : blocks_) total += b.size;
  return total;
}

}  // namespace bulletin
