/*
 * codec_interop_test.c - libintr's SP wire codecs against the real peers,
 * nanocat (nanomsg 1.1.5) and nngcat (nng 1.5.2), over loopback tcp and
 * ipc. Our side is a plain socket (wire.h) driven by the codecs only:
 * intr__url_parse for the address, intr__sp_header_make/_check for the
 * connection header, intr__sp_frame_head_put/_get for every frame. So a
 * pass means the codecs produce and accept exactly what the peers do;
 * libintr's sockets play no part. Docs sp-protocol.md 1-3, 6.2-6.3, 8.
 *
 * Every case runs in its own process with its own temp dir and a guard
 * that kills its peers and removes the dir however the case ends (peer.h).
 * A missing nanocat or nngcat fails the case, naming the package.
 */
#include <limits.h>
#include <unistd.h>

#include "core/proto_ids.h"
#include "core/url.h"
#include "peer.h"
#include "runner.h"
#include "transport/sp_stream.h"
#include "wire.h"

#define TCP 0
#define IPC 1

/* Per case: several peers, each allowed PEER_LIMIT_MS per step. */
#define CASE_LIMIT_S 60

#define KIB 1024
#define MIB (1024 * 1024)

/* How the two tools spell what the cases ask of them. */
struct tool {
	const char *name;
	const char *dial;   /* connect to a listener */
	const char *listen; /* bind and accept */
	const char *pair;   /* a PAIR v0 socket */
	int counts;         /* has -C N: exits by itself after N messages */
};

static const struct tool nanocat = {
    .name = "nanocat",
    .dial = "--connect",
    .listen = "--bind",
    .pair = "--pair",
    .counts = 0,
};
static const struct tool nngcat = {
    .name = "nngcat",
    .dial = "--dial",
    .listen = "--listen",
    .pair = "--pair0",
    .counts = 1,
};

/* ---- Helpers ----------------------------------------------------------- */

/* len bytes of a fixed pseudo-random pattern: every byte value, 00 too. */
static unsigned char *
body_make(size_t len, uint32_t seed)
{
	unsigned char *b = malloc(len > 0 ? len : 1);
	uint32_t x = seed;

	CHECK(b != NULL);
	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		b[i] = (unsigned char)(x >> 16);
	}
	return b;
}

static void
check_same(const void *got, size_t got_n, const void *want, size_t want_n,
    const char *what, int line)
{
	const unsigned char *g = got, *w = want;
	size_t i;

	if (got_n != want_n) {
		it_fail(__FILE__, line, "%s: %zu bytes, want %zu", what, got_n,
		    want_n);
	}
	for (i = 0; i < got_n && g[i] == w[i]; i++) {
	}
	if (i < got_n) {
		it_fail(__FILE__, line,
		    "%s: byte %zu of %zu is %02x, want %02x", what, i, got_n,
		    g[i], w[i]);
	}
}

#define CHECK_SAME(got, got_n, want, want_n, what)                             \
	check_same(got, got_n, want, want_n, what, __LINE__)

/* We listen; the URL the peer must dial goes to url. */
static int
our_listener(int ipc, char *url, size_t len)
{
	char want[INTR__URL_MAX] = "tcp://127.0.0.1:0";

	if (ipc) {
		peer_ipc_url(want, sizeof(want));
	}
	return wire_listen(want, url, len);
}

/* The peer listens, on a fresh port or ipc path. */
static void
peer_listen_url(int ipc, char *url, size_t len)
{
	if (ipc) {
		peer_ipc_url(url, len);
	} else {
		peer_tcp_url(url, len);
	}
}

/* The peer's header must be that of the one peer proto accepts. */
static void
check_their_header(const uint8_t theirs[8], int proto)
{
	CHECK_EQ(intr__sp_header_check(theirs, intr__proto_peer(proto)), 0);
}

/* ---- The peer pushes to our PULL listener ---------------------------- */

struct push_body {
	const char *what;
	const char *data; /* --data; NULL: len pattern bytes from a file (-F) */
	size_t len;
};

static const struct push_body push_bodies[] = {
    {"hello", "hello", 5},
    /* --data "", not an empty -F file: nanocat asserts on that. */
    {"0 B", "", 0},
    {"1 KiB", NULL, KIB},
    {"1 MiB", NULL, MIB},
};

/*
 * A one-shot nanocat closes its socket as soon as the message is queued,
 * without lingering: of a 1 MiB frame only what the kernel took at once
 * arrives (256 KiB here). Big bodies are therefore sent with -i, which
 * keeps the sender alive (the next copy would come a minute later), and
 * the sender is killed once the first frame is in. nngcat gets the same,
 * rather than trusting its 200 ms pause before exit on a loaded machine.
 */
