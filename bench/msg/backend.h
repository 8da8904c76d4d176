/*
 * backend.h - the contract between the messaging benchmark's driver
 * (driver.c) and one messaging library. Every bench_<lib> executable is
 * driver.c linked with exactly one bench_<lib>.c, which defines the one
 * object `bench_backend` below. One library per executable is a rule, not a
 * convenience: libnng also exports nanomsg's nn_* names, so a binary linking
 * both would answer nn_socket() from whichever library the loader met first.
 * The driver proves which file answered (dladdr) before it measures.
 *
 * Sockets are used by at most one thread at a time; the driver hands a
 * socket to another thread only through pthread_create or pthread_join,
 * which order memory, so no backend needs a lock of its own (libzmq's
 * sockets are not thread-safe, and this rule is what it asks for).
 *
 * Every function returns 0 (or a length) on success and -errno on failure,
 * as inside libintr; the driver reports and exits.
 */
#ifndef BENCH_MSG_BACKEND_H
#define BENCH_MSG_BACKEND_H

#include <stddef.h>
#include <sys/types.h>

/* The protocol a socket speaks; PUSH and PULL only ever meet each other. */
enum bench_role {
	BENCH_PUSH,
	BENCH_PULL,
	BENCH_PAIR,
};

/* A backend's socket; each backend defines the struct. */
struct bench_sock;

/* Longest URL a backend is handed or hands back, NUL included. */
#define BENCH_URL_MAX 256

struct bench_backend {
	/* Short name, the first column of the TSV line: "zmq", "nng". */
	const char *name;

	/*
	 * A function the library exports, looked up by name with dlsym and
	 * resolved to a file with dladdr; the path must contain lib_file
	 * ("libzmq.so") or the driver refuses to run. NULL for a backend
	 * that is only the C library (raw).
	 */
	const char *probe_symbol;
	const char *lib_file;

	/* The library's version as it reports it at run time (or built). */
	const char *(*version)(void);

	/* A new socket of the given role, or NULL with errno set. */
	struct bench_sock *(*open)(enum bench_role role);

	/*
	 * Listen on url ("tcp://127.0.0.1:0", "ipc:///tmp/x.sock",
	 * "inproc://name") and write to peer_url the URL a peer must
	 * connect to: the same, except that port 0 becomes the port the
	 * kernel chose. Does not wait for the peer.
	 */
	int (*bind)(struct bench_sock *s, const char *url, char *peer_url,
	    size_t peer_len);

	/* Connect to a URL a bind returned; the listener exists already. */
	int (*connect)(struct bench_sock *s, const char *url);

	/* Send one message of len bytes, blocking until it is accepted. */
	int (*send)(struct bench_sock *s, const void *buf, size_t len);

	/*
	 * Receive one message into buf, blocking; returns its length, which
	 * may exceed cap when the message did not fit (the driver checks).
	 * A backend without framing (raw PAIR) fills exactly cap bytes.
	 */
	ssize_t (*recv)(struct bench_sock *s, void *buf, size_t cap);

	/* Close the socket; pending messages may be dropped. */
	void (*close)(struct bench_sock *s);

	/* Called once before exit, after every close; may be NULL. */
	void (*fini)(void);
};

/* Defined by the one bench_<lib>.c linked into the executable. */
extern const struct bench_backend bench_backend;

/*
 * For backends whose library cannot bind port 0 and say which port it got:
 * a TCP port on 127.0.0.1 that was free a moment ago (0 on failure). Another
 * process could take it in between; on a loopback benchmark that is rare,
 * and the bind then fails loudly rather than measuring the wrong thing.
 */
int bench_free_port(void);

/* The port of a "tcp://host:port" URL, or -1 when url is not one. */
int bench_url_port(const char *url);

#endif
