/*
 * badinput_test.c - bad input is EINVAL, never a crash or a hang: every
 * public function given NULL, a zero-filled (never initialised) object or a
 * destroyed one; deadlines below -1; init values past the maximum. Also the
 * two functions that take no object: intr_strerror and intr_version.
 */
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "ct.h"
#include "intr.h"
#include "runner.h"

/* Every call on s but init fails with EINVAL. */
static void
sem_calls_einval(intr_sem_t *s)
{
	sigset_t cur;

	ct_mask(&cur);
	CHECK_ERR(intr_sem_post(s), EINVAL);
	CHECK_ERR(intr_sem_trywait(s), EINVAL);
	CHECK_ERR(intr_sem_wait(s), EINVAL);
	CHECK_ERR(intr_sem_pwait(s, INTR_NOW, NULL), EINVAL);
	CHECK_ERR(intr_sem_pwait(s, INTR_FOREVER, &cur), EINVAL);
	CHECK_ERR(intr_sem_destroy(s), EINVAL);
}

/* Every call on c but init fails with EINVAL; m is a valid, held mutex. */
static void
cond_calls_einval(intr_cond_t *c, pthread_mutex_t *m)
{
	sigset_t cur;

	ct_mask(&cur);
	CHECK_ERR(intr_cond_signal(c), EINVAL);
	CHECK_ERR(intr_cond_broadcast(c), EINVAL);
	CHECK_ERR(intr_cond_wait(c, m), EINVAL);
	CHECK_ERR(intr_cond_pwait(c, m, INTR_NOW, NULL), EINVAL);
	CHECK_ERR(intr_cond_pwait(c, m, INTR_FOREVER, &cur), EINVAL);
	CHECK_ERR(intr_cond_destroy(c), EINVAL);
	CHECK_EQ(pthread_mutex_unlock(m), 0); /* still ours */
	CHECK_EQ(pthread_mutex_lock(m), 0);
}

static void
t_null(void)
{
	pthread_mutex_t m;
	intr_cond_t c;

	ct_mutex_init_errcheck(&m);
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	CHECK_ERR(intr_sem_init(NULL, 0), EINVAL);
	sem_calls_einval(NULL);
	CHECK_ERR(intr_cond_init(NULL), EINVAL);
	cond_calls_einval(NULL, &m);

	/* A valid condition with a NULL mutex. */
	CHECK_OK(intr_cond_init(&c));
	CHECK_ERR(intr_cond_wait(&c, NULL), EINVAL);
	CHECK_ERR(intr_cond_pwait(&c, NULL, INTR_FOREVER, NULL), EINVAL);
	CHECK_OK(intr_cond_destroy(&c));
}

static void
t_zeroed(void)
{
	pthread_mutex_t m;
	intr_sem_t s;
	intr_cond_t c;

	memset(&s, 0, sizeof(s));
	memset(&c, 0, sizeof(c));
	ct_mutex_init_errcheck(&m);
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	sem_calls_einval(&s);
	cond_calls_einval(&c, &m);
}

static void
t_destroyed(void)
{
	pthread_mutex_t m;
	intr_sem_t s;
	intr_cond_t c;

	CHECK_OK(intr_sem_init(&s, 1));
	CHECK_OK(intr_sem_destroy(&s));
	sem_calls_einval(&s);
	CHECK_OK(intr_cond_init(&c));
	CHECK_OK(intr_cond_destroy(&c));
	ct_mutex_init_errcheck(&m);
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	cond_calls_einval(&c, &m);
}

/*
 * A second destroy of a semaphore that had made its descriptor must not
 * close it again: by then the number may belong to someone else.
 */
