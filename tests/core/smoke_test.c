/* Placeholder replaced by the core test battery. */
#include "intr.h"
#include "runner.h"

static void
t_version(void)
{
	CHECK(strcmp(intr_version(), "0.1.0") == 0);
}

static void
t_fail_demo(void)
{
	intr_sem_t s;

	CHECK_OK(intr_sem_init(&s, 0));
	CHECK_ERR(intr_sem_trywait(&s), EAGAIN);
}

static const struct it_case cases[] = {
    {"version", t_version, 0},
    {"trywait_empty", t_fail_demo, 0},
};
IT_MAIN(cases)
