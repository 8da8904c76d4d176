/*
 * runner.c - forks each case, enforces its time limit, reports the tally.
 */
#include "runner.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define IT_DEFAULT_TIMEOUT_S 10

const char *const it_handler_names[3] = {"signal()", "sigaction(SA_RESTART)",
    "sigaction(no SA_RESTART)"};
volatile sig_atomic_t it_signal_count;

void
it_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "  %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	_exit(1);
}

int64_t
it_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t
it_now_ms(void)
{
	return it_now_ns() / 1000000;
}

void
it_spin_us(int us)
{
	int64_t until = it_now_ns() + us * 1000LL;

	while (it_now_ns() < until) {
	}
}

uint64_t
it_seed(void)
{
	const char *env = getenv("INTR_TEST_SEED");
	uint64_t seed;

	if (env != NULL) {
		seed = strtoull(env, NULL, 0);
	} else {
		seed = (uint64_t)time(NULL) * 1000003u ^ (uint64_t)it_now_ns();
	}
	seed += seed == 0; /* xorshift never leaves 0 */
	printf("  seed %llu (INTR_TEST_SEED replays it)\n",
	    (unsigned long long)seed);
	return seed;
}

uint64_t
it_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

pid_t
it_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static void
it_count_handler(int sig)
{
	(void)sig;
	it_signal_count++;
}

void
it_set_handler(int sig, enum it_handler_kind kind, void (*handler)(int))
{
	struct sigaction sa;

	if (kind == IT_SIGNAL) {
		CHECK(signal(sig, handler) != SIG_ERR);
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = kind == IT_SA_RESTART ? SA_RESTART : 0;
	CHECK_OK(sigaction(sig, &sa, NULL));
}

void
it_handle(int sig, enum it_handler_kind kind)
{
	it_signal_count = 0;
	it_set_handler(sig, kind, it_count_handler);
}

void
it_block(int sig, sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	CHECK_OK(pthread_sigmask(SIG_BLOCK, &set, old));
}

int
it_fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	CHECK(d != NULL);
	while ((e = readdir(d)) != NULL) {
		n += e->d_name[0] != '.';
	}
	closedir(d);
	return n - 1; /* the DIR's own descriptor */
}

/* A field of the status file at path, as text; "" if absent. */
static void
it_status_field(const char *path, const char *field, char *out, size_t len)
{
	char line[256];
	size_t fl = strlen(field);
	FILE *f = fopen(path, "r");

	out[0] = '\0';
	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, field, fl) == 0 && line[fl] == ':') {
			snprintf(out, len, "%s",
			    line + fl + 1 + strspn(line + fl + 1, " \t"));
			out[strcspn(out, "\n")] = '\0';
			break;
		}
	}
	fclose(f);
}

void
it_proc_status(const char *field, char *out, size_t len)
{
	it_status_field("/proc/self/status", field, out, len);
}

void
it_task_status(pid_t tid, const char *field, char *out, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)tid);
	it_status_field(path, field, out, len);
}

char
it_thread_state(pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
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

void
it_wait_asleep(pid_t tid)
{
	int64_t until = it_now_ms() + 5000;

	while (it_thread_state(tid) != 'S') {
		if (it_now_ms() > until) {
			it_fail(__FILE__, __LINE__, "thread %d never slept",
			    (int)tid);
		}
		sched_yield();
	}
}

/* Run one case in a child; 0 if it passed. */
static int
it_run_case(const struct it_case *c)
{
	int timeout = c->timeout_s > 0 ? c->timeout_s : IT_DEFAULT_TIMEOUT_S;
	int64_t start = it_now_ms(), deadline = start + timeout * 1000LL;
	int status;
	pid_t pid, w;

	fflush(NULL);
	if ((pid = fork()) < 0) {
		printf("FAIL %s: fork: %s\n", c->name, strerror(errno));
		return 1;
	}
	if (pid == 0) {
		alarm((unsigned)timeout + 5); /* backstop if the parent dies */
		c->fn();
		/* exit, not _exit: LeakSanitizer checks the case at exit. */
		exit(0);
	}
	while ((w = waitpid(pid, &status, WNOHANG)) == 0) {
		if (it_now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			printf("FAIL %s: timed out after %d s\n", c->name,
			    timeout);
			return 1;
		}
		poll(NULL, 0, 2);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("ok   %s (%lld ms)\n", c->name,
		    (long long)(it_now_ms() - start));
		return 0;
	}
	if (WIFSIGNALED(status)) {
		printf("FAIL %s: killed by signal %d (%s)\n", c->name,
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	} else {
		printf("FAIL %s: exit status %d\n", c->name,
		    WEXITSTATUS(status));
	}
	return 1;
}

static int
it_selected(const char *name, int argc, char **argv)
{
	if (argc < 2) {
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], name) == 0) {
			return 1;
		}
	}
	return 0;
}

int
it_main(const struct it_case *cases, size_t n, int argc, char **argv)
{
	int passed = 0, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < n; i++) {
		if (!it_selected(cases[i].name, argc, argv)) {
			continue;
		}
		if (it_run_case(&cases[i]) == 0) {
			passed++;
		} else {
			failed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 && passed > 0 ? 0 : 1;
}
