/*
 * sem_test.c - intr_sem_t: exact counts, the three kinds of deadline,
 * wakeups (one token, one waiter), the limits, destroy while in use, post
 * from a signal handler, and the descriptor made only by a wait that sleeps.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>

#include "ct.h"
#include "intr.h"
#include "runner.h"

/* init, post, trywait, wait and pwait(NOW) move the count one by one. */
static void
t_counts(void)
{
	intr_sem_t s;

	CHECK_OK(intr_sem_init(&s, 3));
	CHECK_OK(intr_sem_trywait(&s));
	CHECK_OK(intr_sem_wait(&s));
	CHECK_OK(intr_sem_pwait(&s, INTR_NOW, NULL));
	CHECK_ERR(intr_sem_trywait(&s), EAGAIN);
	CHECK_OK(intr_sem_post(&s));
	CHECK_OK(intr_sem_post(&s));
	CHECK_OK(intr_sem_wait(&s));
	CHECK_OK(intr_sem_pwait(&s, INTR_FOREVER, NULL));
	CHECK_ERR(intr_sem_trywait(&s), EAGAIN);
	CHECK_OK(intr_sem_destroy(&s));
}

/* A trywait on zero fails and leaves no debt: the next post is a token. */
static void
t_trywait_empty(void)
{
	intr_sem_t s;

	CHECK_OK(intr_sem_init(&s, 0));
	CHECK_ERR(intr_sem_trywait(&s), EAGAIN);
	CHECK_ERR(intr_sem_trywait(&s), EAGAIN);
	CHECK_OK(intr_sem_post(&s));
	CHECK_OK(intr_sem_trywait(&s));
	CHECK_ERR(intr_sem_trywait(&s), EAGAIN);
	CHECK_OK(intr_sem_destroy(&s));
}

/* Deadline 0 and deadlines already passed fail at once and take nothing. */
static void
t_deadline_now_and_past(void)
{
	int64_t t0 = it_now_ms();
	sigset_t cur;
	intr_sem_t s;

	ct_mask(&cur);
	CHECK_OK(intr_sem_init(&s, 0));
	CHECK_ERR(intr_sem_pwait(&s, INTR_NOW, NULL), ETIMEDOUT);
	CHECK_ERR(intr_sem_pwait(&s, INTR_NOW, &cur), ETIMEDOUT);
	CHECK_ERR(intr_sem_pwait(&s, intr_now() - 1, NULL), ETIMEDOUT);
	CHECK_ERR(intr_sem_pwait(&s, 1, &cur), ETIMEDOUT);
	CHECK_OP(it_now_ms() - t0, <, 1000);
	CHECK_OK(intr_sem_post(&s));
	CHECK_OK(intr_sem_trywait(&s));
	CHECK_ERR(intr_sem_trywait(&s), EAGAIN);
	CHECK_OK(intr_sem_destroy(&s));
}

/* A future deadline: ETIMEDOUT not before it, and not long after. */
static void
t_deadline_future(void)
{
	const sigset_t *masks[2];
	sigset_t cur;
	intr_sem_t s;

	ct_mask(&cur);
	masks[0] = NULL;
	masks[1] = &cur;
	CHECK_OK(intr_sem_init(&s, 0));
	for (int i = 0; i < 2; i++) {
		int64_t t0 = it_now_ms(), deadline = intr_now() + 200;

		CHECK_ERR(intr_sem_pwait(&s, deadline, masks[i]), ETIMEDOUT);
		CHECK_OP(intr_now(), >=, deadline);
		CHECK_OP(it_now_ms() - t0, <, 200 + 1000);
	}
	CHECK_ERR(intr_sem_trywait(&s), EAGAIN);
	CHECK_OK(intr_sem_destroy(&s));
}

/* A post wakes a thread asleep in intr_sem_wait, which takes that token. */
static void
t_post_wakes_waiter(void)
{
	struct ct_waiter w = {.op = CT_SEM_WAIT};
	intr_sem_t s;

	CHECK_OK(intr_sem_init(&s, 0));
	w.sem = &s;
	ct_waiter_start(&w);
	ct_waiter_blocked(&w);
	CHECK(!atomic_load(&w.done));
	CHECK_OK(intr_sem_post(&s));
	ct_waiter_join(&w);
	CHECK_EQ(w.rc, 0);
	CHECK_ERR(intr_sem_trywait(&s), EAGAIN);
	CHECK_OK(intr_sem_destroy(&s));
}

#define NWAITERS 4

static int
count_done(struct ct_waiter *w, int n)
{
	int done = 0;

	for (int i = 0; i < n; i++) {
		done += atomic_load(&w[i].done);
	}
	return done;
}

/*
 * Wait until `want` waiters have returned, then until every other one is
 * asleep in ppoll again (losers of a wakeup go back to sleep), and count:
 * a post that released two waiters shows as one too many.
 */
static void
expect_done(struct ct_waiter *w, int n, int want)
{
	int64_t until = it_now_ms() + CT_LIMIT_MS;

	while (count_done(w, n) < want) {
		CHECK_OP(it_now_ms(), <=, until);
		sched_yield();
	}
	for (int i = 0; i < n; i++) {
		(void)ct_wait_blocked_unless(atomic_load(&w[i].tid),
		    &w[i].done);
	}
	CHECK_EQ(count_done(w, n), want);
}

