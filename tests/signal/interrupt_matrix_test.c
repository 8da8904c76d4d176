/*
 * interrupt_matrix_test.c - the interruptibility battery (STYLE.md §9):
 * every blocking call against every way a signal can meet it, one runner
 * case (so one process) per cell, named "row/handler/scenario".
 *
 * Rows are the blocking operations: adding a blocking call is one struct op
 * and one word in OPS. Columns are the way the handler is installed
 * (signal(), which glibc gives SA_RESTART; sigaction with SA_RESTART;
 * sigaction without it) crossed with the scenario:
 *
 *   mid_wait       another thread sends SIGUSR1 to the waiter once it is
 *                  asleep in the kernel: -1/EINTR, the handler ran exactly
 *                  once, nothing was taken and nothing is left behind.
 *   pending        (mask forms) SIGUSR1 is blocked and raised, and the mask
 *                  unblocks it: EINTR at once, and the handler ran.
 *   pending_ready  (mask forms that can be made ready: the semaphore) the
 *                  same with a token there: still EINTR, and the token stays
 *                  for the next call.
 *   ignored        SIGUSR1 is SIG_IGN (set each of the three ways) and is
 *                  sent during the wait, to the thread and to the process,
 *                  and for mask forms is also pending on entry: the wait is
 *                  not interrupted; it goes on to its deadline or to a post.
 *   stop_cont      (no handler) another process stops and continues this
 *                  one during the wait, which goes on likewise.
 *
 * The waiter is always the case's main thread. That it sleeps inside its
 * blocking call is known without sleeping a fixed time: the prewait hook
 * marks that it reached the call, then /proc shows it asleep.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/testhooks.h"
#include "intr.h"
#include "runner.h"

#define SIG SIGUSR1
#define HANG_MS 5000    /* a deadline that only a hang reaches */
#define IGNORED_MS 300  /* ignored cells wait this long, to the end */
#define STOPPED_MS 1000 /* room for another process to stop us and go on */
#define HELPER_MS 5000  /* how long a helper waits for the waiter */

/* ---- Rows: the blocking operations -------------------------------------- */

/* Everything a row may wait on; each cell makes a fresh one. */
struct subject {
	intr_sem_t sem;
	intr_cond_t cond;
	pthread_mutex_t mutex; /* error-checking: unlock proves ownership */
};

enum {
	OP_DEADLINE = 1, /* the call takes a deadline */
	OP_MASK = 2,     /* the call takes a mask; SIG is blocked around it */
	OP_READY = 4,    /* release() before the call makes it ready */
};

struct op {
	unsigned flags;
	/* One call of the operation: 0, or -1 with errno. */
	int (*wait)(struct subject *s, int64_t deadline, const sigset_t *mask);
	/* Let one waiter through: a post, a signal. */
	void (*release)(struct subject *s);
	/* Take what release() left, without blocking (OP_READY rows). */
	int (*trytake)(struct subject *s);
};

static int
sem_wait_call(struct subject *s, int64_t deadline, const sigset_t *mask)
{
	(void)deadline;
	(void)mask;
	return intr_sem_wait(&s->sem);
}

static int
sem_pwait_null_call(struct subject *s, int64_t deadline, const sigset_t *mask)
{
	(void)mask;
	return intr_sem_pwait(&s->sem, deadline, NULL);
}

static int
sem_pwait_mask_call(struct subject *s, int64_t deadline, const sigset_t *mask)
{
	return intr_sem_pwait(&s->sem, deadline, mask);
}

static void
sem_release(struct subject *s)
{
	CHECK_OK(intr_sem_post(&s->sem));
}

static int
sem_trytake(struct subject *s)
{
	return intr_sem_trywait(&s->sem);
}

/*
 * Every return must come back with the mutex locked: unlocking an
 * error-checking mutex the thread does not own fails with EPERM.
 */
