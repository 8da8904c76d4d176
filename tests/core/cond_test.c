/*
 * cond_test.c - intr_cond_t: signal wakes one, broadcast wakes all, a signal
 * with no waiter is not remembered, the mutex is held on every kind of
 * return (proved with error-checking mutexes: only the owner can unlock),
 * EPERM for a mutex the caller does not hold, and EBUSY on destroy.
 *
 * The "exactly one" checks rely on this: a waiter parks on its own parker,
 * which only a waker that took it off the list posts, so with no signal
 * handler and no intr_term() a wait never returns spuriously here.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>

#include "core/parker.h"
#include "core/testhooks.h"
#include "ct.h"
#include "intr.h"
#include "runner.h"

/*
 * ThreadSanitizer reports the library's ownership probe (cond.c unlocks the
 * caller's mutex and takes EPERM from the error-checking type as "not
 * yours") as "unlock of an unlocked mutex". That probe is the behaviour
 * t_eperm_not_owner tests, so its report, and only it, is suppressed.
 */
#if defined(__SANITIZE_THREAD__)
#define COND_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define COND_TEST_TSAN 1
#endif
#endif
#ifdef COND_TEST_TSAN
/* Visible: the runtime looks it up, and the build hides symbols. */
__attribute__((visibility("default"))) const char *
__tsan_default_suppressions(void)
{
	return "mutex:cond_sleep\n";
}
#endif

#define NWAITERS 3

struct fixture {
	pthread_mutex_t m; /* error-checking */
	intr_cond_t c;
	struct ct_waiter w[NWAITERS + 1];
};

static void
fixture_init(struct fixture *f)
{
	ct_mutex_init_errcheck(&f->m);
	CHECK_OK(intr_cond_init(&f->c));
}

/* Start n threads in intr_cond_wait and return once all are asleep. */
static void
start_waiters(struct fixture *f, int n)
{
	for (int i = 0; i < n; i++) {
		f->w[i] = (struct ct_waiter){.op = CT_COND_WAIT,
		    .cond = &f->c,
		    .mutex = &f->m};
		ct_waiter_start(&f->w[i]);
	}
	for (int i = 0; i < n; i++) {
		ct_waiter_blocked(&f->w[i]);
	}
}

/* Join n waiters; each must have been woken and hold the mutex. */
static void
join_woken(struct fixture *f, int n)
{
	for (int i = 0; i < n; i++) {
		ct_waiter_join(&f->w[i]);
		CHECK_EQ(f->w[i].rc, 0);
		CHECK_EQ(f->w[i].unlock_rc, 0);
	}
}

static int
count_done(struct fixture *f, int n)
{
	int done = 0;

	for (int i = 0; i < n; i++) {
		done += atomic_load(&f->w[i].done);
	}
	return done;
}

/*
 * Wait until `want` waiters returned, then until each of the others is seen
 * asleep in ppoll after that (a waiter that was woken by mistake returns and
 * is never in ppoll again), then count.
 */
static void
expect_done(struct fixture *f, int n, int want)
{
	int64_t until = it_now_ms() + CT_LIMIT_MS;

	while (count_done(f, n) < want) {
		CHECK_OP(it_now_ms(), <=, until);
		sched_yield();
	}
	for (int i = 0; i < n; i++) {
		if (!atomic_load(&f->w[i].done)) {
			ct_wait_blocked(atomic_load(&f->w[i].tid));
		}
	}
	CHECK_EQ(count_done(f, n), want);
}

/* Each signal releases exactly one of several waiters. */
static void
t_signal_wakes_one(void)
{
	struct fixture f;

	fixture_init(&f);
	start_waiters(&f, NWAITERS);
	for (int i = 1; i <= NWAITERS; i++) {
		CHECK_OK(intr_cond_signal(&f.c));
		expect_done(&f, NWAITERS, i);
	}
	join_woken(&f, NWAITERS);
	CHECK_OK(intr_cond_destroy(&f.c));
}

