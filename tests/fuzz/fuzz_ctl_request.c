/*
 * fuzz_ctl_request.c -- libFuzzer target for the control protocol's
 * requests (ctl_proto.c), the bytes a local client sends the daemon.
 *
 * The input is used twice. As received bytes, in an allocation of exactly
 * their size, with an error buffer of 1 to 256 bytes: a request accepted
 * must be well formed and the one ctl_request_format writes, byte for byte,
 * and every shorter prefix of it must still be incomplete; a rejection
 * must say why in the room it has; "incomplete" only while there is no
 * newline and room for one. Then as a request to send: a verb, a
 * supervisor and a child: ctl_request_format must refuse exactly the
 * requests whose verb or arguments are not well formed, and what it
 * writes must parse back to the same request.
 */
#include <stdbool.h>

#include "ctl_proto.h"
#include "fuzz.h"

static bool
token(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("_.:@-", *s) != NULL))
			return false;
	return true;
}

static bool
verb_known(enum ctl_verb v)
{
	return v >= CTL_WHICH_CHILDREN && v <= CTL_STOP;
}

/* sup and child are set, well formed, exactly as the verb asks. */
static bool
well_formed(const struct ctl_request *req)
{
	enum ctl_args args = ctl_verb_args(req->verb);

	if (memchr(req->sup, '\0', sizeof(req->sup)) == NULL ||
	    memchr(req->child, '\0', sizeof(req->child)) == NULL)
		return false;
	return (args >= CTL_ARGS_SUP ? token(req->sup) : req->sup[0] == '\0') &&
	    (args == CTL_ARGS_SUP_CHILD ? token(req->child) :
	    req->child[0] == '\0');
}

/* What format needs: the verb's arguments well formed; others ignored. */
static bool
formattable(const struct ctl_request *req)
{
	enum ctl_args args;

	if (!verb_known(req->verb))
		return false;
	args = ctl_verb_args(req->verb);
	return (args < CTL_ARGS_SUP || token(req->sup)) &&
	    (args < CTL_ARGS_SUP_CHILD || token(req->child));
}

static enum ctl_parse
parse(const char *bytes, size_t len, size_t errsize, struct ctl_request *req)
{
	char *buf = malloc(len + 1), *err = malloc(errsize);
	enum ctl_parse st;

	FUZZ_CHECK(buf != NULL && err != NULL);
	memcpy(buf, bytes, len);
	st = ctl_request_parse(buf, len, req, err, errsize);
	FUZZ_CHECK(strlen(err) < errsize);
	FUZZ_CHECK((st == CTL_PARSE_ERROR && errsize > 1) == (err[0] != '\0'));
	free(buf);
	free(err);
	return st;
}

static void
received(const uint8_t *data, size_t len, size_t errsize)
{
	struct ctl_request req;
	char back[CTL_REQUEST_MAX + 1];
	enum ctl_parse st = parse((const char *)data, len, errsize, &req);

	switch (st) {
	case CTL_PARSE_OK:
		FUZZ_CHECK(verb_known(req.verb) && well_formed(&req));
		FUZZ_CHECK(ctl_request_format(&req, back, sizeof(back)) ==
		    (int)len);
		FUZZ_CHECK(memcmp(back, data, len) == 0);
		for (size_t i = 0; i < len; i++)
			FUZZ_CHECK(parse((const char *)data, i, errsize, &req) ==
			    CTL_PARSE_INCOMPLETE);
		break;
	case CTL_PARSE_INCOMPLETE:
		FUZZ_CHECK(memchr(data, '\n', len) == NULL);
		FUZZ_CHECK(len < CTL_REQUEST_MAX);
		break;
	case CTL_PARSE_ERROR:
		break;
	default:
		FUZZ_CHECK(!"a result ctl_proto.h does not name");
	}
}

static void
sent(struct fuzz_input in)
{
	struct ctl_request req = { 0 }, back;
	char buf[CTL_REQUEST_MAX + 1];
	char *sup, *child;
	enum ctl_args args;
	int n;

	/* One past the last verb: format must refuse what is not a verb. */
	req.verb = (enum ctl_verb)(fuzz_u8(&in) % (CTL_STOP + 2));
	sup = fuzz_string(&in);
	child = fuzz_string(&in);
	strlcpy(req.sup, sup, sizeof(req.sup));
	strlcpy(req.child, child, sizeof(req.child));
	free(sup);
	free(child);
	n = ctl_request_format(&req, buf, sizeof(buf));
	if (!formattable(&req)) {
		FUZZ_CHECK(n == -1);
		return;
	}
	FUZZ_CHECK(n > 0 && n <= CTL_REQUEST_MAX && buf[n - 1] == '\n');
	FUZZ_CHECK(parse(buf, (size_t)n, 64, &back) == CTL_PARSE_OK);
	FUZZ_CHECK(back.verb == req.verb);
	args = ctl_verb_args(req.verb);
	FUZZ_CHECK(strcmp(back.sup, args >= CTL_ARGS_SUP ? req.sup : "") == 0);
	FUZZ_CHECK(strcmp(back.child,
	    args == CTL_ARGS_SUP_CHILD ? req.child : "") == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };

	received(data, size, (size_t)(size > 0 ? data[0] : 0) + 1);
	sent(in);
	return 0;
}