static int
cond_call(struct subject *s, int plain, int64_t deadline, const sigset_t *mask)
{
	int rc, err;

	CHECK_OK(pthread_mutex_lock(&s->mutex));
	if (plain) {
		rc = intr_cond_wait(&s->cond, &s->mutex);
	} else {
		rc = intr_cond_pwait(&s->cond, &s->mutex, deadline, mask);
	}
	err = errno;
	CHECK_OK(pthread_mutex_unlock(&s->mutex));
	errno = err;
	return rc;
}

static int
cond_wait_call(struct subject *s, int64_t deadline, const sigset_t *mask)
{
	(void)deadline;
	(void)mask;
	return cond_call(s, 1, INTR_FOREVER, NULL);
}

static int
cond_pwait_mask_call(struct subject *s, int64_t deadline, const sigset_t *mask)
{
	return cond_call(s, 0, deadline, mask);
}

static void
cond_release(struct subject *s)
{
	CHECK_OK(pthread_mutex_lock(&s->mutex));
	CHECK_OK(intr_cond_signal(&s->cond));
	CHECK_OK(pthread_mutex_unlock(&s->mutex));
}

static const struct op op_sem_wait = {OP_READY, sem_wait_call, sem_release,
    sem_trytake};
static const struct op op_sem_pwait_null = {OP_DEADLINE | OP_READY,
    sem_pwait_null_call, sem_release, sem_trytake};
static const struct op op_sem_pwait_mask = {OP_DEADLINE | OP_MASK | OP_READY,
    sem_pwait_mask_call, sem_release, sem_trytake};
static const struct op op_cond_wait = {0, cond_wait_call, cond_release, NULL};
static const struct op op_cond_pwait_mask = {OP_DEADLINE | OP_MASK,
    cond_pwait_mask_call, cond_release, NULL};

/* The rows of the matrix, one per line. */
/* clang-format off */
#define OPS(X)                                                                 \
	X(sem_wait)                                                            \
	X(sem_pwait_null)                                                      \
	X(sem_pwait_mask)                                                      \
	X(cond_wait)                                                           \
	X(cond_pwait_mask)
/* clang-format on */

/* ---- One cell's state --------------------------------------------------- */

/* Flags the waiter shares with helper threads and a helper process. */
struct shared {
	atomic_int armed;     /* the waiter has reached its blocking call */
	atomic_int returned;  /* the waiter's call has returned */
	atomic_int disturbed; /* 1: disturbed during the wait; 2: after it */
};

/* Each cell runs in its own process, so one static instance serves. */
static struct {
	const struct op *op;
	struct subject s;
	struct shared *sh; /* MAP_SHARED: a forked helper sees it too */
	pthread_t waiter;
	pid_t waiter_tid;
	sigset_t letin;   /* the mask a mask form passes: SIG unblocked */
	sigset_t outside; /* the waiter's mask around the call */
} cx;

static void
on_prewait(void)
{
	atomic_store(&cx.sh->armed, 1);
}

static int
same_mask(const sigset_t *a, const sigset_t *b)
{
	for (int sig = 1; sig < NSIG; sig++) {
		if (sigismember(a, sig) != sigismember(b, sig)) {
			return 0;
		}
	}
	return 1;
}

static int
is_pending(int sig)
{
	sigset_t set;

	CHECK_OK(sigpending(&set));
	return sigismember(&set, sig);
}

#define EXPECT_OK(rc, err) expect(__LINE__, rc, err, 0, "0")
#define EXPECT_FAIL(rc, err, want) expect(__LINE__, rc, err, want, #want)

/* rc/err must be 0 (want == 0) or -1/want. */
static void
expect(int line, int rc, int err, int want, const char *name)
{
	if (want == 0 ? rc != 0 : rc != -1 || err != want) {
		it_fail(__FILE__, line, "want %s, got %d (errno %d: %s)", name,
		    rc, err, strerror(err));
	}
}

