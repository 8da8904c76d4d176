/*
 * bench_raw.c - the floor of the messaging benchmark (backend.h): plain
 * kernel stream sockets with no library between, to show what the kernel
 * itself costs.
 *
 *   tcp     AF_INET on 127.0.0.1, TCP_NODELAY on both ends.
 *   ipc     AF_UNIX stream socket at the URL's path.
 *   inproc  there is no kernel "inproc": an AF_UNIX socketpair made by the
 *           bind and handed to the connect through a table in this file.
 *           It is the cheapest in-process byte stream the kernel offers,
 *           not a queue in memory as the libraries' inproc is.
 *
 * PUSH/PULL carry SP's framing, an 8-byte big-endian length before each
 * payload. The sender writes each message with one writev (no batching:
 * one system call per message is the simple way and the one to beat); the
 * receiver reads up to RBUF_SIZE bytes at a time and cuts frames out. PAIR
 * is a plain ping-pong without a header: both sides know the size, so
 * recv fills exactly the buffer it is given (the driver's latency test
 * passes the message size).
 * A bound socket accepts its one peer on first use, not in bind, so that
 * bind returns before the peer connects as with the libraries.
 */
#include <errno.h>
#include <gnu/libc-version.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "backend.h"

#define HDR_BYTES 8
#define RBUF_SIZE (256 * 1024)
#define INPROC_SLOTS 8

struct bench_sock {
	enum bench_role role;
	int fd;  /* the connected stream; -1 until accepted */
	int lfd; /* listening socket until the peer arrives, else -1 */
	int tcp; /* set TCP_NODELAY on the accepted stream */
	unsigned char *rbuf; /* PULL: bytes read, not yet handed out */
	size_t roff, rlen;   /* unread bytes are rbuf[roff, rlen) */
	size_t rcap;
};

/* The peer ends of inproc socketpairs, waiting for their connect. */
static struct {
	pthread_mutex_t lock;
	char name[INPROC_SLOTS][BENCH_URL_MAX];
	int fd[INPROC_SLOTS]; /* 0 for a free slot; fds here are never 0 */
} inproc = {PTHREAD_MUTEX_INITIALIZER, {""}, {0}};

/* ---- Byte streams ------------------------------------------------------ */

static int
write_all(int fd, struct iovec *iov, int n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = writev(fd, iov, n)) < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -errno;
		}
		for (; n > 0 && (size_t)w >= iov->iov_len; iov++, n--) {
			w -= (ssize_t)iov->iov_len;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

/* Reads at least min bytes into buf (up to cap); returns the count. */
static ssize_t
read_min(int fd, unsigned char *buf, size_t min, size_t cap)
{
	size_t got = 0;
	ssize_t r;

	while (got < min) {
		r = read(fd, buf + got, cap - got);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			return r < 0 ? -errno : -ECONNRESET;
		}
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static int
set_nodelay(int fd)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0) {
		return -errno;
	}
	return 0;
}

/* The bound side's stream, accepting the peer the first time. */
static int
stream_of(struct bench_sock *s)
{
	if (s->fd >= 0) {
		return s->fd;
	}
	do {
		s->fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
	} while (s->fd < 0 && errno == EINTR);
	if (s->fd < 0) {
		return -errno;
	}
	(void)close(s->lfd);
	s->lfd = -1;
	if (s->tcp) {
		int rc = set_nodelay(s->fd);

		if (rc < 0) {
			return rc;
		}
	}
	return s->fd;
}

/* ---- Addresses --------------------------------------------------------- */

/* "tcp://127.0.0.1:port" (IPv4 loopback only, as the driver makes). */
static int
tcp_addr(const char *url, struct sockaddr_in *sa)
{
	int port = bench_url_port(url);

	if (port < 0 || strncmp(url, "tcp://127.0.0.1:", 16) != 0) {
		return -EINVAL;
	}
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return 0;
}

static int
ipc_addr(const char *url, struct sockaddr_un *sa)
{
	const char *path = url + 6;

	if (strlen(path) >= sizeof(sa->sun_path)) {
		return -ENAMETOOLONG;
	}
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, strlen(path) + 1);
	return 0;
}

