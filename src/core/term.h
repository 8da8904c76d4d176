/*
 * term.h - process-wide shutdown: intr_term() and what waits poll for it.
 */
#ifndef INTR_CORE_TERM_H
#define INTR_CORE_TERM_H

/* Non-zero once intr_term() has been called in this process. */
int intr__term_is_set(void);

/*
 * The descriptor that polls readable once intr_term() is called, made if
 * needed; or -errno. A waiter must get it *before* it checks
 * intr__term_is_set(): then either it sees the flag or intr_term() sees the
 * descriptor and wakes it (see term.c).
 */
int intr__term_fd(void);

void intr__term_atfork_child(void);

#endif /* INTR_CORE_TERM_H */
