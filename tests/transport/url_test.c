/*
 * url_test.c - intr__url_parse against the URL rules of docs
 * sp-protocol.md 3.3-3.5 and 4.1: every accepted form with the fields it
 * must yield, every rejected form with its errno, and the length limits at
 * their boundaries (127/128 characters, 107/108 path and name bytes).
 */
#include "core/url.h"
#include "runner.h"

#define BIND 1
#define CONN 0

/* One row: a URL, how it is used, and what the parser must make of it. */
struct url_want {
	const char *url;
	int bind;
	int err; /* 0: accepted; else the errno of the rejection */
	enum intr__url_transport tr;
	enum intr__url_family fam;
	const char *text; /* tcp host, ipc path or inproc name */
	int port;
};

#define OK_TCP(u, b, fam, host, port) {u, b, 0, INTR__URL_TCP, fam, host, port}
#define OK_IPC(u, path) {u, CONN, 0, INTR__URL_IPC, INTR__URL_ANY, path, 0}
#define OK_INPROC(u, name)                                                     \
	{u, CONN, 0, INTR__URL_INPROC, INTR__URL_ANY, name, 0}
#define BAD(u, b, e) {u, b, e, 0, INTR__URL_ANY, NULL, 0}

/* Parse into a struct full of garbage, so that unset fields show. */
static int
url_parse_dirty(const char *url, int bind, struct intr__url *u)
{
	memset(u, 0xa5, sizeof(*u));
	return intr__url_parse(url, bind, u);
}

/* The fields of other transports must be left zero. */
static void
url_check_rest(const struct intr__url *u, const char *url)
{
	enum intr__url_transport t = u->transport;
	int stray = 0;

	stray |= t != INTR__URL_TCP && u->host[0] != '\0';
	stray |= t != INTR__URL_TCP && u->port != 0;
	stray |= t != INTR__URL_TCP && u->family != INTR__URL_ANY;
	stray |= t != INTR__URL_IPC && u->path[0] != '\0';
	stray |= t != INTR__URL_ABSTRACT && u->abstract_len != 0;
	stray |= t != INTR__URL_INPROC && u->inproc[0] != '\0';
	if (stray) {
		it_fail(__FILE__, __LINE__,
		    "\"%s\": a field of another transport is set", url);
	}
}

static const char *
url_text(const struct intr__url *u)
{
	switch (u->transport) {
	case INTR__URL_TCP:
		return u->host;
	case INTR__URL_IPC:
		return u->path;
	case INTR__URL_INPROC:
		return u->inproc;
	default:
		return "";
	}
}

static void
url_check(const struct url_want *w)
{
	struct intr__url u;
	int rc = url_parse_dirty(w->url, w->bind, &u);

	if (rc != -w->err) {
		it_fail(__FILE__, __LINE__,
		    "\"%s\" (%s): want %d (%s), got %d (%s)", w->url,
		    w->bind ? "bind" : "connect", -w->err, strerror(w->err), rc,
		    strerror(-rc));
	}
	if (w->err != 0) {
		return;
	}
	if (u.transport != w->tr || u.family != w->fam ||
	    strcmp(url_text(&u), w->text) != 0 || u.port != w->port) {
		it_fail(__FILE__, __LINE__,
		    "\"%s\": got transport %d family "
		    "%d text \"%s\" port %d; want %d %d \"%s\" %d",
		    w->url, (int)u.transport, (int)u.family, url_text(&u),
		    u.port, (int)w->tr, (int)w->fam, w->text, w->port);
	}
	url_check_rest(&u, w->url);
}

static void
url_check_all(const struct url_want *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		url_check(&rows[i]);
	}
}

#define CHECK_ROWS(rows) url_check_all(rows, sizeof(rows) / sizeof(rows[0]))

/* ---- tcp: the rows of sp-protocol.md 4.1 ------------------------------ */

