/*
 * url.h - parse an endpoint address ("tcp://host:port", "ipc:///path",
 * "abstract://name", "inproc://name") into the parts a transport needs.
 *
 * Pure text work: no I/O, no allocation, no name resolution (that is the
 * transport's job). The accepted syntax is nng's superset of nanomsg's
 * (docs sp-protocol.md 3.3-3.5 and 4); url.c lists every rule.
 */
#ifndef INTR_CORE_URL_H
#define INTR_CORE_URL_H

#include <stddef.h>
#include <stdint.h>

/* A whole URL must be shorter than this (nanomsg's NN_SOCKADDR_MAX). */
#define INTR__URL_MAX 128

/* Linux sun_path holds 108 bytes; the ipc path needs one for its NUL. */
#define INTR__URL_PATH_MAX 107

/* An abstract name follows a leading NUL in the same sun_path. */
#define INTR__URL_ABSTRACT_MAX 107

/* Zero is no transport, so a zeroed struct never passes for a parsed one. */
enum intr__url_transport {
	INTR__URL_TCP = 1,
	INTR__URL_IPC,      /* ipc:// and its alias unix:// */
	INTR__URL_ABSTRACT, /* Linux abstract socket namespace */
	INTR__URL_INPROC,
};

/* Which address families a tcp endpoint may use. */
enum intr__url_family {
	INTR__URL_ANY = 0, /* tcp:// */
	INTR__URL_V4,      /* tcp4:// */
	INTR__URL_V6,      /* tcp6:// */
};

/*
 * A parsed URL. Only the fields of its transport are set; every other
 * field is zero (empty strings, port 0, length 0).
 */
struct intr__url {
	enum intr__url_transport transport;
	enum intr__url_family family; /* tcp; INTR__URL_ANY otherwise */
	/*
	 * tcp: the host as written, without the brackets of an IPv6 literal
	 * ("::1"); "" is the wildcard (written "*" or left empty, bind only).
	 * Names and literals alike; the transport resolves.
	 */
	char host[INTR__URL_MAX];
	uint16_t port; /* tcp; 0 only when binding: the kernel picks */
	char path[INTR__URL_PATH_MAX + 1]; /* ipc: verbatim, NUL-ended */
	/*
	 * abstract: the decoded name bytes, without the leading NUL the
	 * kernel address adds; may hold NULs. Length 0 only when binding:
	 * the kernel picks a name.
	 */
	uint8_t abstract[INTR__URL_ABSTRACT_MAX];
	size_t abstract_len;
	char inproc[INTR__URL_MAX]; /* inproc: the name, non-empty */
};

/*
 * Parse url for bind (for_bind != 0) or connect into *out: 0, or
 *   -EINVAL		url or out is NULL, or url is malformed (see url.c)
 *   -ENAMETOOLONG	url has INTR__URL_MAX characters or more, or its ipc
 *			path or abstract name does not fit sun_path
 *   -EPROTONOSUPPORT	the scheme is not tcp, tcp4, tcp6, ipc, unix,
 *			abstract or inproc
 * On error *out holds nothing useful.
 */
int intr__url_parse(const char *url, int for_bind, struct intr__url *out);

#endif /* INTR_CORE_URL_H */
