/*
 * bench_nng.c - the nng backend of the messaging benchmark (backend.h),
 * through nng's native API and its version 0 protocols: push0, pull0 and
 * pair0 over tcp, ipc and inproc, with nng_send and nng_recv on caller
 * buffers (copying, as the other backends do).
 *
 * Defaults everywhere, which is what nng's users get (no send buffer on
 * push0, so each send waits for the pipe to take the message), except that
 * TCP_NODELAY is asked for explicitly on every TCP listener and dialer; it
 * is nng's default already. This binary must never link libnanomsg as
 * well: libnng exports nn_* names of its own (backend.h).
 */
#include <errno.h>
#include <nng/nng.h>
#include <nng/protocol/pair0/pair.h>
#include <nng/protocol/pipeline0/pull.h>
#include <nng/protocol/pipeline0/push.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"

struct bench_sock {
	nng_socket s;
};

/*
 * nng has error numbers of its own; the driver prints errno text. Those
 * that wrap a system error carry it; the rest are mapped where POSIX has
 * a name, and printed by nng itself where it has not.
 */
static int
nng_backend_errno(int err)
{
	static const int map[][2] = {
	    {NNG_EINTR, EINTR},
	    {NNG_ENOMEM, ENOMEM},
	    {NNG_EINVAL, EINVAL},
	    {NNG_ETIMEDOUT, ETIMEDOUT},
	    {NNG_ECONNREFUSED, ECONNREFUSED},
	    {NNG_ECLOSED, EBADF},
	    {NNG_ENOTSUP, ENOTSUP},
	    {NNG_EADDRINUSE, EADDRINUSE},
	    {NNG_EADDRINVAL, EINVAL},
	    {NNG_EMSGSIZE, EMSGSIZE},
	    {NNG_ECONNRESET, ECONNRESET},
	    {NNG_ENOENT, ENOENT},
	    {NNG_EPERM, EPERM},
	};
	size_t i;

	if (err & NNG_ESYSERR) {
		return err & ~NNG_ESYSERR;
	}
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (map[i][0] == err) {
			return map[i][1];
		}
	}
	fprintf(stderr, "bench_nng: %s\n", nng_strerror(err));
	return EPROTO;
}

static struct bench_sock *
nng_backend_open(enum bench_role role)
{
	static int (*const opens[])(nng_socket *) = {
	    [BENCH_PUSH] = nng_push0_open,
	    [BENCH_PULL] = nng_pull0_open,
	    [BENCH_PAIR] = nng_pair0_open,
	};
	struct bench_sock *s = malloc(sizeof(*s));
	int rc;

	if (s == NULL) {
		return NULL;
	}
	if ((rc = opens[role](&s->s)) != 0) {
		free(s);
		errno = nng_backend_errno(rc);
		return NULL;
	}
	return s;
}

static int
nng_backend_listen(struct bench_sock *s, const char *url, nng_listener *l)
{
	int rc = nng_listener_create(l, s->s, url);

	if (rc == 0 && strncmp(url, "tcp://", 6) == 0) {
		rc = nng_listener_set_bool(*l, NNG_OPT_TCP_NODELAY, true);
	}
	if (rc == 0) {
		rc = nng_listener_start(*l, 0);
	}
	return rc;
}

/* Port 0 is any port; NNG_OPT_TCP_BOUND_PORT then says which. */
static int
nng_backend_bind(struct bench_sock *s, const char *url, char *peer_url,
    size_t peer_len)
{
	nng_listener l;
	int rc, port;

	if ((rc = nng_backend_listen(s, url, &l)) != 0) {
		return -nng_backend_errno(rc);
	}
	if (bench_url_port(url) != 0) {
		(void)snprintf(peer_url, peer_len, "%s", url);
		return 0;
	}
	if ((rc = nng_listener_get_int(l, NNG_OPT_TCP_BOUND_PORT, &port)) !=
	    0) {
		return -nng_backend_errno(rc);
	}
	(void)snprintf(peer_url, peer_len, "%.*s:%d",
	    (int)(strrchr(url, ':') - url), url, port);
	return 0;
}

/* Synchronous dial (flags 0): a refused connect fails here, not later. */
static int
nng_backend_connect(struct bench_sock *s, const char *url)
{
	nng_dialer d;
	int rc = nng_dialer_create(&d, s->s, url);

	if (rc == 0 && strncmp(url, "tcp://", 6) == 0) {
		rc = nng_dialer_set_bool(d, NNG_OPT_TCP_NODELAY, true);
	}
	if (rc == 0) {
		rc = nng_dialer_start(d, 0);
	}
	return rc == 0 ? 0 : -nng_backend_errno(rc);
}

static int
nng_backend_send(struct bench_sock *s, const void *buf, size_t len)
{
	int rc = nng_send(s->s, (void *)buf, len, 0);

	return rc == 0 ? 0 : -nng_backend_errno(rc);
}

static ssize_t
nng_backend_recv(struct bench_sock *s, void *buf, size_t cap)
{
	size_t len = cap;
	int rc = nng_recv(s->s, buf, &len, 0);

	return rc == 0 ? (ssize_t)len : -nng_backend_errno(rc);
}

static void
nng_backend_close(struct bench_sock *s)
{
	(void)nng_close(s->s);
	free(s);
}

const struct bench_backend bench_backend = {
    .name = "nng",
    .probe_symbol = "nng_send",
    .lib_file = "libnng.so",
    .version = nng_version,
    .open = nng_backend_open,
    .bind = nng_backend_bind,
    .connect = nng_backend_connect,
    .send = nng_backend_send,
    .recv = nng_backend_recv,
    .close = nng_backend_close,
    .fini = nng_fini,
};
