/*
 * test_intensity.c -- OTP's restart intensity (supervisor:add_restart/1,
 * OTP.md section 2): restarts = [now | t in restarts if t >= now - period],
 * give up when the list is longer than MaxR. Covers 5 in 60 s, the window
 * boundary, spread-out restarts, intensity 0, the state after a refusal,
 * and a comparison with a literal model of OTP's algorithm.
 */
#include <criterion/criterion.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "intensity.h"

static struct intensity in;

static void
setup_5_in_60(void)
{
	cr_assert_eq(intensity_init(&in, 5, 60), 0);
}

static void
teardown(void)
{
	intensity_free(&in);
}

TestSuite(intensity, .fini = teardown);

Test(intensity, init_is_empty)
{
	cr_assert_eq(intensity_init(&in, 5, 60), 0);
	cr_assert_eq(in.max_restarts, 5);
	cr_assert_eq(in.period, 60);
	cr_assert_eq(in.count, 0);
	cr_assert_not_null(in.stamps);
}

Test(intensity, five_restarts_in_60s_are_allowed, .init = setup_5_in_60)
{
	for (int64_t t = 1000; t < 1005; t++)
		cr_assert(intensity_add_restart(&in, t), "restart at %lld",
		    (long long)t);
	cr_assert_eq(in.count, 5);
}

Test(intensity, five_restarts_in_the_same_second_are_allowed,
    .init = setup_5_in_60)
{
	for (int i = 0; i < 5; i++)
		cr_assert(intensity_add_restart(&in, 1000), "restart %d", i + 1);
}

Test(intensity, sixth_restart_within_60s_is_refused, .init = setup_5_in_60)
{
	for (int64_t t = 1000; t < 1005; t++)
		cr_assert(intensity_add_restart(&in, t));
	cr_assert_not(intensity_add_restart(&in, 1059));
}

Test(intensity, stamp_at_now_minus_period_still_counts,
    .init = setup_5_in_60)
{
	/* Oldest stamp 1000; at 1060, 1000 >= 1060 - 60 keeps it. */
	for (int64_t t = 1000; t < 1005; t++)
		cr_assert(intensity_add_restart(&in, t));
	cr_assert_not(intensity_add_restart(&in, 1060));
}

Test(intensity, stamp_at_now_minus_period_minus_one_does_not_count,
    .init = setup_5_in_60)
{
	/* At 1061, 1000 < 1061 - 60 drops it: five stamps remain. */
	for (int64_t t = 1000; t < 1005; t++)
		cr_assert(intensity_add_restart(&in, t));
	cr_assert(intensity_add_restart(&in, 1061));
	cr_assert_eq(in.count, 5);
}

Test(intensity, one_in_60_boundary)
{
	cr_assert_eq(intensity_init(&in, 1, 60), 0);
	cr_assert(intensity_add_restart(&in, 0));
	cr_assert(intensity_add_restart(&in, 61), "0 is older than 61 - 60");
	cr_assert_not(intensity_add_restart(&in, 121), "61 >= 121 - 60");
}

Test(intensity, restarts_13s_apart_never_trip, .init = setup_5_in_60)
{
	/* Any 61-second window [now-60, now] holds at most 5 of them. */
	for (int64_t i = 0; i < 1000; i++)
		cr_assert(intensity_add_restart(&in, 5000 + i * 13),
		    "restart %lld", (long long)i + 1);
}

Test(intensity, restarts_12s_apart_trip_at_the_sixth, .init = setup_5_in_60)
{
	/* 0, 12, 24, 36, 48, 60: six stamps in [0, 60]. */
	for (int64_t i = 0; i < 5; i++)
		cr_assert(intensity_add_restart(&in, i * 12));
	cr_assert_not(intensity_add_restart(&in, 60));
}

