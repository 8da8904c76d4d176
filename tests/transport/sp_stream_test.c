/*
 * sp_stream_test.c - the SP connection header and frame heads against the
 * test vectors of docs sp-protocol.md 7.1-7.3 and 7.7, byte for byte, both
 * ways (what we write, and what we make of what peers write), plus the
 * reader's edge cases: split heads, back-to-back frames, the receive limit
 * at its boundary, the ipc type byte. Vectors are spelt in hex exactly as
 * in the document, so a row can be checked against it by eye.
 */
#include "core/proto_ids.h"
#include "runner.h"
#include "transport/sp_stream.h"

#define TCP 0
#define IPC 1

/* "00 53 50 00" -> bytes; returns the count. Fails the case on a typo. */
static size_t
hex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned v;
	int used;

	while (sscanf(s, " %2x%n", &v, &used) == 1) {
		CHECK_OP(n, <, cap);
		out[n++] = (uint8_t)v;
		s += used;
	}
	CHECK(strspn(s, " ") == strlen(s));
	return n;
}

static void
check_bytes(const uint8_t *got, size_t got_n, const char *want_hex,
    const char *what, int line)
{
	uint8_t want[256];
	size_t n = hex(want_hex, want, sizeof(want));

	if (got_n != n || memcmp(got, want, n) != 0) {
		char text[3 * 256 + 1] = "";

		for (size_t i = 0; i < got_n && i < 256; i++) {
			sprintf(text + 3 * i, "%02x ", got[i]);
		}
		it_fail(__FILE__, line,
		    "%s: got %zu bytes: %s\n"
		    "want %zu bytes: %s",
		    what, got_n, text, n, want_hex);
	}
}

#define CHECK_BYTES(got, n, want) check_bytes(got, n, want, #got, __LINE__)

/* ---- 7.1 connection headers ------------------------------------------ */

static const struct {
	int proto;
	const char *hex;
} headers[] = {
    {INTR__PROTO_PAIR, "00 53 50 00 00 10 00 00"},
    {INTR__PROTO_PAIR1, "00 53 50 00 00 11 00 00"},
    {INTR__PROTO_PUB, "00 53 50 00 00 20 00 00"},
    {INTR__PROTO_SUB, "00 53 50 00 00 21 00 00"},
    {INTR__PROTO_REQ, "00 53 50 00 00 30 00 00"},
    {INTR__PROTO_REP, "00 53 50 00 00 31 00 00"},
    {INTR__PROTO_PUSH, "00 53 50 00 00 50 00 00"},
    {INTR__PROTO_PULL, "00 53 50 00 00 51 00 00"},
    {INTR__PROTO_SURVEYOR, "00 53 50 00 00 62 00 00"},
    {INTR__PROTO_RESPONDENT, "00 53 50 00 00 63 00 00"},
    {INTR__PROTO_BUS, "00 53 50 00 00 70 00 00"},
};
#define NHEADERS (sizeof(headers) / sizeof(headers[0]))

/* Each type writes its vector; its one peer accepts it, no other type. */
static void
t_header_vectors(void)
{
	for (size_t i = 0; i < NHEADERS; i++) {
		uint8_t out[INTR__SP_HEADER_SIZE], in[8];

		memset(out, 0xee, sizeof(out));
		intr__sp_header_make(headers[i].proto, out);
		CHECK_BYTES(out, sizeof(out), headers[i].hex);
		hex(headers[i].hex, in, sizeof(in));
		for (size_t j = 0; j < NHEADERS; j++) {
			int peer = intr__proto_peer(headers[j].proto);

			CHECK_EQ(intr__sp_header_check(in, peer),
			    peer == headers[i].proto ? 0 : -EPROTO);
		}
	}
}

/* The table of 1.2: exactly one peer each, the relation symmetric. */
static void
t_proto_peer(void)
{
	static const int pairs[][2] = {
	    {0x10, 0x10},
	    {0x11, 0x11},
	    {0x20, 0x21},
	    {0x21, 0x20},
	    {0x30, 0x31},
	    {0x31, 0x30},
	    {0x50, 0x51},
	    {0x51, 0x50},
	    {0x62, 0x63},
	    {0x63, 0x62},
	    {0x70, 0x70},
	};
	static const int unknown[] = {
	    -1,
	    0,
	    0x12,
	    0x22,
	    0x32,
	    0x40,
	    0x52,
	    0x60,
	    0x61,
	    0x71,
	    0x80,
	    0x640,
	    0xf000,
	    0xffff,
	    0x10000,
	    0x10010,
	};

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		CHECK_EQ(intr__proto_peer(pairs[i][0]), pairs[i][1]);
		CHECK_EQ(intr__proto_peer(intr__proto_peer(pairs[i][0])),
		    pairs[i][0]);
	}
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		CHECK_EQ(intr__proto_peer(unknown[i]), -EINVAL);
	}
}

