/*
 * parker.h - one notifier per thread, on which that thread parks while it
 * waits on a condition variable. Made on first use, closed at thread exit.
 */
#ifndef INTR_CORE_PARKER_H
#define INTR_CORE_PARKER_H

#include "platform/platform.h"

/* This thread's parker, made if needed: 0 and *out set, or -errno. */
int intr__parker(const intr__notify_t **out);

void intr__parker_dtor(void *parker);
void intr__parker_atfork_child(void);

#endif /* INTR_CORE_PARKER_H */
