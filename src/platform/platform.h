/*
 * platform.h - the porting contract: everything core may ask of an OS.
 *
 * Core (src/core/) includes this header and no system header that only one
 * OS has. A port implements every function below in src/platform/<os>/.
 * Functions return 0 (or a count) on success and -errno on failure; none of
 * them reads or writes the caller's errno except where said.
 *
 * EINTR stance: only intr__plat_ppoll may report EINTR, and it must report it
 * every time a handler ran in the calling thread during the call, whatever
 * SA_RESTART says. Every other function here either never blocks or retries
 * an interrupted system call itself.
 *
 * fork stance: the library is usable in the child of a fork(). Descriptors
 * the parent created are shared with it, so core closes and forgets the ones
 * that carry wakeups (intr__plat_atfork_child) and makes fresh ones lazily.
 */
#ifndef INTR_PLATFORM_H
#define INTR_PLATFORM_H

#include <pthread.h>
#include <signal.h>
#include <stdint.h>

/* ---- Clock ------------------------------------------------------------ */

/* CLOCK_MONOTONIC in nanoseconds. Never fails, never blocks. */
int64_t intr__plat_now_ns(void);

/* ---- The masked wait -------------------------------------------------- */

/* Layout-compatible with struct pollfd on POSIX (checked by the backend). */
struct intr__pollfd {
	int fd;
	short events;
	short revents;
};

#define INTR__POLLIN 0x001
#define INTR__POLLOUT 0x004

/*
 * Wait until one of fds is ready, timeout_ns passes (-1: never; 0: just
 * look), or a signal handler runs in this thread. When mask is not NULL it
 * replaces the thread's mask atomically for the length of the wait, as
 * ppoll(2) does, so a pending signal it unblocks is delivered inside the call.
 * Returns the number of ready descriptors, 0 on timeout, -EINTR when a handler
 * ran, or another -errno. With n == 0 and timeout 0 it is the "gate": it
 * returns -EINTR exactly when mask unblocks a pending signal, which it
 * delivers, and 0 otherwise.
 */
int intr__plat_ppoll(struct intr__pollfd *fds, unsigned int n,
    int64_t timeout_ns, const sigset_t *mask);

/* ---- The notifier ----------------------------------------------------- */

/*
 * A counter with a descriptor that polls readable while it is not zero: an
 * eventfd on Linux, a pipe elsewhere. Used for semaphores, for the per-thread
 * parker and for intr_term(). rfd is polled; wfd is written.
 */
typedef struct intr__notify {
	int rfd;
	int wfd;
} intr__notify_t;

#define INTR__NOTIFY_NONE ((intr__notify_t){-1, -1})

/* Make a notifier at zero, close-on-exec and non-blocking. */
int intr__notify_open(intr__notify_t *n);

/* Add one. Async-signal-safe; never blocks. */
int intr__notify_post(const intr__notify_t *n);

/* Take one if the counter is not zero: 0, else -EAGAIN. Never blocks. */
int intr__notify_take(const intr__notify_t *n);

/* Close both descriptors (once) and reset n to INTR__NOTIFY_NONE. */
void intr__notify_close(intr__notify_t *n);

/* ---- Threads ---------------------------------------------------------- */

/*
 * Start a thread with every signal blocked. The mask is set in the creating
 * thread around pthread_create, so no signal can land on the new thread even
 * for an instant; the caller's mask is restored before returning.
 */
int intr__plat_thread_start(pthread_t *t, void *(*fn)(void *), void *arg);

/*
 * Run fn once per process (and again in a child after fork, see above) to
 * register at-fork and thread-exit hooks. Thin wrappers so core stays free
 * of OS calls.
 */
int intr__plat_atfork(void (*child)(void));
int intr__plat_key_create(pthread_key_t *key, void (*dtor)(void *));
int intr__plat_key_set(pthread_key_t key, void *value);

#endif /* INTR_PLATFORM_H */
