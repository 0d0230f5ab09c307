#include "util/arena.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace bulletin {
namespace {

// Each allocation is preceded by a 16-byte header holding its size, so that
// reallocate knows how much to copy; 16 keeps every pointer 16-aligned.
constexpr size_t kHeader = 16;
constexpr size_t kAlign = 16;

size_t round_up(size_t n) { return (n + kAlign - 1) & ~(kAlign - 1); }

size_t& size_of(char* header) { return *reinterpret_cast<size_t*>(header); }

}  // namespace

BumpArena::BumpArena(size_t block_bytes, size_t keep_bytes) : block_bytes_(block_bytes), keep_bytes_(keep_bytes) {}

BumpArena::~BumpArena() {
  for (Block& b : blocks_) std::free(b.data);
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
  blocks_.push_back({data, size});
  current_ = blocks_.size() - 1;
  used_ = total;
  return data;
}

void* BumpArena::allocate(size_t bytes, bool zero) {
  if (bytes > (size_t(1) << 40)) throw std::bad_alloc();
  const size_t body = round_up(bytes == 0 ? 1 : bytes);
  char* header = take(kHeader + body);
  size_of(header) = body;
  last_ = header;
  if (zero) std::memset(header + kHeader, 0, body);
  return header + kHeader;
}

void* BumpArena::reallocate(void* p, size_t bytes) {
  if (!p) return allocate(bytes, false);
  char* header = static_cast<char*>(p) - kHeader;
  const size_t old = size_of(header);
  if (bytes <= old) return p;
  if (bytes > (size_t(1) << 40)) throw std::bad_alloc();
  const size_t body = round_up(bytes);
  if (header == last_) {
    // The last allocation ends where the block's free part starts: grow it
    // there when the block has room.
    Block& b = blocks_[current_];
    if (b.size - used_ >= body - old) {
      used_ += body - old;
      size_of(header) = body;
      return p;
    }
  }
  void* grown = allocate(bytes, false);
  std::memcpy(grown, p, old);
  return grown;
}

void BumpArena::reset() {
  size_t kept = 0;
  size_t n = 0;
  for (Block& b : blocks_) {
    if (kept + b.size <= keep_bytes_) {
      kept += b.size;
      blocks_[n++] = b;
    } else {
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
