/*
 * sp_stream.h - the bytes the SP stream transports (tcp, ipc) put on the
 * wire: the 8-byte connection header and the head in front of every frame.
 *
 * Pure encoders and decoders: no I/O, no allocation, no state. The wire
 * format is in docs sp-protocol.md 2-3 (connection header, framing, receive
 * limit); the vectors of its section 7 are tested byte for byte in
 * tests/transport/sp_stream_test.c.
 */
#ifndef INTR_TRANSPORT_SP_STREAM_H
#define INTR_TRANSPORT_SP_STREAM_H

#include <stddef.h>
#include <stdint.h>

/* Size of the connection header each side sends first. */
#define INTR__SP_HEADER_SIZE 8

/* Size of a frame head: the 8-byte length, plus the type byte on ipc. */
#define INTR__SP_TCP_HEAD_SIZE 8
#define INTR__SP_IPC_HEAD_SIZE 9
#define INTR__SP_HEAD_MAX INTR__SP_IPC_HEAD_SIZE

/* The only ipc frame type: the payload follows in the stream. */
#define INTR__SP_IPC_MSG 0x01

/* Receive limits for intr__sp_frame_head_get: none, and nanomsg's default. */
#define INTR__SP_MAXSZ_UNLIMITED UINT64_MAX
#define INTR__SP_MAXSZ_DEFAULT 1048576u

/*
 * Write the connection header of a socket whose protocol number is proto
 * (core/proto_ids.h): 00 53 50 00 <proto hi> <proto lo> 00 00.
 */
void intr__sp_header_make(int proto, uint8_t out[8]);

/*
 * Check the peer's connection header: 0 if it is well formed and names
 * expect_peer (intr__proto_peer of our protocol), else -EPROTO. Everything
 * is checked, like nng: bytes 0-3 (signature and version 0), the reserved
 * bytes 6-7, and the id. On -EPROTO the caller closes the connection
 * without writing anything.
 */
int intr__sp_header_check(const uint8_t in[8], int expect_peer);

/*
 * Write the head of a frame whose payload is len bytes: the type byte 01
 * and the 8-byte big-endian length for ipc (ipc != 0), the length alone for
 * tcp. Returns the head's size, 9 or 8; the payload follows it.
 */
size_t intr__sp_frame_head_put(int ipc, uint64_t len, uint8_t out[9]);

/*
 * Parse the frame head at the start of buf, of which len bytes are
 * available:
 *   8 (tcp) or 9 (ipc)	head complete, *plen = the payload's length; the
 *			payload starts that many bytes into buf
 *   0			more bytes are needed (*plen untouched)
 *   -EMSGSIZE		the payload is longer than maxsz or than a size_t
 *			can hold; maxsz == INTR__SP_MAXSZ_UNLIMITED means no
 *			limit, a length equal to maxsz passes
 *   -EPROTO		ipc only: the type byte is not 01 (known as soon as
 *			that byte is in)
 * The limit is checked as soon as the length is in, before any payload is
 * read. A reader that holds several frames in one buffer calls this at
 * each frame's start: offset += head + *plen.
 */
int intr__sp_frame_head_get(int ipc, uint64_t maxsz, const uint8_t *buf,
    size_t len, uint64_t *plen);

#endif /* INTR_TRANSPORT_SP_STREAM_H */
