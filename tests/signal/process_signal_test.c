/*
 * process_signal_test.c - a signal sent to the process, not to a thread,
 * reaches the thread that waits in the library.
 *
 * The kernel gives a process-directed signal to any one thread that does not
 * block it. The docs therefore tell applications to block their signals in
 * every thread but the waiting one (or, with the p forms, in every thread,
 * the waiting one unblocking it only inside the call). Here other threads
 * run and sleep meanwhile with SIGUSR1 blocked: two spin, one sleeps in a
 * library wait of its own. kill(getpid(), SIGUSR1) must make the waiter's
 * call fail with EINTR, the handler must have run in the waiter and nowhere
 * else, and the bystander's wait must go on undisturbed.
 *
 * The waiter is the main thread (which the kernel tries first) or another
 * thread (main blocks the signal too). The last cases add a thread made by
 * the library (intr__plat_thread_start) from a thread that does NOT block
 * SIGUSR1, created before the application's waiter: the kernel looks at
 * threads in creation order, so if the library thread did not block every
 * signal itself it would take the signal, and the waiter would time out.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

#include "core/testhooks.h"
#include "intr.h"
#include "platform/platform.h"
#include "runner.h"

#define SIG SIGUSR1
#define WAIT_MS 5000 /* the waiter's deadline: reached only on failure */
#define SPINNERS 2

/* Handler runs, counted per thread (each thread reads its own) and in all. */
static _Thread_local volatile sig_atomic_t my_hits;
static atomic_int all_hits;

static void
on_sig(int sig)
{
	(void)sig;
	my_hits++;
	atomic_fetch_add(&all_hits, 1);
}

/* What one thread's wait gave, and how many handler runs it saw. */
struct result {
	int rc, err, hits;
};

/* ---- The waits under test ----------------------------------------------- */

struct op {
	int masked; /* SIG blocked outside the call, let in by the mask */
	int (*wait)(const sigset_t *mask);
};

static struct {
	const struct op *op;
	intr_sem_t sem; /* the waiter's; never posted */
	intr_cond_t cond;
	pthread_mutex_t mutex;
	intr_sem_t idle;          /* the sleeping bystander's */
	atomic_int stop;          /* the spinners stop */
	_Atomic pid_t waiter_tid; /* 0 until the waiter runs */
	atomic_int armed;         /* the waiter reached its blocking call */
	pthread_t spinners[SPINNERS], sleeper;
	struct result waiter, spun[SPINNERS], slept;
} ps;

static int
sem_call(const sigset_t *mask)
{
	return intr_sem_pwait(&ps.sem, intr_now() + WAIT_MS, mask);
}

static int
cond_call(const sigset_t *mask)
{
	int rc, err;

	CHECK_OK(pthread_mutex_lock(&ps.mutex));
	rc = intr_cond_pwait(&ps.cond, &ps.mutex, intr_now() + WAIT_MS, mask);
	err = errno;
	CHECK_OK(pthread_mutex_unlock(&ps.mutex));
	errno = err;
	return rc;
}

static const struct op op_sem_pwait_null = {0, sem_call};
static const struct op op_sem_pwait_mask = {1, sem_call};
static const struct op op_cond_pwait_null = {0, cond_call};
static const struct op op_cond_pwait_mask = {1, cond_call};

static void
on_prewait(void)
{
	if (it_gettid() == atomic_load(&ps.waiter_tid)) {
		atomic_store(&ps.armed, 1);
	}
}

static void
begin(const struct op *op)
{
	struct sigaction sa;

	ps.op = op;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART; /* what glibc's signal() gives */
	CHECK_OK(sigaction(SIG, &sa, NULL));
	CHECK_OK(intr_sem_init(&ps.sem, 0));
	CHECK_OK(intr_sem_init(&ps.idle, 0));
	CHECK_OK(intr_cond_init(&ps.cond));
	CHECK_OK(pthread_mutex_init(&ps.mutex, NULL));
	intr__test_set_prewait_hook(on_prewait);
}

/* The application's waiting thread: its only wait, with SIG let in. */
static void *
waiter_main(void *arg)
{
	sigset_t block, letin;

	(void)arg;
	atomic_store(&ps.waiter_tid, it_gettid());
	sigemptyset(&block);
	sigaddset(&block, SIG);
	CHECK_OK(pthread_sigmask(SIG_SETMASK, NULL, &letin));
	CHECK_OK(sigdelset(&letin, SIG));
	if (!ps.op->masked) {
		CHECK_OK(pthread_sigmask(SIG_UNBLOCK, &block, NULL));
	}
	ps.waiter.rc = ps.op->wait(&letin);
	ps.waiter.err = errno;
	ps.waiter.hits = my_hits;
	CHECK_OK(pthread_sigmask(SIG_BLOCK, &block, NULL));
	return NULL;
}

/* Once the waiter sleeps in its call, signal the whole process. */
static void *
sender_main(void *arg)
{
	int64_t limit = it_now_ms() + 5000;

	(void)arg;
	while (!atomic_load(&ps.armed)) {
		CHECK_OP(it_now_ms(), <, limit);
		sched_yield();
	}
	it_wait_asleep(atomic_load(&ps.waiter_tid));
	CHECK_OK(kill(getpid(), SIG));
	return NULL;
}

