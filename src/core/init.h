/*
 * init.h - the library's lazy, process-wide set-up.
 *
 * The library runs no code at load time: a process that forks before its
 * first call starts clean. The first call that needs shared state runs
 * intr__init once.
 */
#ifndef INTR_CORE_INIT_H
#define INTR_CORE_INIT_H

#include <pthread.h>

/* Run the one-time set-up; 0 or -errno. Cheap after the first call. */
int intr__init(void);

/*
 * The process's fork generation: 0 in the first process, one more in each
 * child of a fork() made after intr__init. Objects that hold a descriptor
 * record the generation it was made in, so a child can tell that one it
 * copied from its parent is shared with the parent and make its own.
 */
unsigned int intr__fork_gen(void);

/* The key whose destructor closes a thread's parker at thread exit. */
extern pthread_key_t intr__parker_key;

#endif /* INTR_CORE_INIT_H */
