/*
 * runner.h - the test runner: each case in its own forked process, with a
 * time limit, so that one hang, crash or stray handler cannot poison the
 * next case. Ends with "N passed, N failed".
 *
 *	static void t_post_wakes(void) { ... CHECK(...); ... }
 *	static const struct it_case cases[] = {
 *		{"post_wakes", t_post_wakes, 0},
 *	};
 *	IT_MAIN(cases)
 *
 * A case passes when its function returns. A failed CHECK prints where and
 * why, then exits the case's process with status 1. `./test NAME...` runs
 * only the named cases.
 */
#ifndef INTR_TEST_RUNNER_H
#define INTR_TEST_RUNNER_H

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct it_case {
	const char *name;
	void (*fn)(void);
	int timeout_s; /* 0: the default, 10 s */
};

int it_main(const struct it_case *cases, size_t n, int argc, char **argv);

#define IT_MAIN(cases)                                                         \
	int main(int argc, char **argv)                                        \
	{                                                                      \
		return it_main(cases, sizeof(cases) / sizeof(cases[0]), argc,  \
		    argv);                                                     \
	}

/* ---- Assertions: print both sides and errno, then fail the case. ------ */

void it_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 3, 4)));

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			it_fail(__FILE__, __LINE__,                            \
			    "CHECK(%s) (errno %d: %s)", #cond, errno,          \
			    strerror(errno));                                  \
		}                                                              \
	} while (0)

#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		long long a_ = (long long)(a), b_ = (long long)(b);            \
		if (a_ != b_) {                                                \
			it_fail(__FILE__, __LINE__,                            \
			    "%s == %s: %lld != %lld (errno %d: %s)", #a, #b,   \
			    a_, b_, errno, strerror(errno));                   \
		}                                                              \
	} while (0)

/* Relations: CHECK_OP(x, <=, 100) prints both values when false. */
#define CHECK_OP(a, op, b)                                                     \
	do {                                                                   \
		long long a_ = (long long)(a), b_ = (long long)(b);            \
		if (!(a_ op b_)) {                                             \
			it_fail(__FILE__, __LINE__, "%s %s %s: %lld vs %lld",  \
			    #a, #op, #b, a_, b_);                              \
		}                                                              \
	} while (0)

/* The call must succeed (return 0). */
#define CHECK_OK(call)                                                         \
	do {                                                                   \
		errno = 0;                                                     \
		long long r_ = (long long)(call);                              \
		if (r_ != 0) {                                                 \
			it_fail(__FILE__, __LINE__,                            \
			    "%s returned %lld (errno %d: %s)", #call, r_,      \
			    errno, strerror(errno));                           \
		}                                                              \
	} while (0)

/* The call must fail with -1 and errno == e. */
#define CHECK_ERR(call, e)                                                     \
	do {                                                                   \
		errno = 0;                                                     \
		long long r_ = (long long)(call);                              \
		int e_ = errno;                                                \
		if (r_ != -1 || e_ != (e)) {                                   \
			it_fail(__FILE__, __LINE__,                            \
			    "%s: want -1/%s, got %lld/errno %d (%s)", #call,   \
			    #e, r_, e_, strerror(e_));                         \
		}                                                              \
	} while (0)

/* ---- Helpers shared by the tests. -------------------------------------- */

/* How a handler is installed: the three ways the rules must hold for. */
enum it_handler_kind {
	IT_SIGNAL,       /* signal(): glibc adds SA_RESTART */
	IT_SA_RESTART,   /* sigaction with SA_RESTART */
	IT_SA_NORESTART, /* sigaction without it */
};
extern const char *const it_handler_names[3];

/* Counts deliveries of every signal; reset by it_handle. */
extern volatile sig_atomic_t it_signal_count;

/* Install a counting handler for sig the given way. */
void it_handle(int sig, enum it_handler_kind kind);

/* Install handler (or SIG_IGN, SIG_DFL) for sig the given way. */
void it_set_handler(int sig, enum it_handler_kind kind, void (*handler)(int));

/* Block sig in this thread; the previous mask goes to *old. */
void it_block(int sig, sigset_t *old);

/* The number of open descriptors of this process. */
int it_fd_count(void);

/* A field of /proc/self/status (e.g. "SigCgt"), as text; "" if absent. */
void it_proc_status(const char *field, char *out, size_t len);

/* The same for one thread: /proc/self/task/<tid>/status. */
void it_task_status(pid_t tid, const char *field, char *out, size_t len);

/* The kernel state letter of thread tid (R, S, D, ...), from /proc. */
char it_thread_state(pid_t tid);

/*
 * Wait (without sleeping a fixed time) until thread tid is asleep in the
 * kernel, i.e. blocked in its wait. Fails the case after 5 s.
 */
void it_wait_asleep(pid_t tid);

/* This thread's kernel id. */
pid_t it_gettid(void);

/* CLOCK_MONOTONIC, independent of the library. */
int64_t it_now_ms(void);
int64_t it_now_ns(void);

/* Busy-wait us microseconds: a sleep would round up to the timer slack. */
void it_spin_us(int us);

/*
 * A seed for a test's random choices: $INTR_TEST_SEED if set, else from the
 * clock. Printed, so a failing run can be replayed. Never 0.
 */
uint64_t it_seed(void);

/* The next number of a xorshift sequence (state must not be 0). */
uint64_t it_rand(uint64_t *state);

#endif /* INTR_TEST_RUNNER_H */
