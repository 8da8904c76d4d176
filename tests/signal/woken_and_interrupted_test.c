/*
 * woken_and_interrupted_test.c - woken wins, and no wakeup is lost.
 *
 * A wait can be woken and interrupted (or time out) at the same moment: the
 * post lands after the kernel has decided to return EINTR. The rule is that
 * such a wait reports success and consumes its wakeup exactly once. The
 * race is made certain through the system-call table: a ppoll wrapper that,
 * the first time the wait blocks, first commits the wakeup (intr_sem_post or
 * intr_cond_signal from inside the wait) and then reports what the kernel
 * would: a signal (raised here, so the handler really runs) and -1/EINTR, or
 * a timeout (0).
 *
 * The other side: a waiter interrupted without being woken must not swallow
 * a wakeup meant for another. With two waiters, after one is interrupted a
 * signal wakes the other, whichever was first in line. And when the
 * interruption and the signal race, at random distances, the signal wakes
 * exactly one of the two, never neither and never both.
 */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>

#include "core/testhooks.h"
#include "intr.h"
#include "platform/posix/posix_sys.h"
#include "runner.h"

#define SIG SIGUSR1

/* ---- Woken, then interrupted or timed out ------------------------------- */

enum target {
	SEM,
	COND
};

static struct {
	enum target target;
	int outcome; /* what the faked ppoll reports: EINTR or ETIMEDOUT */
	int fired;   /* the wrapper has done its work (only once) */
	intr_sem_t sem;
	intr_cond_t cond;
	pthread_mutex_t mutex; /* error-checking: unlock proves ownership */
} wk;

static int
fake_ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts,
    const sigset_t *mask)
{
	static const struct timespec zero;

	/* Only the blocking wait: the entry gate polls no descriptor. */
	if (n == 0 || wk.fired) {
		return intr__sys_real.ppoll(fds, n, ts, mask);
	}
	wk.fired = 1;
	if (wk.target == SEM) {
		CHECK_OK(intr_sem_post(&wk.sem));
	} else {
		CHECK_OK(intr_cond_signal(&wk.cond));
	}
	if (wk.outcome == ETIMEDOUT) {
		return 0;
	}
	/*
	 * The signal arrives too: raise() runs the handler at once when the
	 * signal is unblocked; a mask form keeps it blocked until the mask
	 * lets it in, which a zero-timeout ppoll under that mask does.
	 */
	CHECK_OK(raise(SIG));
	if (mask != NULL) {
		(void)intr__sys_real.ppoll(NULL, 0, &zero, mask);
	}
	errno = EINTR;
	return -1;
}

static void
fake_begin(enum target target, int outcome)
{
	struct intr__sys sys = intr__sys_real;
	pthread_mutexattr_t ma;

	wk.target = target;
	wk.outcome = outcome;
	CHECK_OK(intr_sem_init(&wk.sem, 0));
	CHECK_OK(intr_cond_init(&wk.cond));
	CHECK_OK(pthread_mutexattr_init(&ma));
	CHECK_OK(pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK));
	CHECK_OK(pthread_mutex_init(&wk.mutex, &ma));
	CHECK_OK(pthread_mutexattr_destroy(&ma));
	it_handle(SIG, IT_SA_RESTART);
	sys.ppoll = fake_ppoll;
	intr__sys_override(&sys);
}

/* The wait reported success; the handler ran iff a signal was faked. */
static void
fake_end(int rc, int err)
{
	intr__sys_override(NULL);
	if (rc != 0) {
		it_fail(__FILE__, __LINE__, "the woken wait returned %d (%s)",
		    rc, strerror(err));
	}
	CHECK_EQ(wk.fired, 1);
	CHECK_EQ(it_signal_count, wk.outcome == EINTR ? 1 : 0);
}

/* masked: the p form with SIG blocked outside and let in by the mask. */
static void
sem_case(int masked, int outcome)
{
	sigset_t old;
	int rc, err;

	fake_begin(SEM, outcome);
	CHECK_OK(pthread_sigmask(SIG_SETMASK, NULL, &old));
	if (masked) {
		it_block(SIG, &old);
		rc = intr_sem_pwait(&wk.sem, INTR_FOREVER, &old);
	} else {
		rc = intr_sem_wait(&wk.sem);
	}
	err = errno;
	fake_end(rc, err);
	/* The token was consumed exactly once: none is left over... */
	CHECK_ERR(intr_sem_trywait(&wk.sem), EAGAIN);
	/* ...not even as a stale wakeup that would end the next sleep. */
	CHECK_ERR(intr_sem_pwait(&wk.sem, intr_now() + 100, &old), ETIMEDOUT);
	CHECK_OK(intr_sem_destroy(&wk.sem));
}

