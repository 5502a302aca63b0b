#include <archive.h>
#include <archive_entry.h>
#include <sys/xattr.h>
/* glibc declares syncfs only under _GNU_SOURCE; declare it for Swift. */
int syncfs(int fd);
/* NULL once libarchive is loaded (loader.c loads it on first use), else why it cannot be. */
const char *berth_archive_load_error(void);