static void
t_destroy_twice_keeps_fds(void)
{
	intr_sem_t s;
	int fd;

	CHECK_OK(intr_sem_init(&s, 0));
	ct_post_on_wait(&s);
	CHECK_OK(intr_sem_wait(&s)); /* sleeps: makes the descriptor */
	ct_post_on_wait(NULL);
	CHECK_OK(intr_sem_destroy(&s));
	CHECK((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0);
	CHECK_ERR(intr_sem_destroy(&s), EINVAL);
	CHECK_ERR(intr_sem_wait(&s), EINVAL);
	CHECK(fcntl(fd, F_GETFD) != -1);
	CHECK_OK(close(fd));
}

/* A deadline below -1 is EINVAL, before any token is taken. */
static void
t_bad_deadline(void)
{
	pthread_mutex_t m;
	intr_sem_t s;
	intr_cond_t c;
	sigset_t cur;

	ct_mask(&cur);
	CHECK_OK(intr_sem_init(&s, 1));
	CHECK_ERR(intr_sem_pwait(&s, -2, NULL), EINVAL);
	CHECK_ERR(intr_sem_pwait(&s, INT64_MIN, &cur), EINVAL);
	CHECK_OK(intr_sem_trywait(&s)); /* the token is still there */
	CHECK_OK(intr_sem_destroy(&s));

	ct_mutex_init_errcheck(&m);
	CHECK_OK(intr_cond_init(&c));
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	CHECK_ERR(intr_cond_pwait(&c, &m, -2, NULL), EINVAL);
	CHECK_ERR(intr_cond_pwait(&c, &m, INT64_MIN, &cur), EINVAL);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	CHECK_OK(intr_cond_destroy(&c));
}

static void
t_init_too_big(void)
{
	intr_sem_t s;

	CHECK_ERR(intr_sem_init(&s, (unsigned)INTR_SEM_VALUE_MAX + 1), EINVAL);
	CHECK_ERR(intr_sem_init(&s, UINT_MAX), EINVAL);
	CHECK_OK(intr_sem_init(&s, INTR_SEM_VALUE_MAX));
	CHECK_OK(intr_sem_destroy(&s));
}

/* Copy intr_strerror(e): strerror may reuse one buffer for all unknowns. */
static void
message(int e, char *out, size_t len)
{
	const char *p = intr_strerror(e);

	CHECK(p != NULL);
	CHECK(p[0] != '\0');
	snprintf(out, len, "%s", p);
}

/*
 * Never NULL, whatever the number; ETERM and EFSM have messages of their
 * own, and a system errno has the system's.
 */
static void
t_strerror(void)
{
	static const int nums[] = {ETERM, EFSM, EINVAL, EINTR, 0, -1, 123456789,
	    INTR_HAUSNUMERO + 999, INT_MAX, INT_MIN};
	char term[256], fsm[256], unknown[256], inval[256];

	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		message(nums[i], inval, sizeof(inval));
	}
	message(ETERM, term, sizeof(term));
	message(EFSM, fsm, sizeof(fsm));
	message(INTR_HAUSNUMERO + 999, unknown, sizeof(unknown));
	message(EINVAL, inval, sizeof(inval));
	CHECK(strcmp(term, fsm) != 0);
	CHECK(strcmp(term, unknown) != 0);
	CHECK(strcmp(fsm, unknown) != 0);
	CHECK(strcmp(inval, strerror(EINVAL)) == 0);
}

/* The linked library's version is the header's. */
static void
t_version(void)
{
	char want[64];

	snprintf(want, sizeof(want), "%d.%d.%d", INTR_VERSION_MAJOR,
	    INTR_VERSION_MINOR, INTR_VERSION_PATCH);
	CHECK(intr_version() != NULL);
	CHECK(strcmp(intr_version(), want) == 0);
	CHECK_EQ(INTR_VERSION,
	    INTR_VERSION_MAJOR * 10000 + INTR_VERSION_MINOR * 100 +
		INTR_VERSION_PATCH);
}

static const struct it_case cases[] = {
    {"null", t_null, 0},
    {"zeroed", t_zeroed, 0},
    {"destroyed", t_destroyed, 0},
    {"destroy_twice_keeps_fds", t_destroy_twice_keeps_fds, 0},
    {"bad_deadline", t_bad_deadline, 0},
    {"init_too_big", t_init_too_big, 0},
    {"strerror", t_strerror, 0},
    {"version", t_version, 0},
};
IT_MAIN(cases)
