/*
 * fork_test.c - the library in a forked child: a child forked before the
 * first library call works; a child of a parent that has already waited
 * (so the term notifier and the parent's parker exist) gets descriptors of
 * its own: its intr_term() does not wake the parent, a wakeup pending in the
 * parent's parker does not wake the child, and its semaphores and conditions
 * work.
 *
 * Every fork happens while the case is single-threaded (helper threads start
 * after it), which ThreadSanitizer needs.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/testhooks.h"
#include "ct.h"
#include "intr.h"
#include "runner.h"

/* Longer than any child needs, shorter than the case's time limit. */
#define CHILD_LIMIT_S 8

/*
 * fork(); the child gets a backstop, so that a child stuck in a broken
 * library call does not outlive the case (the runner kills only the case).
 */
static pid_t
fork_child(void)
{
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (pid == 0) {
		alarm(CHILD_LIMIT_S);
	}
	return pid;
}

static void
expect_child_ok(pid_t pid)
{
	int status;

	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 0);
}

static void
wait_byte(int fd)
{
	char b;

	CHECK_EQ(read(fd, &b, 1), 1);
}

static void
send_byte(int fd)
{
	char b = 0;

	CHECK_EQ(write(fd, &b, 1), 1);
}

/* Sleeping waits, timeouts and wakeups on objects of the calling process. */
static void
use_own_objects(void)
{
	pthread_mutex_t m;
	intr_sem_t s;
	intr_cond_t c;

	CHECK_OK(intr_sem_init(&s, 0));
	CHECK_ERR(intr_sem_pwait(&s, intr_now() + 20, NULL), ETIMEDOUT);
	ct_post_on_wait(&s);
	CHECK_OK(intr_sem_wait(&s));
	ct_post_on_wait(NULL);
	CHECK_OK(intr_sem_post(&s));
	CHECK_OK(intr_sem_trywait(&s));
	CHECK_OK(intr_sem_destroy(&s));

	ct_mutex_init_errcheck(&m);
	CHECK_OK(intr_cond_init(&c));
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	CHECK_ERR(intr_cond_pwait(&c, &m, intr_now() + 20, NULL), ETIMEDOUT);
	ct_signal_on_wait(&c);
	CHECK_OK(intr_cond_wait(&c, &m));
	ct_signal_on_wait(NULL);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	CHECK_OK(intr_cond_destroy(&c));
}

/* A wakeup that crosses threads, in the calling process. */
static void
wake_other_thread(void)
{
	struct ct_waiter w = {.op = CT_SEM_WAIT};
	intr_sem_t s;

	CHECK_OK(intr_sem_init(&s, 0));
	w.sem = &s;
	ct_waiter_start(&w);
	ct_waiter_blocked(&w);
	CHECK_OK(intr_sem_post(&s));
	ct_waiter_join(&w);
	CHECK_EQ(w.rc, 0);
	CHECK_OK(intr_sem_destroy(&s));
}

/* intr_term() in this process: every later wait fails with ETERM. */
static void
term_and_check(void)
{
	intr_sem_t s;

	CHECK_OK(intr_sem_init(&s, 1));
	intr_term();
	CHECK_ERR(intr_sem_trywait(&s), ETERM);
	CHECK_ERR(intr_sem_pwait(&s, intr_now() + 5000, NULL), ETERM);
}

static void
t_fork_before_first_call(void)
{
	intr_sem_t s;
	pid_t pid;

	if ((pid = fork_child()) == 0) {
		use_own_objects();
		wake_other_thread();
		term_and_check();
		_exit(0);
	}
	expect_child_ok(pid);
	/* The child's term stayed in the child. */
	CHECK_OK(intr_sem_init(&s, 0));
	CHECK_ERR(intr_sem_pwait(&s, intr_now() + 20, NULL), ETIMEDOUT);
	CHECK_OK(intr_sem_destroy(&s));
	use_own_objects();
	wake_other_thread();
}

