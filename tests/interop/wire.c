/*
 * wire.c - a fake SP peer on plain POSIX sockets (see wire.h).
 *
 * Sockets stay blocking; every transfer waits in poll() for readiness
 * with what is left of its time limit, then moves what it can with
 * MSG_DONTWAIT, so no call can hang past the limit.
 */
#include "wire.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/url.h"
#include "runner.h"
#include "transport/sp_stream.h"

/* How often a wait looks whether the peer process is still there. */
#define WIRE_PEER_CHECK_MS 20

/* Fill *ss from a tcp host (numeric only), ipc path or abstract name. */
static socklen_t
wire_addr(const struct intr__url *u, struct sockaddr_storage *ss)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_un *un = (struct sockaddr_un *)ss;

	memset(ss, 0, sizeof(*ss));
	switch (u->transport) {
	case INTR__URL_TCP:
		if (inet_pton(AF_INET, u->host, &v4->sin_addr) == 1) {
			v4->sin_family = AF_INET;
			v4->sin_port = htons(u->port);
			return sizeof(*v4);
		}
		CHECK(inet_pton(AF_INET6, u->host, &v6->sin6_addr) == 1);
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(u->port);
		return sizeof(*v6);
	case INTR__URL_IPC:
		un->sun_family = AF_UNIX;
		CHECK_OP(strlen(u->path), <, sizeof(un->sun_path));
		memcpy(un->sun_path, u->path, strlen(u->path) + 1);
		return sizeof(*un);
	case INTR__URL_ABSTRACT:
		/* The name follows a NUL and has no end mark: pass its length. */
		un->sun_family = AF_UNIX;
		memcpy(un->sun_path + 1, u->abstract, u->abstract_len);
		return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
		    u->abstract_len);
	default:
		it_fail(__FILE__, __LINE__,
		    "no socket address for transport %d", (int)u->transport);
	}
}

static socklen_t
wire_parse(const char *url, int for_bind, struct intr__url *u,
    struct sockaddr_storage *ss)
{
	int rc = intr__url_parse(url, for_bind, u);

	if (rc != 0) {
		it_fail(__FILE__, __LINE__, "intr__url_parse(\"%s\"): %s", url,
		    strerror(-rc));
	}
	return wire_addr(u, ss);
}

/* What peer p dials: the URL with the port the kernel picked. */
static void
wire_bound_url(int fd, const struct intr__url *u, const char *url, char *bound,
    size_t boundlen)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	uint16_t port;
	int n;

	if (u->transport != INTR__URL_TCP) {
		n = snprintf(bound, boundlen, "%s", url);
		CHECK(n > 0 && (size_t)n < boundlen);
		return;
	}
	CHECK_OK(getsockname(fd, (struct sockaddr *)&ss, &sl));
	port = ss.ss_family == AF_INET
	    ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
	    : ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	n = snprintf(bound, boundlen,
	    strchr(u->host, ':') != NULL ? "tcp://[%s]:%u" : "tcp://%s:%u",
	    u->host, (unsigned)port);
	CHECK(n > 0 && (size_t)n < boundlen);
}

int
wire_listen(const char *url, char *bound, size_t boundlen)
{
	struct sockaddr_storage ss;
	struct intr__url u;
	socklen_t sl = wire_parse(url, 1, &u, &ss);
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	CHECK(fd >= 0);
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0) {
		it_fail(__FILE__, __LINE__, "bind %s: %s", url,
		    strerror(errno));
	}
	CHECK_OK(listen(fd, 8));
	wire_bound_url(fd, &u, url, bound, boundlen);
	return fd;
}

static void
wire_peer_alive(struct peer *p, const char *what, const char *where)
{
	if (peer_exited(p)) {
		it_fail(__FILE__, __LINE__,
		    "%s exited (status %d) before %s %s", p->tool, p->status,
		    what, where);
	}
}

int
wire_accept(int lfd, struct peer *p)
{
	int64_t until = it_now_ms() + PEER_LIMIT_MS;
	struct pollfd pfd = {.fd = lfd, .events = POLLIN};
	int fd, rc;

	for (;;) {
		rc = poll(&pfd, 1, WIRE_PEER_CHECK_MS);
		CHECK(rc >= 0 || errno == EINTR);
		if (rc > 0) {
			break;
		}
		wire_peer_alive(p, "connecting", "to us");
		if (it_now_ms() >= until) {
			it_fail(__FILE__, __LINE__,
			    "%s did not connect within %d ms", p->tool,
			    PEER_LIMIT_MS);
		}
	}
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	CHECK(fd >= 0);
	return fd;
}

int
wire_dial(const char *url, struct peer *p)
{
	int64_t until = it_now_ms() + PEER_LIMIT_MS;
	struct sockaddr_storage ss;
	struct intr__url u;
	socklen_t sl = wire_parse(url, 0, &u, &ss);
	int fd, err;

	for (;;) {
		fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		CHECK(fd >= 0);
		if (connect(fd, (struct sockaddr *)&ss, sl) == 0) {
			return fd;
		}
		err = errno;
		close(fd);
		if (err != ECONNREFUSED && err != ENOENT) {
			it_fail(__FILE__, __LINE__, "connect %s: %s", url,
			    strerror(err));
		}
		wire_peer_alive(p, "listening on", url);
		if (it_now_ms() >= until) {
			it_fail(__FILE__, __LINE__,
			    "%s did not listen on %s within %d ms", p->tool,
			    url, PEER_LIMIT_MS);
		}
		/* Not listening yet; the retry is the readiness check. */
		poll(NULL, 0, 5);
	}
}