/* One broadcast releases all N waiters, and leaves none on the list. */
static void
t_broadcast_wakes_all(void)
{
	struct fixture f;

	fixture_init(&f);
	start_waiters(&f, NWAITERS + 1);
	CHECK_OK(intr_cond_broadcast(&f.c));
	join_woken(&f, NWAITERS + 1);
	CHECK_OK(intr_cond_destroy(&f.c));
}

/* Signal and broadcast with no waiter are lost, as with pthread. */
static void
t_not_remembered(void)
{
	struct fixture f;
	int64_t deadline;

	fixture_init(&f);
	CHECK_OK(intr_cond_signal(&f.c));
	CHECK_OK(intr_cond_broadcast(&f.c));
	CHECK_EQ(pthread_mutex_lock(&f.m), 0);
	deadline = intr_now() + 100;
	CHECK_ERR(intr_cond_pwait(&f.c, &f.m, deadline, NULL), ETIMEDOUT);
	CHECK_OP(intr_now(), >=, deadline);
	CHECK_EQ(pthread_mutex_unlock(&f.m), 0);
	CHECK_OK(intr_cond_destroy(&f.c));
}

/*
 * Success: a woken thread returns with the mutex, even when the signaller
 * held it at signal time (the waiter must wait for it); a pwait with a mask,
 * woken from inside its wait, returns with it too.
 */
static void
t_mutex_held_on_success(void)
{
	struct fixture f;
	sigset_t cur;

	fixture_init(&f);
	start_waiters(&f, 1);
	CHECK_EQ(pthread_mutex_lock(&f.m), 0);
	CHECK_OK(intr_cond_signal(&f.c));
	CHECK_EQ(pthread_mutex_unlock(&f.m), 0);
	join_woken(&f, 1);

	ct_mask(&cur);
	ct_signal_on_wait(&f.c);
	CHECK_EQ(pthread_mutex_lock(&f.m), 0);
	CHECK_OK(intr_cond_pwait(&f.c, &f.m, intr_now() + 5000, &cur));
	CHECK_EQ(pthread_mutex_unlock(&f.m), 0);
	ct_signal_on_wait(NULL);
	CHECK_OK(intr_cond_destroy(&f.c));
}

/* ETIMEDOUT, from a deadline of 0, one passed and one reached. */
static void
t_mutex_held_on_timeout(void)
{
	int64_t deadlines[3];
	struct fixture f;
	sigset_t cur;

	fixture_init(&f);
	ct_mask(&cur);
	deadlines[0] = INTR_NOW;
	deadlines[1] = intr_now() - 1;
	deadlines[2] = intr_now() + 20;
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(pthread_mutex_lock(&f.m), 0);
		CHECK_ERR(intr_cond_pwait(&f.c, &f.m, deadlines[i], NULL),
		    ETIMEDOUT);
		CHECK_EQ(pthread_mutex_unlock(&f.m), 0);
		CHECK_EQ(pthread_mutex_lock(&f.m), 0);
		CHECK_ERR(intr_cond_pwait(&f.c, &f.m, intr_now() + 20, &cur),
		    ETIMEDOUT);
		CHECK_EQ(pthread_mutex_unlock(&f.m), 0);
	}
	CHECK_OK(intr_cond_destroy(&f.c));
}

static void
raise_usr1(void)
{
	(void)raise(SIGUSR1); /* blocked by the caller: stays pending */
}

/*
 * EINTR: a signal pending on entry that the pwait mask unblocks (the gate,
 * before the mutex is released), and one that becomes pending inside the
 * wait (after it is released): both come back with the mutex held.
 */
