/*
 * faults_test.c - system calls that fail, injected through the syscall
 * table (src/platform/posix/posix_sys.h).
 *
 * EMFILE from eventfd (and pipe2, for the pipe backend): a wait that must
 * sleep and cannot make the descriptor it needs fails with EMFILE, takes
 * nothing, leaves nothing behind (no announcement, no node, no descriptor;
 * a condition returns with the mutex held), and the same object works once
 * the fault is gone. Both descriptors a wait may make are covered: the
 * object's own (semaphore notifier, thread parker) and the term notifier.
 *
 * EINTR from ppoll by countdown: for N = 1, 2, 3, ... the Nth ppoll of one
 * wait fails with EINTR at once, while another thread stands ready to post
 * or signal as soon as the wait really blocks; until a run completes without
 * the fault firing. Every injected EINTR must come back as EINTR with
 * nothing taken and nothing leaked; and when a wakeup lands just before the
 * EINTR, the wait must report success (woken wins) and take exactly it.
 *
 * Each case installs the table and restores the system's at its end.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "ct.h"
#include "intr.h"
#include "platform/posix/posix_sys.h"
#include "runner.h"

/* ---- The fault table -------------------------------------------------- */

/* A fail_at of 0 never fails, -1 fails every call, N fails the Nth. */
static atomic_int nfy_calls, nfy_fail_at; /* eventfd and pipe2 */
static atomic_int ppoll_calls, ppoll_fail_at;
static atomic_int ppoll_fired;          /* the fault fired */
static atomic_int ppoll_fired_with_fds; /* ... in a wait, not the gate */
static atomic_int ppoll_blocking;       /* a real ppoll that may sleep began */
static atomic_int wake_before_fault;    /* wake the target, then fail */

struct target;
static struct target *fault_target;
static void target_wake(struct target *t);

static int
fault_due(atomic_int *calls, atomic_int *fail_at)
{
	int k = atomic_fetch_add(calls, 1) + 1, at = atomic_load(fail_at);

	return at < 0 || (at > 0 && k == at);
}

static int
fake_eventfd(unsigned int value, int flags)
{
	if (fault_due(&nfy_calls, &nfy_fail_at)) {
		errno = EMFILE;
		return -1;
	}
	return intr__sys_real.eventfd(value, flags);
}

static int
fake_pipe2(int fds[2], int flags)
{
	if (fault_due(&nfy_calls, &nfy_fail_at)) {
		errno = EMFILE;
		return -1;
	}
	return intr__sys_real.pipe2(fds, flags);
}

static int
fake_ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts,
    const sigset_t *mask)
{
	if (fault_due(&ppoll_calls, &ppoll_fail_at)) {
		if (n > 0 && atomic_load(&wake_before_fault)) {
			target_wake(fault_target);
		}
		atomic_store(&ppoll_fired_with_fds, n > 0);
		atomic_store(&ppoll_fired, 1);
		errno = EINTR;
		return -1;
	}
	if (n > 0 && (ts == NULL || ts->tv_sec != 0 || ts->tv_nsec != 0)) {
		atomic_store(&ppoll_blocking, 1);
	}
	return intr__sys_real.ppoll(fds, n, ts, mask);
}

static void
faults_install(void)
{
	struct intr__sys t = intr__sys_real;

	t.ppoll = fake_ppoll;
	t.eventfd = fake_eventfd;
	t.pipe2 = fake_pipe2;
	intr__sys_override(&t);
}

static void
arm_nfy(int fail_at)
{
	atomic_store(&nfy_calls, 0);
	atomic_store(&nfy_fail_at, fail_at);
}

static void
arm_ppoll(int fail_at, int wake_first)
{
	atomic_store(&ppoll_calls, 0);
	atomic_store(&ppoll_fired, 0);
	atomic_store(&ppoll_fired_with_fds, 0);
	atomic_store(&ppoll_blocking, 0);
	atomic_store(&wake_before_fault, wake_first);
	atomic_store(&ppoll_fail_at, fail_at);
}

/* ---- The object under test -------------------------------------------- */

struct target {
	int is_cond;
	const sigset_t *mask; /* NULL: the plain wait; else the pwait's */
	sigset_t cur;
	intr_sem_t s;
	intr_cond_t c;
	pthread_mutex_t m; /* error-checking */
};

static void
target_setup(struct target *t, int is_cond, int with_mask)
{
	t->is_cond = is_cond;
	ct_mask(&t->cur);
	t->mask = with_mask ? &t->cur : NULL;
	ct_mutex_init_errcheck(&t->m);
	fault_target = t;
}

static void
target_init(struct target *t)
{
	if (t->is_cond) {
		CHECK_OK(intr_cond_init(&t->c));
	} else {
		CHECK_OK(intr_sem_init(&t->s, 0));
	}
}

/* destroy succeeds: no waiter announced, no node left on the list. */
static void
target_destroy(struct target *t)
{
	if (t->is_cond) {
		CHECK_OK(intr_cond_destroy(&t->c));
	} else {
		CHECK_OK(intr_sem_destroy(&t->s));
	}
}

