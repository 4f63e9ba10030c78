/*
 * fuzz_ctl_reply.c -- libFuzzer target for the control protocol's replies
 * (ctl_proto.c), what tcpsupctl reads from the daemon.
 *
 * The input is used twice. Its first string (up to a NUL byte) is a reply
 * line as received, in an allocation of exactly its size: ctl_record_parse
 * must take it apart at every tab and nowhere else, or refuse it for being
 * empty or having more fields than CTL_FIELD_MAX. The rest is a reply to
 * write: "ok" or an error term, records of the documented tags with
 * arbitrary field text, and "end"; read back line by line, it must give
 * the same records, their tabs and newlines turned into spaces and fields
 * past CTL_FIELD_MAX dropped, and nothing else.
 */
#include <stdbool.h>

#include "ctl_proto.h"
#include "fuzz.h"

#define MAX_RECORDS	16

static const char *const tags[] = {
	"child", "count", "spec", "pid", "sup", "node", "stat", "report"
};

static void
received_line(struct fuzz_input *in)
{
	char *line = fuzz_string(in), *copy = strdup(line);
	size_t tabs = 0, off = 0;
	struct ctl_record rec;
	int rc;

	FUZZ_CHECK(copy != NULL);
	for (const char *p = line; (p = strchr(p, '\t')) != NULL; p++)
		tabs++;
	rc = ctl_record_parse(line, &rec);
	if (copy[0] == '\0' || tabs > CTL_FIELD_MAX) {
		FUZZ_CHECK(rc == -1);
		goto done;
	}
	FUZZ_CHECK(rc == 0 && rec.nfields == tabs);
	/* The tag and the fields, joined by tabs, are the line. */
	for (size_t i = 0; i <= rec.nfields; i++) {
		const char *part = i == 0 ? rec.tag : rec.fields[i - 1];
		size_t n = strlen(part);

		FUZZ_CHECK(strchr(part, '\t') == NULL);
		FUZZ_CHECK(memcmp(copy + off, part, n) == 0);
		off += n;
		FUZZ_CHECK(copy[off] == (i == rec.nfields ? '\0' : '\t'));
		off++;
	}
done:
	free(line);
	free(copy);
}

/* How a field reads back: tabs and newlines become spaces. */
static bool
same_field(const char *written, const char *read)
{
	for (; *written != '\0'; written++, read++)
		if (*read != (strchr("\t\n", *written) != NULL ? ' ' : *written))
			return false;
	return *read == '\0';
}

/* The next line of the reply, NUL-terminated in place, or NULL. */
static char *
next_line(char **cursor, const char *end)
{
	char *line = *cursor, *nl;

	if (line >= end)
		return NULL;
	nl = memchr(line, '\n', (size_t)(end - line));
	FUZZ_CHECK(nl != NULL);		/* every line ends with a newline */
	*nl = '\0';
	*cursor = nl + 1;
	return line;
}

struct written {
	const char	*tag;
	char		*fields[CTL_FIELD_MAX + 4];
	size_t		 nfields;
};

static void
check_record(char *line, const struct written *w)
{
	struct ctl_record rec;
	size_t kept = w->nfields < CTL_FIELD_MAX ? w->nfields : CTL_FIELD_MAX;

	FUZZ_CHECK(line != NULL && ctl_record_parse(line, &rec) == 0);
	FUZZ_CHECK(strcmp(rec.tag, w->tag) == 0);
	FUZZ_CHECK(rec.nfields == kept);
	for (size_t i = 0; i < kept; i++)
		FUZZ_CHECK(same_field(w->fields[i], rec.fields[i]));
}

static void
written_reply(struct fuzz_input *in)
{
	struct ctl_reply r = { 0 };
	struct written w[MAX_RECORDS];
	size_t nrecords = fuzz_u8(in) % (MAX_RECORDS + 1);
	char *term = fuzz_u8(in) % 2 == 0 ? NULL : fuzz_string(in);
	char *cursor, *end, *line;

	if (term == NULL)
		ctl_reply_ok(&r);
	else
		ctl_reply_error(&r, term);
	for (size_t i = 0; i < nrecords; i++) {
		w[i].tag = tags[fuzz_u8(in) % (sizeof(tags) / sizeof(tags[0]))];
		w[i].nfields = fuzz_u8(in) % (CTL_FIELD_MAX + 4);
		for (size_t f = 0; f < w[i].nfields; f++)
			w[i].fields[f] = fuzz_string(in);
		ctl_reply_record(&r, w[i].tag, w[i].nfields,
		    (const char *const *)w[i].fields);
	}
	ctl_reply_end(&r);
	FUZZ_CHECK(r.len > 0 && r.buf[r.len - 1] == '\n');

	cursor = r.buf;
	end = r.buf + r.len;
	line = next_line(&cursor, end);
	if (term == NULL) {
		FUZZ_CHECK(strcmp(line, "ok") == 0);
	} else {
		FUZZ_CHECK(strncmp(line, "error\t", 6) == 0);
		FUZZ_CHECK(same_field(term, line + 6));
	}
	for (size_t i = 0; i < nrecords; i++)
		check_record(next_line(&cursor, end), &w[i]);
	line = next_line(&cursor, end);
	FUZZ_CHECK(line != NULL && strcmp(line, "end") == 0);
	FUZZ_CHECK(next_line(&cursor, end) == NULL);

	for (size_t i = 0; i < nrecords; i++)
		for (size_t f = 0; f < w[i].nfields; f++)
			free(w[i].fields[f]);
	free(term);
	ctl_reply_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };

	received_line(&in);
	written_reply(&in);
	return 0;
}
