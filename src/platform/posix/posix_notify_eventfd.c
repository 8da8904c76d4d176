/*
 * posix_notify_eventfd.c - the notifier on a Linux eventfd.
 *
 * EFD_SEMAPHORE makes each read take exactly one, so a counter holds as many
 * wakeups as were posted and none is merged with another.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>

#include "../platform.h"
#include "posix_sys.h"

int
intr__notify_open(intr__notify_t *n)
{
	int fd =
	    intr__sys.eventfd(0, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);

	if (fd < 0) {
		return -errno;
	}
	n->rfd = n->wfd = fd;
	return 0;
}

int
intr__notify_post(const intr__notify_t *n)
{
	uint64_t one = 1;
	int saved = errno; /* may run in a signal handler */
	int rc = 0;

	while (intr__sys.write(n->wfd, &one, sizeof(one)) < 0) {
		if (errno != EINTR) {
			rc = -errno;
			break;
		}
	}
	errno = saved;
	return rc;
}

int
intr__notify_take(const intr__notify_t *n)
{
	uint64_t v;

	for (;;) {
		if (intr__sys.read(n->rfd, &v, sizeof(v)) ==
		    (ssize_t)sizeof(v)) {
			return 0;
		}
		if (errno != EINTR) {
			return -errno;
		}
	}
}

void
intr__notify_close(intr__notify_t *n)
{
	if (n->rfd >= 0) {
		(void)intr__sys.close(n->rfd);
	}
	*n = INTR__NOTIFY_NONE;
}
