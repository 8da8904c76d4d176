/*
 * parker.c - the per-thread parker.
 *
 * Invariant: a parker's counter is zero whenever its thread is not inside a
 * wait. Only a waker that has taken the thread off a wait list posts to it,
 * at most once per wait, and the thread takes that post before it returns.
 */
#include "parker.h"

#include "init.h"

static _Thread_local intr__notify_t parker = {-1, -1};

int
intr__parker(const intr__notify_t **out)
{
	int rc;

	if (parker.rfd < 0) {
		if ((rc = intr__init()) != 0) {
			return rc;
		}
		if ((rc = intr__notify_open(&parker)) != 0) {
			return rc;
		}
		/* A non-NULL value is what makes the destructor run. */
		if ((rc = intr__plat_key_set(intr__parker_key, &parker)) != 0) {
			intr__notify_close(&parker);
			return rc;
		}
	}
	*out = &parker;
	return 0;
}

void
intr__parker_dtor(void *p)
{
	intr__notify_close(p);
}

void
intr__parker_atfork_child(void)
{
	intr__notify_close(&parker);
}
