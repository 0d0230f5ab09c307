#include "site/build/spread_folders.h"

#include <linux/fs.h>
#include <sys/ioctl.h>

namespace bulletin {

namespace {
// The kernel reads and writes an int through FS_IOC_[GS]ETFLAGS, whatever the
// header's `long` says.
bool get_flags(int dir_fd, int& flags) { return ::ioctl(dir_fd, FS_IOC_GETFLAGS, &flags) == 0; }
}  // namespace

bool mark_top_folder(int dir_fd) {
  int flags = 0;
  if (!get_flags(dir_fd, flags)) return false;  // ENOTTY, EOPNOTSUPP, EINVAL: no flags here
  if (flags & FS_TOPDIR_FL) return true;
  int wanted = flags | FS_TOPDIR_FL;
  return ::ioctl(dir_fd, FS_IOC_SETFLAGS, &wanted) == 0;
}

bool has_top_folder_flag(int dir_fd) {
  int flags = 0;
  return get_flags(dir_fd, flags) && (flags & FS_TOPDIR_FL);
}

}  // namespace bulletin
