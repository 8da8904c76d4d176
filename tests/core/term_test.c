/*
 * term_test.c - intr_term(): blocked waits in every thread fail with ETERM
 * (conditions with the mutex held), so does every later wait, trywait with
 * tokens and deadline-0 pwaits included; it works from a signal handler
 * (process-directed signal); and a thread caught between its last check and
 * its wait when term is called still gets ETERM at once, whether or not the
 * term notifier existed by then.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <unistd.h>

#include "core/testhooks.h"
#include "ct.h"
#include "platform/posix/posix_sys.h"
#include "intr.h"
#include "runner.h"

/* How soon a woken wait must be back ("promptly", under sanitizers). */
#define PROMPT_MS 2000

struct objects {
	intr_sem_t s;
	intr_cond_t c;
	pthread_mutex_t m; /* error-checking */
	sigset_t cur;
};

static void
objects_init(struct objects *o, unsigned int tokens)
{
	CHECK_OK(intr_sem_init(&o->s, tokens));
	CHECK_OK(intr_cond_init(&o->c));
	ct_mutex_init_errcheck(&o->m);
	ct_mask(&o->cur);
}

#define NWAITERS 4

/* Two semaphore and two condition waiters, plain and p forms. */
static void
start_waiters(struct objects *o, struct ct_waiter *w)
{
	w[0] = (struct ct_waiter){.op = CT_SEM_WAIT, .sem = &o->s};
	w[1] = (struct ct_waiter){.op = CT_SEM_PWAIT,
	    .sem = &o->s,
	    .deadline = INTR_FOREVER,
	    .mask = &o->cur};
	w[2] = (struct ct_waiter){.op = CT_COND_WAIT,
	    .cond = &o->c,
	    .mutex = &o->m};
	w[3] = (struct ct_waiter){.op = CT_COND_PWAIT,
	    .cond = &o->c,
	    .mutex = &o->m,
	    .deadline = intr_now() + 60000,
	    .mask = NULL};
	for (int i = 0; i < NWAITERS; i++) {
		ct_waiter_start(&w[i]);
	}
	for (int i = 0; i < NWAITERS; i++) {
		ct_waiter_blocked(&w[i]);
	}
}

/* Every waiter failed with ETERM soon after t0; cond ones hold the mutex. */
static void
join_terminated(struct ct_waiter *w, int64_t t0)
{
	for (int i = 0; i < NWAITERS; i++) {
		ct_waiter_join(&w[i]);
		CHECK_EQ(w[i].rc, -1);
		CHECK_EQ(w[i].err, ETERM);
		CHECK_OP(w[i].end_ms - t0, <, PROMPT_MS);
		if (w[i].op == CT_COND_WAIT || w[i].op == CT_COND_PWAIT) {
			CHECK_EQ(w[i].unlock_rc, 0);
		}
	}
}

static void
t_wakes_blocked(void)
{
	struct ct_waiter w[NWAITERS];
	struct objects o;
	int64_t t0;

	objects_init(&o, 0);
	start_waiters(&o, w);
	t0 = it_now_ms();
	intr_term();
	join_terminated(w, t0);
}

/* Every kind of wait, on objects that could satisfy some of them. */
static void
later_waits_fail(struct objects *o)
{
	int64_t t0 = it_now_ms();

	CHECK_ERR(intr_sem_trywait(&o->s), ETERM); /* count is not zero */
	CHECK_ERR(intr_sem_wait(&o->s), ETERM);
	CHECK_ERR(intr_sem_pwait(&o->s, INTR_NOW, NULL), ETERM);
	CHECK_ERR(intr_sem_pwait(&o->s, INTR_NOW, &o->cur), ETERM);
	CHECK_ERR(intr_sem_pwait(&o->s, intr_now() + 60000, &o->cur), ETERM);
	CHECK_EQ(pthread_mutex_lock(&o->m), 0);
	CHECK_ERR(intr_cond_wait(&o->c, &o->m), ETERM);
	CHECK_ERR(intr_cond_pwait(&o->c, &o->m, INTR_NOW, NULL), ETERM);
	CHECK_ERR(intr_cond_pwait(&o->c, &o->m, INTR_NOW, &o->cur), ETERM);
	CHECK_ERR(intr_cond_pwait(&o->c, &o->m, intr_now() + 60000, NULL),
	    ETERM);
	CHECK_EQ(pthread_mutex_unlock(&o->m), 0);
	CHECK_OP(it_now_ms() - t0, <, PROMPT_MS);
}

/* Term before any wait ever slept (no notifier exists yet). */
static void
t_later_waits_fresh(void)
{
	struct objects o;

	objects_init(&o, 2);
	intr_term();
	later_waits_fail(&o);
	intr_term(); /* idempotent */
	later_waits_fail(&o);
}

/* Term after waits have slept (the notifier exists and is posted). */
static void
t_later_waits_after_sleep(void)
{
	struct objects o;

	ct_warm_up();
	objects_init(&o, 2);
	intr_term();
	later_waits_fail(&o);
}

static void
term_handler(int sig)
{
	(void)sig;
	intr_term();
}

/*
 * kill(getpid()) with a handler that calls intr_term(): the waiters block the
 * signal, so the kernel runs the handler in the main thread, and its term
 * must still wake them all.
 */