static const struct url_want tcp_accepted[] = {
    OK_TCP("tcp://*:5555", BIND, INTR__URL_ANY, "", 5555),
    OK_TCP("tcp://:5555", BIND, INTR__URL_ANY, "", 5555),
    OK_TCP("tcp://0.0.0.0:5555", BIND, INTR__URL_ANY, "0.0.0.0", 5555),
    OK_TCP("tcp://127.0.0.1:5555", BIND, INTR__URL_ANY, "127.0.0.1", 5555),
    OK_TCP("tcp://127.0.0.1:5555", CONN, INTR__URL_ANY, "127.0.0.1", 5555),
    OK_TCP("tcp://[::1]:5555", BIND, INTR__URL_ANY, "::1", 5555),
    OK_TCP("tcp://[::1]:5555", CONN, INTR__URL_ANY, "::1", 5555),
    OK_TCP("tcp://[::]:5555", BIND, INTR__URL_ANY, "::", 5555),
    OK_TCP("tcp://[::ffff:127.0.0.1]:80", CONN, INTR__URL_ANY,
	"::ffff:127.0.0.1", 80),
    OK_TCP("tcp://[FE80::Ab:1]:80", CONN, INTR__URL_ANY, "FE80::Ab:1", 80),
    OK_TCP("tcp://localhost:5555", BIND, INTR__URL_ANY, "localhost", 5555),
    OK_TCP("tcp://localhost:5555", CONN, INTR__URL_ANY, "localhost", 5555),
    OK_TCP("tcp://host.example:5555", CONN, INTR__URL_ANY, "host.example",
	5555),
    OK_TCP("tcp://My-Host_1.example:7", CONN, INTR__URL_ANY,
	"My-Host_1.example", 7),
    /* Port 0 binds to a port the kernel picks (nng). */
    OK_TCP("tcp://127.0.0.1:0", BIND, INTR__URL_ANY, "127.0.0.1", 0),
    OK_TCP("tcp://*:0", BIND, INTR__URL_ANY, "", 0),
    OK_TCP("tcp://[::1]:0", BIND, INTR__URL_ANY, "::1", 0),
    OK_TCP("tcp://127.0.0.1:1", CONN, INTR__URL_ANY, "127.0.0.1", 1),
    OK_TCP("tcp://127.0.0.1:65535", CONN, INTR__URL_ANY, "127.0.0.1", 65535),
    OK_TCP("tcp://127.0.0.1:00080", CONN, INTR__URL_ANY, "127.0.0.1", 80),
    /* nng allows an empty path or a lone "/". */
    OK_TCP("tcp://127.0.0.1:5555/", CONN, INTR__URL_ANY, "127.0.0.1", 5555),
    OK_TCP("tcp4://127.0.0.1:5555", CONN, INTR__URL_V4, "127.0.0.1", 5555),
    OK_TCP("tcp4://*:5555", BIND, INTR__URL_V4, "", 5555),
    OK_TCP("tcp6://[::1]:5555", CONN, INTR__URL_V6, "::1", 5555),
    OK_TCP("tcp6://:5555", BIND, INTR__URL_V6, "", 5555),
    OK_TCP("TCP://127.0.0.1:5555", CONN, INTR__URL_ANY, "127.0.0.1", 5555),
    OK_TCP("Tcp6://[::1]:1", CONN, INTR__URL_V6, "::1", 1),
};

static void
t_tcp_accepted(void)
{
	CHECK_ROWS(tcp_accepted);
}

