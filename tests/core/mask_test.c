/*
 * mask_test.c - the library leaves signal state as it found it: the
 * caller's mask after every kind of return of both pwaits (success at once
 * and after sleeping, EINTR at the gate and inside the wait, ETIMEDOUT,
 * ETERM, EINVAL), the process's handlers (SigCgt, SigIgn, each sigaction),
 * and no signalfd among its descriptors.
 *
 * The caller blocks SIGUSR1 and SIGUSR2; every pwait gets a different mask
 * (SIGUSR1 open, SIGHUP blocked), so a mask left behind would show.
 */
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "core/testhooks.h"
#include "ct.h"
#include "intr.h"
#include "runner.h"

/* What the prewait hook does inside the wait under test. */
enum action {
	ACT_NONE,
	ACT_WAKE,  /* post the semaphore / signal the condition */
	ACT_RAISE, /* make SIGUSR1 pending (the caller blocks it) */
	ACT_TERM,  /* intr_term() */
};

struct target {
	int is_cond;
	intr_sem_t s;
	intr_cond_t c;
	pthread_mutex_t m; /* error-checking */
	sigset_t caller;   /* the caller's mask, which must survive */
	sigset_t pmask;    /* the mask handed to the pwait */
};

static atomic_int hook_action;
static struct target *hook_target;

static void
act(void)
{
	switch (atomic_load(&hook_action)) {
	case ACT_WAKE:
		if (hook_target->is_cond) {
			(void)intr_cond_signal(&hook_target->c);
		} else {
			(void)intr_sem_post(&hook_target->s);
		}
		break;
	case ACT_RAISE:
		(void)raise(SIGUSR1);
		break;
	case ACT_TERM:
		intr_term();
		break;
	default:
		break;
	}
}

static void
target_init(struct target *t, int is_cond)
{
	sigset_t set;

	t->is_cond = is_cond;
	CHECK_OK(intr_sem_init(&t->s, 0));
	CHECK_OK(intr_cond_init(&t->c));
	ct_mutex_init_errcheck(&t->m);
	it_handle(SIGUSR1, IT_SA_NORESTART);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	CHECK_EQ(pthread_sigmask(SIG_BLOCK, &set, NULL), 0);
	ct_mask(&t->caller);
	t->pmask = t->caller;
	sigdelset(&t->pmask, SIGUSR1);
	sigaddset(&t->pmask, SIGHUP);
	hook_target = t;
	intr__test_set_prewait_hook(act);
}

static int
target_pwait(struct target *t, int64_t deadline)
{
	int rc, err;

	if (!t->is_cond) {
		return intr_sem_pwait(&t->s, deadline, &t->pmask);
	}
	CHECK_EQ(pthread_mutex_lock(&t->m), 0);
	errno = 0;
	rc = intr_cond_pwait(&t->c, &t->m, deadline, &t->pmask);
	err = errno;
	CHECK_EQ(pthread_mutex_unlock(&t->m), 0);
	errno = err;
	return rc;
}

/* One pwait with the hook doing `action`; want is 0 or the errno. */
static void
expect_pwait(struct target *t, enum action action, int64_t deadline, int want)
{
	sigset_t after;
	int rc, err;

	atomic_store(&hook_action, action);
	errno = 0;
	rc = target_pwait(t, deadline);
	err = errno;
	atomic_store(&hook_action, ACT_NONE);
	ct_mask(&after);
	if (want == 0) {
		CHECK_EQ(rc, 0);
	} else {
		CHECK_EQ(rc, -1);
		CHECK_EQ(err, want);
	}
	CHECK(ct_sigset_equal(&after, &t->caller));
}

static void
every_return(int is_cond)
{
	struct target t;

	target_init(&t, is_cond);
	if (!is_cond) {
		CHECK_OK(intr_sem_post(&t.s));
		expect_pwait(&t, ACT_NONE, INTR_FOREVER, 0); /* at once */
	}
	expect_pwait(&t, ACT_WAKE, INTR_FOREVER, 0); /* after sleeping */
	CHECK_OK(raise(SIGUSR1));
	expect_pwait(&t, ACT_NONE, INTR_FOREVER, EINTR); /* at the gate */
	CHECK_EQ(it_signal_count, 1);
	expect_pwait(&t, ACT_RAISE, INTR_FOREVER, EINTR); /* in the wait */
	CHECK_EQ(it_signal_count, 2);
	expect_pwait(&t, ACT_NONE, INTR_NOW, ETIMEDOUT);
	expect_pwait(&t, ACT_NONE, intr_now() + 10, ETIMEDOUT);
	expect_pwait(&t, ACT_NONE, -2, EINVAL);
	expect_pwait(&t, ACT_TERM, INTR_FOREVER, ETERM); /* in the wait */
	expect_pwait(&t, ACT_NONE, INTR_FOREVER, ETERM); /* at entry */
	expect_pwait(&t, ACT_NONE, INTR_NOW, ETERM);
	intr__test_set_prewait_hook(NULL);
}

