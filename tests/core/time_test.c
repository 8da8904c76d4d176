/*
 * time_test.c - intr_now() is CLOCK_MONOTONIC in ms and never goes back;
 * a deadline is absolute, so a caller that retries after EINTR with the same
 * deadline finishes at that deadline however often it was interrupted; a
 * deadline too far to express in ns means "never", not "already passed".
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>

#include "ct.h"
#include "intr.h"
#include "runner.h"

static int64_t
monotonic_ms(void)
{
	struct timespec ts;

	CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &ts));
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Bracketed by two CLOCK_MONOTONIC readings, and never decreasing. */
static void
t_now_is_monotonic_ms(void)
{
	int64_t prev = intr_now();

	for (int i = 0; i < 100000; i++) {
		int64_t before = monotonic_ms();
		int64_t now = intr_now();
		int64_t after = monotonic_ms();

		CHECK_OP(before, <=, now);
		CHECK_OP(now, <=, after);
		CHECK_OP(prev, <=, now);
		prev = now;
	}
}

/*
 * The retry test: a waiter with a TIMEOUT_MS deadline is interrupted at
 * fixed points spread over the first part of its wait and retries with the
 * same deadline each time. It must end at the deadline: well before
 * LAST_KICK_MS + TIMEOUT_MS, which is where a timeout restarted by each
 * retry would end.
 */
#define TIMEOUT_MS 1000
#define KICKS 4
#define KICK_EVERY_MS 150
#define LAST_KICK_MS (KICKS * KICK_EVERY_MS)
#define SLACK_MS 450 /* < LAST_KICK_MS: the two outcomes cannot overlap */

struct kicker {
	pthread_t target;
	pid_t target_tid;
	int64_t start_ms;
	atomic_int eintrs; /* EINTR returns the waiter has seen */
	atomic_int done;   /* the waiter has its final result */
	int sent;
};

static void
sleep_until_ms(int64_t t)
{
	int64_t left;
	struct timespec ts;

	while ((left = t - it_now_ms()) > 0) {
		ts.tv_sec = (time_t)(left / 1000);
		ts.tv_nsec = (long)(left % 1000) * 1000000;
		(void)nanosleep(&ts, NULL);
	}
}

/*
 * Each kick waits for the waiter to be asleep again, and its EINTR to be
 * counted before the next, so every kick is one interruption. The schedule
 * only places the kicks in time; kicks that come too late are not sent.
 */
static void *
kicker_main(void *arg)
{
	struct kicker *k = arg;

	for (int i = 1; i <= KICKS; i++) {
		sleep_until_ms(k->start_ms + i * KICK_EVERY_MS);
		if (!ct_wait_blocked_unless(k->target_tid, &k->done)) {
			break;
		}
		CHECK_EQ(pthread_kill(k->target, SIGUSR1), 0);
		k->sent++;
		while (atomic_load(&k->eintrs) < k->sent &&
		    !atomic_load(&k->done)) {
			sched_yield();
		}
	}
	return NULL;
}

static int
wait_once(intr_sem_t *s, intr_cond_t *c, pthread_mutex_t *m, int64_t deadline)
{
	if (c != NULL) {
		return intr_cond_pwait(c, m, deadline, NULL);
	}
	return intr_sem_pwait(s, deadline, NULL);
}

static void
deadline_survives_restarts(intr_sem_t *s, intr_cond_t *c, pthread_mutex_t *m)
{
	struct kicker k = {.target = pthread_self(), .target_tid = it_gettid()};
	int64_t deadline;
	pthread_t t;
	int rc, err;

	it_handle(SIGUSR1, IT_SA_NORESTART);
	k.start_ms = it_now_ms();
	deadline = intr_now() + TIMEOUT_MS;
	CHECK_EQ(pthread_create(&t, NULL, kicker_main, &k), 0);
	for (;;) {
		errno = 0;
		rc = wait_once(s, c, m, deadline);
		err = errno;
		if (rc != -1 || err != EINTR) {
			break;
		}
		atomic_fetch_add(&k.eintrs, 1);
	}
	atomic_store(&k.done, 1);
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK_EQ(rc, -1);
	CHECK_EQ(err, ETIMEDOUT);
	CHECK_OP(intr_now(), >=, deadline);
	CHECK_OP(it_now_ms() - k.start_ms, <, TIMEOUT_MS + SLACK_MS);
	CHECK_EQ(atomic_load(&k.eintrs), k.sent);
	CHECK_EQ(it_signal_count, k.sent);
	CHECK_OP(k.sent, >=, 2);
}

static void
t_deadline_survives_restarts_sem(void)
{
	intr_sem_t s;

	CHECK_OK(intr_sem_init(&s, 0));
	deadline_survives_restarts(&s, NULL, NULL);
	CHECK_ERR(intr_sem_trywait(&s), EAGAIN);
	CHECK_OK(intr_sem_destroy(&s));
}

static void
t_deadline_survives_restarts_cond(void)
{
	pthread_mutex_t m;
	intr_cond_t c;

	ct_mutex_init_errcheck(&m);
	CHECK_OK(intr_cond_init(&c));
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	deadline_survives_restarts(NULL, &c, &m);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	CHECK_OK(intr_cond_destroy(&c));
}

/*
 * INT64_MAX ms does not fit in ns: it must mean "never" (the wait sleeps
 * until woken), not overflow into a deadline in the past.
 */
static void
t_huge_deadline_is_never(void)
{
	pthread_mutex_t m;
	intr_sem_t s;
	intr_cond_t c;

	CHECK_OK(intr_sem_init(&s, 0));
	ct_post_on_wait(&s);
	CHECK_OK(intr_sem_pwait(&s, INT64_MAX, NULL));
	ct_post_on_wait(NULL);
	CHECK_OK(intr_sem_destroy(&s));

	ct_mutex_init_errcheck(&m);
	CHECK_OK(intr_cond_init(&c));
	ct_signal_on_wait(&c);
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	CHECK_OK(intr_cond_pwait(&c, &m, INT64_MAX, NULL));
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	ct_signal_on_wait(NULL);
	CHECK_OK(intr_cond_destroy(&c));
}

static const struct it_case cases[] = {
    {"now_is_monotonic_ms", t_now_is_monotonic_ms, 0},
    {"deadline_survives_restarts_sem", t_deadline_survives_restarts_sem, 0},
    {"deadline_survives_restarts_cond", t_deadline_survives_restarts_cond, 0},
    {"huge_deadline_is_never", t_huge_deadline_is_never, 0},
};
IT_MAIN(cases)