static const struct url_want tcp_rejected[] = {
    /* The wildcard means nothing to connect to. */
    BAD("tcp://*:5555", CONN, EINVAL),
    BAD("tcp://:5555", CONN, EINVAL),
    BAD("tcp4://*:5555", CONN, EINVAL),
    /* Port 0 connects nowhere; a port is never optional. */
    BAD("tcp://127.0.0.1:0", CONN, EINVAL),
    BAD("tcp://127.0.0.1", CONN, EINVAL),
    BAD("tcp://127.0.0.1", BIND, EINVAL),
    BAD("tcp://127.0.0.1:", BIND, EINVAL),
    BAD("tcp://[::1]", CONN, EINVAL),
    BAD("tcp://*", BIND, EINVAL),
    BAD("tcp://", BIND, EINVAL),
    BAD("tcp://:", BIND, EINVAL),
    /* Numeric ports only, in range. */
    BAD("tcp://127.0.0.1:65536", CONN, EINVAL),
    BAD("tcp://127.0.0.1:99999", BIND, EINVAL),
    BAD("tcp://127.0.0.1:18446744073709551617", CONN, EINVAL),
    BAD("tcp://127.0.0.1:http", CONN, EINVAL),
    BAD("tcp://127.0.0.1:-1", CONN, EINVAL),
    BAD("tcp://127.0.0.1:+80", CONN, EINVAL),
    BAD("tcp://127.0.0.1: 80", CONN, EINVAL),
    BAD("tcp://127.0.0.1:80x", CONN, EINVAL),
    BAD("tcp://127.0.0.1:0x50", CONN, EINVAL),
    BAD("tcp://127.0.0.1:80:81", CONN, EINVAL),
    /* Nothing but a lone "/" may follow the port. */
    BAD("tcp://127.0.0.1:5555/x", CONN, EINVAL),
    BAD("tcp://127.0.0.1:5555//", CONN, EINVAL),
    BAD("tcp://127.0.0.1:5555?a=b", CONN, EINVAL),
    BAD("tcp://127.0.0.1:5555/?a=b", CONN, EINVAL),
    BAD("tcp://127.0.0.1:5555#frag", CONN, EINVAL),
    BAD("tcp://user@127.0.0.1:5555", CONN, EINVAL),
    /* nanomsg's "iface;host:port" is not supported. */
    BAD("tcp://eth0;127.0.0.1:5555", CONN, EINVAL),
    BAD("tcp://127.0.0.1;127.0.0.2:5555", CONN, EINVAL),
    /* IPv6 literals only in balanced brackets. */
    BAD("tcp://[::1:5555", CONN, EINVAL),
    BAD("tcp://::1]:5555", CONN, EINVAL),
    BAD("tcp://::1:5555", CONN, EINVAL),
    BAD("tcp://[[::1]]:5555", CONN, EINVAL),
    BAD("tcp://[]:5555", BIND, EINVAL),
    BAD("tcp://[::1]5555", CONN, EINVAL),
    BAD("tcp://[::1]:", CONN, EINVAL),
    BAD("tcp://[127.0.0.1]:5555", CONN, EINVAL),
    BAD("tcp://[::g]:5555", CONN, EINVAL),
    BAD("tcp://[fe80::1%25eth0]:5555", CONN, EINVAL),
    /* Host names are plain: no spaces, stars or escapes. */
    BAD("tcp://a b:5555", CONN, EINVAL),
    BAD("tcp://*x:5555", BIND, EINVAL),
    BAD("tcp://x*:5555", BIND, EINVAL),
    BAD("tcp://**:5555", BIND, EINVAL),
    BAD("tcp://a%2eb:5555", CONN, EINVAL),
};

static void
t_tcp_rejected(void)
{
	CHECK_ROWS(tcp_rejected);
}

/* ---- ipc, unix, inproc: sp-protocol.md 3.3 and 4.3 ------------------- */

static const struct url_want local_rows[] = {
    OK_IPC("ipc:///tmp/x", "/tmp/x"),
    OK_IPC("ipc://x.ipc", "x.ipc"),
    OK_IPC("unix:///tmp/x", "/tmp/x"),
    OK_IPC("IPC:///tmp/x", "/tmp/x"),
    /* Verbatim: no decoding, any characters. */
    OK_IPC("ipc:///tmp/a%20b", "/tmp/a%20b"),
    OK_IPC("ipc:///tmp/a:b?c#d e", "/tmp/a:b?c#d e"),
    {"ipc:///tmp/x", BIND, 0, INTR__URL_IPC, INTR__URL_ANY, "/tmp/x", 0},
    BAD("ipc://", BIND, EINVAL),
    BAD("unix://", CONN, EINVAL),
    OK_INPROC("inproc://foo", "foo"),
    OK_INPROC("inproc://Foo", "Foo"),
    OK_INPROC("inproc://a://b?c#d:1", "a://b?c#d:1"),
    OK_INPROC("inproc:// ", " "),
    OK_INPROC("InProc://x", "x"),
    {"inproc://foo", BIND, 0, INTR__URL_INPROC, INTR__URL_ANY, "foo", 0},
    BAD("inproc://", BIND, EINVAL),
    BAD("inproc://", CONN, EINVAL),
};

static void
t_local(void)
{
	CHECK_ROWS(local_rows);
}

/* ---- any scheme: "://", unknown schemes, bad arguments -------------- */

