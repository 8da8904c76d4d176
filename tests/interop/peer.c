/*
 * peer.c - spawn and watch the real SP peers (see peer.h).
 *
 * The guard: a process forked by peer_env_init, reading records from the
 * case through a pipe. '+' registers a peer's pid, '-' unregisters it. A
 * peer is unregistered while it is still an unreaped zombie (waitid with
 * WNOWAIT, then the record, then waitpid), so a registered pid always names
 * our peer and the guard never kills a stranger that reused the number.
 * At EOF - the case's process is gone, or fini closed the pipe - the guard
 * kills what is registered, empties and removes the temp dir (it holds only
 * files, no subdirectories), and exits.
 */
#include "peer.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runner.h"

extern char **environ;

/* How many peers one case may have registered at a time. */
#define PEER_MAX 64

/* One message to the guard; shorter than PIPE_BUF, so written at once. */
struct peer_rec {
	char op; /* '+' spawned, '-' reaped */
	pid_t pid;
};

static struct {
	char dir[96];    /* the case's temp dir */
	int guard;       /* write end of the pipe to the guard, -1 if none */
	pid_t guard_pid; /* the guard, a child of the case's process */
	unsigned seq;    /* numbers the ipc paths */
} peer_env = {.guard = -1};

/* The Debian package of each tool, for the message when one is missing. */
static const struct {
	const char *tool;
	const char *package;
} peer_packages[] = {
    {"nanocat", "nanomsg-utils"},
    {"nngcat", "nng-utils"},
};

/* ---- The guard ------------------------------------------------------- */

static void
guard_clear_dir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") != 0 &&
			    strcmp(e->d_name, "..") != 0) {
				snprintf(path, sizeof(path), "%s/%s", dir,
				    e->d_name);
				unlink(path);
			}
		}
		closedir(d);
	}
	rmdir(dir);
}

static void
guard_forget(pid_t *pids, size_t *n, pid_t pid)
{
	for (size_t i = 0; i < *n; i++) {
		if (pids[i] == pid) {
			pids[i] = pids[--*n];
			return;
		}
	}
}

static void __attribute__((noreturn))
guard_main(int rfd)
{
	pid_t pids[PEER_MAX];
	struct peer_rec r;
	size_t n = 0;
	ssize_t got;

	/* A ^C reaches the whole foreground group; outlive the case. */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	while ((got = read(rfd, &r, sizeof(r))) != 0) {
		if (got < 0 && errno == EINTR) {
			continue;
		}
		if (got != (ssize_t)sizeof(r)) {
			break;
		}
		if (r.op == '+' && n < PEER_MAX) {
			pids[n++] = r.pid;
		} else if (r.op == '-') {
			guard_forget(pids, &n, r.pid);
		}
	}
	/* Killed first, so that no peer adds a file to the dir afterwards. */
	for (size_t i = 0; i < n; i++) {
		kill(pids[i], SIGKILL);
	}
	guard_clear_dir(peer_env.dir);
	_exit(0);
}

static void
guard_send(char op, pid_t pid)
{
	struct peer_rec r;

	memset(&r, 0, sizeof(r));
	r.op = op;
	r.pid = pid;
	CHECK(write(peer_env.guard, &r, sizeof(r)) == (ssize_t)sizeof(r));
}

/* ---- The environment -------------------------------------------------- */

void
peer_env_init(void)
{
	const char *tmp = getenv("TMPDIR");
	int fds[2];

	CHECK(peer_env.guard < 0);
	/* ipc paths must fit sun_path (108 bytes): keep the prefix short. */
	if (tmp == NULL || tmp[0] == '\0' || strlen(tmp) > 48) {
		tmp = "/tmp";
	}
	snprintf(peer_env.dir, sizeof(peer_env.dir), "%s/intr-interop.XXXXXX",
	    tmp);
	CHECK(mkdtemp(peer_env.dir) != NULL);
	if (pipe2(fds, O_CLOEXEC) != 0) {
		rmdir(peer_env.dir);
		it_fail(__FILE__, __LINE__, "pipe2: %s", strerror(errno));
	}
	fflush(NULL);
	peer_env.guard_pid = fork();
	if (peer_env.guard_pid == 0) {
		close(fds[1]);
		guard_main(fds[0]);
	}
	close(fds[0]);
	if (peer_env.guard_pid < 0) {
		close(fds[1]);
		rmdir(peer_env.dir);
		it_fail(__FILE__, __LINE__, "fork: %s", strerror(errno));
	}
	peer_env.guard = fds[1];
}

