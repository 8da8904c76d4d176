/*
 * cond.c - intr_cond_t, a condition variable whose waits follow libintr's
 * rules (pthread_cond_wait never returns EINTR, so it cannot serve).
 *
 * Design notes. Each waiting thread puts a node on the condition's list and
 * sleeps on its own parker (parker.c). The node's state says who decides its
 * fate: it starts WAITING, and whichever side moves it first wins. signal
 * takes the first node off the list under the condition's lock and moves it
 * to WOKEN; broadcast does so for every node. The parkers are posted after
 * the lock is released, so a broadcast does not hold it across one system
 * call per waiter. A waiter that wakes for any other reason (EINTR,
 * ETIMEDOUT, ETERM) tries to move its node to LEFT: if that works, nothing
 * was taken and it unlinks its node under the lock, if a waker has not
 * already done so. If the node is WOKEN instead, the post is on its way:
 * the wait takes it and reports success even though it was also
 * interrupted (woken wins; a wakeup is never swallowed). A signal that meets
 * a LEFT node skips it and wakes the next one.
 *
 * A woken waiter never touches the condition again, so the condition may be
 * destroyed and its memory reused as soon as signal or broadcast returns
 * with no waiter left on the list, as with pthread_cond_t. A node lives on
 * its waiter's stack. A waker touches it under the lock while it is linked,
 * and after marking it WOKEN until it has posted it: the woken waiter waits
 * for that post before it returns. A LEFT waiter takes the lock before it
 * returns.
 *
 * Lock order: the caller's mutex, then the condition's lock. The waiter
 * links its node before it releases the caller's mutex, so a signal sent
 * after the waiter's predicate check cannot be missed.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "errors.h"
#include "intr.h"
#include "parker.h"
#include "testhooks.h"
#include "wait.h"

#define COND_MAGIC 0x434e4431u /* "CND1" */
#define COND_DEAD 0x64656164u

enum {
	NODE_WAITING,
	NODE_WOKEN,
	NODE_LEFT
};

struct cond_node {
	struct cond_node *next; /* links: under the condition's lock */
	struct cond_node *prev;
	int linked;
	const intr__notify_t *parker;
	atomic_int state; /* NODE_*: moved once, from WAITING */
};

struct cond {
	uint32_t magic;
	pthread_mutex_t lock;
	struct cond_node *head; /* oldest waiter, under lock */
	struct cond_node *tail;
};

_Static_assert(sizeof(struct cond) <= sizeof(intr_cond_t), "intr_cond_t size");

typedef void (*hook_fn)(void);
static _Atomic(hook_fn) leave_hook;

void
intr__test_set_leave_hook(void (*hook)(void))
{
	atomic_store(&leave_hook, hook);
}
_Static_assert(_Alignof(struct cond) <= _Alignof(intr_cond_t), "alignment");

static struct cond *
cond_get(intr_cond_t *c)
{
	struct cond *p = (struct cond *)(void *)c;

	return (p != NULL && p->magic == COND_MAGIC) ? p : NULL;
}

static void
cond_link(struct cond *p, struct cond_node *w)
{
	w->linked = 1;
	w->next = NULL;
	w->prev = p->tail;
	if (p->tail != NULL) {
		p->tail->next = w;
	} else {
		p->head = w;
	}
	p->tail = w;
}

static void
cond_unlink(struct cond *p, struct cond_node *w)
{
	w->linked = 0;
	if (w->prev != NULL) {
		w->prev->next = w->next;
	} else {
		p->head = w->next;
	}
	if (w->next != NULL) {
		w->next->prev = w->prev;
	} else {
		p->tail = w->prev;
	}
}

/*
 * Take the oldest waiter that is still waiting off the list and mark it
 * woken; NULL if there is none. Under the lock. The caller posts its parker
 * after unlocking: a woken waiter waits for that post (cond_take_committed)
 * and so keeps its node alive until then, but never needs the lock again.
 */
static struct cond_node *
cond_wake_one(struct cond *p)
{
	struct cond_node *w;
	int expect;

	while ((w = p->head) != NULL) {
		cond_unlink(p, w);
		expect = NODE_WAITING;
		if (atomic_compare_exchange_strong(&w->state, &expect,
			NODE_WOKEN)) {
			return w;
		}
		/* LEFT: its waiter is leaving without a wakeup; try the next. */
	}
	return NULL;
}

/* Post the parkers of a chain of woken nodes (linked through next). */
static void
cond_post_chain(struct cond_node *w)
{
	struct cond_node *next;

	for (; w != NULL; w = next) {
		next = w->next; /* the node may vanish once posted */
		(void)intr__notify_post(w->parker);
	}
}

/*
 * The post is committed to us: take it. The waker is between its state
 * change and its post, so this wait is short and must not be abandoned.
 */
static void
cond_take_committed(const intr__notify_t *parker)
{
	struct intr__pollfd pfd = {parker->rfd, INTR__POLLIN, 0};

	while (intr__notify_take(parker) != 0) {
		(void)intr__plat_ppoll(&pfd, 1, -1, NULL);
	}
}

