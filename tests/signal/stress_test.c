/*
 * stress_test.c - many threads, one semaphore (or one condition), and
 * SIGUSR1 flying at random workers every ~50 us. Workers that wait retry on
 * EINTR, as applications do. Whatever the signals interrupt, the totals must
 * balance: as many successful waits as posts, no token left over or made
 * up, no waiter stuck (each wait has a deadline, so a lost wakeup shows as
 * ETIMEDOUT rather than a hang). The EINTRs seen are counted and must be
 * more than zero, proving the signals did hit waits.
 *
 * Half of the waiters use the plain style (SIGUSR1 unblocked, NULL mask), the
 * other half the race-free one (blocked outside, let in by the mask, so a
 * signal pending on entry also turns into EINTR).
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>

#include "intr.h"
#include "runner.h"

#define SIG SIGUSR1
#define POSTERS 4
#define WAITERS 4
#define WORKERS (POSTERS + WAITERS)
#define ITERS 40000
#define STUCK_MS 10000 /* a wait this long means a lost wakeup */
#define FIRE_NS 50000  /* between two signals */

static atomic_long handled; /* handler runs, all threads */

static void
on_sig(int sig)
{
	(void)sig;
	atomic_fetch_add_explicit(&handled, 1, memory_order_relaxed);
}

struct worker {
	pthread_t thread;
	int index;
	long done, eintr; /* successful operations; EINTRs retried */
};

static struct {
	int use_cond;
	intr_sem_t sem;
	intr_cond_t cond;
	pthread_mutex_t mutex;
	long items; /* under mutex: produced, not yet consumed */
	atomic_int finished;
	struct worker w[WORKERS];
} st;

/* Waiters with an odd index use the race-free style. */
static int
masked(const struct worker *w)
{
	return w->index % 2 == 1;
}

static void
check_retry(int rc, struct worker *w)
{
	if (rc == 0) {
		return;
	}
	if (errno != EINTR) {
		it_fail(__FILE__, __LINE__, "waiter %d: %s after %ld waits",
		    w->index, strerror(errno), w->done);
	}
	w->eintr++;
}

static void
sem_waiter(struct worker *w, const sigset_t *mask)
{
	int rc;

	while (w->done < ITERS) {
		rc = intr_sem_pwait(&st.sem, intr_now() + STUCK_MS, mask);
		check_retry(rc, w);
		w->done += rc == 0;
	}
}

static void
sem_poster(struct worker *w)
{
	for (w->done = 0; w->done < ITERS; w->done++) {
		CHECK_OK(intr_sem_post(&st.sem));
		if (w->done % 8 == 0) {
			sched_yield(); /* let waiters run dry and sleep */
		}
	}
}

static void
cond_waiter(struct worker *w, const sigset_t *mask)
{
	int rc;

	CHECK_OK(pthread_mutex_lock(&st.mutex));
	while (w->done < ITERS) {
		if (st.items > 0) {
			st.items--;
			w->done++;
			continue;
		}
		rc = intr_cond_pwait(&st.cond, &st.mutex, intr_now() + STUCK_MS,
		    mask);
		check_retry(rc, w);
	}
	CHECK_OK(pthread_mutex_unlock(&st.mutex));
}

/* Every third item is announced by broadcast, the others by signal. */
static void
cond_producer(struct worker *w)
{
	for (w->done = 0; w->done < ITERS; w->done++) {
		CHECK_OK(pthread_mutex_lock(&st.mutex));
		st.items++;
		if (w->done % 3 == 0) {
			CHECK_OK(intr_cond_broadcast(&st.cond));
		} else {
			CHECK_OK(intr_cond_signal(&st.cond));
		}
		CHECK_OK(pthread_mutex_unlock(&st.mutex));
		if (w->done % 8 == 0) {
			sched_yield();
		}
	}
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	sigset_t block, letin;

	sigemptyset(&block);
	sigaddset(&block, SIG);
	CHECK_OK(pthread_sigmask(SIG_UNBLOCK, &block, &letin));
	CHECK_OK(sigdelset(&letin, SIG));
	if (w->index >= POSTERS && masked(w)) {
		CHECK_OK(pthread_sigmask(SIG_BLOCK, &block, NULL));
	}
	if (w->index < POSTERS) {
		if (st.use_cond) {
			cond_producer(w);
		} else {
			sem_poster(w);
		}
	} else if (st.use_cond) {
		cond_waiter(w, masked(w) ? &letin : NULL);
	} else {
		sem_waiter(w, masked(w) ? &letin : NULL);
	}
	atomic_fetch_add(&st.finished, 1);
	return NULL;
}

/* Fire at random workers until all have finished; returns signals sent. */
static long
fire(void)
{
	struct timespec gap = {0, FIRE_NS};
	uint64_t rnd = 0x9e3779b97f4a7c15u;
	long sent = 0;

	while (atomic_load(&st.finished) < WORKERS) {
		/* A finished worker is still joinable, so still a target. */
		CHECK_OK(
		    pthread_kill(st.w[it_rand(&rnd) % WORKERS].thread, SIG));
		sent++;
		nanosleep(&gap, NULL);
	}
	return sent;
}

static void
stress(int use_cond)
{
	struct sigaction sa;
	long waited = 0, posted = 0, eintr = 0, sent;

	st.use_cond = use_cond;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	CHECK_OK(sigaction(SIG, &sa, NULL));
	CHECK_OK(intr_sem_init(&st.sem, 0));
	CHECK_OK(intr_cond_init(&st.cond));
	CHECK_OK(pthread_mutex_init(&st.mutex, NULL));
	it_block(SIG, NULL); /* the firing thread takes none */
	for (int i = 0; i < WORKERS; i++) {
		st.w[i].index = i;
		CHECK_OK(pthread_create(&st.w[i].thread, NULL, worker_main,
		    &st.w[i]));
	}
	sent = fire();
	for (int i = 0; i < WORKERS; i++) {
		CHECK_OK(pthread_join(st.w[i].thread, NULL));
		*(i < POSTERS ? &posted : &waited) += st.w[i].done;
		eintr += st.w[i].eintr;
	}
	printf("  %ld posted, %ld waited; %ld signals sent, %ld handled, "
	       "%ld EINTR\n",
	    posted, waited, sent, atomic_load(&handled), eintr);
	CHECK_EQ(posted, (long)POSTERS * ITERS);
	CHECK_EQ(waited, posted);
	CHECK_OP(eintr, >, 0);
	CHECK_OP(eintr, <=, atomic_load(&handled));
	/* No token left over, no waiter still registered. */
	CHECK_ERR(intr_sem_trywait(&st.sem), EAGAIN);
	CHECK_OK(intr_sem_destroy(&st.sem));
	CHECK_EQ(st.items, 0);
	CHECK_OK(intr_cond_destroy(&st.cond));
}

static void
t_sem(void)
{
	stress(0);
}

static void
t_cond(void)
{
	stress(1);
}

static const struct it_case cases[] = {
    {"sem/posters_waiters_signals", t_sem, 120},
    {"cond/producers_consumers_signals", t_cond, 120},
};
IT_MAIN(cases)
