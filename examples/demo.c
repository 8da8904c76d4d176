/*
 * demo.c - what libintr is for, in a few seconds: Ctrl+C against a wait
 * that has no timeout.
 *
 * Two child processes install a SIGINT handler with plain signal(), which in
 * glibc means SA_RESTART, and block: one in POSIX sem_wait(), one in
 * intr_sem_wait(). The parent sends SIGINT to both. The kernel restarts
 * sem_wait(), so its child never sees its flag and has to be killed; the
 * libintr child gets EINTR, sees its flag and exits cleanly. A third child
 * then shows the race-free form: SIGINT blocked, flag checked, and
 * intr_sem_pwait() with the old mask, with the signal sent between the check
 * and the wait.
 *
 * It runs without a terminal (CI, a pipe) and exits 0 only when everything
 * came out as described, so it doubles as a test. With --interactive it then
 * waits in intr_sem_wait() for a real Ctrl+C. Public API only.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "intr.h"

#define PAUSE_MS 1000  /* the story's pause before Ctrl+C */
#define GRACE_MS 1000  /* how long the sem_wait child gets to react */
#define PROMPT_MS 2000 /* the most a prompt exit may take, even loaded */
#define SETUP_MS 5000  /* the most a child may take to start waiting */

/* Child exit codes: what the child's wait did. */
enum {
	DONE_EINTR = 0,  /* the wait failed with EINTR and the flag was set */
	DONE_OTHER = 3,  /* the wait returned some other way */
	DONE_NOFLAG = 4, /* EINTR, but the handler never ran */
	DONE_SETUP = 5,  /* the child could not set up */
};

static volatile sig_atomic_t got_sigint;

static void
on_sigint(int sig)
{
	(void)sig;
	got_sigint = 1;
}

/* The way most programs handle Ctrl+C: signal(), i.e. with SA_RESTART. */
static int
handle_sigint(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	if (signal(SIGINT, on_sigint) == SIG_ERR) {
		return -1;
	}
	/* A shell may start us with SIGINT blocked; the story needs it open. */
	return sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static int
wait_result(int rc, int err)
{
	if (rc == -1 && err == EINTR) {
		return got_sigint ? DONE_EINTR : DONE_NOFLAG;
	}
	return DONE_OTHER;
}

/* One byte to the other side: "I am about to wait", "SIGINT is sent". */
static int
tell(int fd)
{
	/* MSG_NOSIGNAL: a child that died must not take the parent along. */
	return send(fd, "x", 1, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

/* Child A: a POSIX semaphore nobody posts. */
static int
child_posix(int fd)
{
	sem_t s;
	int rc;

	if (handle_sigint() != 0 || sem_init(&s, 0, 0) != 0 || tell(fd) != 0) {
		return DONE_SETUP;
	}
	rc = sem_wait(&s);
	return wait_result(rc, errno);
}

/* Child B: the same with libintr. */
static int
child_intr(int fd)
{
	intr_sem_t s;
	int rc;

	if (handle_sigint() != 0 || intr_sem_init(&s, 0) != 0 ||
	    tell(fd) != 0) {
		return DONE_SETUP;
	}
	rc = intr_sem_wait(&s);
	return wait_result(rc, errno);
}

/*
 * Child C: the idiom that cannot miss a signal. SIGINT stays blocked from
 * before the flag check until intr_sem_pwait() unblocks it atomically, so a
 * SIGINT sent in between waits, pending, and interrupts the wait at once.
 */
static int
child_pwait(int fd)
{
	intr_sem_t s;
	sigset_t block, old;
	char ack;
	int rc;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	if (handle_sigint() != 0 || intr_sem_init(&s, 0) != 0 ||
	    sigprocmask(SIG_BLOCK, &block, &old) != 0) {
		return DONE_SETUP;
	}
	if (got_sigint) {
		return DONE_OTHER;
	}
	/* The window: the parent sends SIGINT now and says so. */
	if (tell(fd) != 0 || read(fd, &ack, 1) != 1) {
		return DONE_SETUP;
	}
	rc = intr_sem_pwait(&s, INTR_FOREVER, &old);
	return wait_result(rc, errno);
}

struct child {
	pid_t pid;
	int fd; /* the parent's end of a socketpair with the child */
};

/* Forks a child that runs body(fd) and exits with its result. */
static int
spawn(int (*body)(int), struct child *c)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
		return -1;
	}
	fflush(NULL);
	if ((c->pid = fork()) < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (c->pid == 0) {
		close(sv[0]);
		_exit(body(sv[1]));
	}
	close(sv[1]);
	c->fd = sv[0];
	return 0;
}

/* Waits up to ms for the child's byte. */
static int
hear(const struct child *c, int ms)
{
	struct pollfd p = {.fd = c->fd, .events = POLLIN};
	char b;

	if (poll(&p, 1, ms) != 1) {
		return -1;
	}
	return read(c->fd, &b, 1) == 1 ? 0 : -1;
}

/* The kernel's state letter for process pid (S: asleep); '?' if unknown. */
static char
proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY)) < 0) {
		return '?';
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		return '?';
	}
	buf[n] = '\0';
	/* The state follows the command name, which is in parentheses. */
	p = strrchr(buf, ')');
	return (p != NULL && p[1] == ' ') ? p[2] : '?';
}

