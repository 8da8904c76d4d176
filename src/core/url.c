/*
 * url.c - parse endpoint URLs (contract in url.h). The syntax, rule by rule
 * (docs sp-protocol.md 3.3-3.5 and 4.1 for where each comes from):
 *
 * Any URL: scheme "://" rest. Checked in this order: shorter than
 * INTR__URL_MAX characters (else ENAMETOOLONG, as nanomsg); a "://" right
 * after the first ':' (else EINVAL); a known scheme, matched without regard
 * to case as URL schemes are (else EPROTONOSUPPORT).
 *
 * tcp://, tcp4://, tcp6://	HOST ":" PORT, then nothing or one "/"
 *	HOST	"*" or empty: the wildcard, bind only (empty is nng's form);
 *		"[" literal "]": an IPv6 literal, i.e. hex digits, '.' and
 *		at least one ':', stored without the brackets;
 *		else a host name or IPv4 literal: letters, digits, '-', '.',
 *		'_'. Names are allowed for bind too (nng; nanomsg peers can
 *		bind only "*" or a literal).
 *	PORT	decimal digits, 0-65535, never omitted; 0 only for bind.
 *	Anything else is EINVAL, in particular: a path, query, fragment or
 *	user part; nanomsg's "iface;host:port" (connect from a chosen local
 *	address); service names; IPv6 zone ids; an omitted port on bind
 *	(nng reads that as 0: write ":0"). tcp4/tcp6 are not matched against
 *	a literal's family here; the resolver refuses a mismatch.
 * ipc://, unix://	PATH
 *	Verbatim (no decoding), relative or absolute, non-empty; more than
 *	INTR__URL_PATH_MAX bytes does not fit sun_path: ENAMETOOLONG.
 * abstract://	NAME
 *	URL-decoded: "%XX" (two hex digits) is one byte, "%00" included; a
 *	'%' without two hex digits is EINVAL. More than
 *	INTR__URL_ABSTRACT_MAX decoded bytes: ENAMETOOLONG. Empty only for
 *	bind, where the kernel picks a name. Only Linux has the namespace;
 *	the transport, not the parser, refuses it elsewhere.
 * inproc://	NAME
 *	Verbatim, case-sensitive, non-empty.
 */
#include <errno.h>
#include <string.h>

#include "url.h"

#define URL_NAME_CHARS                                                         \
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._"
#define URL_V6_CHARS "0123456789abcdefABCDEF:."

struct url_scheme {
	const char *name; /* lower case */
	enum intr__url_transport transport;
	enum intr__url_family family;
};

static const struct url_scheme url_schemes[] = {
    {"tcp", INTR__URL_TCP, INTR__URL_ANY},
    {"tcp4", INTR__URL_TCP, INTR__URL_V4},
    {"tcp6", INTR__URL_TCP, INTR__URL_V6},
    {"ipc", INTR__URL_IPC, INTR__URL_ANY},
    {"unix", INTR__URL_IPC, INTR__URL_ANY},
    {"abstract", INTR__URL_ABSTRACT, INTR__URL_ANY},
    {"inproc", INTR__URL_INPROC, INTR__URL_ANY},
};

/* ASCII only: the C library's tolower() depends on the locale. */
static int
url_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* The scheme spelt by the n characters at s, or NULL if there is none. */
static const struct url_scheme *
url_scheme_find(const char *s, size_t n)
{
	size_t count = sizeof(url_schemes) / sizeof(url_schemes[0]);

	for (size_t i = 0; i < count; i++) {
		const char *name = url_schemes[i].name;
		size_t k = 0;

		while (k < n && name[k] != '\0' && url_lower(s[k]) == name[k]) {
			k++;
		}
		if (k == n && name[k] == '\0') {
			return &url_schemes[i];
		}
	}
	return NULL;
}

/*
 * The tcp host at s (rules above) into out->host; *end is set to the
 * character after it, which must be the ':' before the port.
 */