/* A wait of this thread with nothing to wake it runs to its deadline. */
static void
times_out_normally(void)
{
	int64_t deadline = intr_now() + 50;
	intr_sem_t s;

	CHECK_OK(intr_sem_init(&s, 0));
	CHECK_ERR(intr_sem_pwait(&s, deadline, NULL), ETIMEDOUT);
	CHECK_OP(intr_now(), >=, deadline);
	CHECK_OK(intr_sem_destroy(&s));
}

/*
 * The parent has waited (its term notifier exists); the child terminates
 * while parent threads are asleep in a semaphore and a condition wait. The
 * notifier is never drained, so had the child posted the parent's, every
 * later parent wait would see it at once: the main thread's timed wait must
 * run to its deadline, the sleepers must still be asleep, and then be woken
 * normally.
 */
static void
t_child_term_spares_parent(void)
{
	struct ct_waiter ws = {.op = CT_SEM_WAIT}, wc = {.op = CT_COND_WAIT};
	pthread_mutex_t m;
	intr_sem_t s;
	intr_cond_t c;
	int go[2];
	pid_t pid;

	ct_warm_up();
	CHECK_OK(pipe(go));
	if ((pid = fork_child()) == 0) {
		CHECK_OK(close(go[1])); /* EOF if the parent dies */
		wait_byte(go[0]);
		use_own_objects();
		term_and_check();
		_exit(0);
	}
	CHECK_OK(close(go[0]));
	CHECK_OK(intr_sem_init(&s, 0));
	CHECK_OK(intr_cond_init(&c));
	ct_mutex_init_errcheck(&m);
	ws.sem = &s;
	wc.cond = &c;
	wc.mutex = &m;
	ct_waiter_start(&ws);
	ct_waiter_start(&wc);
	ct_waiter_blocked(&ws);
	ct_waiter_blocked(&wc);
	send_byte(go[1]);
	expect_child_ok(pid);

	times_out_normally();
	ct_wait_blocked(atomic_load(&ws.tid));
	ct_wait_blocked(atomic_load(&wc.tid));
	CHECK_OK(intr_sem_post(&s));
	CHECK_OK(intr_cond_signal(&c));
	ct_waiter_join(&ws);
	ct_waiter_join(&wc);
	CHECK_EQ(ws.rc, 0);
	CHECK_EQ(wc.rc, 0);
	CHECK_EQ(wc.unlock_rc, 0);
}

/*
 * The parker the forking thread had is not the child's. To make a shared
 * one visible, the parent leaves a wakeup sitting in it: the main thread
 * stops inside its condition wait (prewait hook) with its node linked, a
 * helper signals it, which posts the parker, and only after the child has
 * finished is the main thread let go to take that post. Meanwhile the
 * child's own condition wait must run to its deadline; on the parent's
 * parker it would find the post and return at once.
 */
static int stall_pipe[2], release_pipe[2];
static atomic_int stall_armed;

static void
stall_in_window(void)
{
	if (!atomic_exchange(&stall_armed, 0)) {
		return;
	}
	send_byte(stall_pipe[1]);
	wait_byte(release_pipe[0]);
}

struct helper {
	intr_cond_t *c;
	int go_fd;
	pid_t child;
};

static void *
helper_main(void *arg)
{
	struct helper *h = arg;

	wait_byte(stall_pipe[0]);
	CHECK_OK(intr_cond_signal(h->c)); /* the post sits in the parker */
	send_byte(h->go_fd);
	expect_child_ok(h->child);
	send_byte(release_pipe[1]);
	return NULL;
}

static void
child_waits_alone(int go_fd)
{
	pthread_mutex_t m;
	int64_t deadline;
	intr_cond_t c;

	wait_byte(go_fd);
	ct_mutex_init_errcheck(&m);
	CHECK_OK(intr_cond_init(&c));
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	deadline = intr_now() + 200;
	CHECK_ERR(intr_cond_pwait(&c, &m, deadline, NULL), ETIMEDOUT);
	CHECK_OP(intr_now(), >=, deadline);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	_exit(0);
}