/* 7.1's rejected headers, offered by a "REQ" to a REP, then every bit. */
static void
t_header_rejected(void)
{
	static const char *const bad[] = {
	    "01 53 50 00 00 30 00 00", /* byte 0 */
	    "00 53 50 01 00 30 00 00", /* version */
	    "00 53 50 00 00 30 00 01", /* reserved: nng rejects, we too */
	    "00 53 50 00 00 30 01 00", /* reserved */
	    "00 53 50 00 00 20 00 00", /* wrong peer id */
	    "00 53 50 00 00 31 00 00", /* REP to REP */
	    "00 53 50 00 01 30 00 00", /* id 0x130 */
	    "00 73 70 00 00 30 00 00", /* "sp" */
	    "00 00 00 00 00 00 00 00",
	};
	uint8_t in[8];

	hex("00 53 50 00 00 30 00 00", in, sizeof(in));
	CHECK_EQ(intr__sp_header_check(in, INTR__PROTO_REQ), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hex(bad[i], in, sizeof(in));
		if (intr__sp_header_check(in, INTR__PROTO_REQ) != -EPROTO) {
			it_fail(__FILE__, __LINE__, "accepted %s", bad[i]);
		}
	}
	/* Every byte matters: any single bit flipped is refused. */
	for (int byte = 0; byte < 8; byte++) {
		for (int bit = 0; bit < 8; bit++) {
			hex("00 53 50 00 00 30 00 00", in, sizeof(in));
			in[byte] ^= (uint8_t)(1u << bit);
			CHECK_EQ(intr__sp_header_check(in, INTR__PROTO_REQ),
			    -EPROTO);
		}
	}
}

/* ---- 7.2 and 7.3 frames ---------------------------------------------- */

/*
 * A byte stream as a peer writes it: an optional connection header (the
 * sender's type; NULL if the vector has none), then one frame carrying
 * payload. Both directions are checked: we write exactly these bytes,
 * and we read this payload out of them.
 */
struct stream_vec {
	const char *what;
	int ipc;
	int sender; /* protocol of the writer, if hdr */
	int hdr;
	const char *bytes;
	const char *payload;
};

#define HELLO "68 65 6c 6c 6f"
#define WORLD "77 6f 72 6c 64"

static const struct stream_vec streams[] = {
    /* 7.2 */
    {"hello tcp", TCP, 0, 0, "00 00 00 00 00 00 00 05 " HELLO, HELLO},
    {"hello ipc", IPC, 0, 0, "01 00 00 00 00 00 00 00 05 " HELLO, HELLO},
    {"empty tcp", TCP, 0, 0, "00 00 00 00 00 00 00 00", ""},
    {"empty ipc", IPC, 0, 0, "01 00 00 00 00 00 00 00 00", ""},
    {"captured PUSH ipc", IPC, INTR__PROTO_PUSH, 1,
	"00 53 50 00 00 50 00 00  01 00 00 00 00 00 00 00 05 " HELLO, HELLO},
    {"captured BUS tcp", TCP, INTR__PROTO_BUS, 1,
	"00 53 50 00 00 70 00 00  00 00 00 00 00 00 00 05 " HELLO, HELLO},
    /* 7.3 */
    {"REQ tcp", TCP, 0, 0, "00 00 00 00 00 00 00 09 80 00 00 01 " HELLO,
	"80 00 00 01 " HELLO},
    {"REQ ipc", IPC, 0, 0, "01 00 00 00 00 00 00 00 09 80 00 00 01 " HELLO,
	"80 00 00 01 " HELLO},
    {"REP tcp", TCP, 0, 0, "00 00 00 00 00 00 00 09 80 00 00 01 " WORLD,
	"80 00 00 01 " WORLD},
    {"REQ via device", TCP, 0, 0,
	"00 00 00 00 00 00 00 0d 00 00 01 2c 80 00 00 01 " HELLO,
	"00 00 01 2c 80 00 00 01 " HELLO},
    {"REP via device", TCP, 0, 0,
	"00 00 00 00 00 00 00 0d 00 00 01 2c 80 00 00 01 " WORLD,
	"00 00 01 2c 80 00 00 01 " WORLD},
    {"captured REQ tcp", TCP, INTR__PROTO_REQ, 1,
	"00 53 50 00 00 30 00 00  00 00 00 00 00 00 00 09 d6 7f ed c0 " HELLO,
	"d6 7f ed c0 " HELLO},
    {"captured REQ ipc", IPC, INTR__PROTO_REQ, 1,
	"00 53 50 00 00 30 00 00  "
	"01 00 00 00 00 00 00 00 09 ae 51 10 16 " HELLO,
	"ae 51 10 16 " HELLO},
    {"captured REP in", TCP, 0, 0,
	"00 00 00 00 00 00 00 0d 00 00 01 2c 80 00 03 37 " HELLO,
	"00 00 01 2c 80 00 03 37 " HELLO},
    {"captured REP out", TCP, 0, 0,
	"00 00 00 00 00 00 00 0d 00 00 01 2c 80 00 03 37 " WORLD,
	"00 00 01 2c 80 00 03 37 " WORLD},
    {"stale reply", TCP, 0, 0, "00 00 00 00 00 00 00 09 80 00 00 00 " WORLD,
	"80 00 00 00 " WORLD},
};