/*
 * The wait is over: 1 if we were woken (the post is taken; the condition is
 * not touched), 0 if we left on our own.
 */
static int
cond_leave(struct cond *p, struct cond_node *w)
{
	int expect = NODE_WAITING;

	hook_fn hook;

	if (!atomic_compare_exchange_strong(&w->state, &expect, NODE_LEFT)) {
		cond_take_committed(w->parker);
		return 1;
	}
	if ((hook = atomic_load_explicit(&leave_hook, memory_order_relaxed)) !=
	    NULL) {
		hook();
	}
	(void)pthread_mutex_lock(&p->lock);
	if (w->linked) {
		cond_unlink(p, w);
	}
	(void)pthread_mutex_unlock(&p->lock);
	return 0;
}

static int
cond_sleep(struct cond *p, pthread_mutex_t *m, int64_t deadline,
    const sigset_t *mask)
{
	struct cond_node w = {.state = NODE_WAITING};
	struct intr__pollfd fds[2];
	int rc, lrc;

	if ((rc = intr__parker(&w.parker)) != 0) {
		return rc;
	}
	(void)pthread_mutex_lock(&p->lock);
	cond_link(p, &w);
	(void)pthread_mutex_unlock(&p->lock);
	if ((rc = pthread_mutex_unlock(m)) != 0) {
		/* Not the owner: undo, and pass on a wakeup we may have got. */
		if (cond_leave(p, &w)) {
			(void)intr_cond_signal((intr_cond_t *)(void *)p);
		}
		return -rc;
	}
	fds[0] = (struct intr__pollfd){w.parker->rfd, INTR__POLLIN, 0};
	rc = intr__wait(fds, 2, deadline, mask);
	if (cond_leave(p, &w)) {
		rc = 0;
	} else if (rc > 0) {
		/*
		 * The parker was posted, but not by a waker of ours: a stray
		 * post (say, from a forked child that used a copy of this
		 * condition). Take it, or every later wait of this thread would
		 * return at once; report a spurious wakeup.
		 */
		(void)intr__notify_take(w.parker);
	}
	/* A robust mutex whose owner died: locked, but say so (as POSIX). */
	if ((lrc = pthread_mutex_lock(m)) != 0) {
		return -lrc;
	}
	return rc < 0 ? rc : 0;
}

static int
cond_pwait(intr_cond_t *c, pthread_mutex_t *m, int64_t deadline,
    const sigset_t *mask)
{
	struct cond *p = cond_get(c);
	int rc;

	if (p == NULL || m == NULL) {
		return -EINVAL;
	}
	if ((rc = intr__wait_enter(deadline, mask)) != 0) {
		return rc;
	}
	if (intr__wait_timeout_ns(deadline) == 0) {
		return -ETIMEDOUT;
	}
	return cond_sleep(p, m, deadline, mask);
}

int
intr_cond_init(intr_cond_t *c)
{
	struct cond *p = (struct cond *)(void *)c;
	int rc;

	if (p == NULL) {
		return intr__ret(-EINVAL);
	}
	if ((rc = pthread_mutex_init(&p->lock, NULL)) != 0) {
		return intr__ret(-rc);
	}
	p->head = p->tail = NULL;
	p->magic = COND_MAGIC;
	return 0;
}

int
intr_cond_destroy(intr_cond_t *c)
{
	struct cond *p = cond_get(c);
	int busy;

	if (p == NULL) {
		return intr__ret(-EINVAL);
	}
	(void)pthread_mutex_lock(&p->lock);
	busy = p->head != NULL;
	(void)pthread_mutex_unlock(&p->lock);
	if (busy) {
		return intr__ret(-EBUSY);
	}
	p->magic = COND_DEAD;
	(void)pthread_mutex_destroy(&p->lock);
	return 0;
}

int
intr_cond_signal(intr_cond_t *c)
{
	struct cond *p = cond_get(c);
	struct cond_node *w;

	if (p == NULL) {
		return intr__ret(-EINVAL);
	}
	(void)pthread_mutex_lock(&p->lock);
	if ((w = cond_wake_one(p)) != NULL) {
		w->next = NULL;
	}
	(void)pthread_mutex_unlock(&p->lock);
	cond_post_chain(w);
	return 0;
}

int
intr_cond_broadcast(intr_cond_t *c)
{
	struct cond *p = cond_get(c);
	struct cond_node *w, *chain = NULL;

	if (p == NULL) {
		return intr__ret(-EINVAL);
	}
	(void)pthread_mutex_lock(&p->lock);
	while ((w = cond_wake_one(p)) != NULL) {
		w->next = chain;
		chain = w;
	}
	(void)pthread_mutex_unlock(&p->lock);
	cond_post_chain(chain);
	return 0;
}

int
intr_cond_wait(intr_cond_t *c, pthread_mutex_t *m)
{
	return intr__ret(cond_pwait(c, m, INTR_FOREVER, NULL));
}

int
intr_cond_pwait(intr_cond_t *c, pthread_mutex_t *m, int64_t deadline,
    const sigset_t *mask)
{
	return intr__ret(cond_pwait(c, m, deadline, mask));
}