static void
t_child_parker_is_its_own(void)
{
	struct helper h;
	pthread_mutex_t m;
	intr_cond_t c;
	pthread_t t;
	int go[2];

	ct_warm_up(); /* this thread's parker exists */
	CHECK_OK(pipe(go));
	CHECK_OK(pipe(stall_pipe));
	CHECK_OK(pipe(release_pipe));
	if ((h.child = fork_child()) == 0) {
		CHECK_OK(close(go[1])); /* EOF if the parent dies */
		child_waits_alone(go[0]);
	}
	CHECK_OK(close(go[0]));
	h.c = &c;
	h.go_fd = go[1];
	ct_mutex_init_errcheck(&m);
	CHECK_OK(intr_cond_init(&c));
	atomic_store(&stall_armed, 1);
	intr__test_set_prewait_hook(stall_in_window);
	CHECK_EQ(pthread_create(&t, NULL, helper_main, &h), 0);
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	CHECK_OK(intr_cond_pwait(&c, &m, intr_now() + 30000, NULL));
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	CHECK_EQ(pthread_join(t, NULL), 0);
	intr__test_set_prewait_hook(NULL);
	CHECK_OK(intr_cond_destroy(&c));
}

/*
 * A semaphore copied into a child is the child's own, as a sem_t's copy
 * is: at the fork a parent thread is asleep on it (so its notifier exists
 * and its count holds that waiter). The child's posts and waits work on its
 * copy (the parent's waiter is not counted there) and never reach the
 * parent, whose waiter sleeps on to its deadline and then sees only its own
 * posts.
 */
static void
t_child_sem_is_its_own(void)
{
	struct ct_waiter w = {.op = CT_SEM_PWAIT};
	intr_sem_t s;
	pid_t pid;

	CHECK_OK(intr_sem_init(&s, 0));
	w.sem = &s;
	w.deadline = intr_now() + 1000;
	ct_waiter_start(&w);
	ct_waiter_blocked(&w);
	if ((pid = fork_child()) == 0) {
		CHECK_ERR(intr_sem_trywait(&s), EAGAIN);
		CHECK_OK(intr_sem_post(&s));
		CHECK_OK(intr_sem_trywait(&s)); /* not owed to a phantom */
		CHECK_OK(intr_sem_post(&s));
		CHECK_OK(intr_sem_post(&s));
		CHECK_OK(intr_sem_pwait(&s, intr_now() + 1000, NULL));
		CHECK_OK(intr_sem_pwait(&s, intr_now() + 1000, NULL));
		/* No new thread: ThreadSanitizer forbids it after this fork. */
		use_own_objects();
		CHECK_ERR(intr_sem_pwait(&s, intr_now() + 20, NULL), ETIMEDOUT);
		CHECK_OK(intr_sem_destroy(&s));
		exit(0);
	}
	expect_child_ok(pid);
	ct_waiter_join(&w);
	CHECK_EQ(w.rc, -1);
	CHECK_EQ(w.err, ETIMEDOUT); /* the child's three posts never came */
	CHECK_ERR(intr_sem_trywait(&s), EAGAIN);
	wake_other_thread();
	CHECK_OK(intr_sem_post(&s));
	CHECK_OK(intr_sem_pwait(&s, intr_now() + 1000, NULL));
	CHECK_OK(intr_sem_destroy(&s));
}

static const struct it_case cases[] = {
    {"fork_before_first_call", t_fork_before_first_call, 0},
    {"child_term_spares_parent", t_child_term_spares_parent, 0},
    {"child_parker_is_its_own", t_child_parker_is_its_own, 0},
    {"child_sem_is_its_own", t_child_sem_is_its_own, 0},
};
IT_MAIN(cases)
