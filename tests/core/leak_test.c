/*
 * leak_test.c - descriptors come back: each thread that waits on a condition
 * holds one parker while it lives and gives it back when it exits (200
 * threads, in batches); 1000 semaphores that each made their notifier in a
 * sleeping wait give it back on destroy.
 */
#include <pthread.h>
#include <sched.h>

#include "ct.h"
#include "intr.h"
#include "runner.h"

#define BATCHES 20
#define BATCH 10

/* A crowd of threads asleep on one condition until their round is over. */
struct crowd {
	pthread_mutex_t m;
	intr_cond_t c;
	int ready; /* under m: members of this round that are waiting */
	int round; /* under m: the round now waiting */
};

struct member {
	pthread_t t;
	struct crowd *cr;
	int round;
	int rc;
};

static void *
member_main(void *arg)
{
	struct member *me = arg;
	struct crowd *cr = me->cr;

	CHECK_EQ(pthread_mutex_lock(&cr->m), 0);
	cr->ready++;
	me->rc = 0;
	while (me->rc == 0 && cr->round == me->round) {
		me->rc = intr_cond_wait(&cr->c, &cr->m);
	}
	CHECK_EQ(pthread_mutex_unlock(&cr->m), 0);
	return NULL;
}

/*
 * Once all members have counted themselves (under the mutex, which the wait
 * releases only after making the parker and linking), each holds a parker.
 */
static void
await_ready(struct crowd *cr, int n)
{
	int64_t until = it_now_ms() + CT_LIMIT_MS;

	for (;;) {
		CHECK_EQ(pthread_mutex_lock(&cr->m), 0);
		if (cr->ready == n) {
			return; /* locked */
		}
		CHECK_EQ(pthread_mutex_unlock(&cr->m), 0);
		CHECK_OP(it_now_ms(), <=, until);
		sched_yield();
	}
}

static void
run_round(struct crowd *cr, int round, int base, int per)
{
	struct member ms[BATCH];

	for (int i = 0; i < BATCH; i++) {
		ms[i] = (struct member){.cr = cr, .round = round};
		CHECK_EQ(pthread_create(&ms[i].t, NULL, member_main, &ms[i]),
		    0);
	}
	await_ready(cr, BATCH);
	CHECK_EQ(it_fd_count(), base + BATCH * per);
	cr->ready = 0;
	cr->round++;
	CHECK_OK(intr_cond_broadcast(&cr->c));
	CHECK_EQ(pthread_mutex_unlock(&cr->m), 0);
	for (int i = 0; i < BATCH; i++) {
		CHECK_EQ(pthread_join(ms[i].t, NULL), 0);
		CHECK_EQ(ms[i].rc, 0);
	}
	CHECK_EQ(it_fd_count(), base);
}

static void
t_parkers_come_and_go(void)
{
	struct crowd cr = {.ready = 0, .round = 0};
	int base, per = ct_notify_fds();

	ct_warm_up();
	ct_mutex_init_errcheck(&cr.m);
	CHECK_OK(intr_cond_init(&cr.c));
	base = it_fd_count();
	for (int round = 0; round < BATCHES; round++) {
		run_round(&cr, round, base, per);
	}
	CHECK_OK(intr_cond_destroy(&cr.c));
	CHECK_EQ(it_fd_count(), base);
}

/*
 * Each cycle's wait sleeps (the hook posts from inside it), so it makes the
 * notifier; destroy must close it. Then cycles whose wait ends without a
 * token (a deadline a millisecond away).
 */
static void
t_sem_cycles(void)
{
	int base, per = ct_notify_fds();
	intr_sem_t s;

	ct_warm_up();
	base = it_fd_count();
	for (int i = 0; i < 1000; i++) {
		CHECK_OK(intr_sem_init(&s, 0));
		ct_post_on_wait(&s);
		CHECK_OK(intr_sem_wait(&s));
		ct_post_on_wait(NULL);
		CHECK_EQ(it_fd_count(), base + per);
		CHECK_OK(intr_sem_destroy(&s));
		CHECK_EQ(it_fd_count(), base);
	}
	for (int i = 0; i < 100; i++) {
		CHECK_OK(intr_sem_init(&s, 0));
		CHECK_ERR(intr_sem_pwait(&s, intr_now() + 1, NULL), ETIMEDOUT);
		CHECK_OK(intr_sem_destroy(&s));
		CHECK_EQ(it_fd_count(), base);
	}
}

static const struct it_case cases[] = {
    {"parkers_come_and_go", t_parkers_come_and_go, 30},
    {"sem_cycles", t_sem_cycles, 30},
};
IT_MAIN(cases)