/* Several waiters, several posts: each post releases exactly one. */
static void
t_each_post_wakes_one(void)
{
	struct ct_waiter w[NWAITERS];
	intr_sem_t s;

	CHECK_OK(intr_sem_init(&s, 0));
	for (int i = 0; i < NWAITERS; i++) {
		w[i] = (struct ct_waiter){.op = CT_SEM_WAIT, .sem = &s};
		ct_waiter_start(&w[i]);
	}
	for (int i = 0; i < NWAITERS; i++) {
		ct_waiter_blocked(&w[i]);
	}
	for (int posted = 1; posted <= NWAITERS; posted++) {
		CHECK_OK(intr_sem_post(&s));
		expect_done(w, NWAITERS, posted);
	}
	for (int i = 0; i < NWAITERS; i++) {
		ct_waiter_join(&w[i]);
		CHECK_EQ(w[i].rc, 0);
	}
	CHECK_ERR(intr_sem_trywait(&s), EAGAIN);
	CHECK_OK(intr_sem_destroy(&s));
}

/* A post past INTR_SEM_VALUE_MAX fails and leaves the count as it was. */
static void
t_overflow(void)
{
	intr_sem_t s;

	CHECK_OK(intr_sem_init(&s, INTR_SEM_VALUE_MAX));
	CHECK_ERR(intr_sem_post(&s), EOVERFLOW);
	CHECK_OK(intr_sem_trywait(&s));
	CHECK_OK(intr_sem_post(&s)); /* back at the maximum, not above */
	CHECK_ERR(intr_sem_post(&s), EOVERFLOW);
	CHECK_OK(intr_sem_destroy(&s));
	CHECK_ERR(intr_sem_init(&s, (unsigned)INTR_SEM_VALUE_MAX + 1), EINVAL);
}

/* destroy refuses while a thread waits, and the waiter is unharmed. */
static void
t_destroy_busy(void)
{
	struct ct_waiter w = {.op = CT_SEM_WAIT};
	intr_sem_t s;

	CHECK_OK(intr_sem_init(&s, 0));
	w.sem = &s;
	ct_waiter_start(&w);
	ct_waiter_blocked(&w);
	CHECK_ERR(intr_sem_destroy(&s), EBUSY);
	CHECK_OK(intr_sem_post(&s));
	ct_waiter_join(&w);
	CHECK_EQ(w.rc, 0);
	CHECK_OK(intr_sem_destroy(&s));
}

static intr_sem_t handler_sem;
static atomic_int handler_rc = -100;

static void
post_handler(int sig)
{
	(void)sig;
	atomic_store(&handler_rc, intr_sem_post(&handler_sem));
}

/*
 * intr_sem_post is async-signal-safe: called from a handler running in the
 * main thread, it wakes a waiter blocked in another thread (which blocks the
 * signal, so the handler cannot run there and interrupt it instead).
 */
static void
t_post_from_handler(void)
{
	struct ct_waiter w = {.op = CT_SEM_WAIT, .sem = &handler_sem};
	struct sigaction sa;
	sigset_t old;

	CHECK_OK(intr_sem_init(&handler_sem, 0));
	it_block(SIGUSR1, &old);
	ct_waiter_start(&w); /* inherits SIGUSR1 blocked */
	CHECK_OK(pthread_sigmask(SIG_SETMASK, &old, NULL));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = post_handler;
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	ct_waiter_blocked(&w);
	errno = 0;
	CHECK_OK(raise(SIGUSR1));
	CHECK_EQ(errno, 0); /* the post in the handler kept errno */
	CHECK_EQ(atomic_load(&handler_rc), 0);
	ct_waiter_join(&w);
	CHECK_EQ(w.rc, 0);
	CHECK_ERR(intr_sem_trywait(&handler_sem), EAGAIN);
	CHECK_OK(intr_sem_destroy(&handler_sem));
}

/*
 * No descriptor before the first wait that sleeps: not for init, post,
 * trywait, a wait that finds a token, nor a deadline already passed. The
 * first sleeping wait makes one notifier, later ones reuse it, destroy
 * closes it.
 */
static void
t_fd_lazy(void)
{
	int base, per = ct_notify_fds();
	intr_sem_t s;

	ct_warm_up();
	base = it_fd_count();
	CHECK_OK(intr_sem_init(&s, 1));
	CHECK_OK(intr_sem_wait(&s));
	CHECK_OK(intr_sem_post(&s));
	CHECK_OK(intr_sem_trywait(&s));
	CHECK_ERR(intr_sem_trywait(&s), EAGAIN);
	CHECK_ERR(intr_sem_pwait(&s, INTR_NOW, NULL), ETIMEDOUT);
	CHECK_ERR(intr_sem_pwait(&s, intr_now() - 1, NULL), ETIMEDOUT);
	CHECK_EQ(it_fd_count(), base);
	ct_post_on_wait(&s);
	CHECK_OK(intr_sem_wait(&s)); /* sleeps, and the hook wakes it */
	CHECK_EQ(it_fd_count(), base + per);
	CHECK_OK(intr_sem_wait(&s));
	CHECK_EQ(it_fd_count(), base + per);
	ct_post_on_wait(NULL);
	CHECK_OK(intr_sem_destroy(&s));
	CHECK_EQ(it_fd_count(), base);
}

static const struct it_case cases[] = {
    {"counts", t_counts, 0},
    {"trywait_empty", t_trywait_empty, 0},
    {"deadline_now_and_past", t_deadline_now_and_past, 0},
    {"deadline_future", t_deadline_future, 0},
    {"post_wakes_waiter", t_post_wakes_waiter, 0},
    {"each_post_wakes_one", t_each_post_wakes_one, 0},
    {"overflow", t_overflow, 0},
    {"destroy_busy", t_destroy_busy, 0},
    {"post_from_handler", t_post_from_handler, 0},
    {"fd_lazy", t_fd_lazy, 0},
};
IT_MAIN(cases)