/*
 * Waits until the child sleeps in the kernel, i.e. is blocked in its wait:
 * a SIGINT sent earlier would hit it before the wait and prove nothing.
 * Without /proc the story's pause has to do.
 */
static int
wait_asleep(pid_t pid)
{
	int64_t until = intr_now() + SETUP_MS;

	if (access("/proc/self/stat", R_OK) != 0) {
		return 0;
	}
	while (proc_state(pid) != 'S') {
		if (intr_now() > until) {
			return -1;
		}
		poll(NULL, 0, 1);
	}
	return 0;
}

/* Reaps the child if it ends within ms: 1 if it did, with *status. */
static int
reap_within(pid_t pid, int ms, int *status)
{
	int64_t until = intr_now() + ms;
	pid_t w;

	while ((w = waitpid(pid, status, WNOHANG)) == 0) {
		if (intr_now() >= until) {
			return 0;
		}
		poll(NULL, 0, 1);
	}
	return w == pid;
}

static void
discard(struct child *c)
{
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
		c->pid = -1;
	}
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
}

static const char *
describe(int status)
{
	static char buf[64];

	if (WIFSIGNALED(status)) {
		snprintf(buf, sizeof(buf), "killed by %s",
		    strsignal(WTERMSIG(status)));
		return buf;
	}
	switch (WEXITSTATUS(status)) {
	case DONE_EINTR:
		return "EINTR, flag set";
	case DONE_NOFLAG:
		return "EINTR, but the handler did not run";
	case DONE_SETUP:
		return "could not set up";
	default:
		return "returned without EINTR";
	}
}

static long long
since(int64_t t0)
{
	return (long long)(intr_now() - t0);
}

/* B must exit 0 promptly after SIGINT. */
static int
judge_intr(struct child *b, int64_t t0)
{
	int st;

	if (!reap_within(b->pid, PROMPT_MS, &st)) {
		printf("  B: still blocked %d ms after SIGINT: NOT EXPECTED\n",
		    PROMPT_MS);
		return 0;
	}
	b->pid = -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == DONE_EINTR) {
		printf("  B: intr_sem_wait() returned -1/EINTR, saw its flag "
		       "and exited 0 after %lld ms\n",
		    since(t0));
		return 1;
	}
	printf("  B: %s: NOT EXPECTED\n", describe(st));
	return 0;
}

/* A must still be blocked after the grace period; SIGKILL ends it. */
static int
judge_posix(struct child *a, int64_t t0)
{
	int st;

	if (reap_within(a->pid, GRACE_MS, &st)) {
		a->pid = -1;
		printf("  A: sem_wait() ended (%s): NOT EXPECTED of glibc\n",
		    describe(st));
		return 0;
	}
	printf("  A: still blocked in sem_wait() after %lld ms: the kernel "
	       "restarted\n     the wait, so the flag is never looked at. "
	       "Killed with SIGKILL.\n",
	    since(t0));
	kill(a->pid, SIGKILL);
	if (waitpid(a->pid, &st, 0) != a->pid) {
		return 0;
	}
	a->pid = -1;
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
}

