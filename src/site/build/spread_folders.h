// Where ext4 puts the folders a build creates.
//
// ext4 picks a new folder's inode in its parent's block group unless the
// parent carries FS_TOPDIR_FL (Orlov allocator: "the top of a directory
// hierarchy"), when it spreads the subfolders over the groups with the most
// free inodes. After the `rm -rf` of a previous site (~20,000 inodes), every
// new inode in the same group scans past the recently deleted ones
// (`recently_deleted` in `__ext4_new_inode`), a cost quadratic in what was
// deleted: the flag on the folders that get thousands of subfolders keeps
// the new ones out of those groups. See bench/README.md, "ext4: spreading".
#pragma once

namespace bulletin {

// Sets FS_TOPDIR_FL on the folder open at `dir_fd`. True when it is set
// afterwards; false (and nothing changed) where the file system has no such
// flag (tmpfs, overlayfs…) or refuses it: never an error, only a placement hint.
bool mark_top_folder(int dir_fd);

// True when the folder open at `dir_fd` carries FS_TOPDIR_FL.
bool has_top_folder_flag(int dir_fd);

}  // namespace bulletin
