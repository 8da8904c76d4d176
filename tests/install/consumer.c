/*
 * consumer.c - a program that uses an installed libintr the way a user's
 * would: the header found through the include path, the library through
 * pkg-config or CMake. It checks that header and library agree and that a
 * few calls behave, and prints what it linked.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <intr.h>

static int
sem_works(void)
{
	intr_sem_t s;

	if (intr_sem_init(&s, 1) != 0 || intr_sem_trywait(&s) != 0) {
		return 0;
	}
	/* A deadline 10 ms away with no token: the wait must time out. */
	if (intr_sem_pwait(&s, intr_now() + 10, NULL) != -1 ||
	    errno != ETIMEDOUT) {
		return 0;
	}
	return intr_sem_destroy(&s) == 0;
}

int
main(void)
{
	char want[32];

	snprintf(want, sizeof(want), "%d.%d.%d", INTR_VERSION_MAJOR,
	    INTR_VERSION_MINOR, INTR_VERSION_PATCH);
	if (strcmp(intr_version(), want) != 0) {
		fprintf(stderr, "consumer: header %s, library %s\n", want,
		    intr_version());
		return 1;
	}
	if (!sem_works()) {
		fprintf(stderr, "consumer: semaphore: %s\n",
		    intr_strerror(errno));
		return 1;
	}
	printf("consumer: libintr %s works\n", intr_version());
	return 0;
}
