/*
 * version.c - the version of the library actually linked.
 */
#include "intr.h"

#define INTR_STR_(x) #x
#define INTR_STR(x) INTR_STR_(x)

const char *
intr_version(void)
{
	return INTR_STR(INTR_VERSION_MAJOR) "." INTR_STR(
	    INTR_VERSION_MINOR) "." INTR_STR(INTR_VERSION_PATCH);
}