/* ---- Bystanders --------------------------------------------------------- */

static void *
spinner_main(void *arg)
{
	struct result *r = arg;

	while (!atomic_load(&ps.stop)) {
		sched_yield();
	}
	r->hits = my_hits;
	return NULL;
}

static void *
sleeper_main(void *arg)
{
	struct result *r = arg;

	r->rc = intr_sem_wait(&ps.idle);
	r->err = errno;
	r->hits = my_hits;
	return NULL;
}

/* Spinners and a sleeper, all with SIG blocked (inherited from us). */
static void
bystanders_start(void)
{
	for (int i = 0; i < SPINNERS; i++) {
		CHECK_OK(pthread_create(&ps.spinners[i], NULL, spinner_main,
		    &ps.spun[i]));
	}
	CHECK_OK(pthread_create(&ps.sleeper, NULL, sleeper_main, &ps.slept));
}

/* Stop them: none ran the handler, the sleeper's wait went on to its post. */
static void
bystanders_stop(void)
{
	atomic_store(&ps.stop, 1);
	for (int i = 0; i < SPINNERS; i++) {
		CHECK_OK(pthread_join(ps.spinners[i], NULL));
		CHECK_EQ(ps.spun[i].hits, 0);
	}
	CHECK_OK(intr_sem_post(&ps.idle));
	CHECK_OK(pthread_join(ps.sleeper, NULL));
	CHECK_EQ(ps.slept.rc, 0);
	CHECK_EQ(ps.slept.hits, 0);
}

/* The waiter failed with EINTR, and the one handler run was its own. */
static void
check_waiter(void)
{
	if (ps.waiter.rc != -1 || ps.waiter.err != EINTR) {
		it_fail(__FILE__, __LINE__,
		    "waiter: want -1/EINTR, got %d (%s)", ps.waiter.rc,
		    strerror(ps.waiter.err));
	}
	CHECK_EQ(ps.waiter.hits, 1);
	CHECK_EQ(atomic_load(&all_hits), 1);
}

/* ---- Cases -------------------------------------------------------------- */

static void
waiter_is_main(const struct op *op)
{
	pthread_t sender;

	begin(op);
	it_block(SIG, NULL);
	bystanders_start();
	CHECK_OK(pthread_create(&sender, NULL, sender_main, NULL));
	waiter_main(NULL);
	CHECK_OK(pthread_join(sender, NULL));
	bystanders_stop();
	check_waiter();
}

static void
waiter_is_thread(const struct op *op)
{
	pthread_t waiter;

	begin(op);
	it_block(SIG, NULL);
	bystanders_start();
	CHECK_OK(pthread_create(&waiter, NULL, waiter_main, NULL));
	sender_main(NULL);
	CHECK_OK(pthread_join(waiter, NULL));
	bystanders_stop();
	check_waiter();
}

static void
beside_library_thread(const struct op *op)
{
	pthread_t lib, waiter;
	sigset_t now;

	begin(op);
	/* Made while SIG is unblocked here: any blocking is the library's. */
	CHECK_OK(pthread_sigmask(SIG_SETMASK, NULL, &now));
	CHECK(!sigismember(&now, SIG));
	CHECK_OK(intr__plat_thread_start(&lib, sleeper_main, &ps.slept));
	it_block(SIG, NULL);
	CHECK_OK(pthread_create(&waiter, NULL, waiter_main, NULL));
	sender_main(NULL);
	CHECK_OK(pthread_join(waiter, NULL));
	check_waiter();
	CHECK_OK(intr_sem_post(&ps.idle));
	CHECK_OK(pthread_join(lib, NULL));
	CHECK_EQ(ps.slept.rc, 0);
	CHECK_EQ(ps.slept.hits, 0);
}

#define CASE(op, how)                                                          \
	static void t_##op##_##how(void)                                       \
	{                                                                      \
		how(&op_##op);                                                 \
	}
CASE(sem_pwait_null, waiter_is_main)
CASE(sem_pwait_null, waiter_is_thread)
CASE(sem_pwait_mask, waiter_is_main)
CASE(sem_pwait_mask, waiter_is_thread)
CASE(cond_pwait_null, waiter_is_main)
CASE(cond_pwait_null, waiter_is_thread)
CASE(cond_pwait_mask, waiter_is_main)
CASE(cond_pwait_mask, waiter_is_thread)
CASE(sem_pwait_null, beside_library_thread)
CASE(sem_pwait_mask, beside_library_thread)
#undef CASE

#define CASE(op, how) {#op "/" #how, t_##op##_##how, 0}
static const struct it_case cases[] = {
    CASE(sem_pwait_null, waiter_is_main),
    CASE(sem_pwait_null, waiter_is_thread),
    CASE(sem_pwait_mask, waiter_is_main),
    CASE(sem_pwait_mask, waiter_is_thread),
    CASE(cond_pwait_null, waiter_is_main),
    CASE(cond_pwait_null, waiter_is_thread),
    CASE(cond_pwait_mask, waiter_is_main),
    CASE(cond_pwait_mask, waiter_is_thread),
    CASE(sem_pwait_null, beside_library_thread),
    CASE(sem_pwait_mask, beside_library_thread),
};
IT_MAIN(cases)
