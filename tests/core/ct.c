/*
 * ct.c - helpers shared by the core tests (see ct.h).
 */
#include "ct.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/testhooks.h"
#include "platform/platform.h"
#include "runner.h"

#ifdef SYS_ppoll
#define CT_SYS_PPOLL ((long)SYS_ppoll)
#else
#define CT_SYS_PPOLL (-2L) /* unknown here: the state letter must do */
#endif

/* ---- Waiter threads --------------------------------------------------- */

static int
ct_is_cond(const struct ct_waiter *w)
{
	return w->op == CT_COND_WAIT || w->op == CT_COND_PWAIT;
}

static int
ct_waiter_call(struct ct_waiter *w)
{
	switch (w->op) {
	case CT_SEM_WAIT:
		return intr_sem_wait(w->sem);
	case CT_SEM_PWAIT:
		return intr_sem_pwait(w->sem, w->deadline, w->mask);
	case CT_COND_WAIT:
		return intr_cond_wait(w->cond, w->mutex);
	default:
		return intr_cond_pwait(w->cond, w->mutex, w->deadline, w->mask);
	}
}

static void *
ct_waiter_main(void *arg)
{
	struct ct_waiter *w = arg;

	atomic_store(&w->tid, it_gettid());
	if (ct_is_cond(w)) {
		CHECK_EQ(pthread_mutex_lock(w->mutex), 0);
	}
	atomic_store(&w->entered, 1);
	errno = 0;
	w->rc = ct_waiter_call(w);
	w->err = errno;
	w->end_ms = it_now_ms();
	if (ct_is_cond(w)) {
		w->unlock_rc = pthread_mutex_unlock(w->mutex);
	}
	atomic_store(&w->done, 1);
	return NULL;
}

void
ct_waiter_start(struct ct_waiter *w)
{
	int64_t until = it_now_ms() + CT_LIMIT_MS;

	atomic_store(&w->tid, 0);
	atomic_store(&w->entered, 0);
	atomic_store(&w->done, 0);
	w->rc = w->err = w->unlock_rc = -100;
	CHECK_EQ(pthread_create(&w->thread, NULL, ct_waiter_main, w), 0);
	while (atomic_load(&w->tid) == 0) {
		CHECK_OP(it_now_ms(), <=, until);
		sched_yield();
	}
}

static void
ct_waiter_linked(struct ct_waiter *w)
{
	int64_t until = it_now_ms() + CT_LIMIT_MS;
	int entered;

	for (;;) {
		CHECK_EQ(pthread_mutex_lock(w->mutex), 0);
		entered = atomic_load(&w->entered);
		CHECK_EQ(pthread_mutex_unlock(w->mutex), 0);
		if (entered) {
			return;
		}
		CHECK_OP(it_now_ms(), <=, until);
		sched_yield();
	}
}

void
ct_waiter_blocked(struct ct_waiter *w)
{
	if (ct_is_cond(w)) {
		ct_waiter_linked(w);
	}
	ct_wait_blocked(atomic_load(&w->tid));
}

void
ct_waiter_join(struct ct_waiter *w)
{
	CHECK_EQ(pthread_join(w->thread, NULL), 0);
	CHECK(atomic_load(&w->done));
}

/* ---- Is a thread asleep in ppoll? -------------------------------------- */

/* The system call tid is blocked in: -1 running, -2 unknown. */
static long
ct_task_syscall(pid_t tid)
{
	char path[64], buf[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)tid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		return -2;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		return -2;
	}
	buf[n] = '\0';
	if (buf[0] < '0' || buf[0] > '9') {
		return -1; /* "running" */
	}
	return strtol(buf, NULL, 10);
}

