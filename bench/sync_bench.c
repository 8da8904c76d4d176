/*
 * sync_bench.c - what libintr's thread primitives cost next to the ones they
 * replace. A benchmark, never a test: it prints one table and exits 0, or
 * exits 1 as soon as a call fails or a wait does not end the way libintr
 * promises (EINTR after a signal, SA_RESTART or not).
 *
 * Cases, each with its baseline:
 *   ping-pong   two threads hand a turn back and forth; thread A times each
 *               round trip, and half of it is one wake (sleeping thread made
 *               runnable and back from its call). intr_cond_t against
 *               pthread_cond_t (a pthread mutex and a turn variable), and
 *               intr_sem_t against sem_t (A posts 1 and waits 2, B the
 *               reverse), waiting with intr_sem_wait and, to price the p
 *               form, with intr_sem_pwait. A bare eventfd + ppoll pair is
 *               the floor; an edge-triggered eventfd in an epoll set is the
 *               floor of a design that would save the read (not libintr's).
 *   signal      a waiter blocks forever; the sender waits until the kernel
 *               shows it asleep (state S in /proc/self/task/<tid>/stat),
 *               reads the clock and pthread_kill()s it; the waiter reads the
 *               clock as soon as its call returns. intr_sem_wait with and
 *               without SA_RESTART and intr_sem_pwait(&s, -1, &mask) against
 *               a bare ppoll on an eventfd (the floor).
 *
 * The samples of each case are taken in PASSES short batches, the cases
 * interleaved (every case once per pass, fresh threads each time), so that a
 * burst of load from elsewhere on a shared machine falls on all of them
 * rather than on whichever case happened to be running.
 *
 * Every time is CLOCK_MONOTONIC, read with clock_gettime in both threads.
 * The two threads of a case are pinned to two different CPUs when the
 * process may use two (pthread_setaffinity_np), so that each wake crosses
 * CPUs as it does on a busy server and the scheduler cannot serialise them.
 *
 * The header also prints what one trivial system call costs, because every
 * wake here is paid in system calls and their price varies tenfold between
 * bare metal and a virtual machine.
 *
 * Divisions: plumbing, statistics, ping-pong on semaphore-like objects,
 * ping-pong on condition variables, the ping-pong driver, signal to EINTR,
 * the cases and the table, main.
 *
 * Usage: sync_bench [--samples N] [--quick] [--no-pin]
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "intr.h"

#define DEFAULT_SAMPLES 20000
#define QUICK_SAMPLES 2000
#define PASSES 10
#define LIMIT_NS (5 * 1000000000LL) /* for the waiter to sleep or wake */

/* ---- Plumbing ---------------------------------------------------------- */

static struct {
	int samples; /* recorded per case */
	int passes;  /* batches each case's samples are taken in */
	int cpu[2];  /* CPU of side A and side B, -1 when not pinned */
} cfg = {DEFAULT_SAMPLES, PASSES, {-1, -1}};

/* One batch of one case: warm rounds, then n rounds kept in out. */
struct batch {
	int warm;
	int n;
	int64_t *out; /* ns: a round trip, or a signal's latency */
};