/* Wait until fd is ready for events, or fail at until. */
static void
wire_ready(int fd, short events, int64_t until, const char *what, size_t done,
    size_t n)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	int64_t left;
	int rc;

	do {
		left = until - it_now_ms();
		if (left <= 0) {
			it_fail(__FILE__, __LINE__,
			    "%s: %zu of %zu bytes after %d ms", what, done, n,
			    PEER_LIMIT_MS);
		}
		rc = poll(&pfd, 1, (int)left);
		CHECK(rc >= 0 || errno == EINTR);
	} while (rc <= 0);
}

void
wire_send(int fd, const void *buf, size_t n)
{
	int64_t until = it_now_ms() + PEER_LIMIT_MS;
	const char *p = buf;
	size_t done = 0;
	ssize_t w;

	while (done < n) {
		wire_ready(fd, POLLOUT, until, "send", done, n);
		w = send(fd, p + done, n - done, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w > 0) {
			done += (size_t)w;
		} else if (errno != EAGAIN && errno != EINTR) {
			it_fail(__FILE__, __LINE__,
			    "send: %s after %zu of %zu bytes", strerror(errno),
			    done, n);
		}
	}
}

size_t
wire_recv(int fd, void *buf, size_t n)
{
	int64_t until = it_now_ms() + PEER_LIMIT_MS;
	char *p = buf;
	size_t done = 0;
	ssize_t r;

	while (done < n) {
		wire_ready(fd, POLLIN, until, "recv", done, n);
		r = recv(fd, p + done, n - done, MSG_DONTWAIT);
		if (r > 0) {
			done += (size_t)r;
		} else if (r == 0 || errno == ECONNRESET) {
			break; /* closed; a reset is a close with unread data */
		} else if (errno != EAGAIN && errno != EINTR) {
			it_fail(__FILE__, __LINE__,
			    "recv: %s after %zu of %zu bytes", strerror(errno),
			    done, n);
		}
	}
	return done;
}

void
wire_expect_eof(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	unsigned char c = 0;
	int rc;

	/* Its own wait, so that a peer that stays says so in the message. */
	while ((rc = poll(&pfd, 1, PEER_LIMIT_MS)) < 0) {
		CHECK(errno == EINTR);
	}
	if (rc == 0) {
		it_fail(__FILE__, __LINE__,
		    "the peer should have closed; it kept the connection open "
		    "for %d ms",
		    PEER_LIMIT_MS);
	}
	if (wire_recv(fd, &c, 1) != 0) {
		it_fail(__FILE__, __LINE__,
		    "the peer should have closed; it sent byte %02x", c);
	}
}

void
wire_handshake(int fd, int proto, uint8_t theirs[8])
{
	uint8_t ours[INTR__SP_HEADER_SIZE];
	size_t got;

	intr__sp_header_make(proto, ours);
	wire_send(fd, ours, sizeof(ours));
	got = wire_recv(fd, theirs, INTR__SP_HEADER_SIZE);
	if (got != INTR__SP_HEADER_SIZE) {
		it_fail(__FILE__, __LINE__,
		    "the peer closed after %zu bytes of its header", got);
	}
}

void
wire_send_frame(int fd, int ipc, const void *body, size_t len)
{
	uint8_t head[INTR__SP_HEAD_MAX];
	size_t n = intr__sp_frame_head_put(ipc, len, head);

	/* nanocat aborts on any other ipc type byte (sp-protocol.md 3.2). */
	CHECK(!ipc || head[0] == INTR__SP_IPC_MSG);
	wire_send(fd, head, n);
	wire_send(fd, body, len);
}

void *
wire_recv_frame(int fd, int ipc, uint64_t maxsz, size_t *len)
{
	uint8_t head[INTR__SP_HEAD_MAX];
	uint64_t plen = 0;
	size_t have = 0, got;
	void *body;
	int rc = 0;

	while (rc == 0) {
		CHECK_OP(have, <, sizeof(head));
		if (wire_recv(fd, head + have, 1) != 1) {
			it_fail(__FILE__, __LINE__,
			    "the peer closed after %zu bytes of a frame head",
			    have);
		}
		rc = intr__sp_frame_head_get(ipc, maxsz, head, ++have, &plen);
	}
	if (rc < 0) {
		it_fail(__FILE__, __LINE__, "frame head (%zu bytes): %s", have,
		    strerror(-rc));
	}
	CHECK_EQ(rc, ipc ? INTR__SP_IPC_HEAD_SIZE : INTR__SP_TCP_HEAD_SIZE);
	body = malloc(plen > 0 ? (size_t)plen : 1);
	CHECK(body != NULL);
	got = wire_recv(fd, body, (size_t)plen);
	if (got != plen) {
		it_fail(__FILE__, __LINE__,
		    "the peer closed after %zu of %llu payload bytes", got,
		    (unsigned long long)plen);
	}
	*len = (size_t)plen;
	return body;
}
