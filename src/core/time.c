/*
 * time.c - intr_now, the clock every deadline of the library is measured on.
 */
#include "intr.h"
#include "platform/platform.h"

int64_t
intr_now(void)
{
	return intr__plat_now_ns() / 1000000;
}