static _Noreturn void
die(const char *what, int err)
{
	fprintf(stderr, "sync_bench: %s: %s\n", what, strerror(err));
	exit(1);
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
pin_self(int cpu)
{
	cpu_set_t set;
	int rc;

	if (cpu < 0) {
		return;
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	rc = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (rc != 0) {
		die("pthread_setaffinity_np", rc);
	}
}

/* The first two CPUs this process may run on, or -1 when it has one. */
static void
pick_cpus(void)
{
	cpu_set_t set;
	int cpu, n = 0;

	if (sched_getaffinity(0, sizeof(set), &set) != 0) {
		die("sched_getaffinity", errno);
	}
	for (cpu = 0; cpu < CPU_SETSIZE && n < 2; cpu++) {
		if (CPU_ISSET(cpu, &set)) {
			cfg.cpu[n++] = cpu;
		}
	}
	if (n < 2) {
		cfg.cpu[0] = cfg.cpu[1] = -1;
	}
}

static void
run_pair(void *(*a)(void *), void *(*b)(void *), void *arg)
{
	pthread_t ta, tb;
	int rc;

	if ((rc = pthread_create(&ta, NULL, a, arg)) != 0) {
		die("pthread_create", rc);
	}
	if ((rc = pthread_create(&tb, NULL, b, arg)) != 0) {
		die("pthread_create", rc);
	}
	(void)pthread_join(ta, NULL);
	(void)pthread_join(tb, NULL);
}

/* Round i of a batch took ns: keep it unless it was a warm-up round. */
static void
keep(const struct batch *b, int i, int64_t ns)
{
	if (i >= b->warm) {
		b->out[i - b->warm] = ns;
	}
}

static int64_t *
alloc_samples(void)
{
	int64_t *ns = calloc((size_t)cfg.samples, sizeof(*ns));

	if (ns == NULL) {
		die("calloc", errno);
	}
	return ns;
}

/* ---- Statistics -------------------------------------------------------- */

struct stats {
	double med, p90, p99; /* microseconds per wake or per signal */
};

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank quantile q of sorted ns, in microseconds after / div. */
static double
quantile(const int64_t *ns, int n, double q, double div)
{
	int i = (int)(q * n + 0.999999) - 1;

	return (double)ns[i < 0 ? 0 : i] / div / 1000.0;
}

/* Sorts ns; div turns a sample into one wake (2 for a round trip). */
static struct stats
summarize(int64_t *ns, int n, double div)
{
	struct stats st;

	qsort(ns, (size_t)n, sizeof(*ns), cmp_i64);
	st.med = quantile(ns, n, 0.50, div);
	st.p90 = quantile(ns, n, 0.90, div);
	st.p99 = quantile(ns, n, 0.99, div);
	return st;
}

/* ---- Ping-pong on semaphore-like objects -------------------------------- */

union pp_sem {
	intr_sem_t is;
	sem_t ps;
	struct {
		int efd;
		int epfd; /* alternative floor only: epoll set holding efd */
	} ev;
};

struct sem_ops {
	void (*init)(union pp_sem *u);
	void (*post)(union pp_sem *u);
	void (*wait)(union pp_sem *u);
	void (*destroy)(union pp_sem *u);
};

static void
efd_init(union pp_sem *u)
{
	if ((u->ev.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		die("eventfd", errno);
	}
}

static void
efd_post(union pp_sem *u)
{
	uint64_t one = 1;

	if (write(u->ev.efd, &one, sizeof(one)) != (ssize_t)sizeof(one)) {
		die("write eventfd", errno);
	}
}

/* The floor: what any eventfd-based wake costs (ppoll, then take). */
static void
efd_wait(union pp_sem *u)
{
	struct pollfd pfd = {u->ev.efd, POLLIN, 0};
	uint64_t v;

	do {
		if (ppoll(&pfd, 1, NULL, NULL) < 0) {
			die("ppoll", errno);
		}
	} while (read(u->ev.efd, &v, sizeof(v)) != (ssize_t)sizeof(v));
}

static void
efd_destroy(union pp_sem *u)
{
	(void)close(u->ev.efd);
}

/*
 * The alternative floor: an edge-triggered eventfd in an epoll set. Each
 * write is a new edge that wakes one epoll_pwait, so the waiter never reads
 * the counter: one system call fewer per wake than ppoll + read, the same
 * count as a futex. (epoll_pwait swaps the mask in atomically and fails with
 * EINTR whenever a handler runs, like ppoll.)
 */
static void
etfd_init(union pp_sem *u)
{
	struct epoll_event ev = {.events = EPOLLIN | EPOLLET};

	efd_init(u);
	if ((u->ev.epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    epoll_ctl(u->ev.epfd, EPOLL_CTL_ADD, u->ev.efd, &ev) != 0) {
		die("epoll", errno);
	}
}

static void
etfd_wait(union pp_sem *u)
{
	struct epoll_event ev;

	while (epoll_pwait(u->ev.epfd, &ev, 1, -1, NULL) != 1) {
		if (errno != EINTR) {
			die("epoll_pwait", errno);
		}
	}
}

static void
etfd_destroy(union pp_sem *u)
{
	(void)close(u->ev.epfd);
	efd_destroy(u);
}

static void
psem_init(union pp_sem *u)
{
	if (sem_init(&u->ps, 0, 0) != 0) {
		die("sem_init", errno);
	}
}

static void
psem_post(union pp_sem *u)
{
	if (sem_post(&u->ps) != 0) {
		die("sem_post", errno);
	}
}

static void
psem_wait(union pp_sem *u)
{
	while (sem_wait(&u->ps) != 0) {
		if (errno != EINTR) {
			die("sem_wait", errno);
		}
	}
}

static void
psem_destroy(union pp_sem *u)
{
	(void)sem_destroy(&u->ps);
}

static void
isem_init(union pp_sem *u)
{
	if (intr_sem_init(&u->is, 0) != 0) {
		die("intr_sem_init", errno);
	}
}

static void
isem_post(union pp_sem *u)
{
	if (intr_sem_post(&u->is) != 0) {
		die("intr_sem_post", errno);
	}
}

static void
isem_wait(union pp_sem *u)
{
	if (intr_sem_wait(&u->is) != 0) {
		die("intr_sem_wait", errno);
	}
}

/*
 * The p form with the mask the thread already has: it unblocks nothing, so
 * this prices the form itself (its entry check for pending signals).
 */
static sigset_t thread_mask;

static void
isem_pwait(union pp_sem *u)
{
	if (intr_sem_pwait(&u->is, INTR_FOREVER, &thread_mask) != 0) {
		die("intr_sem_pwait", errno);
	}
}

static void
isem_destroy(union pp_sem *u)
{
	if (intr_sem_destroy(&u->is) != 0) {
		die("intr_sem_destroy", errno);
	}
}

static const struct sem_ops efd_ops = {efd_init, efd_post, efd_wait,
    efd_destroy};
static const struct sem_ops etfd_ops = {etfd_init, efd_post, etfd_wait,
    etfd_destroy};
static const struct sem_ops psem_ops = {psem_init, psem_post, psem_wait,
    psem_destroy};
static const struct sem_ops isem_ops = {isem_init, isem_post, isem_wait,
    isem_destroy};
static const struct sem_ops isem_p_ops = {isem_init, isem_post, isem_pwait,
    isem_destroy};

/* ---- Ping-pong on condition variables ----------------------------------- */

union pp_cond {
	intr_cond_t ic;
	pthread_cond_t pc;
};

struct cond_ops {
	void (*init)(union pp_cond *u);
	void (*signal)(union pp_cond *u);
	void (*wait)(union pp_cond *u, pthread_mutex_t *m);
	void (*destroy)(union pp_cond *u);
};

static void
pcond_init(union pp_cond *u)
{
	int rc;

	if ((rc = pthread_cond_init(&u->pc, NULL)) != 0) {
		die("pthread_cond_init", rc);
	}
}

static void
pcond_signal(union pp_cond *u)
{
	(void)pthread_cond_signal(&u->pc);
}

static void
pcond_wait(union pp_cond *u, pthread_mutex_t *m)
{
	int rc;

	if ((rc = pthread_cond_wait(&u->pc, m)) != 0) {
		die("pthread_cond_wait", rc);
	}
}

static void
pcond_destroy(union pp_cond *u)
{
	(void)pthread_cond_destroy(&u->pc);
}

static void
icond_init(union pp_cond *u)
{
	if (intr_cond_init(&u->ic) != 0) {
		die("intr_cond_init", errno);
	}
}

static void
icond_signal(union pp_cond *u)
{
	if (intr_cond_signal(&u->ic) != 0) {
		die("intr_cond_signal", errno);
	}
}

static void
icond_wait(union pp_cond *u, pthread_mutex_t *m)
{
	if (intr_cond_wait(&u->ic, m) != 0) {
		die("intr_cond_wait", errno);
	}
}

static void
icond_destroy(union pp_cond *u)
{
	if (intr_cond_destroy(&u->ic) != 0) {
		die("intr_cond_destroy", errno);
	}
}

static const struct cond_ops pcond_ops = {pcond_init, pcond_signal, pcond_wait,
    pcond_destroy};
static const struct cond_ops icond_ops = {icond_init, icond_signal, icond_wait,
    icond_destroy};

/* ---- Ping-pong driver --------------------------------------------------- */

struct pingpong {
	const struct sem_ops *sops; /* one of sops, cops is set */
	const struct cond_ops *cops;
	union pp_sem sem[2]; /* sem[0] wakes A, sem[1] wakes B */
	union pp_cond cond;
	pthread_mutex_t m;
	int turn;       /* whose turn, 0 (A) or 1 (B); under m */
	struct batch b; /* round trips, timed by A */
};

static void *
sem_side_a(void *arg)
{
	struct pingpong *x = arg;
	int i, rounds = x->b.warm + x->b.n;
	int64_t t0;

	pin_self(cfg.cpu[0]);
	for (i = 0; i < rounds; i++) {
		t0 = now_ns();
		x->sops->post(&x->sem[1]);
		x->sops->wait(&x->sem[0]);
		keep(&x->b, i, now_ns() - t0);
	}
	return NULL;
}

static void *
sem_side_b(void *arg)
{
	struct pingpong *x = arg;
	int i, rounds = x->b.warm + x->b.n;

	pin_self(cfg.cpu[1]);
	for (i = 0; i < rounds; i++) {
		x->sops->wait(&x->sem[1]);
		x->sops->post(&x->sem[0]);
	}
	return NULL;
}

/* The classic pattern: the mutex is held except inside the wait. */
static void *
cond_side_a(void *arg)
{
	struct pingpong *x = arg;
	int i, rounds = x->b.warm + x->b.n;
	int64_t t0;

	pin_self(cfg.cpu[0]);
	(void)pthread_mutex_lock(&x->m);
	for (i = 0; i < rounds; i++) {
		t0 = now_ns();
		x->turn = 1;
		x->cops->signal(&x->cond);
		while (x->turn != 0) {
			x->cops->wait(&x->cond, &x->m);
		}
		keep(&x->b, i, now_ns() - t0);
	}
	(void)pthread_mutex_unlock(&x->m);
	return NULL;
}

static void *
cond_side_b(void *arg)
{
	struct pingpong *x = arg;
	int i, rounds = x->b.warm + x->b.n;

	pin_self(cfg.cpu[1]);
	(void)pthread_mutex_lock(&x->m);
	for (i = 0; i < rounds; i++) {
		while (x->turn != 1) {
			x->cops->wait(&x->cond, &x->m);
		}
		x->turn = 0;
		x->cops->signal(&x->cond);
	}
	(void)pthread_mutex_unlock(&x->m);
	return NULL;
}

static void
sem_pingpong(const struct sem_ops *ops, const struct batch *b)
{
	struct pingpong x = {.sops = ops, .b = *b};

	ops->init(&x.sem[0]);
	ops->init(&x.sem[1]);
	run_pair(sem_side_a, sem_side_b, &x);
	ops->destroy(&x.sem[0]);
	ops->destroy(&x.sem[1]);
}

static void
cond_pingpong(const struct cond_ops *ops, const struct batch *b)
{
	struct pingpong x = {.cops = ops, .b = *b};

	(void)pthread_mutex_init(&x.m, NULL);
	ops->init(&x.cond);
	run_pair(cond_side_a, cond_side_b, &x);
	ops->destroy(&x.cond);
	(void)pthread_mutex_destroy(&x.m);
}

/* ---- Signal to EINTR ---------------------------------------------------- */

enum sig_call {
	SIG_PPOLL, /* bare ppoll on an eventfd: the floor */
	SIG_WAIT,  /* intr_sem_wait */
	SIG_PWAIT  /* intr_sem_pwait(&s, -1, &mask), SIGUSR1 blocked outside */
};

struct sigcase {
	enum sig_call call;
	int efd;
	intr_sem_t s;     /* never posted */
	sem_t go;         /* sender -> waiter: block again */
	sem_t done;       /* waiter -> sender: returned, t_ret and err set */
	atomic_int armed; /* round the waiter is about to block in, from 1 */
	atomic_int tid;   /* the waiter's kernel id */
	pthread_t waiter; /* published before armed */
	int64_t t_ret;    /* clock right after the call returned */
	int err;          /* its errno, 0 if it returned success */
	struct batch b;   /* latencies, computed by the sender */
};

static volatile sig_atomic_t handled;

static void
on_signal(int sig)
{
	(void)sig;
	handled++;
}

static void
set_handler(int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = flags;
	(void)sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) != 0) {
		die("sigaction", errno);
	}
}

static void
sem_wait_all(sem_t *s)
{
	while (sem_wait(s) != 0) {
		if (errno != EINTR) {
			die("sem_wait", errno);
		}
	}
}

/* The kernel's state letter for thread tid (R, S, D, ...). */
static char
thread_state(int tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	(void)snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		die(path, errno);
	}
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	buf[n > 0 ? n : 0] = '\0';
	/* "tid (comm) S ...": comm may hold spaces and parentheses. */
	p = strrchr(buf, ')');
	return (p != NULL && p[1] == ' ') ? p[2] : '?';
}

static void
wait_asleep(int tid)
{
	int64_t limit = now_ns() + LIMIT_NS;

	while (thread_state(tid) != 'S') {
		if (now_ns() > limit) {
			die("the waiter never fell asleep", ETIMEDOUT);
		}
	}
}

/* The waiter's answer; a call the signal did not end never gives one. */
static void
wait_returned(sem_t *done)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += LIMIT_NS / 1000000000;
	while (sem_timedwait(done, &ts) != 0) {
		if (errno == ETIMEDOUT) {
			die("a signalled wait did not return", ETIMEDOUT);
		}
		if (errno != EINTR) {
			die("sem_timedwait", errno);
		}
	}
}