static void
cell_begin(const struct op *op)
{
	pthread_mutexattr_t ma;

	cx.op = op;
	cx.sh = mmap(NULL, sizeof(*cx.sh), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(cx.sh != MAP_FAILED);
	CHECK_OK(intr_sem_init(&cx.s.sem, 0));
	CHECK_OK(intr_cond_init(&cx.s.cond));
	CHECK_OK(pthread_mutexattr_init(&ma));
	CHECK_OK(pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK));
	CHECK_OK(pthread_mutex_init(&cx.s.mutex, &ma));
	CHECK_OK(pthread_mutexattr_destroy(&ma));
	cx.waiter = pthread_self();
	cx.waiter_tid = it_gettid();
	CHECK_OK(pthread_sigmask(SIG_SETMASK, NULL, &cx.letin));
	CHECK_OK(sigdelset(&cx.letin, SIG));
	if (op->flags & OP_MASK) {
		/* The race-free style: SIG blocked except inside the call. */
		it_block(SIG, NULL);
	}
	CHECK_OK(pthread_sigmask(SIG_SETMASK, NULL, &cx.outside));
	intr__test_set_prewait_hook(on_prewait);
}

/* One call of the row's operation; the caller's mask must survive it. */
static int
cell_wait(int64_t deadline, int *err)
{
	sigset_t now;
	int rc;

	rc = cx.op->wait(&cx.s, deadline, &cx.letin);
	*err = errno;
	atomic_store(&cx.sh->returned, 1);
	CHECK_OK(pthread_sigmask(SIG_SETMASK, NULL, &now));
	CHECK(same_mask(&now, &cx.outside));
	return rc;
}

/* A wait no handler disturbed goes on: to its deadline, or to the post. */
static void
check_went_on(int64_t deadline, int rc, int err)
{
	if (cx.op->flags & OP_DEADLINE) {
		EXPECT_FAIL(rc, err, ETIMEDOUT);
		CHECK_OP(intr_now(), >=, deadline);
	} else {
		EXPECT_OK(rc, err);
	}
}

/*
 * Nothing was taken and nothing is left behind: no token appeared or
 * vanished; one posted now is taken exactly once (so the failed waiter
 * withdrew); a later wait sleeps to its deadline (no stale wakeup); and no
 * waiter is still registered (destroy would fail with EBUSY).
 */
static void
check_clean(void)
{
	int rc, err;

	if (cx.op->flags & OP_READY) {
		CHECK_ERR(cx.op->trytake(&cx.s), EAGAIN);
		cx.op->release(&cx.s);
		CHECK_OK(cx.op->trytake(&cx.s));
		CHECK_ERR(cx.op->trytake(&cx.s), EAGAIN);
	}
	if (cx.op->flags & OP_DEADLINE) {
		rc = cell_wait(intr_now() + 50, &err);
		EXPECT_FAIL(rc, err, ETIMEDOUT);
	}
	CHECK_OK(intr_sem_destroy(&cx.s.sem));
	CHECK_OK(intr_cond_destroy(&cx.s.cond));
	CHECK_OK(pthread_mutex_destroy(&cx.s.mutex));
}

/* ---- Helpers that disturb the waiter ------------------------------------ */

/* Wait until the waiter sleeps inside its blocking call. */
static void
until_waiting(void)
{
	int64_t limit = it_now_ms() + HELPER_MS;

	while (!atomic_load(&cx.sh->armed)) {
		CHECK_OP(it_now_ms(), <, limit);
		sched_yield();
	}
	it_wait_asleep(cx.waiter_tid);
}

/* Record whether the disturbance came while the waiter still waited. */
static void
mark_disturbed(void)
{
	atomic_store(&cx.sh->disturbed, atomic_load(&cx.sh->returned) ? 2 : 1);
}

static void *
kick(void *arg)
{
	(void)arg;
	until_waiting();
	CHECK_OK(pthread_kill(cx.waiter, SIG));
	return NULL;
}

/* Send the ignored signal both ways, then let a plain form finish. */
static void *
kick_ignored(void *arg)
{
	(void)arg;
	until_waiting();
	CHECK_OK(pthread_kill(cx.waiter, SIG));
	CHECK_OK(kill(getpid(), SIG));
	it_wait_asleep(cx.waiter_tid);
	mark_disturbed();
	if (!(cx.op->flags & OP_DEADLINE)) {
		cx.op->release(&cx.s);
	}
	return NULL;
}