/* ---- inproc: a socketpair passed from bind to connect ------------------ */

static int
inproc_put(const char *name, int fd)
{
	int i, rc = -ENOSPC;

	(void)pthread_mutex_lock(&inproc.lock);
	for (i = 0; i < INPROC_SLOTS && rc != 0; i++) {
		if (inproc.fd[i] == 0) {
			(void)snprintf(inproc.name[i], BENCH_URL_MAX, "%s",
			    name);
			inproc.fd[i] = fd;
			rc = 0;
		}
	}
	(void)pthread_mutex_unlock(&inproc.lock);
	return rc;
}

static int
inproc_take(const char *name)
{
	int i, fd = -ECONNREFUSED;

	(void)pthread_mutex_lock(&inproc.lock);
	for (i = 0; i < INPROC_SLOTS && fd < 0; i++) {
		if (inproc.fd[i] != 0 && strcmp(inproc.name[i], name) == 0) {
			fd = inproc.fd[i];
			inproc.fd[i] = 0;
		}
	}
	(void)pthread_mutex_unlock(&inproc.lock);
	return fd;
}

static int
inproc_bind(struct bench_sock *s, const char *url)
{
	int sv[2], rc;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		return -errno;
	}
	if ((rc = inproc_put(url, sv[1])) < 0) {
		(void)close(sv[0]);
		(void)close(sv[1]);
		return rc;
	}
	s->fd = sv[0];
	return 0;
}

/* ---- Listening and connecting ------------------------------------------ */

/* Binds and listens on addr; records the socket as s->lfd. */
static int
listen_on(struct bench_sock *s, int family, const void *addr, socklen_t len)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), rc;

	if (fd < 0) {
		return -errno;
	}
	if (bind(fd, addr, len) != 0 || listen(fd, 1) != 0) {
		rc = -errno;
		(void)close(fd);
		return rc;
	}
	s->lfd = fd;
	return 0;
}

static int
tcp_bind(struct bench_sock *s, const char *url, char *peer_url, size_t peer_len)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int rc;

	if ((rc = tcp_addr(url, &sa)) < 0 ||
	    (rc = listen_on(s, AF_INET, &sa, sizeof(sa))) < 0) {
		return rc;
	}
	if (getsockname(s->lfd, (struct sockaddr *)&sa, &len) != 0) {
		return -errno;
	}
	s->tcp = 1;
	(void)snprintf(peer_url, peer_len, "tcp://127.0.0.1:%d",
	    ntohs(sa.sin_port));
	return 0;
}

static int
raw_bind(struct bench_sock *s, const char *url, char *peer_url, size_t peer_len)
{
	struct sockaddr_un sun;
	int rc;

	if (strncmp(url, "tcp://", 6) == 0) {
		return tcp_bind(s, url, peer_url, peer_len);
	}
	(void)snprintf(peer_url, peer_len, "%s", url);
	if (strncmp(url, "inproc://", 9) == 0) {
		return inproc_bind(s, url);
	}
	if (strncmp(url, "ipc://", 6) != 0) {
		return -EPROTONOSUPPORT;
	}
	if ((rc = ipc_addr(url, &sun)) < 0) {
		return rc;
	}
	return listen_on(s, AF_UNIX, &sun, sizeof(sun));
}

static int
connect_to(struct bench_sock *s, int family, const void *addr, socklen_t len)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), rc;

	if (fd < 0) {
		return -errno;
	}
	if (connect(fd, addr, len) != 0 ||
	    (family == AF_INET && set_nodelay(fd) != 0)) {
		rc = -errno;
		(void)close(fd);
		return rc;
	}
	s->fd = fd;
	return 0;
}

static int
raw_connect(struct bench_sock *s, const char *url)
{
	struct sockaddr_in sin;
	struct sockaddr_un sun;
	int rc;

	if (strncmp(url, "inproc://", 9) == 0) {
		rc = inproc_take(url);
		s->fd = rc < 0 ? -1 : rc;
		return rc < 0 ? rc : 0;
	}
	if (strncmp(url, "tcp://", 6) == 0) {
		rc = tcp_addr(url, &sin);
		return rc < 0 ? rc : connect_to(s, AF_INET, &sin, sizeof(sin));
	}
	if (strncmp(url, "ipc://", 6) != 0) {
		return -EPROTONOSUPPORT;
	}
	rc = ipc_addr(url, &sun);
	return rc < 0 ? rc : connect_to(s, AF_UNIX, &sun, sizeof(sun));
}