/* Block until a signal ends the call; the errno it ended with, or 0. */
static int
sig_block(struct sigcase *x, const sigset_t *mask)
{
	struct pollfd pfd = {x->efd, POLLIN, 0};
	int rc;

	switch (x->call) {
	case SIG_PPOLL:
		rc = ppoll(&pfd, 1, NULL, NULL);
		break;
	case SIG_WAIT:
		rc = intr_sem_wait(&x->s);
		break;
	default:
		rc = intr_sem_pwait(&x->s, INTR_FOREVER, mask);
		break;
	}
	x->t_ret = now_ns(); /* clock_gettime leaves errno alone */
	return rc < 0 ? errno : 0;
}

/* For the p form SIGUSR1 is blocked except inside the call, as intended. */
static void
sig_masks(const struct sigcase *x, sigset_t *inside)
{
	sigset_t usr1;

	(void)sigemptyset(&usr1);
	(void)sigaddset(&usr1, SIGUSR1);
	if (x->call == SIG_PWAIT) {
		(void)pthread_sigmask(SIG_BLOCK, &usr1, NULL);
	}
	(void)pthread_sigmask(SIG_SETMASK, NULL, inside);
	(void)sigdelset(inside, SIGUSR1);
}

static void *
sig_waiter(void *arg)
{
	struct sigcase *x = arg;
	int i, rounds = x->b.warm + x->b.n;
	sigset_t inside;

	pin_self(cfg.cpu[1]);
	sig_masks(x, &inside);
	x->waiter = pthread_self();
	atomic_store(&x->tid, (int)syscall(SYS_gettid));
	for (i = 1; i <= rounds; i++) {
		sem_wait_all(&x->go);
		atomic_store(&x->armed, i);
		x->err = sig_block(x, &inside);
		if (sem_post(&x->done) != 0) {
			die("sem_post", errno);
		}
	}
	return NULL;
}

