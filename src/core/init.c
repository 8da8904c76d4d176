/*
 * init.c - one-time set-up: the thread-exit key and the at-fork hook.
 *
 * After fork() the child shares every descriptor with its parent. Those that
 * carry wakeups (the term notifier, the forking thread's parker) would let
 * one process wake the other, so the child forgets them and makes its own on
 * first use. Semaphores it copied are adopted on their first use in the
 * child, by generation (sem.c).
 */
#include <pthread.h>
#include <stdatomic.h>

#include "init.h"
#include "parker.h"
#include "platform/platform.h"
#include "term.h"

pthread_key_t intr__parker_key;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc;
static atomic_uint fork_gen;

unsigned int
intr__fork_gen(void)
{
	return atomic_load_explicit(&fork_gen, memory_order_relaxed);
}

static void
init_atfork_child(void)
{
	atomic_fetch_add(&fork_gen, 1);
	intr__term_atfork_child();
	intr__parker_atfork_child();
}

static void
init_run(void)
{
	init_rc = intr__plat_key_create(&intr__parker_key, intr__parker_dtor);
	if (init_rc == 0) {
		init_rc = intr__plat_atfork(init_atfork_child);
	}
}

int
intr__init(void)
{
	(void)pthread_once(&init_once, init_run);
	return init_rc;
}