/* What we would write: header, frame head, payload. */
static size_t
stream_write(const struct stream_vec *v, uint8_t *out)
{
	uint8_t payload[256];
	size_t plen = hex(v->payload, payload, sizeof(payload));
	size_t n = 0;

	if (v->hdr) {
		intr__sp_header_make(v->sender, out);
		n = INTR__SP_HEADER_SIZE;
	}
	n += intr__sp_frame_head_put(v->ipc, plen, out + n);
	memcpy(out + n, payload, plen);
	return n + plen;
}

/* What we read: the header accepted by the sender's peer, one frame. */
static void
stream_read(const struct stream_vec *v)
{
	uint8_t in[256], payload[256];
	size_t n = hex(v->bytes, in, sizeof(in)), off = 0;
	size_t want = hex(v->payload, payload, sizeof(payload));
	uint64_t len = 0;
	int head;

	if (v->hdr) {
		if (intr__sp_header_check(in, v->sender) != 0) {
			it_fail(__FILE__, __LINE__, "%s: header refused",
			    v->what);
		}
		off = INTR__SP_HEADER_SIZE;
	}
	head = intr__sp_frame_head_get(v->ipc, INTR__SP_MAXSZ_DEFAULT, in + off,
	    n - off, &len);
	if (head != (v->ipc ? 9 : 8) || len != want ||
	    off + (size_t)head + len != n ||
	    memcmp(in + off + head, payload, want) != 0) {
		it_fail(__FILE__, __LINE__,
		    "%s: head %d, length %llu, want %zu bytes of payload",
		    v->what, head, (unsigned long long)len, want);
	}
}

static void
t_stream_vectors(void)
{
	for (size_t i = 0; i < sizeof(streams) / sizeof(streams[0]); i++) {
		uint8_t out[256];
		size_t n = stream_write(&streams[i], out);

		check_bytes(out, n, streams[i].bytes, streams[i].what,
		    __LINE__);
		stream_read(&streams[i]);
	}
}

/* 7.3 MAXTTL boundary: 8 words + 2-byte body is 0x22, 9 words 0x26. */
static void
t_maxttl_lengths(void)
{
	uint8_t out[9];

	CHECK_EQ(intr__sp_frame_head_put(TCP, 8 * 4 + 2, out), 8);
	CHECK_BYTES(out, 8, "00 00 00 00 00 00 00 22");
	CHECK_EQ(intr__sp_frame_head_put(IPC, 9 * 4 + 2, out), 9);
	CHECK_BYTES(out, 9, "01 00 00 00 00 00 00 00 26");
}