static void
target_wake(struct target *t)
{
	if (t->is_cond) {
		CHECK_OK(intr_cond_signal(&t->c));
	} else {
		CHECK_OK(intr_sem_post(&t->s));
	}
}

/* One wait; a condition must come back with the mutex, whatever happened. */
static int
target_wait(struct target *t, int64_t deadline)
{
	int rc, err;

	if (!t->is_cond) {
		return t->mask == NULL && deadline == INTR_FOREVER
		    ? intr_sem_wait(&t->s)
		    : intr_sem_pwait(&t->s, deadline, t->mask);
	}
	CHECK_EQ(pthread_mutex_lock(&t->m), 0);
	errno = 0;
	rc = t->mask == NULL && deadline == INTR_FOREVER
	    ? intr_cond_wait(&t->c, &t->m)
	    : intr_cond_pwait(&t->c, &t->m, deadline, t->mask);
	err = errno;
	CHECK_EQ(pthread_mutex_unlock(&t->m), 0);
	errno = err;
	return rc;
}

/*
 * The wait failed and must have taken nothing: for a semaphore the count is
 * still zero and no announcement is left to swallow the next post.
 */
static void
target_untouched(struct target *t)
{
	if (!t->is_cond) {
		CHECK_ERR(intr_sem_trywait(&t->s), EAGAIN);
		CHECK_OK(intr_sem_post(&t->s));
		CHECK_OK(intr_sem_trywait(&t->s));
		CHECK_ERR(intr_sem_trywait(&t->s), EAGAIN);
	}
}

/* The wait succeeded: it took exactly the one token there was. */
static void
target_took_one(struct target *t)
{
	if (!t->is_cond) {
		CHECK_ERR(intr_sem_trywait(&t->s), EAGAIN);
	}
}

/* ---- EMFILE ----------------------------------------------------------- */

/*
 * With the fault armed at fail_at, a wait that must sleep fails with EMFILE
 * (and again with every creation failing); then the checks above, and once
 * the fault is gone a wait on the same object sleeps and is woken.
 */
static void
emfile(struct target *t, int fail_at, int fds_kept)
{
	int base = it_fd_count();

	target_init(t);
	arm_nfy(fail_at);
	CHECK_ERR(target_wait(t, INTR_FOREVER), EMFILE);
	arm_nfy(-1);
	CHECK_ERR(target_wait(t, intr_now() + 5000), EMFILE);
	arm_nfy(0);
	CHECK_EQ(it_fd_count(), base + fds_kept);
	target_untouched(t);
	if (t->is_cond) {
		ct_signal_on_wait(&t->c);
	} else {
		ct_post_on_wait(&t->s);
	}
	/* A node left behind would take the hook's signal: time out. */
	CHECK_OK(target_wait(t, intr_now() + 3000));
	ct_signal_on_wait(NULL);
	ct_post_on_wait(NULL);
	target_took_one(t);
	target_destroy(t);
}

/* The semaphore's own notifier cannot be made (term notifier exists). */
static void
t_emfile_sem_notifier(void)
{
	struct target t;
	int base;

	faults_install();
	ct_warm_up();
	base = it_fd_count();
	target_setup(&t, 0, 0);
	emfile(&t, -1, 0);
	CHECK_EQ(it_fd_count(), base);
	intr__sys_override(NULL);
}

/*
 * The semaphore's notifier is made, the term notifier is not: the wait has
 * announced itself by then and must withdraw.
 */
static void
t_emfile_sem_term_notifier(void)
{
	int base, per = ct_notify_fds();
	struct target t;

	faults_install();
	base = it_fd_count();
	target_setup(&t, 0, 1);
	emfile(&t, 2, per);
	CHECK_EQ(it_fd_count(), base + per); /* the term notifier, made late */
	intr__sys_override(NULL);
}

/* This thread's parker cannot be made. */
static void
t_emfile_cond_parker(void)
{
	struct target t;
	int base;

	faults_install();
	base = it_fd_count();
	target_setup(&t, 1, 0);
	emfile(&t, -1, 0);
	CHECK_EQ(it_fd_count(), base + 2 * ct_notify_fds()); /* made late */
	intr__sys_override(NULL);
}

/*
 * The parker is made, the term notifier is not: the node is linked and the
 * mutex released by then; both must be undone.
 */
static void
t_emfile_cond_term_notifier(void)
{
	int base, per = ct_notify_fds();
	struct target t;

	faults_install();
	base = it_fd_count();
	target_setup(&t, 1, 1);
	emfile(&t, 2, per);
	CHECK_EQ(it_fd_count(), base + 2 * per);
	intr__sys_override(NULL);
}

/* ---- EINTR by countdown ----------------------------------------------- */

/* Wakes the target once its wait really blocks, unless a fault fired. */
struct waker {
	pthread_t t;
	struct target *target;
	atomic_int wait_over;
	int woke;
};

