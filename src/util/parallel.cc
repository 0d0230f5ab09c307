#include "util/parallel.h"

#include <sys/resource.h>

#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace bulletin {

int worker_count(int requested) {
  if (requested > 0) return requested;
  unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : static_cast<int>(cores);
}

void parallel_for(size_t n, int threads, const std::function<void(size_t)>& fn) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  size_t failed_at = n;
  std::exception_ptr error;
  auto work = [&] {
    while (!failed.load(std::memory_order_relaxed)) {
      size_t i = next.fetch_add(1);
      if (i >= n) return;
      try {
        fn(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (i < failed_at) {
          failed_at = i;
          error = std::current_exception();
        }
        failed = true;
      }
    }
  };
  size_t extra = threads > 1 ? std::min<size_t>(static_cast<size_t>(threads - 1), n) : 0;
  std::vector<std::thread> pool;
  pool.reserve(extra);
  for (size_t t = 0; t < extra; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

void lower_to_background_priority() { ::setpriority(PRIO_PROCESS, 0, 19); }

}  // namespace bulletin