static void *
sig_sender(void *arg)
{
	struct sigcase *x = arg;
	int i, rc, rounds = x->b.warm + x->b.n;
	int64_t t0;

	pin_self(cfg.cpu[0]);
	for (i = 0; i < rounds; i++) {
		(void)sem_post(&x->go);
		while (atomic_load(&x->armed) != i + 1) {
		}
		wait_asleep(atomic_load(&x->tid));
		t0 = now_ns();
		if ((rc = pthread_kill(x->waiter, SIGUSR1)) != 0) {
			die("pthread_kill", rc);
		}
		wait_returned(&x->done);
		if (x->err != EINTR) {
			die("a signalled wait did not fail with EINTR",
			    x->err != 0 ? x->err : EINVAL);
		}
		keep(&x->b, i, x->t_ret - t0);
	}
	return NULL;
}

static void
signal_latency(enum sig_call call, int sa_flags, const struct batch *b)
{
	struct sigcase x = {.call = call, .b = *b};

	set_handler(sa_flags);
	handled = 0;
	if ((x.efd = eventfd(0, EFD_CLOEXEC)) < 0) {
		die("eventfd", errno);
	}
	if (intr_sem_init(&x.s, 0) != 0 || sem_init(&x.go, 0, 0) != 0 ||
	    sem_init(&x.done, 0, 0) != 0) {
		die("semaphore init", errno);
	}
	run_pair(sig_sender, sig_waiter, &x);
	if (handled != b->warm + b->n) {
		die("the handler did not run once per signal", EPROTO);
	}
	(void)intr_sem_destroy(&x.s);
	(void)sem_destroy(&x.go);
	(void)sem_destroy(&x.done);
	(void)close(x.efd);
}