/* The state letter of thread tid of another process; '?' if unknown. */
static char
proc_state(pid_t pid, pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid,
	    (int)tid);
	if ((fd = open(path, O_RDONLY)) < 0) {
		return '?';
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		return '?';
	}
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the state follows "(comm)" */
	return (p != NULL && p[1] == ' ') ? p[2] : '?';
}

/* Poll (another process: naps, not spins) until the thread is in state. */
static int
until_state(pid_t pid, pid_t tid, char state)
{
	struct timespec nap = {0, 100000};
	int64_t limit = it_now_ms() + HELPER_MS;

	while (proc_state(pid, tid) != state) {
		if (it_now_ms() > limit) {
			return 0;
		}
		nanosleep(&nap, NULL);
	}
	return 1;
}

static int
until_armed(void)
{
	struct timespec nap = {0, 100000};
	int64_t limit = it_now_ms() + HELPER_MS;

	while (!atomic_load(&cx.sh->armed)) {
		if (it_now_ms() > limit) {
			return 0;
		}
		nanosleep(&nap, NULL);
	}
	return 1;
}

/*
 * The helper process of stop_cont: a stop stops every thread of the waiter's
 * process, so only another process can send the continue. It tells the
 * waiter's finisher thread (through fd) when the cycle is over.
 */
static void
controller(pid_t pid, int fd)
{
	pid_t tid = cx.waiter_tid;
	int ok;

	ok = until_armed() && until_state(pid, tid, 'S') &&
	    kill(pid, SIGSTOP) == 0 && until_state(pid, tid, 'T') &&
	    kill(pid, SIGCONT) == 0 && until_state(pid, tid, 'S');
	mark_disturbed();
	if (write(fd, "", 1) != 1) {
		ok = 0;
	}
	_exit(ok ? 0 : 3);
}

static void *
finisher(void *arg)
{
	char c;

	CHECK(read(*(int *)arg, &c, 1) == 1);
	if (!(cx.op->flags & OP_DEADLINE)) {
		cx.op->release(&cx.s);
	}
	return NULL;
}

/* ---- Columns: the scenarios --------------------------------------------- */

enum {
	HOW_none = -1, /* stop_cont: no handler at all */
	HOW_signal = IT_SIGNAL,
	HOW_sigaction_restart = IT_SA_RESTART,
	HOW_sigaction_norestart = IT_SA_NORESTART,
};

/* The flags a row needs for the scenario to apply to it. */
#define NEEDS_mid_wait 0
#define NEEDS_pending OP_MASK
#define NEEDS_pending_ready (OP_MASK | OP_READY)
#define NEEDS_ignored 0
#define NEEDS_stop_cont 0

static void
scen_mid_wait(const struct op *op, int how)
{
	pthread_t t;
	int rc, err;

	it_handle(SIG, how);
	cell_begin(op);
	CHECK_OK(pthread_create(&t, NULL, kick, NULL));
	rc = cell_wait(intr_now() + HANG_MS, &err);
	CHECK_OK(pthread_join(t, NULL));
	EXPECT_FAIL(rc, err, EINTR);
	CHECK_EQ(it_signal_count, 1);
	check_clean();
}

/* Make SIG pending: it is blocked (a mask form's outside mask). */
static void
raise_pending(void)
{
	CHECK_OK(raise(SIG));
	CHECK(is_pending(SIG));
}

static void
scen_pending(const struct op *op, int how)
{
	int64_t start;
	int rc, err;

	it_handle(SIG, how);
	cell_begin(op);
	raise_pending();
	CHECK_EQ(it_signal_count, 0);
	start = it_now_ms();
	rc = cell_wait(intr_now() + HANG_MS, &err);
	EXPECT_FAIL(rc, err, EINTR);
	CHECK_OP(it_now_ms() - start, <, 1000);
	CHECK_EQ(it_signal_count, 1);
	CHECK(!is_pending(SIG));
	check_clean();
}