/* ---- Messages ---------------------------------------------------------- */

static int
raw_send(struct bench_sock *s, const void *buf, size_t len)
{
	unsigned char hdr[HDR_BYTES];
	struct iovec iov[2] = {{hdr, HDR_BYTES}, {(void *)buf, len}};
	uint64_t n = len;
	int fd = stream_of(s), i;

	if (fd < 0) {
		return fd;
	}
	if (s->role == BENCH_PAIR) {
		return write_all(fd, &iov[1], 1);
	}
	for (i = HDR_BYTES - 1; i >= 0; i--, n >>= 8) {
		hdr[i] = (unsigned char)(n & 0xff);
	}
	return write_all(fd, iov, 2);
}

/* Makes at least need unread bytes sit in rbuf. */
static int
fill(struct bench_sock *s, int fd, size_t need)
{
	ssize_t r;

	if (s->rlen - s->roff >= need) {
		return 0;
	}
	memmove(s->rbuf, s->rbuf + s->roff, s->rlen - s->roff);
	s->rlen -= s->roff;
	s->roff = 0;
	if (need > s->rcap) {
		unsigned char *p = realloc(s->rbuf, need);

		if (p == NULL) {
			return -ENOMEM;
		}
		s->rbuf = p;
		s->rcap = need;
	}
	r = read_min(fd, s->rbuf + s->rlen, need - s->rlen, s->rcap - s->rlen);
	if (r < 0) {
		return (int)r;
	}
	s->rlen += (size_t)r;
	return 0;
}

static ssize_t
recv_frame(struct bench_sock *s, int fd, void *buf, size_t cap)
{
	uint64_t len = 0;
	int rc, i;

	if ((rc = fill(s, fd, HDR_BYTES)) < 0) {
		return rc;
	}
	for (i = 0; i < HDR_BYTES; i++) {
		len = len << 8 | s->rbuf[s->roff + (size_t)i];
	}
	if (len > SIZE_MAX / 2 || (rc = fill(s, fd, HDR_BYTES + len)) < 0) {
		return len > SIZE_MAX / 2 ? -EMSGSIZE : rc;
	}
	memcpy(buf, s->rbuf + s->roff + HDR_BYTES, len < cap ? len : cap);
	s->roff += HDR_BYTES + len;
	return (ssize_t)len;
}

static ssize_t
raw_recv(struct bench_sock *s, void *buf, size_t cap)
{
	int fd = stream_of(s);

	if (fd < 0) {
		return fd;
	}
	if (s->role == BENCH_PULL) {
		return recv_frame(s, fd, buf, cap);
	}
	return read_min(fd, buf, cap, cap);
}

/* ---- Sockets ----------------------------------------------------------- */

static struct bench_sock *
raw_open(enum bench_role role)
{
	struct bench_sock *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		return NULL;
	}
	s->role = role;
	s->fd = s->lfd = -1;
	if (role == BENCH_PULL) {
		s->rcap = RBUF_SIZE;
		if ((s->rbuf = malloc(s->rcap)) == NULL) {
			free(s);
			return NULL;
		}
	}
	return s;
}

static void
raw_close(struct bench_sock *s)
{
	if (s->fd >= 0) {
		(void)close(s->fd);
	}
	if (s->lfd >= 0) {
		(void)close(s->lfd);
	}
	free(s->rbuf);
	free(s);
}

const struct bench_backend bench_backend = {
    .name = "raw",
    /* Not writev: sanitizers intercept it and would answer instead. */
    .probe_symbol = "gnu_get_libc_version",
    .lib_file = "libc.so",
    .version = gnu_get_libc_version,
    .open = raw_open,
    .bind = raw_bind,
    .connect = raw_connect,
    .send = raw_send,
    .recv = raw_recv,
    .close = raw_close,
};