#define PUSH_ONESHOT_MAX (64 * KIB)

static void
push_one(const struct tool *t, int ipc, const struct push_body *b)
{
	char url[INTR__URL_MAX], file[PATH_MAX];
	const char *argv[12];
	unsigned char *want = body_make(b->len, 7);
	int oneshot = b->len <= PUSH_ONESHOT_MAX, lfd, fd, n = 0;
	uint8_t theirs[INTR__SP_HEADER_SIZE];
	struct peer p;
	size_t len;
	void *got;

	lfd = our_listener(ipc, url, sizeof(url));
	argv[n++] = t->name;
	argv[n++] = "--push";
	argv[n++] = t->dial;
	argv[n++] = url;
	if (b->data != NULL) {
		memcpy(want, b->data, b->len);
		argv[n++] = "--data";
		argv[n++] = b->data;
	} else {
		peer_file("body", want, b->len, file, sizeof(file));
		argv[n++] = "-F";
		argv[n++] = file;
	}
	if (!oneshot) {
		argv[n++] = "-i";
		argv[n++] = "60";
	}
	argv[n] = NULL;
	/* We listen before the peer starts: nngcat dials only once. */
	peer_spawn(&p, argv);
	fd = wire_accept(lfd, &p);
	wire_handshake(fd, INTR__PROTO_PULL, theirs);
	check_their_header(theirs, INTR__PROTO_PULL);
	got = wire_recv_frame(fd, ipc, INTR__SP_MAXSZ_DEFAULT, &len);
	CHECK_SAME(got, len, want, b->len, b->what);
	if (oneshot) {
		/* Exactly one frame, then a clean exit. */
		wire_expect_eof(fd);
		CHECK_EQ(peer_wait(&p, PEER_LIMIT_MS), 0);
	}
	peer_release(&p);
	if (b->data == NULL) {
		CHECK_OK(unlink(file));
	}
	free(got);
	free(want);
	close(fd);
	close(lfd);
}

static void
push_case(const struct tool *t, int ipc)
{
	for (size_t i = 0; i < sizeof(push_bodies) / sizeof(push_bodies[0]);
	    i++) {
		push_one(t, ipc, &push_bodies[i]);
	}
}

/* ---- We push to the peer's PULL, which prints what it gets ----------- */

/*
 * The frames we send, in this order. The 1 MiB one is last: the peer
 * prints a message only once it has all of it, and what it printed before
 * must fit the stdout pipe, which we read only after sending.
 */
static const size_t pull_sizes[] = {5, 0, 1, KIB, MIB};
#define NPULL (sizeof(pull_sizes) / sizeof(pull_sizes[0]))

/* What --format msgpack prints for a message of len bytes: a bin header. */
static size_t
msgpack_head(size_t len, unsigned char *out)
{
	if (len < 0x100) {
		out[0] = 0xc4;
		out[1] = (unsigned char)len;
		return 2;
	}
	if (len < 0x10000) {
		out[0] = 0xc5;
		out[1] = (unsigned char)(len >> 8);
		out[2] = (unsigned char)len;
		return 3;
	}
	out[0] = 0xc6;
	for (int i = 0; i < 4; i++) {
		out[1 + i] = (unsigned char)(len >> (24 - 8 * i));
	}
	return 5;
}

/* The peer's whole output for bodies[] in the given format. */
static unsigned char *
pull_expect(int msgpack, unsigned char *const bodies[], size_t *len)
{
	unsigned char *out = malloc(NPULL * 5 + 2 * MIB), *at = out;

	CHECK(out != NULL);
	for (size_t i = 0; i < NPULL; i++) {
		if (msgpack) {
			at += msgpack_head(pull_sizes[i], at);
		}
		memcpy(at, bodies[i], pull_sizes[i]);
		at += pull_sizes[i];
	}
	*len = (size_t)(at - out);
	return out;
}

