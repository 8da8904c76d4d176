/*
 * sp_stream.c - encode and decode the SP connection header and frame heads
 * shared by the tcp and ipc transports (see sp_stream.h for the contract).
 *
 * Every integer on the wire is big-endian; the helpers below spell the
 * byte order out instead of relying on the host's. Nothing here keeps
 * state, so a reader may call it on any buffer position, any number of
 * times.
 */
#include <assert.h>
#include <errno.h>

#include "sp_stream.h"

static const uint8_t sp_signature[4] = {0x00, 0x53, 0x50, 0x00};

static void
sp_put64(uint64_t v, uint8_t out[8])
{
	for (int i = 7; i >= 0; i--) {
		out[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t
sp_get64(const uint8_t in[8])
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++) {
		v = v << 8 | in[i];
	}
	return v;
}

void
intr__sp_header_make(int proto, uint8_t out[8])
{
	assert(proto >= 0 && proto <= 0xffff);
	for (int i = 0; i < 4; i++) {
		out[i] = sp_signature[i];
	}
	out[4] = (uint8_t)(proto >> 8);
	out[5] = (uint8_t)proto;
	out[6] = 0;
	out[7] = 0;
}

int
intr__sp_header_check(const uint8_t in[8], int expect_peer)
{
	for (int i = 0; i < 4; i++) {
		if (in[i] != sp_signature[i]) {
			return -EPROTO;
		}
	}
	/* nanomsg ignores the reserved bytes; nng, and we, refuse them. */
	if (in[6] != 0 || in[7] != 0) {
		return -EPROTO;
	}
	if ((in[4] << 8 | in[5]) != expect_peer) {
		return -EPROTO;
	}
	return 0;
}

size_t
intr__sp_frame_head_put(int ipc, uint64_t len, uint8_t out[9])
{
	if (!ipc) {
		sp_put64(len, out);
		return INTR__SP_TCP_HEAD_SIZE;
	}
	out[0] = INTR__SP_IPC_MSG;
	sp_put64(len, out + 1);
	return INTR__SP_IPC_HEAD_SIZE;
}

int
intr__sp_frame_head_get(int ipc, uint64_t maxsz, const uint8_t *buf, size_t len,
    uint64_t *plen)
{
	size_t head = ipc ? INTR__SP_IPC_HEAD_SIZE : INTR__SP_TCP_HEAD_SIZE;
	uint64_t n;

	/*
	 * Refuse a bad type byte at once: waiting for eight more bytes that
	 * mean nothing could stall on a peer that sends no more.
	 */
	if (ipc && len > 0 && buf[0] != INTR__SP_IPC_MSG) {
		return -EPROTO;
	}
	if (len < head) {
		return 0;
	}
	n = sp_get64(buf + head - 8);
	if (maxsz != INTR__SP_MAXSZ_UNLIMITED && n > maxsz) {
		return -EMSGSIZE;
	}
	/* The payload must fit a buffer this process can allocate. */
	if ((uint64_t)(size_t)n != n) {
		return -EMSGSIZE;
	}
	*plen = n;
	return (int)head;
}
