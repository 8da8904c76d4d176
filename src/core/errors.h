/*
 * errors.h - the one place where internal -errno results become the public
 * API's -1 and errno.
 */
#ifndef INTR_CORE_ERRORS_H
#define INTR_CORE_ERRORS_H

#include <errno.h>

/* rc >= 0 passes through; rc < 0 sets errno = -rc and returns -1. */
static inline int
intr__ret(int rc)
{
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return rc;
}

#endif /* INTR_CORE_ERRORS_H */
