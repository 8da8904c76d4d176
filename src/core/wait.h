/*
 * wait.h - the one interruptible wait. Every blocking operation of the
 * library waits here and nowhere else.
 *
 * How a blocking operation uses it ("wait until it can be done, then do it",
 * never "take, then wait", so that an EINTR return has taken nothing):
 *
 *	rc = intr__wait_enter(deadline, mask);	// EINVAL, ETERM or EINTR
 *	while (rc == 0 && !try_the_operation())
 *		rc = intr__wait(fds, n, deadline, mask);
 *
 * The last slot of fds belongs to the wait (it polls intr_term's notifier
 * there): declare one more entry than you fill.
 */
#ifndef INTR_CORE_WAIT_H
#define INTR_CORE_WAIT_H

#include <signal.h>
#include <stdint.h>

#include "platform/platform.h"

/*
 * Start of every blocking call: -EINVAL for a deadline below -1, -ETERM after
 * intr_term(), and, when mask is not NULL, -EINTR if a signal that mask
 * unblocks is pending (it is delivered now). A pending signal therefore wins
 * over an operation that could complete at once. 0 otherwise.
 */
int intr__wait_enter(int64_t deadline, const sigset_t *mask);

/*
 * Wait until one of fds[0..n-2] is ready. fds[n-1] is the wait's own slot.
 * Returns the number of ready caller descriptors (> 0), or -EINTR (a signal
 * handler ran in this thread), -ETIMEDOUT (deadline passed), -ETERM
 * (intr_term() was called) or another -errno. mask, when not NULL, is the
 * thread's mask for the length of the wait, swapped in atomically.
 */
int intr__wait(struct intr__pollfd *fds, unsigned int n, int64_t deadline,
    const sigset_t *mask);

/* Nanoseconds left until deadline: -1 for never, 0 if already passed. */
int64_t intr__wait_timeout_ns(int64_t deadline);

#endif /* INTR_CORE_WAIT_H */