void
peer_env_fini(void)
{
	int64_t until = it_now_ms() + PEER_LIMIT_MS;
	int status;
	pid_t w;

	CHECK(peer_env.guard >= 0);
	close(peer_env.guard);
	peer_env.guard = -1;
	while ((w = waitpid(peer_env.guard_pid, &status, WNOHANG)) == 0) {
		CHECK_OP(it_now_ms(), <, until);
		poll(NULL, 0, 2);
	}
	CHECK_EQ(w, peer_env.guard_pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	errno = 0;
	CHECK(access(peer_env.dir, F_OK) != 0 && errno == ENOENT);
}

const char *
peer_dir(void)
{
	CHECK(peer_env.guard >= 0);
	return peer_env.dir;
}

void
peer_ipc_url(char *out, size_t len)
{
	int n =
	    snprintf(out, len, "ipc://%s/%u.sock", peer_dir(), ++peer_env.seq);

	CHECK(n > 0 && (size_t)n < len);
	/* The path after "ipc://" and its NUL must fit sun_path. */
	CHECK_OP(n - 6, <, 108);
}

uint16_t
peer_free_port(void)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	CHECK(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK_OK(bind(fd, (struct sockaddr *)&a, sizeof(a)));
	CHECK_OK(getsockname(fd, (struct sockaddr *)&a, &alen));
	close(fd);
	return ntohs(a.sin_port);
}

void
peer_tcp_url(char *out, size_t len)
{
	int n = snprintf(out, len, "tcp://127.0.0.1:%u",
	    (unsigned)peer_free_port());

	CHECK(n > 0 && (size_t)n < len);
}

void
peer_file(const char *name, const void *data, size_t len, char *path,
    size_t pathlen)
{
	int n = snprintf(path, pathlen, "%s/%s", peer_dir(), name);
	const char *p = data;
	ssize_t w;
	int fd;

	CHECK(n > 0 && (size_t)n < pathlen);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	while (len > 0) {
		w = write(fd, p, len);
		CHECK(w > 0 || errno == EINTR);
		if (w > 0) {
			p += w;
			len -= (size_t)w;
		}
	}
	CHECK_OK(close(fd));
}

/* ---- Spawning --------------------------------------------------------- */

static const char *
peer_package(const char *tool)
{
	for (size_t i = 0; i < sizeof(peer_packages) / sizeof(peer_packages[0]);
	    i++) {
		if (strcmp(peer_packages[i].tool, tool) == 0) {
			return peer_packages[i].package;
		}
	}
	return "(unknown)";
}

void
peer_require(const char *tool, char *path, size_t pathlen)
{
	const char *dirs = getenv("PATH"), *p, *end;
	int n;

	if (dirs == NULL) {
		dirs = "/usr/bin:/bin";
	}
	for (p = dirs; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		end = strchr(p, ':');
		end = end != NULL ? end : p + strlen(p);
		n = snprintf(path, pathlen, "%.*s/%s", (int)(end - p), p, tool);
		if (end > p && n > 0 && (size_t)n < pathlen &&
		    access(path, X_OK) == 0) {
			return;
		}
	}
	it_fail(__FILE__, __LINE__,
	    "%s is not installed (not found in PATH=%s): the interop tests "
	    "need the Debian package %s "
	    "(scripts/install-deps scripts/deps-interop.txt)",
	    tool, dirs, peer_package(tool));
}

/* stdin from /dev/null, stdout into the pipe, stderr left as it is. */
static void
peer_spawn_files(posix_spawn_file_actions_t *fa, int out)
{
	CHECK_OK(posix_spawn_file_actions_init(fa));
	CHECK_OK(
	    posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0));
	CHECK_OK(posix_spawn_file_actions_adddup2(fa, out, 1));
}

