#define _GNU_SOURCE
#include "CLinuxShims.h"
#include <fcntl.h>
#include <malloc.h>
#include <spawn.h>
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

#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/vfs.h>

struct berth_netns_job {
    const char *path;
    int error;
};

// Runs on its own thread: unshare affects only this thread's namespaces, and the thread ends right after,
// so the new namespace is then held by the bind mount alone.
static void *berth_netns_thread(void *argument) {
    struct berth_netns_job *job = argument;
    if (unshare(CLONE_NEWNET) != 0) {
        job->error = errno;
        return NULL;
    }
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock >= 0) {
        struct ifreq request;
        memset(&request, 0, sizeof request);
        strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
        if (ioctl(sock, SIOCGIFFLAGS, &request) == 0) {
            request.ifr_flags |= IFF_UP;
            if (ioctl(sock, SIOCSIFFLAGS, &request) != 0) job->error = errno;
        } else {
            job->error = errno;
        }
        close(sock);
    } else {
        job->error = errno;
    }
    if (job->error != 0) return NULL;
    char source[64];
    snprintf(source, sizeof source, "/proc/self/task/%ld/ns/net", (long)syscall(SYS_gettid));
    if (mount(source, job->path, "none", MS_BIND, NULL) != 0) job->error = errno;
    return NULL;
}

int berth_netns_create(const char *path) {
    struct berth_netns_job job = {path, 0};
    pthread_t thread;
    int status = pthread_create(&thread, NULL, berth_netns_thread, &job);
    if (status != 0) return status;
    pthread_join(thread, NULL);
    return job.error;
}

int berth_is_nsfs(const char *path) {
    struct statfs info;
    if (statfs(path, &info) != 0) return -1;
    return info.f_type == 0x6e736673 ? 1 : 0;
}

int berth_spawn_actions_closefrom(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

int berth_malloc_single_arena(void) {
    return mallopt(M_ARENA_MAX, 1);
}