Test(intensity, restarts_a_period_apart_never_trip_with_intensity_1)
{
	cr_assert_eq(intensity_init(&in, 1, 60), 0);
	for (int64_t i = 0; i < 100; i++)
		cr_assert(intensity_add_restart(&in, i * 61), "restart %lld",
		    (long long)i + 1);
}

Test(intensity, intensity_0_refuses_the_first_restart)
{
	cr_assert_eq(intensity_init(&in, 0, 60), 0);
	cr_assert_not(intensity_add_restart(&in, 1000));
}

Test(intensity, state_after_refusal_is_consistent, .init = setup_5_in_60)
{
	for (int64_t t = 1000; t < 1005; t++)
		cr_assert(intensity_add_restart(&in, t));
	cr_assert_not(intensity_add_restart(&in, 1010));
	/* Six stamps, newest first, the refused restart among them. */
	cr_assert_eq(in.count, 6);
	cr_assert_eq(in.stamps[0], 1010);
	for (int i = 1; i < in.count; i++)
		cr_assert_eq(in.stamps[i], 1005 - i, "stamp %d", i);
}

Test(intensity, repeated_refusals_stay_bounded, .init = setup_5_in_60)
{
	for (int i = 0; i < 5; i++)
		cr_assert(intensity_add_restart(&in, 1000));
	for (int i = 0; i < 100; i++) {
		cr_assert_not(intensity_add_restart(&in, 1000 + i / 10));
		cr_assert_eq(in.count, 6, "after refusal %d", i + 1);
		cr_assert_eq(in.stamps[0], 1000 + i / 10);
	}
}

Test(intensity, window_empties_after_a_quiet_period, .init = setup_5_in_60)
{
	for (int i = 0; i < 6; i++)
		intensity_add_restart(&in, 1000);
	cr_assert(intensity_add_restart(&in, 1061));
	cr_assert_eq(in.count, 1);
	cr_assert_eq(in.stamps[0], 1061);
}

Test(intensity, free_resets)
{
	cr_assert_eq(intensity_init(&in, 5, 60), 0);
	intensity_add_restart(&in, 1);
	intensity_free(&in);
	cr_assert_null(in.stamps);
	cr_assert_eq(in.count, 0);
}

/*
 * OTP's add_restart, literally: keep every stamp ever kept, filter by the
 * period, and compare the list's length with MaxR.
 */
struct model {
	int64_t	stamps[4096];
	int	count;
};

static bool
model_add_restart(struct model *m, int max_r, int64_t period, int64_t now)
{
	int64_t kept[4096];
	int n = 0;

	cr_assert_lt(m->count, 4095, "model overflow");
	kept[n++] = now;
	for (int i = 0; i < m->count; i++)
		if (m->stamps[i] >= now - period)
			kept[n++] = m->stamps[i];
	for (int i = 0; i < n; i++)
		m->stamps[i] = kept[i];
	m->count = n;
	return n <= max_r;
}

Test(intensity, agrees_with_otp_model_on_random_sequences)
{
	const struct { int max_r; int64_t period; } cfg[] = {
		{ 0, 1 }, { 1, 1 }, { 1, 60 }, { 3, 10 }, { 5, 60 }, { 10, 5 },
	};
	static struct model m;

	srand(42);
	for (size_t c = 0; c < sizeof(cfg) / sizeof(cfg[0]); c++) {
		int64_t now = 100;

		cr_assert_eq(intensity_init(&in, cfg[c].max_r, cfg[c].period), 0);
		m.count = 0;
		for (int i = 0; i < 2000; i++) {
			bool want, got;

			now += rand() % (int)(cfg[c].period / 2 + 2);
			want = model_add_restart(&m, cfg[c].max_r,
			    cfg[c].period, now);
			got = intensity_add_restart(&in, now);
			cr_assert_eq(got, want, "%d/%lld, restart %d at %lld",
			    cfg[c].max_r, (long long)cfg[c].period, i + 1,
			    (long long)now);
		}
		intensity_free(&in);
	}
}
