#define _GNU_SOURCE
#include "strata_files.h"

#include <errno.h>
#include <fcntl.h>

int strata_open_direct_rw(const char *path, int create) {
    return open(path, O_RDWR | O_CLOEXEC | O_DIRECT | (create ? O_CREAT : 0), 0644);
}

int strata_errno_is_disk_full(int error) {
    return error == ENOSPC || error == EDQUOT;
}