/* ---- The cases and the table --------------------------------------------- */

enum {
	PP_FLOOR,
	PP_ALT_FLOOR,
	PP_PCOND,
	PP_ICOND,
	PP_PSEM,
	PP_ISEM,
	PP_ISEM_P,
	SG_FLOOR,
	SG_WAIT,
	SG_RESTART,
	SG_PWAIT,
	NCASES
};

struct bench_case {
	const char *group; /* "ping-pong" or "signal" */
	const char *what;
	int base; /* the case it is compared with, or -1 */
	/* Ping-pong: one of sops and cops is set. */
	const struct sem_ops *sops;
	const struct cond_ops *cops;
	/* Signal: the call to interrupt and the handler's flags. */
	enum sig_call call;
	int sa_flags;
};

#define PINGPONG(what_, base_, sops_, cops_)                                   \
	{.group = "ping-pong",                                                 \
	    .what = (what_),                                                   \
	    .base = (base_),                                                   \
	    .sops = (sops_),                                                   \
	    .cops = (cops_)}
#define SIGNAL(what_, base_, call_, flags_)                                    \
	{.group = "signal",                                                    \
	    .what = (what_),                                                   \
	    .base = (base_),                                                   \
	    .call = (call_),                                                   \
	    .sa_flags = (flags_)}