/* All eight length bytes, in network order, whatever the host's. */
static void
t_length_big_endian(void)
{
	static const uint64_t values[] = {
	    0,
	    1,
	    0xff,
	    0x100,
	    0xffffffffu,
	    0x100000000u,
	    UINT64_MAX,
	    0x0102030405060708u,
	};
	uint8_t out[9];

	CHECK_EQ(intr__sp_frame_head_put(TCP, 0x0102030405060708u, out), 8);
	CHECK_BYTES(out, 8, "01 02 03 04 05 06 07 08");
	CHECK_EQ(intr__sp_frame_head_put(IPC, 0xf1f2f3f4f5f6f7f8u, out), 9);
	CHECK_BYTES(out, 9, "01 f1 f2 f3 f4 f5 f6 f7 f8");
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		for (int ipc = 0; ipc < 2; ipc++) {
			size_t h = intr__sp_frame_head_put(ipc, values[i], out);
			uint64_t len = 0;

			CHECK_EQ(intr__sp_frame_head_get(ipc,
				     INTR__SP_MAXSZ_UNLIMITED, out, h, &len),
			    (uint64_t)(size_t)values[i] == values[i]
				? (int)h
				: -EMSGSIZE);
			CHECK(len == values[i] || len == 0);
		}
	}
}

/* ---- 7.7 the receive limit ------------------------------------------- */

static int
head_get(int ipc, uint64_t maxsz, const char *bytes, uint64_t *len)
{
	uint8_t in[16];
	size_t n = hex(bytes, in, sizeof(in));

	*len = 12345; /* must stay untouched unless a head is returned */
	return intr__sp_frame_head_get(ipc, maxsz, in, n, len);
}

static void
t_receive_limit(void)
{
	uint64_t len;

	CHECK_EQ(head_get(TCP, INTR__SP_MAXSZ_DEFAULT,
		     "00 00 00 00 00 10 00 00", &len),
	    8);
	CHECK_EQ(len, 1048576);
	CHECK_EQ(head_get(TCP, INTR__SP_MAXSZ_DEFAULT,
		     "00 00 00 00 00 10 00 01", &len),
	    -EMSGSIZE);
	CHECK_EQ(len, 12345);
	CHECK_EQ(head_get(IPC, INTR__SP_MAXSZ_DEFAULT,
		     "01 00 00 00 00 00 10 00 00", &len),
	    9);
	CHECK_EQ(len, 1048576);
	CHECK_EQ(head_get(IPC, INTR__SP_MAXSZ_DEFAULT,
		     "01 00 00 00 00 00 10 00 01", &len),
	    -EMSGSIZE);
	/* Unlimited (nng's default) takes what nanomsg's limit refuses. */
	CHECK_EQ(head_get(TCP, INTR__SP_MAXSZ_UNLIMITED,
		     "00 00 00 00 00 10 00 01", &len),
	    8);
	CHECK_EQ(len, 1048577);
	/* The comparison is strict at any limit, 0 included. */
	CHECK_EQ(head_get(TCP, 5, "00 00 00 00 00 00 00 05", &len), 8);
	CHECK_EQ(head_get(TCP, 5, "00 00 00 00 00 00 00 06", &len), -EMSGSIZE);
	CHECK_EQ(head_get(IPC, 0, "01 00 00 00 00 00 00 00 00", &len), 9);
	CHECK_EQ(len, 0);
	CHECK_EQ(head_get(IPC, 0, "01 00 00 00 00 00 00 00 01", &len),
	    -EMSGSIZE);
	CHECK_EQ(head_get(TCP, UINT64_MAX - 1, "ff ff ff ff ff ff ff ff", &len),
	    -EMSGSIZE);
	CHECK_EQ(head_get(TCP, UINT64_MAX - 1, "ff ff ff ff ff ff ff fe", &len),
	    SIZE_MAX == UINT64_MAX ? 8 : -EMSGSIZE);
	/* A length no size_t can hold is too big even without a limit. */
	CHECK_EQ(head_get(TCP, UINT64_MAX, "ff ff ff ff ff ff ff ff", &len),
	    SIZE_MAX == UINT64_MAX ? 8 : -EMSGSIZE);
}

/* ---- the ipc type byte ----------------------------------------------- */