static void
t_from_handler(void)
{
	struct ct_waiter w[NWAITERS];
	struct sigaction sa;
	struct objects o;
	sigset_t old;
	int64_t t0;

	objects_init(&o, 0);
	it_block(SIGUSR1, &old);
	ct_mask(&o.cur);
	start_waiters(&o, w); /* they inherit SIGUSR1 blocked */
	CHECK_OK(pthread_sigmask(SIG_SETMASK, &old, NULL));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = term_handler;
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	t0 = it_now_ms();
	CHECK_OK(kill(getpid(), SIGUSR1));
	join_terminated(w, t0);
	CHECK_ERR(intr_sem_wait(&o.s), ETERM);
}

/*
 * The window between a wait's last check and its blocking call: the waiting
 * thread stops there (prewait hook) until another thread has called
 * intr_term(), then goes on into ppoll, which must return at once.
 */
static int window_pipe[2], go_pipe[2];
static atomic_int window_armed; /* stop the next wait only */

static void
stop_in_window(void)
{
	char b = 0;

	if (!atomic_exchange(&window_armed, 0)) {
		return;
	}
	CHECK_EQ(write(window_pipe[1], &b, 1), 1);
	CHECK_EQ(read(go_pipe[0], &b, 1), 1);
}

static void
term_in_window(struct ct_waiter *w)
{
	char b = 0;
	int64_t t0;

	CHECK_OK(pipe(window_pipe));
	CHECK_OK(pipe(go_pipe));
	atomic_store(&window_armed, 1);
	intr__test_set_prewait_hook(stop_in_window);
	ct_waiter_start(w);
	CHECK_EQ(read(window_pipe[0], &b, 1), 1);
	t0 = it_now_ms();
	intr_term();
	CHECK_EQ(write(go_pipe[1], &b, 1), 1);
	ct_waiter_join(w);
	CHECK_EQ(w->rc, -1);
	CHECK_EQ(w->err, ETERM);
	CHECK_OP(w->end_ms - t0, <, PROMPT_MS);
	intr__test_set_prewait_hook(NULL);
}

static void
t_in_prewait_window_sem(void)
{
	struct ct_waiter w = {.op = CT_SEM_PWAIT, .deadline = INTR_FOREVER};
	intr_sem_t s;

	CHECK_OK(intr_sem_init(&s, 0));
	w.sem = &s;
	term_in_window(&w);
}

static void
t_in_prewait_window_cond(void)
{
	struct ct_waiter w = {.op = CT_COND_WAIT};
	pthread_mutex_t m;
	intr_cond_t c;

	ct_mutex_init_errcheck(&m);
	CHECK_OK(intr_cond_init(&c));
	w.cond = &c;
	w.mutex = &m;
	term_in_window(&w);
	CHECK_EQ(w.unlock_rc, 0);
}

/*
 * Earlier in the same window: term lands after the wait's entry check but
 * before the term notifier exists, so intr_term() has nothing to post. It
 * is put there through the syscall table: the first descriptor the wait
 * makes is the object's own (semaphore notifier, thread parker), and right
 * after it is made, term is called. The wait must see the flag once it has
 * made the term notifier, instead of sleeping.
 */
static atomic_int term_armed;

static void
term_once(void)
{
	if (atomic_exchange(&term_armed, 0)) {
		intr_term();
	}
}

static int
eventfd_then_term(unsigned int value, int flags)
{
	int fd = intr__sys_real.eventfd(value, flags);

	term_once();
	return fd;
}

static int
pipe2_then_term(int fds[2], int flags)
{
	int rc = intr__sys_real.pipe2(fds, flags);

	term_once();
	return rc;
}

static void
term_while_making_fds(void)
{
	struct intr__sys t = intr__sys_real;

	t.eventfd = eventfd_then_term;
	t.pipe2 = pipe2_then_term;
	intr__sys_override(&t);
	atomic_store(&term_armed, 1);
}

static void
t_before_notifier_sem(void)
{
	intr_sem_t s;
	int64_t t0;

	CHECK_OK(intr_sem_init(&s, 0));
	term_while_making_fds();
	t0 = it_now_ms();
	CHECK_ERR(intr_sem_pwait(&s, intr_now() + 5000, NULL), ETERM);
	CHECK_OP(it_now_ms() - t0, <, PROMPT_MS);
	CHECK(!atomic_load(&term_armed)); /* term did run in the window */
	intr__sys_override(NULL);
}

static void
t_before_notifier_cond(void)
{
	pthread_mutex_t m;
	intr_cond_t c;
	int64_t t0;

	ct_mutex_init_errcheck(&m);
	CHECK_OK(intr_cond_init(&c));
	term_while_making_fds();
	t0 = it_now_ms();
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	CHECK_ERR(intr_cond_pwait(&c, &m, intr_now() + 5000, NULL), ETERM);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	CHECK_OP(it_now_ms() - t0, <, PROMPT_MS);
	CHECK(!atomic_load(&term_armed));
	intr__sys_override(NULL);
}

static const struct it_case cases[] = {
    {"wakes_blocked", t_wakes_blocked, 0},
    {"later_waits_fresh", t_later_waits_fresh, 0},
    {"later_waits_after_sleep", t_later_waits_after_sleep, 0},
    {"from_handler", t_from_handler, 0},
    {"in_prewait_window_sem", t_in_prewait_window_sem, 0},
    {"in_prewait_window_cond", t_in_prewait_window_cond, 0},
    {"before_notifier_sem", t_before_notifier_sem, 0},
    {"before_notifier_cond", t_before_notifier_cond, 0},
};
IT_MAIN(cases)