static const struct url_want general_rows[] = {
    BAD("foo://x", CONN, EPROTONOSUPPORT),
    BAD("http://127.0.0.1:80", CONN, EPROTONOSUPPORT),
    BAD("://x", CONN, EPROTONOSUPPORT),
    BAD("tc://127.0.0.1:80", CONN, EPROTONOSUPPORT),
    BAD("tcpx://127.0.0.1:80", CONN, EPROTONOSUPPORT),
    BAD("tcp5://127.0.0.1:80", CONN, EPROTONOSUPPORT),
    BAD("ipcx:///tmp/x", CONN, EPROTONOSUPPORT),
    BAD("inproc2://x", CONN, EPROTONOSUPPORT),
    BAD("inpro://x", CONN, EPROTONOSUPPORT),
    BAD("abstrac://x", CONN, EPROTONOSUPPORT),
    BAD("ws://127.0.0.1:80", CONN, EPROTONOSUPPORT),
    BAD(" tcp://127.0.0.1:80", CONN, EPROTONOSUPPORT),
    /* No "://" right after the scheme. */
    BAD("", CONN, EINVAL),
    BAD("inproc", CONN, EINVAL),
    BAD("tcp:127.0.0.1:5555", CONN, EINVAL),
    BAD("tcp:/127.0.0.1:5555", CONN, EINVAL),
    BAD("ipc//tmp/x", CONN, EINVAL),
    BAD("127.0.0.1:5555", CONN, EINVAL),
    BAD("/tmp/x", BIND, EINVAL),
};

static void
t_general(void)
{
	struct intr__url u;

	CHECK_ROWS(general_rows);
	CHECK_EQ(intr__url_parse(NULL, 0, &u), -EINVAL);
	CHECK_EQ(intr__url_parse("inproc://x", 0, NULL), -EINVAL);
}

/* ---- abstract: sp-protocol.md 3.5 ------------------------------------ */

struct abs_want {
	const char *url;
	int bind;
	int err;
	const char *bytes; /* the decoded name */
	size_t len;
};

static const struct abs_want abs_rows[] = {
    {"abstract://a%00b", CONN, 0, "a\0b", 3},
    {"abstract://spx%00test", BIND, 0, "spx\0test", 8},
    {"abstract://foo", CONN, 0, "foo", 3},
    {"ABSTRACT://foo", CONN, 0, "foo", 3},
    {"abstract://%41%4a%4A%ff", CONN, 0, "AJJ\xff", 4},
    {"abstract://%25%2541", CONN, 0, "%%41", 4},
    {"abstract://%00", CONN, 0, "\0", 1},
    {"abstract://a/b:c d", CONN, 0, "a/b:c d", 7},
    /* Empty: the kernel picks a name on bind; nothing to connect to. */
    {"abstract://", BIND, 0, "", 0},
    {"abstract://", CONN, EINVAL, NULL, 0},
    {"abstract://a%", CONN, EINVAL, NULL, 0},
    {"abstract://a%2", CONN, EINVAL, NULL, 0},
    {"abstract://%zz", CONN, EINVAL, NULL, 0},
    {"abstract://%0g", CONN, EINVAL, NULL, 0},
    {"abstract://%g0", CONN, EINVAL, NULL, 0},
    {"abstract://%%", CONN, EINVAL, NULL, 0},
};

static void
t_abstract(void)
{
	size_t n = sizeof(abs_rows) / sizeof(abs_rows[0]);

	for (size_t i = 0; i < n; i++) {
		const struct abs_want *w = &abs_rows[i];
		struct intr__url u;
		int rc = url_parse_dirty(w->url, w->bind, &u);

		if (rc != -w->err) {
			it_fail(__FILE__, __LINE__, "\"%s\": want %d, got %d",
			    w->url, -w->err, rc);
		}
		if (w->err != 0) {
			continue;
		}
		if (u.transport != INTR__URL_ABSTRACT ||
		    u.abstract_len != w->len ||
		    memcmp(u.abstract, w->bytes, w->len) != 0) {
			it_fail(__FILE__, __LINE__,
			    "\"%s\": transport %d, %zu name bytes, want %zu",
			    w->url, (int)u.transport, u.abstract_len, w->len);
		}
		url_check_rest(&u, w->url);
	}
}

/* ---- length limits ---------------------------------------------------- */

/* prefix + n copies of c + suffix, in buf (which must be big enough). */
static const char *
url_make(char *buf, const char *prefix, size_t n, char c, const char *suffix)
{
	size_t p = strlen(prefix);

	memcpy(buf, prefix, p);
	memset(buf + p, c, n);
	strcpy(buf + p + n, suffix);
	return buf;
}

