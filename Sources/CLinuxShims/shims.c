#define _GNU_SOURCE
#include "CLinuxShims.h"
#include <fcntl.h>
#include <malloc.h>
#include <spawn.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int berth_set_child_subreaper(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

int berth_pidfd_open(int pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

int berth_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int berth_spawn_actions_closefrom(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

int berth_malloc_single_arena(void) {
    return mallopt(M_ARENA_MAX, 1);
}

static const unsigned berth_change_events = IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_MOVED_TO;

int berth_watch_directory_changes(const char *path) {
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) return -1;
    if (inotify_add_watch(fd, path, berth_change_events) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int berth_watch_more_directory_changes(int fd, const char *path) {
    return inotify_add_watch(fd, path, berth_change_events) < 0 ? -1 : 0;
}
