/*
 * posix_clock.c - CLOCK_MONOTONIC for the library's deadlines.
 */
#include <time.h>

#include "../platform.h"

int64_t
intr__plat_now_ns(void)
{
	struct timespec ts;

	/* Cannot fail for CLOCK_MONOTONIC with a valid pointer. */
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
