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

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>

/// One NETLINK_SOCK_DIAG dump of `family`/`protocol` sockets in `states`, appended to `out` from `count`;
/// the new count (entries past `capacity` are counted, not stored), or -1 with errno.
static int berth_sock_diag_dump(int fd, int family, int protocol, unsigned states, struct berth_bound_socket *out,
                                int capacity, int count) {
    struct {
        struct nlmsghdr header;
        struct inet_diag_req_v2 request;
    } message;
    memset(&message, 0, sizeof message);
    message.header.nlmsg_len = sizeof message;
    message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    message.request.sdiag_family = (unsigned char)family;
    message.request.sdiag_protocol = (unsigned char)protocol;
    message.request.idiag_states = states;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    if (sendto(fd, &message, sizeof message, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) return -1;
    long buffer[4096];
    for (;;) {
        ssize_t received = recv(fd, buffer, sizeof buffer, 0);
        if (received < 0 && errno == EINTR) continue;
        if (received <= 0) {
            if (received == 0) errno = EIO;
            return -1;
        }
        int length = (int)received;
        for (struct nlmsghdr *header = (struct nlmsghdr *)buffer; NLMSG_OK(header, length);
             header = NLMSG_NEXT(header, length)) {
            if (header->nlmsg_type == NLMSG_DONE) return count;
            if (header->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *error = NLMSG_DATA(header);
                errno = error->error < 0 ? -error->error : EIO;
                return -1;
            }
            if (header->nlmsg_type != SOCK_DIAG_BY_FAMILY) continue;
            const struct inet_diag_msg *socket = NLMSG_DATA(header);
            if (count < capacity) {
                struct berth_bound_socket *entry = &out[count];
                memset(entry, 0, sizeof *entry);
                entry->family = socket->idiag_family;
                entry->protocol = (unsigned char)protocol;
                entry->port = ntohs(socket->id.idiag_sport);
                memcpy(entry->address, socket->id.idiag_src, socket->idiag_family == AF_INET ? 4 : 16);
            }
            count++;
        }
    }
}

int berth_bound_sockets(int protocol, struct berth_bound_socket *out, int capacity) {
    // TCP: listening sockets only, so the kernel walks its listening table, not every connection's.
    // UDP: bound sockets that are not connected (TCP_CLOSE), as /proc/net/udp shows them with state 07.
    unsigned states = protocol == IPPROTO_TCP ? 1u << 10 : 1u << 7;
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) return -1;
    int count = berth_sock_diag_dump(fd, AF_INET, protocol, states, out, capacity, 0);
    if (count >= 0) count = berth_sock_diag_dump(fd, AF_INET6, protocol, states, out, capacity, count);
    int saved = errno;
    close(fd);
    errno = saved;
    return count;
}