static void
t_sem_every_return(void)
{
	every_return(0);
}

static void
t_cond_every_return(void)
{
	every_return(1);
}

/* Waits that sleep, time out, take at once, and end with ETERM. */
static void
exercise_library(void)
{
	pthread_mutex_t m;
	intr_sem_t s;
	intr_cond_t c;
	sigset_t cur;

	ct_mask(&cur);
	ct_warm_up();
	CHECK_OK(intr_sem_init(&s, 1));
	CHECK_OK(intr_sem_pwait(&s, INTR_NOW, &cur));
	CHECK_ERR(intr_sem_pwait(&s, intr_now() + 10, &cur), ETIMEDOUT);
	CHECK_OK(intr_sem_post(&s));
	CHECK_OK(intr_sem_trywait(&s));
	ct_mutex_init_errcheck(&m);
	CHECK_OK(intr_cond_init(&c));
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	CHECK_ERR(intr_cond_pwait(&c, &m, intr_now() + 10, &cur), ETIMEDOUT);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	CHECK(intr_strerror(ETERM) != NULL);
	CHECK(intr_version() != NULL);
	intr_term();
	CHECK_ERR(intr_sem_wait(&s), ETERM);
	CHECK_OK(intr_sem_destroy(&s));
	CHECK_OK(intr_cond_destroy(&c));
}

struct dispositions {
	char cgt[64], ign[64];
	struct sigaction sa[NSIG];
};

static void
dispositions_read(struct dispositions *d)
{
	it_proc_status("SigCgt", d->cgt, sizeof(d->cgt));
	it_proc_status("SigIgn", d->ign, sizeof(d->ign));
	CHECK(d->cgt[0] != '\0');
	for (int sig = 1; sig < NSIG; sig++) {
		memset(&d->sa[sig], 0, sizeof(d->sa[sig]));
		(void)sigaction(sig, NULL, &d->sa[sig]); /* EINVAL for some */
	}
}

/* No library call installs, removes or changes a handler. */
static void
t_no_handler_installed(void)
{
	static struct dispositions before, after;

	dispositions_read(&before);
	exercise_library();
	dispositions_read(&after);
	CHECK(strcmp(before.cgt, after.cgt) == 0);
	CHECK(strcmp(before.ign, after.ign) == 0);
	for (int sig = 1; sig < NSIG; sig++) {
		if (before.sa[sig].sa_handler != after.sa[sig].sa_handler ||
		    before.sa[sig].sa_flags != after.sa[sig].sa_flags) {
			it_fail(__FILE__, __LINE__, "signal %d changed", sig);
		}
	}
}

/* No descriptor of the process is a signalfd. */
static void
t_no_signalfd(void)
{
	char path[300], target[256];
	struct dirent *e;
	DIR *d;
	int seen = 0;
	ssize_t n;

	exercise_library();
	CHECK((d = opendir("/proc/self/fd")) != NULL);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.') {
			continue;
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		if ((n = readlink(path, target, sizeof(target) - 1)) < 0) {
			continue; /* the directory's own descriptor, closed */
		}
		target[n] = '\0';
		seen += strstr(target, "eventfd") != NULL ||
		    strstr(target, "pipe") != NULL;
		if (strstr(target, "signalfd") != NULL) {
			it_fail(__FILE__, __LINE__, "fd %s is %s", e->d_name,
			    target);
		}
	}
	closedir(d);
	CHECK_OP(seen, >=, 1); /* the library's own notifiers were looked at */
}

static const struct it_case cases[] = {
    {"sem_every_return", t_sem_every_return, 0},
    {"cond_every_return", t_cond_every_return, 0},
    {"no_handler_installed", t_no_handler_installed, 0},
    {"no_signalfd", t_no_signalfd, 0},
};
IT_MAIN(cases)