static void
t_ipc_type_byte(void)
{
	uint8_t in[9] = {0x02, 0, 0, 0, 0, 0, 0, 0, 5};
	uint64_t len = 7;

	CHECK_EQ(intr__sp_frame_head_get(IPC, INTR__SP_MAXSZ_DEFAULT, in, 9,
		     &len),
	    -EPROTO);
	/* Refused as soon as the type byte is in. */
	CHECK_EQ(intr__sp_frame_head_get(IPC, INTR__SP_MAXSZ_DEFAULT, in, 1,
		     &len),
	    -EPROTO);
	for (int t = 0; t < 256; t++) {
		in[0] = (uint8_t)t;
		CHECK_EQ(intr__sp_frame_head_get(IPC, INTR__SP_MAXSZ_DEFAULT,
			     in, 9, &len),
		    t == 1 ? 9 : -EPROTO);
	}
	CHECK_EQ(len, 5);
	/* A bad type wins over an oversized length. */
	CHECK_EQ(head_get(IPC, 0, "02 ff ff ff ff ff ff ff ff", &len), -EPROTO);
	/* On tcp the first byte is just the top of the length. */
	CHECK_EQ(head_get(TCP, UINT64_MAX, "02 00 00 00 00 00 00 05", &len),
	    SIZE_MAX == UINT64_MAX ? 8 : -EMSGSIZE);
}

/* ---- reading out of a stream ----------------------------------------- */

/* A head arriving one byte at a time: "need more" until complete. */
static void
t_split_head(void)
{
	static const char *const vec[2][2] = {
	    {"00 00 00 00 00 00 00 05 " HELLO, "00 00 00 00 00 10 00 01"},
	    {"01 00 00 00 00 00 00 00 05 " HELLO, "01 00 00 00 00 00 10 00 01"},
	};

	for (int ipc = 0; ipc < 2; ipc++) {
		uint8_t ok[32], big[16];
		size_t okn = hex(vec[ipc][0], ok, sizeof(ok));
		size_t bign = hex(vec[ipc][1], big, sizeof(big));
		size_t h = ipc ? 9 : 8;
		uint64_t len;

		for (size_t k = 0; k <= okn; k++) {
			len = 99;
			CHECK_EQ(intr__sp_frame_head_get(ipc,
				     INTR__SP_MAXSZ_DEFAULT, ok, k, &len),
			    k < h ? 0 : (int)h);
			CHECK_EQ(len, k < h ? 99 : 5);
		}
		/* The limit can only be judged once the length is whole. */
		for (size_t k = 0; k <= bign; k++) {
			CHECK_EQ(intr__sp_frame_head_get(ipc,
				     INTR__SP_MAXSZ_DEFAULT, big, k, &len),
			    k < h ? 0 : -EMSGSIZE);
		}
	}
}

/* Several frames in one read buffer, parsed one after another in place. */
static void
t_back_to_back(void)
{
	static const size_t sizes[] = {5, 0, 1, 1024, 3};
	uint8_t buf[2048], *p;
	size_t nsz = sizeof(sizes) / sizeof(sizes[0]);

	for (int ipc = 0; ipc < 2; ipc++) {
		size_t off = 0, end;
		uint64_t len;

		p = buf;
		for (size_t i = 0; i < nsz; i++) {
			p += intr__sp_frame_head_put(ipc, sizes[i], p);
			memset(p, 'a' + (int)i, sizes[i]);
			p += sizes[i];
		}
		/* Then the first 4 bytes of one more frame's head. */
		p += intr__sp_frame_head_put(ipc, 77, p) - (ipc ? 5 : 4);
		end = (size_t)(p - buf);
		for (size_t i = 0; i < nsz; i++) {
			int h = intr__sp_frame_head_get(ipc, 1024, buf + off,
			    end - off, &len);

			CHECK_EQ(h, ipc ? 9 : 8);
			CHECK_EQ(len, sizes[i]);
			off += (size_t)h;
			for (size_t j = 0; j < len; j++) {
				CHECK_EQ(buf[off + j], 'a' + (int)i);
			}
			off += len;
		}
		CHECK_EQ(end - off, 4);
		CHECK_EQ(intr__sp_frame_head_get(ipc, 1024, buf + off,
			     end - off, &len),
		    0);
	}
}

static const struct it_case cases[] = {
    {"header_vectors", t_header_vectors, 0},
    {"proto_peer", t_proto_peer, 0},
    {"header_rejected", t_header_rejected, 0},
    {"stream_vectors", t_stream_vectors, 0},
    {"maxttl_lengths", t_maxttl_lengths, 0},
    {"length_big_endian", t_length_big_endian, 0},
    {"receive_limit", t_receive_limit, 0},
    {"ipc_type_byte", t_ipc_type_byte, 0},
    {"split_head", t_split_head, 0},
    {"back_to_back", t_back_to_back, 0},
};
IT_MAIN(cases)
