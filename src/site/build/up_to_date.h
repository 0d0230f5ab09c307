// The no-op fast path of `bulletin build`: after a build, the stamps (size,
// mtime in ns, inode, lstat) of everything it depended on — every file and
// folder of the project (content/, data/, templates/, bulletin.yaml, …; not
// .bulletin-cache/ nor the output), the bulletin binary, the tools it probed
// for (WeasyPrint) and PATH — and of every file and folder of the
// site it wrote are recorded in .bulletin-cache/build/. The next build first
// stats them all: when none changed (a folder's mtime changes when an entry is
// added, removed or renamed in it) and no staging folder of an unfinished
// build lies beside the output, the site is exactly what a build would make,
// and nothing is loaded, planned or written. Stamps younger than the build
// itself are not trusted (an edit in the same clock tick would be missed):
// then no record is written and the next build takes the full path.
#pragma once

#include <sys/stat.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "site/build/build.h"

namespace bulletin {

// Where the record for building `project_root` into `out_dir` is kept.
std::string up_to_date_record(const std::string& project_root, const std::string& out_dir);

// The report of the last build when nothing it depended on changed since;
// nullopt when a build must run.
std::optional<BuildReport> site_is_up_to_date(const std::string& project_root, const std::string& out_dir);

// Records the stamps after a successful build that started at `started_ns`
// (wall clock, ns). Removes the record instead when an input is younger.
// `site`: the stamps of everything below the site's root as the writer
// knows them (StagedSiteWriter::site_stamps), so the site is not walked;
// nullptr: walk it.
void record_up_to_date(const std::string& project_root, const std::string& out_dir, const BuildReport& report,
                       long long started_ns, const std::vector<std::pair<std::string, struct stat>>* site = nullptr);

// The same, written by a detached process so the build does not wait for
// it (for a caller that exits soon after: the process is not waited for): the old record is removed first, and site_is_up_to_date waits for a
// record still being written (a lock beside it). Falls back to writing it
// here when the process cannot be started. When `report.inputs_young`, only
// removes the old record (record_up_to_date would write none).
void record_up_to_date_in_background(const std::string& project_root, const std::string& out_dir,
                                     const BuildReport& report, long long started_ns,
                                     const std::vector<std::pair<std::string, struct stat>>* site = nullptr);

// The wall clock in ns, for record_up_to_date.
long long wall_clock_ns();

}  // namespace bulletin