static const struct bench_case cases[NCASES] = {
    [PP_FLOOR] = PINGPONG("eventfd + ppoll (floor)", -1, &efd_ops, NULL),
    [PP_ALT_FLOOR] =
	PINGPONG("eventfd ET + epoll_pwait (alt.)", -1, &etfd_ops, NULL),
    [PP_PCOND] = PINGPONG("pthread_cond_t", -1, NULL, &pcond_ops),
    [PP_ICOND] = PINGPONG("intr_cond_t", PP_PCOND, NULL, &icond_ops),
    [PP_PSEM] = PINGPONG("sem_t", -1, &psem_ops, NULL),
    [PP_ISEM] = PINGPONG("intr_sem_t", PP_PSEM, &isem_ops, NULL),
    [PP_ISEM_P] =
	PINGPONG("intr_sem_t, intr_sem_pwait", PP_PSEM, &isem_p_ops, NULL),
    [SG_FLOOR] = SIGNAL("ppoll on eventfd (floor)", -1, SIG_PPOLL, 0),
    [SG_WAIT] = SIGNAL("intr_sem_wait", SG_FLOOR, SIG_WAIT, 0),
    [SG_RESTART] =
	SIGNAL("intr_sem_wait, SA_RESTART", SG_FLOOR, SIG_WAIT, SA_RESTART),
    [SG_PWAIT] =
	SIGNAL("intr_sem_pwait(&s, -1, &mask)", SG_FLOOR, SIG_PWAIT, 0),
};

static int
is_pingpong(const struct bench_case *c)
{
	return c->sops != NULL || c->cops != NULL;
}

