/*
 * peer.h - run the real SP peers (nanocat, nngcat) from a test case: spawn
 * one with its stdout captured, read what it printed, wait for it with a
 * time limit, and give it addresses (a free loopback port, an ipc path in
 * the case's own temp dir).
 *
 * A case calls peer_env_init() before anything else and peer_env_fini()
 * last. Init makes the temp dir and forks a guard process that holds the
 * read end of a pipe from the case. However the case's process ends - it
 * returns, a CHECK fails and _exit()s, or the runner kills it at its time
 * limit - the guard then reads EOF, kills every peer still registered and
 * removes the temp dir. So a failing case leaves no process and no file
 * behind; fini does the same at once and checks that it happened.
 *
 * Every helper fails the case (it_fail) instead of returning an error, and
 * every wait gives up after PEER_LIMIT_MS, so a peer that hangs shows up as
 * a failed CHECK naming it rather than as the runner's time limit.
 */
#ifndef INTR_TESTS_INTEROP_PEER_H
#define INTR_TESTS_INTEROP_PEER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* How long a helper waits for a peer to do what it must. */
#define PEER_LIMIT_MS 10000

/* peer_wait: the peer did not exit in time and was killed. */
#define PEER_TIMEOUT (-1)

/* peer_wait: signal sig ended the peer (exit statuses are 0-255). */
#define PEER_SIGNALED(sig) (256 + (sig))

/* One spawned peer. Zero it, then peer_spawn; peer_release when done. */
struct peer {
	pid_t pid;          /* 0 before the spawn and once reaped */
	int out;            /* read end of its stdout; -1 once at EOF */
	int status;         /* as peer_wait returns it, once reaped */
	char tool[32];      /* argv[0], for messages */
	unsigned char *buf; /* everything it printed that was collected */
	size_t len;         /* bytes in buf */
	size_t cap;         /* bytes allocated for buf */
};

/* Make the case's temp dir and start the guard (see above). */
void peer_env_init(void);

/*
 * Kill the peers still registered, remove the temp dir, stop the guard,
 * and check that the dir is gone. Peers should be released first.
 */
void peer_env_fini(void);

/* The case's temp dir, e.g. "/tmp/intr-interop.Ab12Cd". */
const char *peer_dir(void);

/* A fresh "ipc://<temp dir>/<n>.sock"; nothing is created. */
void peer_ipc_url(char *out, size_t len);

/*
 * A loopback TCP port nobody listens on right now (the kernel's pick for
 * 127.0.0.1:0), and the same as "tcp://127.0.0.1:<port>". Another process
 * may take the port before the peer binds it; the peer then exits with an
 * error and the case fails saying so.
 */
uint16_t peer_free_port(void);
void peer_tcp_url(char *out, size_t len);

/* Write len bytes of data to <temp dir>/name; its path goes to path. */
void peer_file(const char *name, const void *data, size_t len, char *path,
    size_t pathlen);

/*
 * Find tool in PATH; its full path goes to path. If it is missing, fail the
 * case with a message naming the Debian package that provides it.
 */
void peer_require(const char *tool, char *path, size_t pathlen);

/*
 * Spawn argv (argv[0] a tool name, found with peer_require) with stdin
 * from /dev/null, stdout into a pipe (peer_collect reads it) and stderr
 * shared with the test, so the peer's complaints land in the test log.
 */
void peer_spawn(struct peer *p, const char *const argv[]);

/* 1 if p has exited (then it is reaped and p->status is set), else 0. */
int peer_exited(struct peer *p);

/*
 * Wait up to limit_ms for p to exit by itself; kill it if it does not.
 * Returns its exit status, PEER_SIGNALED(sig), or PEER_TIMEOUT. Output is
 * not read meanwhile: collect first from a peer that prints a lot.
 */
int peer_wait(struct peer *p, int limit_ms);

/*
 * Read p's stdout into p->buf until it holds at least want bytes or p
 * closes its stdout (SIZE_MAX: read everything, up to EOF). Fails the case
 * if neither happens within PEER_LIMIT_MS. Returns p->len.
 */
size_t peer_collect(struct peer *p, size_t want);

/*
 * Kill p (SIGKILL) if it still runs, reap it, then read the rest of its
 * output: whatever it printed before it died ends up in p->buf.
 */
void peer_stop(struct peer *p);

/* peer_stop, then close the pipe and free the buffer. */
void peer_release(struct peer *p);

#endif /* INTR_TESTS_INTEROP_PEER_H */
