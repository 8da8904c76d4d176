/*
 * posix_sys.h - the system-call table, seen by the POSIX backend and by tests.
 *
 * Every system call of the library that can block, fail with EINTR or move
 * fewer bytes than asked goes through intr__sys. The table costs one indirect
 * call and gives tests a seam to inject faults at any call site; it is the
 * same in every build, so the tests exercise what ships.
 */
#ifndef INTR_POSIX_SYS_H
#define INTR_POSIX_SYS_H

#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

struct intr__sys {
	int (*ppoll)(struct pollfd *, nfds_t, const struct timespec *,
	    const sigset_t *);
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*write)(int, const void *, size_t);
	int (*close)(int);
	int (*eventfd)(unsigned int, int);
	int (*pipe2)(int[2], int);
};

/* The live table. Backend code calls through it; nothing else writes it. */
extern struct intr__sys intr__sys;

/*
 * Tests only: replace the table (NULL restores the system's calls). Not
 * thread-safe; call it while no other thread is inside the library.
 */
void intr__sys_override(const struct intr__sys *table);

/* Tests only: the system's own calls, for wrappers that forward to them. */
extern const struct intr__sys intr__sys_real;

#endif /* INTR_POSIX_SYS_H */
