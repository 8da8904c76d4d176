/*
 * driver.c - the messaging benchmark, the same for every library: it parses
 * the command line, proves which library file answers, runs one test
 * through the backend linked beside it (backend.h) and prints one TSV line,
 *
 *	lib <TAB> transport <TAB> test <TAB> size <TAB> value <TAB> unit
 *
 * Tests, each in one process with two threads (inproc needs both ends in
 * one process, and keeping ipc and tcp the same makes them comparable):
 *   thr  PUSH -> PULL throughput. The main thread binds a PULL socket, a
 *        second thread connects a PUSH socket and sends --count messages
 *        of --size bytes. The receiver times from the first message it
 *        gets to the last, so connection setup is not counted, checks that
 *        every message has the right size and that none is missing or out
 *        of order (each carries its sequence number), and prints
 *        (count - 1) / elapsed in msg/s.
 *   lat  PAIR ping-pong. The main thread sends a message and waits for the
 *        echo from a second thread; after --warmup round trips it records
 *        --count of them and prints half the median, in microseconds: the
 *        one-way latency.
 *
 * Nothing is pinned to a CPU: the libraries run I/O threads of their own,
 * and on a two-core machine pinning our two threads would starve them.
 *
 * Usage: bench_<lib> --test thr|lat --transport inproc|ipc|tcp
 *                    [--size BYTES] [--count N] [--warmup N]
 *        bench_<lib> --info   (name, version and library file, TSV)
 */
#include <dlfcn.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"

#define SEQ_BYTES 8 /* the sequence number at the head of each message */
#define MAX_SIZE (16 * 1024 * 1024)

static const struct bench_backend *be = &bench_backend;

static struct {
	const char *test;      /* "thr" or "lat" */
	const char *transport; /* "inproc", "ipc" or "tcp" */
	size_t size;           /* bytes per message */
	long count;            /* messages (thr) or recorded round trips */
	long warmup;           /* round trips before recording (lat) */
	char url[BENCH_URL_MAX];
} cfg = {NULL, NULL, 64, 0, -1, ""};

/* ---- Plumbing ---------------------------------------------------------- */

static _Noreturn void
die(const char *what, int err)
{
	fprintf(stderr, "bench_%s: %s: %s\n", be->name, what, strerror(err));
	exit(1);
}

static _Noreturn void
usage(void)
{
	fprintf(stderr,
	    "usage: bench_%s --test thr|lat --transport inproc|ipc|tcp\n"
	    "       [--size BYTES] [--count N] [--warmup N]\n"
	    "       bench_%s --info\n",
	    be->name, be->name);
	exit(2);
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *
xmalloc(size_t n)
{
	void *p = calloc(1, n);

	if (p == NULL) {
		die("calloc", errno);
	}
	return p;
}

static void
start_thread(pthread_t *t, void *(*fn)(void *), void *arg)
{
	int rc = pthread_create(t, NULL, fn, arg);

	if (rc != 0) {
		die("pthread_create", rc);
	}
}

static void
stamp(unsigned char *buf, uint64_t seq)
{
	memcpy(buf, &seq, sizeof(seq));
}

static uint64_t
seq_of(const unsigned char *buf)
{
	uint64_t seq;

	memcpy(&seq, buf, sizeof(seq));
	return seq;
}

/* ---- Helpers for backends (backend.h) ---------------------------------- */

int
bench_free_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	int fd, port = 0;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return 0;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0) {
		port = ntohs(sa.sin_port);
	}
	(void)close(fd);
	return port;
}

int
bench_url_port(const char *url)
{
	const char *colon = strrchr(url, ':');
	char *end;
	long port;

	if (strncmp(url, "tcp://", 6) != 0 || colon == NULL) {
		return -1;
	}
	port = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || *end != '\0' || port < 0 || port > 65535) {
		return -1;
	}
	return (int)port;
}

/* ---- Which library answers --------------------------------------------- */

/*
 * The file that defines the backend's probe symbol for this process, as
 * the dynamic loader resolves it. Refuses to go on when it is not the
 * library the backend names: a result credited to the wrong library is
 * worse than none.
 */
