/*
 * thread_test.c - threads the library starts (intr__plat_thread_start) are
 * born with every signal blocked, and the creator's mask is left as it was.
 *
 * "Every signal" is what the kernel reports for a thread that asked for a
 * full mask: glibc keeps two real-time signals of its own (32, 33) out of
 * any mask, so the expectation is read from such a thread, not written down.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>

#include "ct.h"
#include "platform/platform.h"
#include "runner.h"

struct probe {
	char sigblk[64]; /* SigBlk of the thread, as the kernel reports it */
	int ran;
};

static void *
report_mask(void *arg)
{
	struct probe *p = arg;

	it_task_status(it_gettid(), "SigBlk", p->sigblk, sizeof(p->sigblk));
	p->ran = 1;
	return NULL;
}

static void *
block_all_then_report(void *arg)
{
	sigset_t full;

	sigfillset(&full);
	CHECK_EQ(pthread_sigmask(SIG_SETMASK, &full, NULL), 0);
	return report_mask(arg);
}

/* What SigBlk reads for a thread whose mask is as full as it can be. */
static void
full_mask_text(char *out, size_t len)
{
	struct probe p = {.ran = 0};
	pthread_t t;

	CHECK_EQ(pthread_create(&t, NULL, block_all_then_report, &p), 0);
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK(p.ran);
	CHECK(p.sigblk[0] != '\0');
	snprintf(out, len, "%s", p.sigblk);
}

/*
 * The creator blocks one signal of its own (so "restored" means "restored to
 * this", not "emptied"), starts a library thread, and compares.
 */
static void
t_library_thread_blocks_all(void)
{
	char want[64], before_txt[64], after_txt[64];
	struct probe p = {.ran = 0};
	sigset_t before, after, unused;
	pthread_t t;

	full_mask_text(want, sizeof(want));
	it_block(SIGUSR2, &unused);
	ct_mask(&before);
	it_task_status(it_gettid(), "SigBlk", before_txt, sizeof(before_txt));
	CHECK_OK(intr__plat_thread_start(&t, report_mask, &p));
	ct_mask(&after);
	it_task_status(it_gettid(), "SigBlk", after_txt, sizeof(after_txt));
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK(p.ran);
	if (strcmp(p.sigblk, want) != 0) {
		it_fail(__FILE__, __LINE__, "library thread SigBlk %s, want %s",
		    p.sigblk, want);
	}
	CHECK(ct_sigset_equal(&before, &after));
	CHECK(sigismember(&after, SIGUSR2) == 1);
	CHECK(strcmp(before_txt, after_txt) == 0);
	CHECK(strcmp(before_txt, want) != 0); /* the creator was not full */
}

static void *
count_calls(void *arg)
{
	(*(int *)arg)++;
	return arg;
}

/* The thread runs fn(arg) and can be joined for its result. */
static void
t_library_thread_runs(void)
{
	pthread_t t;
	void *res;
	int n = 0;

	CHECK_OK(intr__plat_thread_start(&t, count_calls, &n));
	CHECK_EQ(pthread_join(t, &res), 0);
	CHECK(res == &n);
	CHECK_EQ(n, 1);
}

static const struct it_case cases[] = {
    {"library_thread_blocks_all", t_library_thread_blocks_all, 0},
    {"library_thread_runs", t_library_thread_runs, 0},
};
IT_MAIN(cases)