static int
url_host(const char *s, int for_bind, struct intr__url *out, const char **end)
{
	size_t n;
	int wild;

	if (s[0] == '[') {
		n = strspn(s + 1, URL_V6_CHARS);
		if (s[1 + n] != ']' || memchr(s + 1, ':', n) == NULL) {
			return -EINVAL;
		}
		memcpy(out->host, s + 1, n);
		*end = s + n + 2;
		return 0;
	}
	n = strspn(s, URL_NAME_CHARS);
	wild = n == 0;
	if (wild && !for_bind) {
		return -EINVAL;
	}
	/* The wildcard is stored as "", whichever way it was written. */
	if (wild && s[0] == '*') {
		n = 1;
	} else {
		memcpy(out->host, s, n);
	}
	*end = s + n;
	return 0;
}

/* The decimal port at s, then the end of the URL or a lone "/". */
static int
url_port(const char *s, int for_bind, struct intr__url *out)
{
	unsigned long v = 0;
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9') {
		v = v * 10 + (unsigned long)(s[n] - '0');
		if (v > 65535) {
			return -EINVAL;
		}
		n++;
	}
	if (n == 0 || (v == 0 && !for_bind)) {
		return -EINVAL;
	}
	if (strcmp(s + n, "") != 0 && strcmp(s + n, "/") != 0) {
		return -EINVAL;
	}
	out->port = (uint16_t)v;
	return 0;
}

static int
url_tcp(const char *s, int for_bind, struct intr__url *out)
{
	const char *colon;
	int rc;

	rc = url_host(s, for_bind, out, &colon);
	if (rc < 0) {
		return rc;
	}
	if (*colon != ':') {
		return -EINVAL;
	}
	return url_port(colon + 1, for_bind, out);
}

static int
url_ipc(const char *s, struct intr__url *out)
{
	size_t n = strlen(s);

	if (n == 0) {
		return -EINVAL;
	}
	if (n > INTR__URL_PATH_MAX) {
		return -ENAMETOOLONG;
	}
	memcpy(out->path, s, n);
	return 0;
}

static int
url_hex(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (url_lower(c) >= 'a' && url_lower(c) <= 'f') {
		return url_lower(c) - 'a' + 10;
	}
	return -1;
}

/* One byte of an encoded name at *s, advancing *s; or -EINVAL. */
static int
url_decode_byte(const char **s)
{
	const char *p = *s;
	int hi, lo;

	if (p[0] != '%') {
		*s = p + 1;
		return (unsigned char)p[0];
	}
	hi = url_hex(p[1]);
	lo = hi < 0 ? -1 : url_hex(p[2]);
	if (lo < 0) {
		return -EINVAL;
	}
	*s = p + 3;
	return hi << 4 | lo;
}

static int
url_abstract(const char *s, int for_bind, struct intr__url *out)
{
	size_t n = 0;

	while (*s != '\0') {
		int b = url_decode_byte(&s);

		if (b < 0) {
			return b;
		}
		if (n == INTR__URL_ABSTRACT_MAX) {
			return -ENAMETOOLONG;
		}
		out->abstract[n++] = (uint8_t)b;
	}
	if (n == 0 && !for_bind) {
		return -EINVAL;
	}
	out->abstract_len = n;
	return 0;
}

static int
url_inproc(const char *s, struct intr__url *out)
{
	if (*s == '\0') {
		return -EINVAL;
	}
	/* Fits: the whole URL is shorter than the field. */
	strcpy(out->inproc, s);
	return 0;
}

int
intr__url_parse(const char *url, int for_bind, struct intr__url *out)
{
	const struct url_scheme *sc;
	const char *sep, *rest;

	if (url == NULL || out == NULL) {
		return -EINVAL;
	}
	if (strnlen(url, INTR__URL_MAX) >= INTR__URL_MAX) {
		return -ENAMETOOLONG;
	}
	sep = strchr(url, ':');
	if (sep == NULL || strncmp(sep, "://", 3) != 0) {
		return -EINVAL;
	}
	sc = url_scheme_find(url, (size_t)(sep - url));
	if (sc == NULL) {
		return -EPROTONOSUPPORT;
	}
	memset(out, 0, sizeof(*out));
	out->transport = sc->transport;
	out->family = sc->family;
	rest = sep + 3;
	switch (sc->transport) {
	case INTR__URL_TCP:
		return url_tcp(rest, for_bind, out);
	case INTR__URL_IPC:
		return url_ipc(rest, out);
	case INTR__URL_ABSTRACT:
		return url_abstract(rest, for_bind, out);
	case INTR__URL_INPROC:
		return url_inproc(rest, out);
	}
	return -EPROTONOSUPPORT;
}