/* No blocked signal and no handler is passed on from the case. */
static void
peer_spawn_attr(posix_spawnattr_t *at)
{
	sigset_t none, all;

	sigemptyset(&none);
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	CHECK_OK(posix_spawnattr_init(at));
	CHECK_OK(posix_spawnattr_setsigmask(at, &none));
	CHECK_OK(posix_spawnattr_setsigdefault(at, &all));
	CHECK_OK(posix_spawnattr_setflags(at,
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
}

/* Log the command, so a failed case's output says what ran. */
static void
peer_show(const char *const argv[])
{
	fprintf(stderr, "  $");
	for (size_t i = 0; argv[i] != NULL; i++) {
		fprintf(stderr, " %s", argv[i][0] != '\0' ? argv[i] : "''");
	}
	fputc('\n', stderr);
}

void
peer_spawn(struct peer *p, const char *const argv[])
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	char path[PATH_MAX];
	int fds[2], rc;

	CHECK(peer_env.guard >= 0);
	peer_require(argv[0], path, sizeof(path));
	memset(p, 0, sizeof(*p));
	p->out = -1;
	snprintf(p->tool, sizeof(p->tool), "%s", argv[0]);
	peer_show(argv);
	CHECK_OK(pipe2(fds, O_CLOEXEC));
	peer_spawn_files(&fa, fds[1]);
	peer_spawn_attr(&at);
	rc = posix_spawn(&p->pid, path, &fa, &at, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		it_fail(__FILE__, __LINE__, "spawn %s: %s", path, strerror(rc));
	}
	p->out = fds[0];
	guard_send('+', p->pid);
}

/* ---- Waiting and reading ---------------------------------------------- */

/*
 * Reap p if it has exited (block: wait until it has). Unregistered while
 * still a zombie; see the top of the file. Returns 1 once reaped.
 */
static int
peer_reap(struct peer *p, int block)
{
	siginfo_t si;
	int st;

	if (p->pid == 0) {
		return 1;
	}
	memset(&si, 0, sizeof(si));
	while (waitid(P_PID, (id_t)p->pid, &si,
		   WEXITED | WNOWAIT | (block ? 0 : WNOHANG)) != 0) {
		CHECK(errno == EINTR);
	}
	if (si.si_pid == 0) {
		return 0;
	}
	guard_send('-', p->pid);
	CHECK_EQ(waitpid(p->pid, &st, 0), p->pid);
	p->status =
	    WIFEXITED(st) ? WEXITSTATUS(st) : PEER_SIGNALED(WTERMSIG(st));
	p->pid = 0;
	return 1;
}

int
peer_exited(struct peer *p)
{
	return peer_reap(p, 0);
}

int
peer_wait(struct peer *p, int limit_ms)
{
	int64_t until = it_now_ms() + limit_ms;

	while (!peer_reap(p, 0)) {
		if (it_now_ms() >= until) {
			fprintf(stderr, "  %s still ran after %d ms: killed\n",
			    p->tool, limit_ms);
			peer_stop(p);
			return PEER_TIMEOUT;
		}
		/* No pidfd here: look again every 2 ms, like the runner. */
		poll(NULL, 0, 2);
	}
	return p->status;
}

/* One read() into p->buf; closes p->out at EOF. */
static void
peer_read_some(struct peer *p)
{
	ssize_t n;

	if (p->cap - p->len < 4096) {
		size_t cap = p->cap < 65536 ? 65536 : 2 * p->cap;

		p->buf = realloc(p->buf, cap);
		CHECK(p->buf != NULL);
		p->cap = cap;
	}
	n = read(p->out, p->buf + p->len, p->cap - p->len);
	if (n > 0) {
		p->len += (size_t)n;
	} else if (n == 0) {
		close(p->out);
		p->out = -1;
	} else {
		CHECK(errno == EINTR);
	}
}

size_t
peer_collect(struct peer *p, size_t want)
{
	int64_t until = it_now_ms() + PEER_LIMIT_MS, left;
	struct pollfd pfd;
	int rc;

	while (p->len < want && p->out >= 0) {
		left = until - it_now_ms();
		if (left <= 0) {
			it_fail(__FILE__, __LINE__,
			    "%s printed %zu bytes in %d ms and kept its "
			    "stdout open; want %zu",
			    p->tool, p->len, PEER_LIMIT_MS, want);
		}
		pfd.fd = p->out;
		pfd.events = POLLIN;
		rc = poll(&pfd, 1, (int)left);
		CHECK(rc >= 0 || errno == EINTR);
		if (rc > 0) {
			peer_read_some(p);
		}
	}
	return p->len;
}

void
peer_stop(struct peer *p)
{
	if (p->tool[0] == '\0') {
		return; /* never spawned, or released */
	}
	if (p->pid != 0) {
		kill(p->pid, SIGKILL);
		peer_reap(p, 1);
	}
	peer_collect(p, SIZE_MAX);
}

void
peer_release(struct peer *p)
{
	peer_stop(p);
	free(p->buf);
	memset(p, 0, sizeof(*p));
	p->out = -1;
}