static void *
waker_main(void *arg)
{
	struct waker *w = arg;
	int64_t until = it_now_ms() + CT_LIMIT_MS;

	while (!atomic_load(&ppoll_blocking) && !atomic_load(&w->wait_over)) {
		CHECK_OP(it_now_ms(), <=, until);
		sched_yield();
	}
	if (atomic_load(&ppoll_blocking) && !atomic_load(&ppoll_fired)) {
		target_wake(w->target);
		w->woke = 1;
	}
	return NULL;
}

/* One run with the Nth ppoll failing: 1 if the fault fired. */
static int
countdown_run(struct target *t, int n, int wake_first)
{
	struct waker w = {.target = t, .woke = 0};
	int rc, err, fired, woken_first;

	target_init(t);
	atomic_store(&w.wait_over, 0);
	arm_ppoll(n, wake_first);
	CHECK_EQ(pthread_create(&w.t, NULL, waker_main, &w), 0);
	errno = 0;
	/* The plain forms wait forever; the waker's time limit still holds. */
	rc = target_wait(t, t->mask != NULL ? intr_now() + 5000 : INTR_FOREVER);
	err = errno;
	atomic_store(&w.wait_over, 1);
	CHECK_EQ(pthread_join(w.t, NULL), 0);
	fired = atomic_load(&ppoll_fired);
	woken_first = wake_first && atomic_load(&ppoll_fired_with_fds);
	arm_ppoll(0, 0);
	if (fired && !woken_first) {
		CHECK_EQ(rc, -1);
		CHECK_EQ(err, EINTR);
		CHECK(!w.woke);
		target_untouched(t);
	} else {
		CHECK_EQ(rc, 0); /* woken, by the waker or just before EINTR */
		CHECK(w.woke != fired);
		target_took_one(t);
	}
	target_destroy(t);
	return fired;
}

static void
countdown(int is_cond, int with_mask, int wake_first)
{
	int base, n, faults = 0;
	struct target t;

	faults_install();
	ct_warm_up();
	base = it_fd_count();
	target_setup(&t, is_cond, with_mask);
	for (n = 1; n <= 20 && countdown_run(&t, n, wake_first); n++) {
		CHECK_EQ(it_fd_count(), base);
		faults++;
	}
	CHECK_EQ(it_fd_count(), base);
	CHECK_OP(n, <=, 20); /* a run completed untouched */
	/* With a mask the gate is one more ppoll to fail. */
	CHECK_OP(faults, >=, with_mask ? 2 : 1);
	intr__sys_override(NULL);
}

static void
t_eintr_countdown_sem_wait(void)
{
	countdown(0, 0, 0);
}

static void
t_eintr_countdown_sem_pwait(void)
{
	countdown(0, 1, 0);
}

static void
t_eintr_countdown_cond_wait(void)
{
	countdown(1, 0, 0);
}

static void
t_eintr_countdown_cond_pwait(void)
{
	countdown(1, 1, 0);
}

static void
t_woken_then_eintr_sem(void)
{
	countdown(0, 1, 1);
}

static void
t_woken_then_eintr_cond(void)
{
	countdown(1, 1, 1);
}

/* EINTR at the gate of a pwait that could take a token at once keeps it. */
static void
t_eintr_gate_keeps_token(void)
{
	sigset_t cur;
	intr_sem_t s;

	faults_install();
	ct_mask(&cur);
	CHECK_OK(intr_sem_init(&s, 1));
	arm_ppoll(1, 0);
	CHECK_ERR(intr_sem_pwait(&s, INTR_FOREVER, &cur), EINTR);
	CHECK(atomic_load(&ppoll_fired));
	arm_ppoll(0, 0);
	CHECK_OK(intr_sem_trywait(&s));
	CHECK_ERR(intr_sem_trywait(&s), EAGAIN);
	CHECK_OK(intr_sem_post(&s));
	arm_ppoll(2, 0); /* the gate passes, and nothing else calls ppoll */
	CHECK_OK(intr_sem_pwait(&s, INTR_FOREVER, &cur));
	CHECK(!atomic_load(&ppoll_fired));
	arm_ppoll(0, 0);
	CHECK_OK(intr_sem_destroy(&s));
	intr__sys_override(NULL);
}

static const struct it_case cases[] = {
    {"emfile_sem_notifier", t_emfile_sem_notifier, 0},
    {"emfile_sem_term_notifier", t_emfile_sem_term_notifier, 0},
    {"emfile_cond_parker", t_emfile_cond_parker, 0},
    {"emfile_cond_term_notifier", t_emfile_cond_term_notifier, 0},
    {"eintr_countdown_sem_wait", t_eintr_countdown_sem_wait, 0},
    {"eintr_countdown_sem_pwait", t_eintr_countdown_sem_pwait, 0},
    {"eintr_countdown_cond_wait", t_eintr_countdown_cond_wait, 0},
    {"eintr_countdown_cond_pwait", t_eintr_countdown_cond_pwait, 0},
    {"woken_then_eintr_sem", t_woken_then_eintr_sem, 0},
    {"woken_then_eintr_cond", t_woken_then_eintr_cond, 0},
    {"eintr_gate_keeps_token", t_eintr_gate_keeps_token, 0},
};
IT_MAIN(cases)
