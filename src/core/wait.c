/*
 * wait.c - the one interruptible wait.
 *
 * Design notes. A blocking call of the library is "check, then wait", and a
 * signal that lands between the two would be missed by a plain wait. The
 * wait therefore sleeps in one system call that also applies the caller's
 * mask (ppoll), so a signal the caller kept blocked during its check is
 * delivered inside the wait and turns it into EINTR.
 *
 * ppoll lets a ready descriptor win over a pending signal. libintr promises
 * the opposite for a signal that is pending on entry (no flood of messages
 * can postpone Ctrl+C), so intr__wait_enter first opens the "gate": a ppoll
 * on no descriptors with a zero timeout and the caller's mask. It delivers
 * exactly the pending signals the mask unblocks, and fails with EINTR if
 * there was one, before the operation has taken anything.
 *
 * Every wait also polls the term notifier (term.c), which is how intr_term()
 * wakes waits in every thread while a signal wakes only one.
 */
#include <stdatomic.h>

#include "intr.h"
#include "platform/platform.h"
#include "term.h"
#include "testhooks.h"
#include "wait.h"

typedef void (*hook_fn)(void);
static _Atomic(hook_fn) prewait_hook;

void
intr__test_set_prewait_hook(void (*hook)(void))
{
	atomic_store(&prewait_hook, hook);
}

int
intr__wait_enter(int64_t deadline, const sigset_t *mask)
{
	if (deadline < INTR_FOREVER) {
		return -EINVAL;
	}
	if (intr__term_is_set()) {
		return -ETERM;
	}
	if (mask != NULL) {
		return intr__plat_ppoll(NULL, 0, 0, mask);
	}
	return 0;
}

int64_t
intr__wait_timeout_ns(int64_t deadline)
{
	int64_t left;

	/* A deadline too far to express in ns is as good as never. */
	if (deadline == INTR_FOREVER || deadline > INT64_MAX / 1000000) {
		return -1;
	}
	left = deadline * 1000000 - intr__plat_now_ns();
	return left > 0 ? left : 0;
}

int
intr__wait(struct intr__pollfd *fds, unsigned int n, int64_t deadline,
    const sigset_t *mask)
{
	struct intr__pollfd *term = &fds[n - 1];
	hook_fn hook;
	int rc;

	if ((rc = intr__term_fd()) < 0) {
		return rc;
	}
	*term = (struct intr__pollfd){rc, INTR__POLLIN, 0};
	if (intr__term_is_set()) { /* only now: see term.h */
		return -ETERM;
	}
	if ((hook = atomic_load_explicit(&prewait_hook,
		 memory_order_relaxed)) != NULL) {
		hook();
	}
	rc = intr__plat_ppoll(fds, n, intr__wait_timeout_ns(deadline), mask);
	if (rc == 0) {
		return -ETIMEDOUT;
	}
	if (rc > 0 && term->revents != 0 && --rc == 0) {
		return -ETERM;
	}
	return rc;
}
