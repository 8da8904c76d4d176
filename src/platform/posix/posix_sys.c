/*
 * posix_sys.c - the system-call table (see posix_sys.h for why it exists).
 */
#include "posix_sys.h"

#include <poll.h>
#include <unistd.h>

#include "../platform.h"

#if defined(__linux__)
#include <sys/eventfd.h>
#define SYS_EVENTFD eventfd
#else
#define SYS_EVENTFD NULL
#endif

const struct intr__sys intr__sys_real = {
    .ppoll = ppoll,
    .read = read,
    .write = write,
    .close = close,
    .eventfd = SYS_EVENTFD,
    .pipe2 = pipe2,
};

struct intr__sys intr__sys = {
    .ppoll = ppoll,
    .read = read,
    .write = write,
    .close = close,
    .eventfd = SYS_EVENTFD,
    .pipe2 = pipe2,
};

void
intr__sys_override(const struct intr__sys *table)
{
	intr__sys = table != NULL ? *table : intr__sys_real;
}
