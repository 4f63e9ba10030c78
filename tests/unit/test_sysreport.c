/*
 * test_sysreport.c -- --syslog's pure parts: facility names, the priority
 * of each kind of report, the RFC 3164 datagram around a report's JSON
 * line, and a long line cut to the room given.
 */
#include <criterion/criterion.h>

#include <string.h>
#include <syslog.h>

#include "sysreport.h"

Test(sysreport, facilities)
{
	cr_assert_eq(sysreport_facility("daemon"), LOG_DAEMON);
	cr_assert_eq(sysreport_facility("user"), LOG_USER);
	cr_assert_eq(sysreport_facility("local0"), LOG_LOCAL0);
	cr_assert_eq(sysreport_facility("local7"), LOG_LOCAL7);
	cr_assert_eq(sysreport_facility("authpriv"), LOG_AUTHPRIV);
	/* The kernel's is not ours to claim. */
	cr_assert_eq(sysreport_facility("kern"), -1);
	cr_assert_eq(sysreport_facility("local8"), -1);
	cr_assert_eq(sysreport_facility("Daemon"), -1);
	cr_assert_eq(sysreport_facility(""), -1);
}

Test(sysreport, priorities)
{
	struct report r = report_message(REPORT_ERROR, 1, "x");

	cr_assert_eq(sysreport_priority(&r), LOG_ERR);
	r.kind = REPORT_SUPERVISOR;
	cr_assert_eq(sysreport_priority(&r), LOG_ERR);
	r.kind = REPORT_WARNING;
	cr_assert_eq(sysreport_priority(&r), LOG_WARNING);
	r.kind = REPORT_INFO;
	cr_assert_eq(sysreport_priority(&r), LOG_INFO);
	r.kind = REPORT_PROGRESS;
	cr_assert_eq(sysreport_priority(&r), LOG_INFO);
}

Test(sysreport, datagram)
{
	struct report r = report_message(REPORT_WARNING, 42, "Running as root");
	struct tm tm = { .tm_mon = 10, .tm_mday = 3, .tm_hour = 9,
	    .tm_min = 5, .tm_sec = 7 };
	const char json[] = "{\"report\":\"warning_report\"}\n";
	char buf[256];
	size_t n;

	n = sysreport_format(buf, sizeof(buf), LOG_LOCAL0, &r, &tm, 42, json,
	    strlen(json));
	/* local0 (16) * 8 + warning (4) = 132; no newline at the end. */
	cr_assert_str_eq(buf, "<132>Nov  3 09:05:07 tcpsup[42]: "
	    "{\"report\":\"warning_report\"}");
	cr_assert_eq(n, strlen(buf));
	r.kind = REPORT_INFO;
	tm.tm_mday = 29;
	sysreport_format(buf, sizeof(buf), LOG_DAEMON, &r, &tm, 7, "{}", 2);
	cr_assert_str_eq(buf, "<30>Nov 29 09:05:07 tcpsup[7]: {}");
}

Test(sysreport, cut_to_size)
{
	struct report r = report_message(REPORT_ERROR, 1, "x");
	struct tm tm = { .tm_mday = 1 };
	char buf[24];

	cr_assert_eq(sysreport_format(buf, sizeof(buf), LOG_DAEMON, &r, &tm,
	    1, "{\"a\":\"long enough to be cut\"}", 29), sizeof(buf) - 1);
	cr_assert_eq(strlen(buf), sizeof(buf) - 1);
}
