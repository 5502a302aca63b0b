#ifndef BERTH_CLINUXSHIMS_H
#define BERTH_CLINUXSHIMS_H

#include <spawn.h>

/// Makes the calling process a child subreaper (prctl PR_SET_CHILD_SUBREAPER); 0 on success, -1 with errno.
int berth_set_child_subreaper(void);

/// A file descriptor that becomes readable when process `pid` ends (pidfd_open, Linux 5.3); -1 with errno.
int berth_pidfd_open(int pid);

/// A pipe whose two ends are close-on-exec from the start (pipe2 with O_CLOEXEC), so that a child spawned
/// by another thread at the same moment cannot inherit them; 0 on success, -1 with errno.
int berth_pipe_cloexec(int fds[2]);

/// Creates a new network namespace and pins it by bind-mounting it on `path` (an existing empty file), with
/// its loopback interface up. The namespace is entered only by a short-lived thread made for this call,
/// which exits afterwards, so neither the calling thread nor the process ever runs in it. 0 on success,
/// else an errno value (the call that failed is not distinguished; the caller names the path).
int berth_netns_create(const char *path);

/// Whether `path` is a mounted namespace file (its file system is nsfs): 1 yes, 0 no, -1 with errno.
int berth_is_nsfs(const char *path);

/// Adds "close every descriptor from `from` up" to spawn file actions (glibc's
/// posix_spawn_file_actions_addclosefrom_np, 2.34), so that a long-lived child inherits nothing by accident;
/// 0 on success, an error number otherwise.
int berth_spawn_actions_closefrom(posix_spawn_file_actions_t *actions, int from);

/// Limits malloc to one arena (mallopt M_ARENA_MAX), for a long-lived process that should stay small; 1 on
/// success, 0 otherwise.
int berth_malloc_single_arena(void);

/// A socket bound on this host, as the kernel's socket diagnostics report it.
struct berth_bound_socket {
    unsigned char family;         // AF_INET or AF_INET6
    unsigned char protocol;       // IPPROTO_TCP or IPPROTO_UDP
    unsigned short port;          // host byte order
    unsigned char address[16];    // the local address in network byte order (4 bytes used for AF_INET)
};

/// The host's listening TCP sockets (`protocol` IPPROTO_TCP) or bound, unconnected UDP sockets (IPPROTO_UDP),
/// IPv4 and IPv6, asked of the kernel through NETLINK_SOCK_DIAG: only the listening table is walked, where
/// reading /proc/net/tcp walks every connection bucket (1.5 ms per file here). Stores up to `capacity` in
/// `out`; returns how many there are (more than `capacity`: call again with more room), or -1 with errno
/// (no socket diagnostics in this kernel: read /proc/net instead).
int berth_bound_sockets(int protocol, struct berth_bound_socket *out, int capacity);

#endif