static int
scene_restart(void)
{
	struct child a = {-1, -1}, b = {-1, -1};
	int64_t t0;
	int ok;

	printf("Two processes install a SIGINT handler with signal() that sets "
	       "a flag\n(glibc's signal() adds SA_RESTART: the common case), "
	       "then wait forever:\n");
	if (spawn(child_posix, &a) != 0 || spawn(child_intr, &b) != 0 ||
	    hear(&a, SETUP_MS) != 0 || hear(&b, SETUP_MS) != 0 ||
	    wait_asleep(a.pid) != 0 || wait_asleep(b.pid) != 0) {
		printf("  could not start the two processes\n");
		discard(&a);
		discard(&b);
		return 0;
	}
	printf("  A (pid %d)  sem_wait()       POSIX semaphore\n", (int)a.pid);
	printf("  B (pid %d)  intr_sem_wait()  libintr semaphore\n",
	    (int)b.pid);
	printf("Both are asleep. Ctrl+C (SIGINT to both) in %d s...\n",
	    PAUSE_MS / 1000);
	fflush(stdout);
	poll(NULL, 0, PAUSE_MS);
	t0 = intr_now();
	kill(a.pid, SIGINT);
	kill(b.pid, SIGINT);
	ok = judge_intr(&b, t0);
	ok &= judge_posix(&a, t0);
	discard(&a);
	discard(&b);
	return ok;
}

static int
scene_pwait(void)
{
	struct child c = {-1, -1};
	int64_t t0;
	int st;

	puts("\nStill, a SIGINT that lands after the flag check and before the "
	     "wait would be\nmissed. The race-free form: C blocks SIGINT, "
	     "checks its flag, then calls\nintr_sem_pwait(&sem, INTR_FOREVER, "
	     "&old_mask).");
	if (spawn(child_pwait, &c) != 0 || hear(&c, SETUP_MS) != 0) {
		printf("  could not start the process\n");
		discard(&c);
		return 0;
	}
	/* C has checked its flag and waits for this byte to go on. */
	kill(c.pid, SIGINT);
	t0 = intr_now();
	printf("  C (pid %d): flag checked, clear. SIGINT sent now, before "
	       "the wait.\n",
	    (int)c.pid);
	if (tell(c.fd) != 0 || !reap_within(c.pid, PROMPT_MS, &st)) {
		printf("  C: still blocked: NOT EXPECTED\n");
		discard(&c);
		return 0;
	}
	c.pid = -1;
	discard(&c);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != DONE_EINTR) {
		printf("  C: %s: NOT EXPECTED\n", describe(st));
		return 0;
	}
	printf("  C: intr_sem_pwait() returned -1/EINTR at once, saw its flag "
	       "and exited 0\n     after %lld ms\n",
	    since(t0));
	return 1;
}

/* The user's own Ctrl+C against intr_sem_wait(), in this process. */
static int
scene_interactive(void)
{
	intr_sem_t s;
	int64_t t0;
	int rc, err;

	if (handle_sigint() != 0 || intr_sem_init(&s, 0) != 0) {
		return 0;
	}
	printf("\nYour turn: this process now waits in intr_sem_wait() with no "
	       "timeout.\nPress Ctrl+C.\n");
	fflush(stdout);
	t0 = intr_now();
	rc = intr_sem_wait(&s);
	err = errno;
	if (rc == -1 && err == EINTR && got_sigint) {
		printf(
		    "\nintr_sem_wait() returned -1/EINTR after %.1f s and the "
		    "flag is set:\nexiting cleanly.\n",
		    (double)since(t0) / 1000);
	} else {
		printf("\nintr_sem_wait() returned %d (%s), flag %s: NOT "
		       "EXPECTED\n",
		    rc, rc == 0 ? "a token" : intr_strerror(err),
		    got_sigint ? "set" : "clear");
	}
	intr_sem_destroy(&s);
	return rc == -1 && err == EINTR && got_sigint;
}

int
main(int argc, char **argv)
{
	int interactive = argc == 2 && strcmp(argv[1], "--interactive") == 0;
	int ok;

	if (argc > 2 || (argc == 2 && !interactive)) {
		fprintf(stderr, "usage: %s [--interactive]\n", argv[0]);
		return 2;
	}
	if (interactive && !isatty(STDIN_FILENO)) {
		fprintf(stderr, "%s: --interactive needs a terminal\n",
		    argv[0]);
		return 2;
	}
	printf("libintr %s demo: Ctrl+C against a wait with no timeout\n\n",
	    intr_version());
	ok = scene_restart();
	ok &= scene_pwait();
	if (ok) {
		puts("\nAs expected: libintr's waits return EINTR where POSIX "
		     "restarts them.");
	} else {
		puts("\nNOT as expected: see above.");
	}
	if (ok && interactive) {
		ok = scene_interactive();
	}
	return ok ? 0 : 1;
}