static void
run_batch(const struct bench_case *c, const struct batch *b)
{
	if (c->sops != NULL) {
		sem_pingpong(c->sops, b);
	} else if (c->cops != NULL) {
		cond_pingpong(c->cops, b);
	} else {
		signal_latency(c->call, c->sa_flags, b);
	}
}

/* Every case once per pass, so that a slow spell hits them all. */
static void
run_all(int64_t *ns[NCASES])
{
	struct batch b;
	int pass, c, done = 0;

	for (pass = 0; pass < cfg.passes; pass++) {
		b.n = (int)((int64_t)cfg.samples * (pass + 1) / cfg.passes) -
		    done;
		b.warm = b.n / 10 + 10;
		for (c = 0; c < NCASES; c++) {
			b.out = ns[c] + done;
			run_batch(&cases[c], &b);
		}
		done += b.n;
	}
}

static void
print_table(int64_t *ns[NCASES])
{
	const struct bench_case *c;
	struct stats st[NCASES];
	int i;

	/* Written out: printf pads bytes, and "\u00b5" is two of them. */
	printf("case                                        "
	       "median \u00b5s   p90 \u00b5s   p99 \u00b5s  "
	       "libintr/baseline\n");
	for (i = 0; i < NCASES; i++) {
		c = &cases[i];
		st[i] =
		    summarize(ns[i], cfg.samples, is_pingpong(c) ? 2.0 : 1.0);
		printf("%-9s %-33s %10.2f %8.2f %8.2f", c->group, c->what,
		    st[i].med, st[i].p90, st[i].p99);
		if (c->base >= 0) {
			printf("  %.2f vs %s", st[i].med / st[c->base].med,
			    cases[c->base].what);
		}
		printf("\n");
	}
}

/* ---- Main --------------------------------------------------------------- */

static _Noreturn void
usage(void)
{
	fprintf(stderr,
	    "usage: sync_bench [--samples N] [--quick] [--no-pin]\n");
	exit(2);
}

static void
parse_args(int argc, char **argv)
{
	int i, pin = 1;
	char *end;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			cfg.samples = QUICK_SAMPLES;
		} else if (strcmp(argv[i], "--no-pin") == 0) {
			pin = 0;
		} else if (strcmp(argv[i], "--samples") == 0 && i + 1 < argc) {
			cfg.samples = (int)strtol(argv[++i], &end, 10);
			if (*end != '\0' || cfg.samples < 1 ||
			    cfg.samples > 100000000) {
				usage();
			}
		} else {
			usage();
		}
	}
	cfg.passes = cfg.samples < PASSES ? cfg.samples : PASSES;
	if (pin) {
		pick_cpus();
	}
}

/* Mean cost of one trivial system call, in ns. */
static double
syscall_ns(void)
{
	int i, n = 100000;
	int64_t t0 = now_ns();

	for (i = 0; i < n; i++) {
		(void)syscall(SYS_getppid);
	}
	return (double)(now_ns() - t0) / n;
}

static void
print_header(void)
{
	printf("sync_bench: libintr %s, %d samples per case, taken in %d "
	       "interleaved passes\n",
	    intr_version(), cfg.samples, cfg.passes);
	if (cfg.cpu[0] >= 0) {
		printf("the two threads of each case are pinned to CPUs %d "
		       "and %d (pthread_setaffinity_np)\n",
		    cfg.cpu[0], cfg.cpu[1]);
	} else {
		printf("threads are not pinned (one CPU, or --no-pin)\n");
	}
	printf("one system call (getppid) takes %.0f ns here\n", syscall_ns());
	printf("ping-pong: one-way wake = round trip / 2; "
	       "signal: pthread_kill to the call's return\n\n");
}

int
main(int argc, char **argv)
{
	int64_t *ns[NCASES];
	int c;

	parse_args(argc, argv);
	(void)pthread_sigmask(SIG_SETMASK, NULL, &thread_mask);
	print_header();
	for (c = 0; c < NCASES; c++) {
		ns[c] = alloc_samples();
	}
	run_all(ns);
	print_table(ns);
	for (c = 0; c < NCASES; c++) {
		free(ns[c]);
	}
	return 0;
}
