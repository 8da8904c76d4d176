/*
 * intr.h - libintr, a messaging library whose every blocking call is
 * signal-correct.
 *
 * The rules every blocking function here follows:
 *   1. A caught signal during a blocking wait makes the call fail with -1 and
 *      errno EINTR, whether or not the handler has SA_RESTART.
 *   2. Each blocking call has a "p" form taking an absolute deadline and a
 *      signal mask that is applied atomically for the length of the call. A
 *      signal pending on entry that the mask unblocks is delivered and the
 *      call fails with EINTR, even when it could complete at once.
 *   3. A call that fails with EINTR has taken nothing. A wait that was both
 *      woken and interrupted reports success.
 *   4. The library installs no signal handler, opens no signalfd and changes
 *      the caller's mask only atomically inside a "p" call.
 *   5. Every blocking call can time out (ETIMEDOUT), on CLOCK_MONOTONIC.
 *
 * Errors follow POSIX: -1 (or NULL) with errno set. See docs/man/ for one
 * page per function.
 */
#ifndef INTR_H
#define INTR_H

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* sigset_t and pthread_mutex_t are POSIX types, hidden by a strict -std=c11. */
#if !defined(_POSIX_C_SOURCE) && !defined(__cplusplus)
#error "intr.h needs POSIX: use -std=gnu11 or -D_POSIX_C_SOURCE=200809L"
#endif

#ifdef __cplusplus
extern "C" {
#endif

#if defined(INTR_STATIC_DEFINE)
#define INTR_API
#elif defined(__GNUC__)
#define INTR_API __attribute__((visibility("default")))
#else
#define INTR_API
#endif

#define INTR_VERSION_MAJOR 0
#define INTR_VERSION_MINOR 1
#define INTR_VERSION_PATCH 0
/* One number that grows with every release: 0.1.0 is 100. */
#define INTR_VERSION                                                           \
	(INTR_VERSION_MAJOR * 10000 + INTR_VERSION_MINOR * 100 +               \
	    INTR_VERSION_PATCH)

/* The version of the library actually linked, as "MAJOR.MINOR.PATCH". */
INTR_API const char *intr_version(void);

/*
 * Error numbers the system lacks. The values are nanomsg's, so that code
 * ported from nanomsg that compares errno numerically keeps working.
 */
#define INTR_HAUSNUMERO 156384712
#ifndef ETERM
#define ETERM (INTR_HAUSNUMERO + 53) /* the library was shut down */
#endif
#ifndef EFSM
#define EFSM (INTR_HAUSNUMERO + 54) /* operation not valid in this state */
#endif

/* Like strerror(3), and also knows ETERM and EFSM. Never returns NULL. */
INTR_API const char *intr_strerror(int errnum);

/*
 * Time. intr_now() is CLOCK_MONOTONIC in milliseconds. Every deadline in the
 * library is an absolute value on this clock; INTR_FOREVER never expires and
 * INTR_NOW (0) means "do not block". A caller that retries after EINTR passes
 * the same deadline again and so does not start its timeout over.
 */
#define INTR_FOREVER ((int64_t)-1)
#define INTR_NOW ((int64_t)0)
INTR_API int64_t intr_now(void);

/*
 * Shut the library down: from this call on, every blocked and every later
 * wait of the library, in any thread, fails with ETERM. Async-signal-safe and
 * thread-safe; meant to be called from a signal handler to wake all threads.
 */
INTR_API void intr_term(void);

/*
 * Semaphore. Caller-allocated; the layout is private. intr_sem_post is
 * async-signal-safe, like sem_post(3).
 */
typedef struct intr_sem {
	union {
		unsigned char reserved[64];
		int64_t align_;
	} u_;
} intr_sem_t;

/* The largest value a semaphore can hold. */
#define INTR_SEM_VALUE_MAX 0x7fffffff

INTR_API int intr_sem_init(intr_sem_t *s, unsigned int value);
INTR_API int intr_sem_destroy(intr_sem_t *s);
INTR_API int intr_sem_post(intr_sem_t *s);
INTR_API int intr_sem_wait(intr_sem_t *s);
INTR_API int intr_sem_trywait(intr_sem_t *s);
INTR_API int intr_sem_pwait(intr_sem_t *s, int64_t deadline,
    const sigset_t *mask);

/*
 * Condition variable, used with a pthread_mutex_t like pthread_cond_t but
 * interruptible. Every return, EINTR and ETIMEDOUT included, comes back with
 * the mutex locked. Spurious wakeups are allowed: wait in a loop on a
 * predicate.
 */
typedef struct intr_cond {
	union {
		unsigned char reserved[128];
		int64_t align_;
	} u_;
} intr_cond_t;

/* pthread_mutex_t comes from <sys/types.h>, as POSIX specifies. */
INTR_API int intr_cond_init(intr_cond_t *c);
INTR_API int intr_cond_destroy(intr_cond_t *c);
INTR_API int intr_cond_signal(intr_cond_t *c);
INTR_API int intr_cond_broadcast(intr_cond_t *c);

INTR_API int intr_cond_wait(intr_cond_t *c, pthread_mutex_t *m);
INTR_API int intr_cond_pwait(intr_cond_t *c, pthread_mutex_t *m,
    int64_t deadline, const sigset_t *mask);

#ifdef __cplusplus
}
#endif

#endif /* INTR_H */
