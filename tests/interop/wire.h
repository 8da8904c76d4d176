/*
 * wire.h - a fake SP peer on plain POSIX sockets, built on libintr's own
 * codecs (core/url.h for addresses, transport/sp_stream.h for the header
 * and frame heads). The codec interop test talks to nanocat and nngcat with
 * it; later wire-level tests (docs sp-protocol.md 8.3) can point it at
 * libintr's sockets.
 *
 * Addresses are URLs with numeric hosts (no name resolution): tcp://
 * 127.0.0.1 or [::1], ipc://PATH, abstract://NAME. Every descriptor is
 * close-on-exec, so spawned peers never hold one of our connections.
 *
 * Like peer.h, every helper fails the case instead of returning an error,
 * and every wait gives up after PEER_LIMIT_MS. The helpers that wait for a
 * peer process to connect or accept also give up at once if it exits, and
 * say with which status.
 */
#ifndef INTR_TESTS_INTEROP_WIRE_H
#define INTR_TESTS_INTEROP_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "peer.h"

/*
 * Listen on url ("tcp://127.0.0.1:0" lets the kernel pick the port). The
 * URL a peer must dial, with the real port, goes to bound. Returns the
 * listening descriptor.
 */
int wire_listen(const char *url, char *bound, size_t boundlen);

/* Accept one connection on lfd from peer p. */
int wire_accept(int lfd, struct peer *p);

/*
 * Connect to url, where peer p is about to listen: a refused connect (or a
 * missing ipc path) is retried until p accepts.
 */
int wire_dial(const char *url, struct peer *p);

/* Write all n bytes. */
void wire_send(int fd, const void *buf, size_t n);

/* Read until n bytes are in or the peer closes; returns how many came. */
size_t wire_recv(int fd, void *buf, size_t n);

/*
 * The peer must close the connection (EOF or a reset) without sending
 * another byte.
 */
void wire_expect_eof(int fd);

/*
 * The header exchange as every SP peer does it: write our header for proto
 * at once, then read the peer's 8 bytes into theirs (fails if the peer
 * closes first). Judging theirs is the caller's business.
 */
void wire_handshake(int fd, int proto, uint8_t theirs[8]);

/* Send one frame: the head from intr__sp_frame_head_put, then body. */
void wire_send_frame(int fd, int ipc, const void *body, size_t len);

/*
 * Receive one frame, the head one byte at a time through
 * intr__sp_frame_head_get (so a reader fed in pieces is what gets tested),
 * against the receive limit maxsz. Returns the payload (malloc'ed, free
 * it); its length goes to *len.
 */
void *wire_recv_frame(int fd, int ipc, uint64_t maxsz, size_t *len);

#endif /* INTR_TESTS_INTEROP_WIRE_H */
