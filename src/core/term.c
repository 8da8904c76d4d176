/*
 * term.c - intr_term() and the notifier that wakes every wait for it.
 *
 * Design notes. intr_term() must be async-signal-safe, so it takes no lock:
 * it sets the flag, then reads whether the notifier exists and posts to it.
 * A waiter makes the notifier (under a mutex, never taken by intr_term),
 * publishes it, then reads the flag. All four accesses are sequentially
 * consistent, so at least one side sees the other's write: either the waiter
 * sees the flag and does not wait, or intr_term() sees the notifier and its
 * post wakes the wait. The notifier is never drained, so it stays readable
 * and every later wait wakes at once too.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "intr.h"
#include "init.h"
#include "platform/platform.h"
#include "term.h"

static atomic_int term_flag;
static atomic_int term_ready; /* term_nfy is valid */
static intr__notify_t term_nfy = {-1, -1};
static pthread_mutex_t term_lock = PTHREAD_MUTEX_INITIALIZER;

int
intr__term_is_set(void)
{
	return atomic_load(&term_flag);
}

static int
term_make(void)
{
	int rc = 0;

	(void)pthread_mutex_lock(&term_lock);
	if (!atomic_load(&term_ready)) {
		rc = intr__notify_open(&term_nfy);
		if (rc == 0) {
			atomic_store(&term_ready, 1);
		}
	}
	(void)pthread_mutex_unlock(&term_lock);
	return rc;
}

int
intr__term_fd(void)
{
	int rc;

	if (!atomic_load(&term_ready)) {
		if ((rc = intr__init()) != 0 || (rc = term_make()) != 0) {
			return rc;
		}
	}
	return term_nfy.rfd;
}

void
intr_term(void)
{
	atomic_store(&term_flag, 1);
	if (atomic_load(&term_ready)) {
		(void)intr__notify_post(&term_nfy);
	}
}

void
intr__term_atfork_child(void)
{
	/* The child is single-threaded here: no lock is needed or safe. */
	if (atomic_load(&term_ready)) {
		intr__notify_close(&term_nfy);
		atomic_store(&term_ready, 0);
	}
	term_lock = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
	/*
	 * A terminated parent's child stays terminated: the flag is kept, and
	 * every wait checks it after making its notifier, so none blocks.
	 */
}
