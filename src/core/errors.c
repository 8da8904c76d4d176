/*
 * errors.c - intr_strerror: the system's messages plus libintr's own codes.
 */
#include <string.h>

#include "intr.h"

const char *
intr_strerror(int errnum)
{
	switch (errnum) {
	case ETERM:
		return "Library terminated";
	case EFSM:
		return "Operation cannot be performed in this state";
	default:
		return strerror(errnum);
	}
}