static void
pull_session(const struct tool *t, int ipc, int msgpack,
    unsigned char *const bodies[])
{
	char url[INTR__URL_MAX], count[16];
	const char *argv[10];
	uint8_t theirs[INTR__SP_HEADER_SIZE];
	unsigned char *want;
	struct peer p;
	size_t wantlen;
	int fd, n = 0;

	want = pull_expect(msgpack, bodies, &wantlen);
	peer_listen_url(ipc, url, sizeof(url));
	argv[n++] = t->name;
	argv[n++] = "--pull";
	argv[n++] = t->listen;
	argv[n++] = url;
	argv[n++] = msgpack ? "--msgpack" : "--raw";
	if (t->counts) {
		snprintf(count, sizeof(count), "%zu", NPULL);
		argv[n++] = "-C";
		argv[n++] = count;
	}
	argv[n] = NULL;
	peer_spawn(&p, argv);
	fd = wire_dial(url, &p);
	wire_handshake(fd, INTR__PROTO_PUSH, theirs);
	check_their_header(theirs, INTR__PROTO_PUSH);
	for (size_t i = 0; i < NPULL; i++) {
		wire_send_frame(fd, ipc, bodies[i], pull_sizes[i]);
	}
	if (t->counts) {
		/* It stops after the count: all it printed, and status 0. */
		peer_collect(&p, SIZE_MAX);
		CHECK_EQ(peer_wait(&p, PEER_LIMIT_MS), 0);
	} else {
		/* nanocat pulls forever: stop it once all is there. */
		peer_collect(&p, wantlen);
		peer_stop(&p);
	}
	CHECK_SAME(p.buf, p.len, want, wantlen, msgpack ? "msgpack" : "raw");
	peer_release(&p);
	free(want);
	close(fd);
}

/*
 * Raw output is the bodies back to back: every byte, in order. msgpack
 * output frames each message, so it also shows that each of our frames
 * arrived as one message of its own size, the empty one included.
 */
static void
pull_case(const struct tool *t, int ipc)
{
	unsigned char *bodies[NPULL];

	for (size_t i = 0; i < NPULL; i++) {
		bodies[i] = body_make(pull_sizes[i], 11 + (uint32_t)i);
	}
	memcpy(bodies[0], "hello", 5);
	pull_session(t, ipc, 0, bodies);
	pull_session(t, ipc, 1, bodies);
	for (size_t i = 0; i < NPULL; i++) {
		free(bodies[i]);
	}
}

/* ---- A wrong peer id: the peer closes after the header exchange ------ */

/* The header of proto itself, which proto does not accept from a peer. */
static void
check_wrong_header(const uint8_t theirs[8], int proto)
{
	CHECK_EQ(intr__sp_header_check(theirs, proto), 0);
	CHECK_EQ(intr__sp_header_check(theirs, intr__proto_peer(proto)),
	    -EPROTO);
}

/* We dial the peer's PULL as a PULL. */
static void
wrongid_dial(const struct tool *t, int ipc)
{
	const char *argv[] = {t->name, "--pull", t->listen, NULL, "--raw",
	    NULL};
	uint8_t theirs[INTR__SP_HEADER_SIZE];
	char url[INTR__URL_MAX];
	struct peer p;
	int fd;

	peer_listen_url(ipc, url, sizeof(url));
	argv[3] = url;
	peer_spawn(&p, argv);
	fd = wire_dial(url, &p);
	wire_handshake(fd, INTR__PROTO_PULL, theirs);
	check_wrong_header(theirs, INTR__PROTO_PULL);
	wire_expect_eof(fd);
	peer_stop(&p);
	CHECK_EQ(p.len, 0);
	peer_release(&p);
	close(fd);
}

/*
 * The peer's PUSH dials us and we answer as a PUSH: it hangs up after the
 * exchange without sending its message, and dials again.
 */
static void
wrongid_listen(const struct tool *t, int ipc)
{
	const char *argv[] = {t->name, "--push", t->dial, NULL, "--data",
	    "hello", NULL};
	uint8_t theirs[INTR__SP_HEADER_SIZE];
	char url[INTR__URL_MAX];
	struct peer p;
	int lfd, fd;

	lfd = our_listener(ipc, url, sizeof(url));
	argv[3] = url;
	peer_spawn(&p, argv);
	for (int i = 0; i < 2; i++) {
		fd = wire_accept(lfd, &p);
		wire_handshake(fd, INTR__PROTO_PUSH, theirs);
		check_wrong_header(theirs, INTR__PROTO_PUSH);
		wire_expect_eof(fd);
		close(fd);
	}
	peer_release(&p);
	close(lfd);
}

/* ---- PAIR v0: one message each way ----------------------------------- */

