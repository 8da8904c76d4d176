/*
 * sem.c - intr_sem_t, a counting semaphore whose waits follow libintr's
 * rules and whose post is async-signal-safe.
 *
 * Design notes. The count lives in one atomic word: a positive value is the
 * number of tokens; a negative value is minus the number of waiters that
 * have announced themselves and are owed a token. A waiter that finds no
 * token decrements the count (announcing itself) and sleeps on the
 * semaphore's notifier. A post that finds the count negative has committed
 * its token to some waiter, and posts the notifier; any announced waiter may
 * take it, tokens are interchangeable.
 *
 * A wait that ends without a token (EINTR, ETIMEDOUT, ETERM) must withdraw
 * its announcement. It may only do so while the count is still negative:
 * then more waiters are announced than tokens are on their way, and one of
 * them can leave without taking anything. If the count is not negative, every
 * announced waiter, this one included, has a token coming, so the wait takes
 * it and reports success: woken wins over interrupted, and nothing is lost.
 *
 * The notifier is made on the first wait that has to sleep, never by init,
 * so semaphores that never block cost no descriptor. Racing waiters each make
 * one and the first to publish it wins; a post only reads it after seeing a
 * negative count, i.e. after a waiter published it.
 *
 * fork(): a child's copy of a semaphore must be independent of the parent's,
 * as a sem_t's is, but a notifier made before the fork is shared with the
 * parent. The notifier records the fork generation it was made in (init.h);
 * the first call in a child that finds an older one adopts the semaphore: it
 * closes the child's copy of the descriptors, and clamps the count to zero,
 * since the parent's announced waiters do not exist in the child. Calls that
 * meet an adoption in progress (BUSY) wait for it; it is a few instructions
 * and one close.
 */
#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>

#include "errors.h"
#include "init.h"
#include "intr.h"
#include "platform/platform.h"
#include "wait.h"

#define SEM_MAGIC 0x53454d31u /* "SEM1" */
#define SEM_DEAD 0x64656164u
#define NFY_NONE ((int64_t)-1)
#define NFY_BUSY ((int64_t)-2) /* a forked child is adopting the semaphore */

struct sem {
	uint32_t magic;
	_Atomic unsigned int gen; /* fork generation nfy was made in */
	_Atomic int64_t count;
	_Atomic int64_t nfy; /* packed notifier, NFY_NONE or NFY_BUSY */
};

_Static_assert(sizeof(struct sem) <= sizeof(intr_sem_t), "intr_sem_t size");
_Static_assert(_Alignof(struct sem) <= _Alignof(intr_sem_t), "alignment");

static int64_t
nfy_pack(intr__notify_t n)
{
	return (int64_t)((uint64_t)(uint32_t)n.rfd << 32 | (uint32_t)n.wfd);
}

static intr__notify_t
nfy_unpack(int64_t v)
{
	return (intr__notify_t){(int)(v >> 32), (int)(uint32_t)v};
}

/* Make a semaphore copied from a parent process this process's own. */
static void
sem_adopt(struct sem *p)
{
	int64_t v = atomic_load(&p->nfy), c;
	intr__notify_t n;

	for (;;) {
		if (v == NFY_NONE ||
		    (v != NFY_BUSY &&
			atomic_load(&p->gen) == intr__fork_gen())) {
			return;
		}
		if (v == NFY_BUSY) {
			v = atomic_load(&p->nfy);
		} else if (atomic_compare_exchange_weak(&p->nfy, &v,
			       NFY_BUSY)) {
			break;
		}
	}
	n = nfy_unpack(v);
	intr__notify_close(&n); /* our copies; the parent keeps its own */
	c = atomic_load(&p->count);
	while (c < 0 && !atomic_compare_exchange_weak(&p->count, &c, 0)) {
	}
	atomic_store(&p->nfy, NFY_NONE);
}

/* The semaphore behind s, ready for this process; NULL if s is not one. */
static struct sem *
sem_get(intr_sem_t *s)
{
	struct sem *p = (struct sem *)(void *)s;

	if (p == NULL || p->magic != SEM_MAGIC) {
		return NULL;
	}
	sem_adopt(p);
	return p;
}

/* Take a token if there is one, without announcing: 1 if taken. */
static int
sem_take(struct sem *p)
{
	int64_t c = atomic_load(&p->count);

	while (c > 0) {
		if (atomic_compare_exchange_weak(&p->count, &c, c - 1)) {
			return 1;
		}
	}
	return 0;
}

/* Leave without a token if one is not already on its way: 1 if left. */
static int
sem_withdraw(struct sem *p)
{
	int64_t c = atomic_load(&p->count);

	while (c < 0) {
		if (atomic_compare_exchange_weak(&p->count, &c, c + 1)) {
			return 1;
		}
	}
	return 0;
}

