/*
 * bench_nanomsg.c - the nanomsg backend of the messaging benchmark
 * (backend.h): NN_PUSH, NN_PULL and NN_PAIR over tcp, ipc and inproc,
 * through nn_send and nn_recv with caller buffers (copying, as the other
 * backends do).
 *
 * Defaults everywhere except NN_TCP_NODELAY, which nanomsg leaves off and
 * which every other library here turns on. This binary must never link
 * libnng as well (backend.h says why); CMake links libnanomsg alone.
 */
#include <errno.h>
#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"

/* nanomsg has no call that reports its version; CMake passes pkg-config's. */
#ifndef BENCH_NANOMSG_VERSION
#define BENCH_NANOMSG_VERSION "unknown"
#endif

/* Binding to a port another process took between pick and bind. */
#define PORT_TRIES 5

struct bench_sock {
	int fd; /* the nanomsg socket */
};

static const char *
nn_backend_version(void)
{
	return BENCH_NANOMSG_VERSION;
}

static struct bench_sock *
nn_backend_open(enum bench_role role)
{
	static const int protos[] = {
	    [BENCH_PUSH] = NN_PUSH,
	    [BENCH_PULL] = NN_PULL,
	    [BENCH_PAIR] = NN_PAIR,
	};
	struct bench_sock *s = malloc(sizeof(*s));
	int one = 1;

	if (s == NULL) {
		return NULL;
	}
	if ((s->fd = nn_socket(AF_SP, protos[role])) < 0) {
		free(s);
		return NULL;
	}
	/* A socket option here applies to every endpoint made later. */
	if (nn_setsockopt(s->fd, NN_TCP, NN_TCP_NODELAY, &one, sizeof(one)) <
	    0) {
		(void)nn_close(s->fd);
		free(s);
		return NULL;
	}
	return s;
}

/* nanomsg cannot say which port "any port" became: pick one first. */
static int
nn_backend_bind_any(struct bench_sock *s, const char *url, char *peer_url,
    size_t peer_len)
{
	int host_len = (int)(strrchr(url, ':') - url);
	int i, port;

	for (i = 0; i < PORT_TRIES; i++) {
		if ((port = bench_free_port()) == 0) {
			return -EADDRNOTAVAIL;
		}
		(void)snprintf(peer_url, peer_len, "%.*s:%d", host_len, url,
		    port);
		if (nn_bind(s->fd, peer_url) >= 0) {
			return 0;
		}
		if (nn_errno() != EADDRINUSE) {
			break;
		}
	}
	return -nn_errno();
}

static int
nn_backend_bind(struct bench_sock *s, const char *url, char *peer_url,
    size_t peer_len)
{
	if (bench_url_port(url) == 0) {
		return nn_backend_bind_any(s, url, peer_url, peer_len);
	}
	(void)snprintf(peer_url, peer_len, "%s", url);
	return nn_bind(s->fd, url) >= 0 ? 0 : -nn_errno();
}

static int
nn_backend_connect(struct bench_sock *s, const char *url)
{
	return nn_connect(s->fd, url) >= 0 ? 0 : -nn_errno();
}

static int
nn_backend_send(struct bench_sock *s, const void *buf, size_t len)
{
	return nn_send(s->fd, buf, len, 0) >= 0 ? 0 : -nn_errno();
}

static ssize_t
nn_backend_recv(struct bench_sock *s, void *buf, size_t cap)
{
	int n = nn_recv(s->fd, buf, cap, 0);

	return n >= 0 ? n : -nn_errno();
}

static void
nn_backend_close(struct bench_sock *s)
{
	(void)nn_close(s->fd);
	free(s);
}

const struct bench_backend bench_backend = {
    .name = "nanomsg",
    .probe_symbol = "nn_socket",
    .lib_file = "libnanomsg.so",
    .version = nn_backend_version,
    .open = nn_backend_open,
    .bind = nn_backend_bind,
    .connect = nn_backend_connect,
    .send = nn_backend_send,
    .recv = nn_backend_recv,
    .close = nn_backend_close,
    .fini = nn_term,
};
