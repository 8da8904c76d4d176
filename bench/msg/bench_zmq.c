/*
 * bench_zmq.c - the libzmq backend of the messaging benchmark (backend.h):
 * ZMQ_PUSH, ZMQ_PULL and ZMQ_PAIR over tcp, ipc and inproc, through
 * zmq_send and zmq_recv (the copying calls, as the other backends use).
 *
 * Everything else stays at libzmq's defaults, which is what its users get:
 * one I/O thread, high-water marks of 1000 messages. libzmq sets
 * TCP_NODELAY on every TCP connection itself and has no option for it.
 * One context serves every socket of the process; fini ends it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "backend.h"

struct bench_sock {
	void *z; /* the libzmq socket */
};

static void *ctx; /* made by the first open */

static const char *
zmq_backend_version(void)
{
	static char buf[32];
	int major, minor, patch;

	zmq_version(&major, &minor, &patch);
	(void)snprintf(buf, sizeof(buf), "%d.%d.%d", major, minor, patch);
	return buf;
}

static struct bench_sock *
zmq_backend_open(enum bench_role role)
{
	static const int types[] = {
	    [BENCH_PUSH] = ZMQ_PUSH,
	    [BENCH_PULL] = ZMQ_PULL,
	    [BENCH_PAIR] = ZMQ_PAIR,
	};
	struct bench_sock *s;

	if (ctx == NULL && (ctx = zmq_ctx_new()) == NULL) {
		return NULL;
	}
	if ((s = malloc(sizeof(*s))) == NULL) {
		return NULL;
	}
	if ((s->z = zmq_socket(ctx, types[role])) == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

/*
 * libzmq spells "any port" as '*'; ZMQ_LAST_ENDPOINT then names the port
 * it took (and gives ipc and inproc URLs back unchanged).
 */
static int
zmq_backend_bind(struct bench_sock *s, const char *url, char *peer_url,
    size_t peer_len)
{
	char any[BENCH_URL_MAX];
	size_t len = peer_len;

	if (bench_url_port(url) == 0) {
		(void)snprintf(any, sizeof(any), "%.*s*",
		    (int)(strrchr(url, ':') + 1 - url), url);
		url = any;
	}
	if (zmq_bind(s->z, url) != 0 ||
	    zmq_getsockopt(s->z, ZMQ_LAST_ENDPOINT, peer_url, &len) != 0) {
		return -zmq_errno();
	}
	return 0;
}

static int
zmq_backend_connect(struct bench_sock *s, const char *url)
{
	return zmq_connect(s->z, url) == 0 ? 0 : -zmq_errno();
}

static int
zmq_backend_send(struct bench_sock *s, const void *buf, size_t len)
{
	return zmq_send(s->z, buf, len, 0) >= 0 ? 0 : -zmq_errno();
}

static ssize_t
zmq_backend_recv(struct bench_sock *s, void *buf, size_t cap)
{
	int n = zmq_recv(s->z, buf, cap, 0);

	return n >= 0 ? n : -zmq_errno();
}

/* No linger: the driver closes only after everything it needs arrived. */
static void
zmq_backend_close(struct bench_sock *s)
{
	int zero = 0;

	(void)zmq_setsockopt(s->z, ZMQ_LINGER, &zero, sizeof(zero));
	(void)zmq_close(s->z);
	free(s);
}

static void
zmq_backend_fini(void)
{
	if (ctx != NULL) {
		(void)zmq_ctx_term(ctx);
		ctx = NULL;
	}
}

const struct bench_backend bench_backend = {
    .name = "zmq",
    .probe_symbol = "zmq_send",
    .lib_file = "libzmq.so",
    .version = zmq_backend_version,
    .open = zmq_backend_open,
    .bind = zmq_backend_bind,
    .connect = zmq_backend_connect,
    .send = zmq_backend_send,
    .recv = zmq_backend_recv,
    .close = zmq_backend_close,
    .fini = zmq_backend_fini,
};
