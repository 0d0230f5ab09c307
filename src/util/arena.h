// A bump allocator for short-lived work whose allocations all end together:
// one document's Markdown parse and render. Allocation moves a pointer
// through a few large blocks; nothing is freed one by one; reset() hands
// every block back for the next document, so a long run asks the system
// allocator for memory only while documents grow. Not thread-safe: use one
// per thread.
#pragma once

#include <cstddef>
#include <vector>

namespace bulletin {

class BumpArena {
 public:
  // `block_bytes`: the size of each block asked of the system (a request
  // larger than that gets a block of its own); `keep_bytes`: how much reset()
  // keeps for the next use (the rest goes back to the system).
  explicit BumpArena(size_t block_bytes = 256 * 1024, size_t keep_bytes = 4 * 1024 * 1024);
  ~BumpArena();
  BumpArena(const BumpArena&) = delete;
  BumpArena& operator=(const BumpArena&) = delete;

  // `bytes` of memory aligned to 16 (zeroed if `zero`); never null: throws
  // std::bad_alloc when the system has no memory.
  void* allocate(size_t bytes, bool zero);
  // As C's realloc: `p` null allocates; the first min(old, bytes) bytes are
  // kept. The last allocation grows in place when its block has room.
  void* reallocate(void* p, size_t bytes);
  // Every allocation is released at once; blocks beyond `keep_bytes` are
  // freed.
  void reset();

  // The bytes taken from the system and held now (for tests and limits).
  size_t held_bytes() const;

 private:
  struct Block {
    char* data;
    size_t size;
  };
  char* take(size_t total);

  size_t block_bytes_;
  size_t keep_bytes_;
  std::vector<Block> blocks_;
  size_t current_ = 0;  // the block being filled
  size_t used_ = 0;     // bytes used in it
  char* last_ = nullptr;  // the last allocation's header, for in-place growth
};

}  // namespace bulletin