static void
t_mutex_held_on_eintr_pending(void)
{
	struct fixture f;
	sigset_t old;

	fixture_init(&f);
	it_handle(SIGUSR1, IT_SA_NORESTART);
	it_block(SIGUSR1, &old);
	CHECK_OK(raise(SIGUSR1));
	CHECK_EQ(it_signal_count, 0);
	CHECK_EQ(pthread_mutex_lock(&f.m), 0);
	CHECK_ERR(intr_cond_pwait(&f.c, &f.m, INTR_FOREVER, &old), EINTR);
	CHECK_EQ(it_signal_count, 1);
	CHECK_EQ(pthread_mutex_unlock(&f.m), 0);

	intr__test_set_prewait_hook(raise_usr1);
	CHECK_EQ(pthread_mutex_lock(&f.m), 0);
	CHECK_ERR(intr_cond_pwait(&f.c, &f.m, INTR_FOREVER, &old), EINTR);
	CHECK_EQ(it_signal_count, 2);
	CHECK_EQ(pthread_mutex_unlock(&f.m), 0);
	intr__test_set_prewait_hook(NULL);
	CHECK_OK(intr_cond_destroy(&f.c));
}

/*
 * EINTR from a signal sent to a thread asleep in the plain intr_cond_wait,
 * with a handler from signal() (SA_RESTART): mutex held, nothing left on the
 * list (destroy succeeds).
 */
static void
t_mutex_held_on_eintr_blocked(void)
{
	struct fixture f;

	fixture_init(&f);
	it_handle(SIGUSR1, IT_SIGNAL);
	start_waiters(&f, 1);
	CHECK_EQ(pthread_kill(f.w[0].thread, SIGUSR1), 0);
	ct_waiter_join(&f.w[0]);
	CHECK_EQ(f.w[0].rc, -1);
	CHECK_EQ(f.w[0].err, EINTR);
	CHECK_EQ(f.w[0].unlock_rc, 0);
	CHECK_EQ(it_signal_count, 1);
	CHECK_OK(intr_cond_destroy(&f.c));
}

struct holder {
	pthread_mutex_t *m;
	atomic_int held;
	atomic_int release;
	int unlock_rc;
};

static void *
holder_main(void *arg)
{
	struct holder *h = arg;

	CHECK_EQ(pthread_mutex_lock(h->m), 0);
	atomic_store(&h->held, 1);
	ct_await(&h->release, 1);
	h->unlock_rc = pthread_mutex_unlock(h->m);
	return NULL;
}

/* EPERM while another thread owns the mutex, which it keeps. */
static void
eperm_other_owner(struct fixture *f)
{
	struct holder h = {.m = &f->m};
	pthread_t t;

	CHECK_EQ(pthread_create(&t, NULL, holder_main, &h), 0);
	ct_await(&h.held, 1);
	CHECK_ERR(intr_cond_wait(&f->c, &f->m), EPERM);
	CHECK_EQ(pthread_mutex_trylock(&f->m), EBUSY);
	atomic_store(&h.release, 1);
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK_EQ(h.unlock_rc, 0);
}

/*
 * Waiting with an error-checking mutex the caller does not hold fails with
 * EPERM, leaves the mutex as it was and the condition clean: it can be
 * destroyed (no node left behind) and a later wait and signal work.
 */
static void
t_eperm_not_owner(void)
{
	struct fixture f;

	fixture_init(&f);
	CHECK_ERR(intr_cond_wait(&f.c, &f.m), EPERM);
	CHECK_ERR(intr_cond_pwait(&f.c, &f.m, intr_now() + 5000, NULL), EPERM);
	CHECK_EQ(pthread_mutex_trylock(&f.m), 0); /* still unlocked */
	CHECK_EQ(pthread_mutex_unlock(&f.m), 0);
	eperm_other_owner(&f);
	CHECK_OK(intr_cond_destroy(&f.c));

	CHECK_OK(intr_cond_init(&f.c));
	start_waiters(&f, 1);
	CHECK_OK(intr_cond_signal(&f.c));
	join_woken(&f, 1);
	CHECK_OK(intr_cond_destroy(&f.c));
}

/* destroy refuses while a thread waits, and the waiter is unharmed. */
static void
t_destroy_busy(void)
{
	struct fixture f;

	fixture_init(&f);
	start_waiters(&f, 1);
	CHECK_ERR(intr_cond_destroy(&f.c), EBUSY);
	CHECK_OK(intr_cond_signal(&f.c));
	join_woken(&f, 1);
	CHECK_OK(intr_cond_destroy(&f.c));
}