static int
sem_notifier(struct sem *p, intr__notify_t *out)
{
	int64_t cur = atomic_load(&p->nfy);
	intr__notify_t n;
	int rc;

	if (cur == NFY_NONE) {
		/* init registers the at-fork hook that moves the generation. */
		if ((rc = intr__init()) != 0 ||
		    (rc = intr__notify_open(&n)) != 0) {
			return rc;
		}
		atomic_store(&p->gen, intr__fork_gen());
		if (atomic_compare_exchange_strong(&p->nfy, &cur,
			nfy_pack(n))) {
			cur = nfy_pack(n);
		} else {
			intr__notify_close(&n); /* another waiter won */
		}
	}
	*out = nfy_unpack(cur);
	return 0;
}

/*
 * A token is committed to us: take it. The poster is between its count
 * update and its notifier post, so this wait is short and must not be
 * abandoned; it is the one wait that does not go through intr__wait.
 */
static void
sem_take_committed(const intr__notify_t *n)
{
	struct intr__pollfd pfd = {n->rfd, INTR__POLLIN, 0};

	while (intr__notify_take(n) != 0) {
		(void)intr__plat_ppoll(&pfd, 1, -1, NULL);
	}
}

static int
sem_sleep(struct sem *p, int64_t deadline, const sigset_t *mask)
{
	struct intr__pollfd fds[2];
	intr__notify_t n;
	int rc;

	if ((rc = sem_notifier(p, &n)) != 0) {
		return rc;
	}
	if (atomic_fetch_sub(&p->count, 1) > 0) {
		return 0; /* a token arrived meanwhile */
	}
	for (;;) {
		fds[0] = (struct intr__pollfd){n.rfd, INTR__POLLIN, 0};
		rc = intr__wait(fds, 2, deadline, mask);
		if (rc > 0) {
			if (intr__notify_take(&n) == 0) {
				return 0;
			}
			continue; /* another announced waiter took it */
		}
		if (sem_withdraw(p)) {
			return rc;
		}
		sem_take_committed(&n);
		return 0;
	}
}

static int
sem_pwait(intr_sem_t *s, int64_t deadline, const sigset_t *mask)
{
	struct sem *p = sem_get(s);
	int rc;

	if (p == NULL) {
		return -EINVAL;
	}
	if ((rc = intr__wait_enter(deadline, mask)) != 0) {
		return rc;
	}
	if (sem_take(p)) {
		return 0;
	}
	if (intr__wait_timeout_ns(deadline) == 0) {
		return -ETIMEDOUT;
	}
	return sem_sleep(p, deadline, mask);
}

int
intr_sem_init(intr_sem_t *s, unsigned int value)
{
	struct sem *p = (struct sem *)(void *)s;

	if (p == NULL || value > INTR_SEM_VALUE_MAX) {
		return intr__ret(-EINVAL);
	}
	p->magic = SEM_MAGIC;
	atomic_init(&p->gen, 0);
	atomic_init(&p->count, (int64_t)value);
	atomic_init(&p->nfy, NFY_NONE);
	return 0;
}

int
intr_sem_destroy(intr_sem_t *s)
{
	struct sem *p = sem_get(s);
	intr__notify_t n;
	int64_t v;

	if (p == NULL) {
		return intr__ret(-EINVAL);
	}
	if (atomic_load(&p->count) < 0) {
		return intr__ret(-EBUSY);
	}
	if ((v = atomic_load(&p->nfy)) != NFY_NONE) {
		n = nfy_unpack(v);
		intr__notify_close(&n);
	}
	p->magic = SEM_DEAD;
	return 0;
}

int
intr_sem_post(intr_sem_t *s)
{
	struct sem *p = sem_get(s);
	intr__notify_t n;
	int64_t c;

	if (p == NULL) {
		return intr__ret(-EINVAL);
	}
	c = atomic_load(&p->count);
	do {
		if (c >= INTR_SEM_VALUE_MAX) {
			return intr__ret(-EOVERFLOW);
		}
	} while (!atomic_compare_exchange_weak(&p->count, &c, c + 1));
	if (c < 0) {
		n = nfy_unpack(atomic_load(&p->nfy));
		return intr__ret(intr__notify_post(&n));
	}
	return 0;
}

int
intr_sem_trywait(intr_sem_t *s)
{
	struct sem *p = sem_get(s);

	if (p == NULL) {
		return intr__ret(-EINVAL);
	}
	if (intr__wait_enter(INTR_NOW, NULL) != 0) {
		return intr__ret(-ETERM);
	}
	return sem_take(p) ? 0 : intr__ret(-EAGAIN);
}

int
intr_sem_wait(intr_sem_t *s)
{
	return intr__ret(sem_pwait(s, INTR_FOREVER, NULL));
}

int
intr_sem_pwait(intr_sem_t *s, int64_t deadline, const sigset_t *mask)
{
	return intr__ret(sem_pwait(s, deadline, mask));
}