/* The whole URL: 127 characters pass, 128 are ENAMETOOLONG (nanomsg). */
static void
t_url_length(void)
{
	char buf[512], name[256];
	struct intr__url u;

	/* "inproc://" is 9 characters. */
	CHECK_EQ(strlen(url_make(buf, "inproc://", 118, 'n', "")), 127);
	CHECK_EQ(intr__url_parse(buf, 0, &u), 0);
	CHECK_EQ(strlen(u.inproc), 118);
	CHECK_EQ(intr__url_parse(url_make(buf, "inproc://", 119, 'n', ""), 0,
		     &u),
	    -ENAMETOOLONG);
	/* "tcp://" + host + ":5555": 6 + 116 + 5. */
	CHECK_EQ(strlen(url_make(buf, "tcp://", 116, 'h', ":5555")), 127);
	CHECK_EQ(intr__url_parse(buf, 0, &u), 0);
	CHECK(strcmp(u.host, url_make(name, "", 116, 'h', "")) == 0);
	CHECK_EQ(u.port, 5555);
	CHECK_EQ(intr__url_parse(url_make(buf, "tcp://", 117, 'h', ":5555"), 0,
		     &u),
	    -ENAMETOOLONG);
	/* The length is checked before anything else. */
	CHECK_EQ(intr__url_parse(url_make(buf, "bogus://", 120, 'x', ""), 0,
		     &u),
	    -ENAMETOOLONG);
	CHECK_EQ(intr__url_parse(url_make(buf, "bogus://", 119, 'x', ""), 0,
		     &u),
	    -EPROTONOSUPPORT);
	CHECK_EQ(intr__url_parse(url_make(buf, "", 300, 'x', ""), 0, &u),
	    -ENAMETOOLONG);
}

/* An ipc path: 107 bytes fit sun_path with its NUL, 108 do not. */
static void
t_ipc_path_length(void)
{
	const char *schemes[] = {"ipc://", "unix://"};
	char buf[512], path[256];
	struct intr__url u;

	for (size_t i = 0; i < 2; i++) {
		url_make(path, "/", 106, 'p', "");
		CHECK_EQ(strlen(path), 107);
		url_make(buf, schemes[i], 0, 0, path);
		CHECK_EQ(url_parse_dirty(buf, 1, &u), 0);
		CHECK_EQ(u.transport, INTR__URL_IPC);
		CHECK(strcmp(u.path, path) == 0);
		strcat(path, "p");
		url_make(buf, schemes[i], 0, 0, path);
		CHECK_OP(strlen(buf), <, 128);
		CHECK_EQ(intr__url_parse(buf, 1, &u), -ENAMETOOLONG);
		CHECK_EQ(intr__url_parse(buf, 0, &u), -ENAMETOOLONG);
	}
	/* Longest path a 127-character URL can carry. */
	CHECK_EQ(intr__url_parse(url_make(buf, "ipc://", 121, 'p', ""), 0, &u),
	    -ENAMETOOLONG);
}

/* An abstract name: 107 decoded bytes fit, 108 do not; %00 counts one. */
static void
t_abstract_length(void)
{
	char buf[512];
	struct intr__url u;

	url_make(buf, "abstract://%00", 106, 'a', "");
	CHECK_EQ(url_parse_dirty(buf, 0, &u), 0);
	CHECK_EQ(u.abstract_len, 107);
	CHECK_EQ(u.abstract[0], 0);
	CHECK_EQ(u.abstract[106], 'a');
	url_make(buf, "abstract://%00", 107, 'a', "");
	CHECK_OP(strlen(buf), <, 128);
	CHECK_EQ(intr__url_parse(buf, 1, &u), -ENAMETOOLONG);
	CHECK_EQ(intr__url_parse(url_make(buf, "abstract://", 108, 'a', ""), 1,
		     &u),
	    -ENAMETOOLONG);
	CHECK_EQ(intr__url_parse(url_make(buf, "abstract://", 107, 'a', ""), 1,
		     &u),
	    0);
	CHECK_EQ(u.abstract_len, 107);
}

static const struct it_case cases[] = {
    {"tcp_accepted", t_tcp_accepted, 0},
    {"tcp_rejected", t_tcp_rejected, 0},
    {"ipc_unix_inproc", t_local, 0},
    {"abstract", t_abstract, 0},
    {"scheme_and_arguments", t_general, 0},
    {"url_length_127_128", t_url_length, 0},
    {"ipc_path_107_108", t_ipc_path_length, 0},
    {"abstract_name_107_108", t_abstract_length, 0},
};
IT_MAIN(cases)
