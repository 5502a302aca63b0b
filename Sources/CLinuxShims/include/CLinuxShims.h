#ifndef BERTH_CLINUXSHIMS_H
#define BERTH_CLINUXSHIMS_H

/// Makes the calling process a child subreaper (prctl PR_SET_CHILD_SUBREAPER); 0 on success, -1 with errno.
int berth_set_child_subreaper(void);

#endif
