#pragma once
// CStrataFiles: the two file calls StrataCore's POSIX file system cannot make from Swift
// (O_DIRECT and EDQUOT are not visible through Glibc's module).

#ifdef __cplusplus
extern "C" {
#endif

/// Opens `path` read-write with O_DIRECT (and O_CREAT when `create`), without truncating it
/// (the WAL appends through it). Returns the fd or -1 with errno set (EINVAL: the file
/// system does not support direct I/O).
int strata_open_direct_rw(const char *path, int create);
/// 1 when `error` is ENOSPC or EDQUOT (the disk is full).
int strata_errno_is_disk_full(int error);

#ifdef __cplusplus
}
#endif