static void
pair_case(const struct tool *t, int ipc, int we_listen)
{
	const char *argv[] = {t->name, t->pair, we_listen ? t->dial : t->listen,
	    NULL, "--data", "ping", "--raw", NULL};
	uint8_t theirs[INTR__SP_HEADER_SIZE];
	char url[INTR__URL_MAX];
	int lfd = -1, fd;
	struct peer p;
	size_t len;
	void *got;

	if (we_listen) {
		lfd = our_listener(ipc, url, sizeof(url));
	} else {
		peer_listen_url(ipc, url, sizeof(url));
	}
	argv[3] = url;
	peer_spawn(&p, argv);
	fd = we_listen ? wire_accept(lfd, &p) : wire_dial(url, &p);
	wire_handshake(fd, INTR__PROTO_PAIR, theirs);
	check_their_header(theirs, INTR__PROTO_PAIR);
	got = wire_recv_frame(fd, ipc, INTR__SP_MAXSZ_DEFAULT, &len);
	CHECK_SAME(got, len, "ping", 4, "their message");
	wire_send_frame(fd, ipc, "pong", 4);
	/* A PAIR with --data sends once, then prints what comes, forever. */
	peer_collect(&p, 4);
	peer_stop(&p);
	CHECK_SAME(p.buf, p.len, "pong", 4, "what it printed");
	peer_release(&p);
	free(got);
	close(fd);
	if (lfd >= 0) {
		close(lfd);
	}
}

/* ---- Cases ------------------------------------------------------------- */

/* Both tools are on PATH; else the message names the missing package. */
static void
t_tools_installed(void)
{
	char path[PATH_MAX];

	peer_require(nanocat.name, path, sizeof(path));
	peer_require(nngcat.name, path, sizeof(path));
}

/* A case: a fresh temp dir and guard around one call. */
#define ENV_CASE(name, call)                                                   \
	static void t_##name(void)                                             \
	{                                                                      \
		peer_env_init();                                               \
		call;                                                          \
		peer_env_fini();                                               \
	}

ENV_CASE(push_nanocat_tcp, push_case(&nanocat, TCP))
ENV_CASE(push_nanocat_ipc, push_case(&nanocat, IPC))
ENV_CASE(push_nngcat_tcp, push_case(&nngcat, TCP))
ENV_CASE(push_nngcat_ipc, push_case(&nngcat, IPC))
ENV_CASE(pull_nanocat_tcp, pull_case(&nanocat, TCP))
ENV_CASE(pull_nanocat_ipc, pull_case(&nanocat, IPC))
ENV_CASE(pull_nngcat_tcp, pull_case(&nngcat, TCP))
ENV_CASE(pull_nngcat_ipc, pull_case(&nngcat, IPC))
ENV_CASE(wrongid_nanocat_dial_tcp, wrongid_dial(&nanocat, TCP))
ENV_CASE(wrongid_nanocat_listen_ipc, wrongid_listen(&nanocat, IPC))
ENV_CASE(wrongid_nngcat_dial_ipc, wrongid_dial(&nngcat, IPC))
ENV_CASE(wrongid_nngcat_listen_tcp, wrongid_listen(&nngcat, TCP))
ENV_CASE(pair_nanocat_tcp_peer_listens, pair_case(&nanocat, TCP, 0))
ENV_CASE(pair_nanocat_tcp_we_listen, pair_case(&nanocat, TCP, 1))
ENV_CASE(pair_nanocat_ipc_peer_listens, pair_case(&nanocat, IPC, 0))
ENV_CASE(pair_nanocat_ipc_we_listen, pair_case(&nanocat, IPC, 1))
ENV_CASE(pair_nngcat_tcp_peer_listens, pair_case(&nngcat, TCP, 0))
ENV_CASE(pair_nngcat_tcp_we_listen, pair_case(&nngcat, TCP, 1))
ENV_CASE(pair_nngcat_ipc_peer_listens, pair_case(&nngcat, IPC, 0))
ENV_CASE(pair_nngcat_ipc_we_listen, pair_case(&nngcat, IPC, 1))

#define C(name) {#name, t_##name, CASE_LIMIT_S}

static const struct it_case cases[] = {
    {"tools_installed", t_tools_installed, 0},
    C(push_nanocat_tcp),
    C(push_nanocat_ipc),
    C(push_nngcat_tcp),
    C(push_nngcat_ipc),
    C(pull_nanocat_tcp),
    C(pull_nanocat_ipc),
    C(pull_nngcat_tcp),
    C(pull_nngcat_ipc),
    C(wrongid_nanocat_dial_tcp),
    C(wrongid_nanocat_listen_ipc),
    C(wrongid_nngcat_dial_ipc),
    C(wrongid_nngcat_listen_tcp),
    C(pair_nanocat_tcp_peer_listens),
    C(pair_nanocat_tcp_we_listen),
    C(pair_nanocat_ipc_peer_listens),
    C(pair_nanocat_ipc_we_listen),
    C(pair_nngcat_tcp_peer_listens),
    C(pair_nngcat_tcp_we_listen),
    C(pair_nngcat_ipc_peer_listens),
    C(pair_nngcat_ipc_we_listen),
};

IT_MAIN(cases)
