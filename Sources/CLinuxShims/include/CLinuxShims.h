#ifndef BERTH_CLINUXSHIMS_H
#define BERTH_CLINUXSHIMS_H

/// Makes the calling process a child subreaper (prctl PR_SET_CHILD_SUBREAPER); 0 on success, -1 with errno.
int berth_set_child_subreaper(void);

/// A file descriptor that becomes readable when process `pid` ends (pidfd_open, Linux 5.3); -1 with errno.
int berth_pidfd_open(int pid);

/// A pipe whose two ends are close-on-exec from the start (pipe2 with O_CLOEXEC), so that a child spawned
/// by another thread at the same moment cannot inherit them; 0 on success, -1 with errno.
int berth_pipe_cloexec(int fds[2]);

#endif