static void
scen_pending_ready(const struct op *op, int how)
{
	int rc, err;

	it_handle(SIG, how);
	cell_begin(op);
	op->release(&cx.s);
	raise_pending();
	rc = cell_wait(intr_now() + HANG_MS, &err);
	EXPECT_FAIL(rc, err, EINTR);
	CHECK_EQ(it_signal_count, 1);
	/* The signal won, but the token is still there for the next call. */
	CHECK_OK(op->trytake(&cx.s));
	check_clean();
}

/* SIG_IGN, set the given way. */
static void
ignore(int sig, int how)
{
	it_set_handler(sig, (enum it_handler_kind)how, SIG_IGN);
}

static void
scen_ignored(const struct op *op, int how)
{
	int64_t deadline;
	pthread_t t;
	int rc, err;

	ignore(SIG, how);
	cell_begin(op);
	if (op->flags & OP_MASK) {
		raise_pending();
	}
	CHECK_OK(pthread_create(&t, NULL, kick_ignored, NULL));
	deadline = intr_now() + IGNORED_MS;
	rc = cell_wait(deadline, &err);
	CHECK_OK(pthread_join(t, NULL));
	check_went_on(deadline, rc, err);
	CHECK_EQ(atomic_load(&cx.sh->disturbed), 1);
	if (op->flags & OP_MASK) {
		/* The mask did let the pending one in; it was discarded. */
		CHECK(!is_pending(SIG));
	}
	check_clean();
}

static void
scen_stop_cont(const struct op *op, int how)
{
	int64_t deadline;
	int fds[2], rc, err, status;
	pthread_t t;
	pid_t self = getpid(), pid;

	(void)how;
	cell_begin(op);
	CHECK_OK(pipe(fds));
	fflush(NULL);
	CHECK((pid = fork()) >= 0);
	if (pid == 0) {
		controller(self, fds[1]);
	}
	CHECK_OK(close(fds[1]));
	CHECK_OK(pthread_create(&t, NULL, finisher, &fds[0]));
	deadline = intr_now() + STOPPED_MS;
	rc = cell_wait(deadline, &err);
	check_went_on(deadline, rc, err);
	CHECK_OK(pthread_join(t, NULL));
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(atomic_load(&cx.sh->disturbed), 1);
	CHECK_OK(close(fds[0]));
	check_clean();
}

/* ---- The table ---------------------------------------------------------- */

/* Every cell of one row. CELL is defined twice: functions, then table. */
#define ROW_CELLS(op)                                                          \
	BY_HOW(op, mid_wait)                                                   \
	BY_HOW(op, pending)                                                    \
	BY_HOW(op, pending_ready)                                              \
	BY_HOW(op, ignored)                                                    \
	CELL(op, none, stop_cont)
#define BY_HOW(op, scen)                                                       \
	CELL(op, signal, scen)                                                 \
	CELL(op, sigaction_restart, scen)                                      \
	CELL(op, sigaction_norestart, scen)

#define CELL(op, how, scen)                                                    \
	static void t_##op##_##how##_##scen(void)                              \
	{                                                                      \
		scen_##scen(&op_##op, HOW_##how);                              \
	}
OPS(ROW_CELLS)
#undef CELL

struct cell {
	const char *name;
	void (*fn)(void);
	const struct op *op;
	unsigned needs;
};

#define CELL(op, how, scen)                                                    \
	{#op "/" #how "/" #scen, t_##op##_##how##_##scen, &op_##op,            \
	    NEEDS_##scen},
static const struct cell cells[] = {OPS(ROW_CELLS)};
#undef CELL

#define NCELLS (sizeof(cells) / sizeof(cells[0]))

int
main(int argc, char **argv)
{
	static struct it_case cases[NCELLS];
	size_t n = 0;

	for (size_t i = 0; i < NCELLS; i++) {
		if ((cells[i].op->flags & cells[i].needs) == cells[i].needs) {
			cases[n++] =
			    (struct it_case){cells[i].name, cells[i].fn, 0};
		}
	}
	return it_main(cases, n, argc, argv);
}