/*
 * A stray post in this thread's parker (one no waker of ours made) gives
 * at most one spurious wakeup; without the wait taking it, every later wait
 * of the thread would return at once.
 */
static void
t_stray_post_heals(void)
{
	const intr__notify_t *parker;
	pthread_mutex_t m;
	intr_cond_t c;
	int64_t start;

	ct_mutex_init_errcheck(&m);
	CHECK_OK(intr_cond_init(&c));
	CHECK_OK(intr__parker(&parker));
	CHECK_OK(intr__notify_post(parker));
	CHECK_OK(pthread_mutex_lock(&m));
	CHECK_OK(intr_cond_pwait(&c, &m, intr_now() + 5000, NULL));
	start = it_now_ms();
	CHECK_ERR(intr_cond_pwait(&c, &m, intr_now() + 100, NULL), ETIMEDOUT);
	CHECK_OP(it_now_ms() - start, >=, 90);
	CHECK_OK(pthread_mutex_unlock(&m));
	CHECK_OK(intr_cond_destroy(&c));
}

/* Waiters that are inside their wait, and a flag they wait for. */
struct freed {
	pthread_mutex_t m;
	intr_cond_t *c;
	int inside, go;
};

static void *
freed_waiter(void *arg)
{
	struct freed *f = arg;

	CHECK_OK(pthread_mutex_lock(&f->m));
	f->inside++;
	while (!f->go) {
		CHECK_OK(intr_cond_wait(f->c, &f->m));
	}
	CHECK_OK(pthread_mutex_unlock(&f->m));
	return NULL;
}

/*
 * As with pthread_cond_t, a condition may be destroyed and its memory
 * reused as soon as a broadcast has woken every waiter, before their calls
 * return: a woken waiter must never touch it again. Run many rounds so a
 * waiter that did would hit the poisoned memory (and ASan a freed block).
 */
static void
t_destroy_right_after_broadcast(void)
{
	struct freed f = {.inside = 0};
	pthread_t t[2];

	CHECK_OK(pthread_mutex_init(&f.m, NULL));
	for (int round = 0; round < 500; round++) {
		f.c = malloc(sizeof(*f.c));
		CHECK(f.c != NULL);
		CHECK_OK(intr_cond_init(f.c));
		f.inside = f.go = 0;
		for (int i = 0; i < 2; i++) {
			CHECK_OK(pthread_create(&t[i], NULL, freed_waiter, &f));
		}
		for (;;) { /* both linked: they left the mutex inside a wait */
			CHECK_OK(pthread_mutex_lock(&f.m));
			if (f.inside == 2) {
				break;
			}
			CHECK_OK(pthread_mutex_unlock(&f.m));
			sched_yield();
		}
		f.go = 1;
		CHECK_OK(intr_cond_broadcast(f.c));
		CHECK_OK(intr_cond_destroy(f.c));
		memset(f.c, 0xa5, sizeof(*f.c));
		free(f.c);
		CHECK_OK(pthread_mutex_unlock(&f.m));
		for (int i = 0; i < 2; i++) {
			CHECK_OK(pthread_join(t[i], NULL));
		}
	}
}

static const struct it_case cases[] = {
    {"signal_wakes_one", t_signal_wakes_one, 0},
    {"broadcast_wakes_all", t_broadcast_wakes_all, 0},
    {"not_remembered", t_not_remembered, 0},
    {"mutex_held_on_success", t_mutex_held_on_success, 0},
    {"mutex_held_on_timeout", t_mutex_held_on_timeout, 0},
    {"mutex_held_on_eintr_pending", t_mutex_held_on_eintr_pending, 0},
    {"mutex_held_on_eintr_blocked", t_mutex_held_on_eintr_blocked, 0},
    {"eperm_not_owner", t_eperm_not_owner, 0},
    {"destroy_busy", t_destroy_busy, 0},
    {"destroy_right_after_broadcast", t_destroy_right_after_broadcast, 60},
    {"stray_post_heals", t_stray_post_heals, 0},
};
IT_MAIN(cases)
