/*
 * proto_ids.h - the SP protocol numbers sent in bytes 4-5 of the
 * connection header, and the one-peer rule that pairs them.
 *
 * This is the one list of protocol numbers used on the wire (STYLE.md 4);
 * add a row here before any code uses a new number. A number is
 * major * 16 + minor: the upper 12 bits name the protocol family, the lower
 * 4 bits the role inside it (sp-protocol-ids-01; docs sp-protocol.md 1).
 * Raw and cooked sockets of a type send the same number.
 *
 *	socket		id	family/role	only accepted peer
 *	PAIR v0		0x10	1/0		PAIR v0 (0x10)
 *	PAIR v1		0x11	1/1		PAIR v1 (0x11), nng only
 *	PUB		0x20	2/0		SUB (0x21)
 *	SUB		0x21	2/1		PUB (0x20)
 *	REQ		0x30	3/0		REP (0x31)
 *	REP		0x31	3/1		REQ (0x30)
 *	PUSH		0x50	5/0		PULL (0x51)
 *	PULL		0x51	5/1		PUSH (0x50)
 *	SURVEYOR	0x62	6/2		RESPONDENT (0x63)
 *	RESPONDENT	0x63	6/3		SURVEYOR (0x62)
 *	BUS		0x70	7/0		BUS (0x70)
 *
 * Not used, on purpose: 16/17 for REQ/REP (asked for by the request/reply
 * draft, sent by no implementation, and PAIR's numbers in practice);
 * 0x60/0x61 (a pre-release surveyor no released peer speaks); families 4
 * (unassigned) and 8 (reserved).
 * Family 3840-4095 (ids 0xf000-0xffff) is for local experiments.
 */
#ifndef INTR_CORE_PROTO_IDS_H
#define INTR_CORE_PROTO_IDS_H

#include <errno.h>

#define INTR__PROTO_PAIR 0x10
#define INTR__PROTO_PAIR1 0x11
#define INTR__PROTO_PUB 0x20
#define INTR__PROTO_SUB 0x21
#define INTR__PROTO_REQ 0x30
#define INTR__PROTO_REP 0x31
#define INTR__PROTO_PUSH 0x50
#define INTR__PROTO_PULL 0x51
#define INTR__PROTO_SURVEYOR 0x62
#define INTR__PROTO_RESPONDENT 0x63
#define INTR__PROTO_BUS 0x70

/*
 * The only protocol number a socket of type proto accepts from its peer
 * (the table above), or -EINVAL if proto is not a number libintr knows.
 * Pure; the header exchange compares the peer's bytes 4-5 with this.
 */
static inline int
intr__proto_peer(int proto)
{
	switch (proto) {
	case INTR__PROTO_PAIR:
	case INTR__PROTO_PAIR1:
	case INTR__PROTO_BUS:
		return proto;
	case INTR__PROTO_PUB:
		return INTR__PROTO_SUB;
	case INTR__PROTO_SUB:
		return INTR__PROTO_PUB;
	case INTR__PROTO_REQ:
		return INTR__PROTO_REP;
	case INTR__PROTO_REP:
		return INTR__PROTO_REQ;
	case INTR__PROTO_PUSH:
		return INTR__PROTO_PULL;
	case INTR__PROTO_PULL:
		return INTR__PROTO_PUSH;
	case INTR__PROTO_SURVEYOR:
		return INTR__PROTO_RESPONDENT;
	case INTR__PROTO_RESPONDENT:
		return INTR__PROTO_SURVEYOR;
	default:
		return -EINVAL;
	}
}

#endif /* INTR_CORE_PROTO_IDS_H */
