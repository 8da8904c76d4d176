/*
 * posix_notify_pipe.c - the notifier on a pipe, for systems without eventfd.
 *
 * One byte in the pipe is one count. The counter never holds more than the
 * number of threads waiting on it, far below a pipe's capacity, so a post
 * never finds the pipe full.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "../platform.h"
#include "posix_sys.h"

int
intr__notify_open(intr__notify_t *n)
{
	int fds[2];

	if (intr__sys.pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0) {
		return -errno;
	}
	n->rfd = fds[0];
	n->wfd = fds[1];
	return 0;
}

int
intr__notify_post(const intr__notify_t *n)
{
	char one = 1;
	int saved = errno; /* may run in a signal handler */
	int rc = 0;

	while (intr__sys.write(n->wfd, &one, 1) < 0) {
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
	char c;

	for (;;) {
		if (intr__sys.read(n->rfd, &c, 1) == 1) {
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
	if (n->wfd >= 0 && n->wfd != n->rfd) {
		(void)intr__sys.close(n->wfd);
	}
	*n = INTR__NOTIFY_NONE;
}