int
ct_wait_blocked_unless(pid_t tid, atomic_int *stop)
{
	int64_t until = it_now_ms() + CT_LIMIT_MS;
	long sc;

	for (;;) {
		if (stop != NULL && atomic_load(stop)) {
			return 0;
		}
		if (it_thread_state(tid) == 'S') {
			sc = ct_task_syscall(tid);
			if (sc == CT_SYS_PPOLL || sc == -2) {
				return 1;
			}
		}
		if (it_now_ms() > until) {
			it_fail(__FILE__, __LINE__,
			    "thread %d never blocked in ppoll", (int)tid);
		}
		sched_yield();
	}
}

void
ct_wait_blocked(pid_t tid)
{
	it_wait_asleep(tid);
	(void)ct_wait_blocked_unless(tid, NULL);
}

void
ct_await(atomic_int *v, int n)
{
	int64_t until = it_now_ms() + CT_LIMIT_MS;

	while (atomic_load(v) < n) {
		if (it_now_ms() > until) {
			it_fail(__FILE__, __LINE__, "stuck at %d, want %d",
			    atomic_load(v), n);
		}
		sched_yield();
	}
}

/* ---- Hooks that complete a wait from inside it ------------------------- */

static intr_sem_t *_Atomic ct_hook_sem;
static intr_cond_t *_Atomic ct_hook_cond;

static void
ct_hook(void)
{
	intr_sem_t *s = atomic_load(&ct_hook_sem);
	intr_cond_t *c = atomic_load(&ct_hook_cond);

	if (s != NULL) {
		(void)intr_sem_post(s);
	}
	if (c != NULL) {
		(void)intr_cond_signal(c);
	}
}

static void
ct_hook_update(void)
{
	int any = atomic_load(&ct_hook_sem) != NULL ||
	    atomic_load(&ct_hook_cond) != NULL;

	intr__test_set_prewait_hook(any ? ct_hook : NULL);
}

void
ct_post_on_wait(intr_sem_t *s)
{
	atomic_store(&ct_hook_sem, s);
	ct_hook_update();
}

void
ct_signal_on_wait(intr_cond_t *c)
{
	atomic_store(&ct_hook_cond, c);
	ct_hook_update();
}

void
ct_warm_up(void)
{
	pthread_mutex_t m;
	intr_sem_t s;
	intr_cond_t c;

	CHECK_OK(intr_sem_init(&s, 0));
	ct_post_on_wait(&s);
	CHECK_OK(intr_sem_wait(&s));
	ct_post_on_wait(NULL);
	CHECK_OK(intr_sem_destroy(&s));

	ct_mutex_init_errcheck(&m);
	CHECK_OK(intr_cond_init(&c));
	ct_signal_on_wait(&c);
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	CHECK_OK(intr_cond_wait(&c, &m));
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	ct_signal_on_wait(NULL);
	CHECK_OK(intr_cond_destroy(&c));
	CHECK_EQ(pthread_mutex_destroy(&m), 0);
}

/* ---- Small things ------------------------------------------------------ */

int
ct_notify_fds(void)
{
	intr__notify_t n;
	int before = it_fd_count(), during;

	CHECK_OK(intr__notify_open(&n));
	during = it_fd_count();
	intr__notify_close(&n);
	CHECK_EQ(it_fd_count(), before);
	return during - before;
}

void
ct_mutex_init_errcheck(pthread_mutex_t *m)
{
	pthread_mutexattr_t a;

	CHECK_EQ(pthread_mutexattr_init(&a), 0);
	CHECK_EQ(pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK), 0);
	CHECK_EQ(pthread_mutex_init(m, &a), 0);
	CHECK_EQ(pthread_mutexattr_destroy(&a), 0);
}

void
ct_mask(sigset_t *out)
{
	CHECK_EQ(pthread_sigmask(SIG_BLOCK, NULL, out), 0);
}

int
ct_sigset_equal(const sigset_t *a, const sigset_t *b)
{
	for (int sig = 1; sig <= SIGRTMAX; sig++) {
		if (sigismember(a, sig) != sigismember(b, sig)) {
			return 0;
		}
	}
	return 1;
}
