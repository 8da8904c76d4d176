/*
 * ct.h - helpers shared by the core tests (tests/core/): waiter threads
 * that report their kernel id, a precise "blocked in the library's wait"
 * check, prewait hooks that complete a wait from inside it, and small
 * comparisons the cases repeat.
 *
 * Every helper fails the case (it_fail) instead of returning an error, and
 * every wait in here gives up after 5 s, so a broken library shows up as a
 * failed CHECK rather than as the runner's time limit.
 */
#ifndef INTR_TESTS_CORE_CT_H
#define INTR_TESTS_CORE_CT_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "intr.h"

/* How long any helper waits for something that must happen. */
#define CT_LIMIT_MS 5000

/* What a waiter thread calls, once. */
enum ct_op {
	CT_SEM_WAIT,   /* intr_sem_wait(sem) */
	CT_SEM_PWAIT,  /* intr_sem_pwait(sem, deadline, mask) */
	CT_COND_WAIT,  /* intr_cond_wait(cond, mutex), mutex locked first */
	CT_COND_PWAIT, /* intr_cond_pwait(cond, mutex, deadline, mask) */
};

/*
 * A thread that makes one blocking call and records how it ended. The case
 * fills the first group, ct_waiter_start fills the rest. rc, err, unlock_rc
 * and end_ms are valid after ct_waiter_join.
 */
struct ct_waiter {
	enum ct_op op;
	intr_sem_t *sem;
	intr_cond_t *cond;
	pthread_mutex_t *mutex; /* error-checking, so unlock proves ownership */
	int64_t deadline;
	const sigset_t *mask;

	pthread_t thread;
	_Atomic pid_t tid;  /* published by the thread before anything else */
	atomic_int entered; /* set before the call (cond: under the mutex) */
	atomic_int done;    /* set once the call has returned */
	int rc;             /* the call's return value */
	int err;            /* errno right after it */
	int unlock_rc;      /* cond: pthread_mutex_unlock(mutex) after it */
	int64_t end_ms;     /* it_now_ms() when it returned */
};

/* Start w's thread; returns once its tid is known. */
void ct_waiter_start(struct ct_waiter *w);

/*
 * Return once w is asleep inside its wait. For a condition this includes
 * "its node is linked": it set entered under the mutex, and the wait releases
 * the mutex only after linking.
 */
void ct_waiter_blocked(struct ct_waiter *w);

void ct_waiter_join(struct ct_waiter *w);

/*
 * Return once thread tid is asleep in the kernel inside ppoll (it_wait_asleep,
 * then the system call number from /proc/self/task/<tid>/syscall, so that a
 * thread asleep on a mutex does not count). Fails the case after 5 s.
 */
void ct_wait_blocked(pid_t tid);

/* The same, but returns 0 as soon as *stop is non-zero; 1 when blocked. */
int ct_wait_blocked_unless(pid_t tid, atomic_int *stop);

/* Return once *v >= n; fails the case after 5 s. */
void ct_await(atomic_int *v, int n);

/*
 * Prewait hooks (src/core/testhooks.h) that complete a wait from inside it:
 * every wait that reaches its blocking call first posts s (signals c), so the
 * wait goes all the way through the sleeping path and still returns at once,
 * without a second thread or a timeout. NULL removes the hook. Meant for
 * cases where only one thread waits.
 */
void ct_post_on_wait(intr_sem_t *s);
void ct_signal_on_wait(intr_cond_t *c);

/*
 * Make the library's lazy descriptors that are not tied to one object: the
 * process's term notifier and this thread's parker. Cases that count
 * descriptors call it first, so that only the object under test can move
 * the count.
 */
void ct_warm_up(void);

/* How many descriptors one notifier (eventfd, or pipe) holds. */
int ct_notify_fds(void);

void ct_mutex_init_errcheck(pthread_mutex_t *m);

/* This thread's signal mask. */
void ct_mask(sigset_t *out);

/* 1 if a and b hold the same signals (every number up to SIGRTMAX). */
int ct_sigset_equal(const sigset_t *a, const sigset_t *b);

#endif /* INTR_TESTS_CORE_CT_H */
