/*
 * posix_wait_ppoll.c - the masked wait on ppoll(2).
 *
 * ppoll installs the mask and starts waiting in one system call, so a signal
 * it unblocks can never slip in between (the race a user-space "set mask,
 * wait, restore" sequence has). It fails with EINTR whenever a handler runs,
 * with or without SA_RESTART, and the kernel restarts it transparently when
 * no handler runs (stop/continue, ignored signals), so it reports neither a
 * missed nor a purely spurious EINTR.
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>

#include "../platform.h"
#include "posix_sys.h"

_Static_assert(sizeof(struct intr__pollfd) == sizeof(struct pollfd),
    "intr__pollfd must match struct pollfd");
_Static_assert(offsetof(struct intr__pollfd, revents) ==
	offsetof(struct pollfd, revents),
    "intr__pollfd must match struct pollfd");
_Static_assert(INTR__POLLIN == POLLIN && INTR__POLLOUT == POLLOUT,
    "poll bits must match");

int
intr__plat_ppoll(struct intr__pollfd *fds, unsigned int n, int64_t timeout_ns,
    const sigset_t *mask)
{
	struct timespec ts, *tsp = NULL;
	int rc;

	if (timeout_ns >= 0) {
		ts.tv_sec = (time_t)(timeout_ns / 1000000000);
		ts.tv_nsec = (long)(timeout_ns % 1000000000);
		tsp = &ts;
	}
	rc = intr__sys.ppoll((struct pollfd *)fds, n, tsp, mask);
	return rc < 0 ? -errno : rc;
}
