// Runs independent jobs on a few threads. Jobs are handed out in index
// order; when jobs throw, the exception of the lowest index is rethrown after
// every started job has finished, so the error a build reports does not
// depend on the number of threads.
#pragma once

#include <cstddef>
#include <functional>

namespace bulletin {

// The number of threads to use for `requested` (0: one per core).
int worker_count(int requested);

// Calls fn(0) … fn(n - 1) on `threads` threads (the caller's included).
void parallel_for(size_t n, int threads, const std::function<void(size_t)>& fn);

// For a detached process doing a build's housekeeping once the build is done
// (saving the parse cache, writing the fast-path record, removing old files):
// the lowest CPU priority (nice 19), so that it does not slow the next build
// or the user's other work; it still runs whenever a core is free, so a build
// that waits for it is never kept waiting long.
void lower_to_background_priority();

}  // namespace bulletin