static const char *
library_file(void)
{
	void *sym;
	Dl_info info;

	if (be->probe_symbol == NULL) {
		return "-";
	}
	sym = dlsym(RTLD_DEFAULT, be->probe_symbol);
	if (sym == NULL || dladdr(sym, &info) == 0 || info.dli_fname == NULL) {
		fprintf(stderr, "bench_%s: cannot resolve %s\n", be->name,
		    be->probe_symbol);
		exit(1);
	}
	if (strstr(info.dli_fname, be->lib_file) == NULL) {
		fprintf(stderr, "bench_%s: %s comes from %s, not %s\n",
		    be->name, be->probe_symbol, info.dli_fname, be->lib_file);
		exit(1);
	}
	return info.dli_fname;
}

static void
print_info(const char *file)
{
	char real[PATH_MAX];

	if (realpath(file, real) == NULL) {
		(void)snprintf(real, sizeof(real), "%s", file);
	}
	printf("%s\t%s\t%s\t%s\n", be->name, be->version(),
	    be->probe_symbol ? be->probe_symbol : "-", real);
}

/* ---- Endpoints --------------------------------------------------------- */

/* A listening URL that no other run of the benchmark uses at the moment. */
static void
make_url(void)
{
	const char *t = cfg.transport;
	int pid = (int)getpid();

	if (strcmp(t, "tcp") == 0) {
		(void)snprintf(cfg.url, sizeof(cfg.url), "tcp://127.0.0.1:0");
	} else if (strcmp(t, "ipc") == 0) {
		(void)snprintf(cfg.url, sizeof(cfg.url),
		    "ipc:///tmp/intr-bench-%s-%d.sock", be->name, pid);
	} else if (strcmp(t, "inproc") == 0) {
		(void)snprintf(cfg.url, sizeof(cfg.url),
		    "inproc://intr-bench-%d", pid);
	} else {
		usage();
	}
}

/* An ipc socket file left by the library (or by a killed run). */
static void
remove_ipc_file(void)
{
	if (strncmp(cfg.url, "ipc://", 6) == 0) {
		(void)unlink(cfg.url + 6);
	}
}

static struct bench_sock *
open_sock(enum bench_role role)
{
	struct bench_sock *s = be->open(role);

	if (s == NULL) {
		die("open", errno);
	}
	return s;
}

/* Binds a to cfg.url and connects b to it. */
static void
link_pair(struct bench_sock *a, struct bench_sock *b)
{
	char peer[BENCH_URL_MAX];
	int rc;

	remove_ipc_file();
	if ((rc = be->bind(a, cfg.url, peer, sizeof(peer))) < 0) {
		die(cfg.url, -rc);
	}
	if ((rc = be->connect(b, peer)) < 0) {
		die(peer, -rc);
	}
}

static void
send_one(struct bench_sock *s, const void *buf)
{
	int rc = be->send(s, buf, cfg.size);

	if (rc < 0) {
		die("send", -rc);
	}
}

/* Receives one message and checks its size; cap leaves room to see more. */
static void
recv_one(struct bench_sock *s, void *buf, size_t cap)
{
	ssize_t n = be->recv(s, buf, cap);

	if (n < 0) {
		die("recv", (int)-n);
	}
	if ((size_t)n != cfg.size) {
		fprintf(stderr, "bench_%s: received %zd bytes, sent %zu\n",
		    be->name, n, cfg.size);
		exit(1);
	}
}

/* ---- Throughput -------------------------------------------------------- */

static void *
thr_sender(void *arg)
{
	struct bench_sock *push = arg;
	unsigned char *buf = xmalloc(cfg.size);
	long i;

	for (i = 0; i < cfg.count; i++) {
		stamp(buf, (uint64_t)i);
		send_one(push, buf);
	}
	free(buf);
	return NULL;
}

static void
check_seq(const unsigned char *buf, long want)
{
	uint64_t got = seq_of(buf);

	if (got != (uint64_t)want) {
		fprintf(stderr, "bench_%s: message %ld arrived as %llu\n",
		    be->name, want, (unsigned long long)got);
		exit(1);
	}
}

/* Returns messages per second, first message to last. */
static double
run_thr(void)
{
	struct bench_sock *pull = open_sock(BENCH_PULL);
	struct bench_sock *push = open_sock(BENCH_PUSH);
	size_t cap = cfg.size * 2 + 64;
	unsigned char *buf = xmalloc(cap);
	int64_t first = 0, last;
	pthread_t t;
	long i;

	link_pair(pull, push);
	start_thread(&t, thr_sender, push);
	for (i = 0; i < cfg.count; i++) {
		recv_one(pull, buf, cap);
		check_seq(buf, i);
		if (i == 0) {
			first = now_ns();
		}
	}
	last = now_ns();
	(void)pthread_join(t, NULL);
	be->close(push);
	be->close(pull);
	free(buf);
	return (double)(cfg.count - 1) * 1e9 / (double)(last - first);
}

