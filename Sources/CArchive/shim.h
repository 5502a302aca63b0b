#include <archive.h>
#include <archive_entry.h>
#include <sys/xattr.h>
/* glibc declares syncfs only under _GNU_SOURCE; declare it for Swift. */
int syncfs(int fd);