static void
cond_case(int masked, int outcome)
{
	sigset_t old;
	int rc, err;

	fake_begin(COND, outcome);
	CHECK_OK(pthread_sigmask(SIG_SETMASK, NULL, &old));
	CHECK_OK(pthread_mutex_lock(&wk.mutex));
	if (masked) {
		it_block(SIG, &old);
		rc = intr_cond_pwait(&wk.cond, &wk.mutex, INTR_FOREVER, &old);
	} else {
		rc = intr_cond_wait(&wk.cond, &wk.mutex);
	}
	err = errno;
	fake_end(rc, err);
	/* The wakeup left no post in this thread's parker behind. */
	CHECK_ERR(intr_cond_pwait(&wk.cond, &wk.mutex, intr_now() + 100, &old),
	    ETIMEDOUT);
	CHECK_OK(pthread_mutex_unlock(&wk.mutex));
	CHECK_OK(intr_cond_destroy(&wk.cond));
}

static void
t_sem_wait_eintr(void)
{
	sem_case(0, EINTR);
}

static void
t_sem_pwait_mask_eintr(void)
{
	sem_case(1, EINTR);
}

static void
t_sem_pwait_mask_timeout(void)
{
	sem_case(1, ETIMEDOUT);
}

static void
t_cond_wait_eintr(void)
{
	cond_case(0, EINTR);
}

static void
t_cond_pwait_mask_eintr(void)
{
	cond_case(1, EINTR);
}

static void
t_cond_pwait_mask_timeout(void)
{
	cond_case(1, ETIMEDOUT);
}

/* ---- Waiters interrupted without being woken ---------------------------- */

#define WAITERS 2
#define RACE_RUNS 3000
#define RACE_GAP_US 50

struct waiter {
	pthread_t thread;
	_Atomic pid_t tid;
	int rc, err;
};

static struct {
	intr_cond_t cond;
	pthread_mutex_t mutex;
	atomic_int arrived; /* waiters that reached their blocking call */
	atomic_int hits;    /* handler runs */
	struct waiter w[WAITERS];
} lv;

static void
on_sig(int sig)
{
	(void)sig;
	atomic_fetch_add(&lv.hits, 1);
}

static void
on_prewait(void)
{
	atomic_fetch_add(&lv.arrived, 1);
}

static void
leavers_begin(void)
{
	it_set_handler(SIG, IT_SA_RESTART, on_sig);
	CHECK_OK(intr_cond_init(&lv.cond));
	CHECK_OK(pthread_mutex_init(&lv.mutex, NULL));
	intr__test_set_prewait_hook(on_prewait);
}

/* One wait, SIGUSR1 unblocked; its deadline turns a hang into a failure. */
static void *
waiter_main(void *arg)
{
	struct waiter *w = arg;

	atomic_store(&w->tid, it_gettid());
	CHECK_OK(pthread_mutex_lock(&lv.mutex));
	w->rc = intr_cond_pwait(&lv.cond, &lv.mutex, intr_now() + 5000, NULL);
	w->err = errno;
	CHECK_OK(pthread_mutex_unlock(&lv.mutex));
	return NULL;
}

/* Start waiter i; return once it sleeps (waiters queue in start order). */
static void
start_waiter(int i)
{
	int64_t limit = it_now_ms() + 5000;

	CHECK_OK(pthread_create(&lv.w[i].thread, NULL, waiter_main, &lv.w[i]));
	while (atomic_load(&lv.arrived) < i + 1) {
		CHECK_OP(it_now_ms(), <, limit);
		sched_yield();
	}
	it_wait_asleep(atomic_load(&lv.w[i].tid));
}

static void
join_waiter(int i, int want)
{
	struct waiter *w = &lv.w[i];

	CHECK_OK(pthread_join(w->thread, NULL));
	if (want == 0 ? w->rc != 0 : w->rc != -1 || w->err != want) {
		it_fail(__FILE__, __LINE__, "waiter %d: want %s, got %d (%s)",
		    i, want == 0 ? "0" : strerror(want), w->rc,
		    strerror(w->err));
	}
}

/*
 * Two waiters; interrupt waiter `victim` (0: the first in line) and let it
 * return, then signal once: the other one must wake.
 */
static void
two_waiters(int victim)
{
	leavers_begin();
	start_waiter(0);
	start_waiter(1);
	CHECK_OK(pthread_kill(lv.w[victim].thread, SIG));
	join_waiter(victim, EINTR);
	CHECK_EQ(atomic_load(&lv.hits), 1);
	CHECK_OK(intr_cond_signal(&lv.cond));
	join_waiter(1 - victim, 0);
	CHECK_OK(intr_cond_destroy(&lv.cond));
}