/* ---- Latency ----------------------------------------------------------- */

/*
 * Latency receives with room for exactly one message: raw PAIR has no
 * framing and reads as many bytes as it is given room for (backend.h).
 * The libraries still report a longer message's full length.
 */
static void *
lat_echo(void *arg)
{
	struct bench_sock *s = arg;
	unsigned char *buf = xmalloc(cfg.size);
	long i;

	for (i = 0; i < cfg.warmup + cfg.count; i++) {
		recv_one(s, buf, cfg.size);
		send_one(s, buf);
	}
	free(buf);
	return NULL;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The round trips of the recorded rounds, in ns, into rt. */
static void
ping_pong(struct bench_sock *s, int64_t *rt)
{
	unsigned char *out = xmalloc(cfg.size), *in = xmalloc(cfg.size);
	int64_t t0;
	long i;

	for (i = 0; i < cfg.warmup + cfg.count; i++) {
		stamp(out, (uint64_t)i);
		t0 = now_ns();
		send_one(s, out);
		recv_one(s, in, cfg.size);
		if (i >= cfg.warmup) {
			rt[i - cfg.warmup] = now_ns() - t0;
		}
		check_seq(in, i);
	}
	free(out);
	free(in);
}

/* Returns half the median round trip, in microseconds. */
static double
run_lat(void)
{
	struct bench_sock *a = open_sock(BENCH_PAIR);
	struct bench_sock *b = open_sock(BENCH_PAIR);
	int64_t *rt = xmalloc((size_t)cfg.count * sizeof(*rt));
	int64_t med;
	pthread_t t;

	link_pair(a, b);
	start_thread(&t, lat_echo, b);
	ping_pong(a, rt);
	(void)pthread_join(t, NULL);
	be->close(b);
	be->close(a);
	qsort(rt, (size_t)cfg.count, sizeof(*rt), cmp_i64);
	med = rt[cfg.count / 2];
	free(rt);
	return (double)med / 2.0 / 1000.0;
}

/* ---- Command line ------------------------------------------------------ */

static long
number(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
		usage();
	}
	return v;
}

static int
parse(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"test", required_argument, NULL, 't'},
	    {"transport", required_argument, NULL, 'T'},
	    {"size", required_argument, NULL, 's'},
	    {"count", required_argument, NULL, 'n'},
	    {"warmup", required_argument, NULL, 'w'},
	    {"info", no_argument, NULL, 'i'},
	    {NULL, 0, NULL, 0},
	};
	int c, info = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			cfg.test = optarg;
			break;
		case 'T':
			cfg.transport = optarg;
			break;
		case 's':
			cfg.size = (size_t)number(optarg, SEQ_BYTES, MAX_SIZE);
			break;
		case 'n':
			cfg.count = number(optarg, 2, LONG_MAX / 16);
			break;
		case 'w':
			cfg.warmup = number(optarg, 0, LONG_MAX / 16);
			break;
		case 'i':
			info = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc) {
		usage();
	}
	return info;
}

/* Defaults that take a second or two with libzmq on a small machine. */
static void
fill_defaults(void)
{
	int thr = strcmp(cfg.test, "thr") == 0;

	if (cfg.count == 0) {
		cfg.count = thr ? 1000000 : 20000;
	}
	if (cfg.warmup < 0) {
		cfg.warmup = cfg.count / 10 < 100 ? 100 : cfg.count / 10;
	}
}

int
main(int argc, char **argv)
{
	int thr;
	double v;

	if (parse(argc, argv)) {
		print_info(library_file());
		return 0;
	}
	if (cfg.test == NULL || cfg.transport == NULL) {
		usage();
	}
	/* Exits unless the right library answers; the path is for --info. */
	(void)library_file();
	fill_defaults();
	make_url();
	/* Also on the way out through die(): no socket file left in /tmp. */
	(void)atexit(remove_ipc_file);
	thr = strcmp(cfg.test, "thr") == 0;
	if (!thr && strcmp(cfg.test, "lat") != 0) {
		usage();
	}
	v = thr ? run_thr() : run_lat();
	if (be->fini != NULL) {
		be->fini();
	}
	printf("%s\t%s\t%s\t%zu\t%.*f\t%s\n", be->name, cfg.transport, cfg.test,
	    cfg.size, thr ? 0 : 2, v, thr ? "msg/s" : "us");
	return 0;
}
