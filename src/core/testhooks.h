/*
 * testhooks.h - seams for tests only. Never included by library code other
 * than the file that implements a hook.
 */
#ifndef INTR_CORE_TESTHOOKS_H
#define INTR_CORE_TESTHOOKS_H

/*
 * Call hook in every intr__wait right before the blocking system call, in the
 * window between the caller's last check and the wait (NULL removes it).
 * Tests use it to put a signal exactly in that window.
 */
void intr__test_set_prewait_hook(void (*hook)(void));

/*
 * Call hook in a condition-variable wait that leaves on its own (EINTR,
 * ETIMEDOUT, ETERM) right after it gave up its place and before it takes the
 * condition's lock to unlink itself (NULL removes it). Tests use it to send a
 * signal exactly while a leaving waiter is still on the list.
 */
void intr__test_set_leave_hook(void (*hook)(void));

#endif /* INTR_CORE_TESTHOOKS_H */
