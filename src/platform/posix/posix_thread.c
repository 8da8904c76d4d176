/*
 * posix_thread.c - threads born with every signal blocked, and the thin
 * wrappers core uses for thread-exit and fork hooks.
 *
 * The mask is blocked in the creating thread around pthread_create, not in
 * the new thread, so there is no instant in which a process-directed signal
 * could be handled on a library thread (where the application's blocked call
 * would never see EINTR).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>

#include "../platform.h"

int
intr__plat_thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	rc = pthread_sigmask(SIG_BLOCK, &all, &old);
	if (rc != 0) {
		return -rc;
	}
	rc = pthread_create(t, NULL, fn, arg);
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	return -rc;
}

int
intr__plat_atfork(void (*child)(void))
{
	return -pthread_atfork(NULL, NULL, child);
}

int
intr__plat_key_create(pthread_key_t *key, void (*dtor)(void *))
{
	return -pthread_key_create(key, dtor);
}

int
intr__plat_key_set(pthread_key_t key, void *value)
{
	return -pthread_setspecific(key, value);
}