static void
t_two_waiters_first_interrupted(void)
{
	two_waiters(0);
}

static void
t_two_waiters_second_interrupted(void)
{
	two_waiters(1);
}

/* Signals the condition once, from inside the first leaving wait. */
static atomic_int leave_signalled;

static void
signal_from_leave(void)
{
	int expect = 0;

	if (atomic_compare_exchange_strong(&leave_signalled, &expect, 1)) {
		CHECK_OK(intr_cond_signal(&lv.cond));
	}
}

/*
 * Deterministic form of the race below: the first waiter is interrupted and,
 * through the leave hook, a signal is sent while it has given up its place
 * but is still on the list. The signal must pass over it and wake the
 * second waiter; the first returns EINTR.
 */
static void
t_signal_meets_leaving_waiter(void)
{
	leavers_begin();
	start_waiter(0);
	start_waiter(1);
	intr__test_set_leave_hook(signal_from_leave);
	CHECK_OK(pthread_kill(lv.w[0].thread, SIG));
	join_waiter(0, EINTR);
	CHECK_EQ(atomic_load(&leave_signalled), 1);
	join_waiter(1, 0);
	intr__test_set_leave_hook(NULL);
	CHECK_OK(intr_cond_destroy(&lv.cond));
}

/* One race; tally[i] counts the times the signal woke waiter i. */
static void
race_once(uint64_t *rnd, long tally[2])
{
	int kill_first = (int)(it_rand(rnd) & 1);
	int gap_us = (int)(it_rand(rnd) % (RACE_GAP_US + 1));
	int rc;

	atomic_store(&lv.arrived, 0);
	start_waiter(0);
	start_waiter(1);
	if (kill_first) {
		CHECK_OK(pthread_kill(lv.w[0].thread, SIG));
		it_spin_us(gap_us);
		CHECK_OK(intr_cond_signal(&lv.cond));
	} else {
		CHECK_OK(intr_cond_signal(&lv.cond));
		it_spin_us(gap_us);
		/* The waiter may be gone already (joinable, but exited). */
		rc = pthread_kill(lv.w[0].thread, SIG);
		CHECK(rc == 0 || rc == ESRCH);
	}
	CHECK_OK(pthread_join(lv.w[0].thread, NULL));
	if (lv.w[0].rc == 0) {
		/* The first took the wakeup: the second must sleep on. */
		tally[0]++;
		it_wait_asleep(atomic_load(&lv.w[1].tid));
		CHECK_OK(intr_cond_signal(&lv.cond));
	} else {
		CHECK_EQ(lv.w[0].err, EINTR);
		tally[1]++;
	}
	join_waiter(1, 0);
}

/*
 * An interruption and a signal race for the first of two waiters, at random
 * distances (0-50 us, either one first). Whoever wins, the one signal wakes
 * exactly one waiter: the first (woken wins over interrupted), or the second
 * if the first had given up its place, even while it is still on the list,
 * on its way out. Never neither, never both.
 */
static void
t_signal_races_interrupt(void)
{
	uint64_t seed, rnd;
	long tally[2] = {0, 0};

	seed = it_seed();
	rnd = seed;
	leavers_begin();
	for (int i = 0; i < RACE_RUNS; i++) {
		race_once(&rnd, tally);
	}
	printf("  %d races: the signal woke the first waiter %ld times, "
	       "the second %ld times\n",
	    RACE_RUNS, tally[0], tally[1]);
	CHECK_OP(tally[0], >, 0);
	CHECK_OP(tally[1], >, 0);
	CHECK_OK(intr_cond_destroy(&lv.cond));
}

static const struct it_case cases[] = {
    {"sem_wait/woken_and_eintr", t_sem_wait_eintr, 0},
    {"sem_pwait_mask/woken_and_eintr", t_sem_pwait_mask_eintr, 0},
    {"sem_pwait_mask/woken_and_timeout", t_sem_pwait_mask_timeout, 0},
    {"cond_wait/woken_and_eintr", t_cond_wait_eintr, 0},
    {"cond_pwait_mask/woken_and_eintr", t_cond_pwait_mask_eintr, 0},
    {"cond_pwait_mask/woken_and_timeout", t_cond_pwait_mask_timeout, 0},
    {"cond/two_waiters/first_interrupted", t_two_waiters_first_interrupted, 0},
    {"cond/two_waiters/second_interrupted", t_two_waiters_second_interrupted,
	0},
    {"cond/signal_meets_leaving_waiter", t_signal_meets_leaving_waiter, 0},
    {"cond/signal_races_interrupt", t_signal_races_interrupt, 60},
};
IT_MAIN(cases)
