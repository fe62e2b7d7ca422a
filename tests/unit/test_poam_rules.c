/*
 * test_poam_rules.c - unit tests of policy/poam_rules.c: calendar days,
 * scheduled completion dates per risk and with a KEV due date, lateness
 * with vendor check-ins, and the deviation rules (what may be requested,
 * what may be decided, the Yes/No/Pending columns and the rationale text).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "policy/poam_rules.h"

static long day(const char *s)
{
	long d = -999999;

	assert_int_equal(poam_rules_day_parse(s, &d), 0);
	return d;
}

static void test_days(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(poam_rules_day(1970, 1, 1), 0);
	assert_int_equal(day("1970-01-02"), 1);
	assert_int_equal(day("2000-03-01") - day("2000-02-28"), 2);   /* 2000 is a leap year */
	assert_int_equal(day("2100-03-01") - day("2100-02-28"), 1);   /* 2100 is not */
	assert_int_equal(day("2027-01-01"), 20819);
	poam_rules_day_format(day("2028-02-29"), out, sizeof(out));
	assert_string_equal(out, "2028-02-29");
	poam_rules_day_format(day("2027-01-01") + 30, out, sizeof(out));
	assert_string_equal(out, "2027-01-31");
	/* malformed and impossible dates */
	{
		long d;

		assert_int_equal(poam_rules_day_parse("2027-02-29", &d), -1);
		assert_int_equal(poam_rules_day_parse("2027-13-01", &d), -1);
		assert_int_equal(poam_rules_day_parse("2027-1-01", &d), -1);
		assert_int_equal(poam_rules_day_parse("2027-01-01T00:00:00Z", &d), -1);
		assert_int_equal(poam_rules_day_parse("", &d), -1);
		assert_int_equal(poam_rules_day_parse(NULL, &d), -1);
		assert_int_equal(poam_rules_day_parse("0000-01-01", &d), -1);
	}
}

static void test_windows(void **state)
{
	char w[32];

	(void)state;
	poam_rules_windows(w, sizeof(w));
	assert_string_equal(w, "{30,90,180}");
}

static void test_scheduled(void **state)
{
	char out[16];
	long d0 = day("2027-01-01");

	(void)state;
	assert_int_equal(poam_rules_scheduled(d0, RISK_HIGH, -1), day("2027-01-31"));
	assert_int_equal(poam_rules_scheduled(d0, RISK_MODERATE, -1), day("2027-04-01"));
	assert_int_equal(poam_rules_scheduled(d0, RISK_LOW, -1), day("2027-06-30"));
	/* KEV: the earlier of the window and CISA's due date */
	assert_int_equal(poam_rules_scheduled(d0, RISK_LOW, day("2027-01-15")), day("2027-01-15"));
	assert_int_equal(poam_rules_scheduled(d0, RISK_HIGH, day("2027-03-01")), day("2027-01-31"));
	assert_int_equal(poam_rules_scheduled(d0, RISK_MODERATE, day("2022-04-15")), day("2022-04-15"));
	/* a fix appearing restarts the window from its day */
	poam_rules_day_format(poam_rules_scheduled(day("2027-02-20"), RISK_HIGH, -1), out, sizeof(out));
	assert_string_equal(out, "2027-03-22");
}

static void test_late(void **state)
{
	long sched = day("2027-01-31");

	(void)state;
	assert_int_equal(poam_rules_is_late(1, sched, sched, 0, -1), 0);          /* due today: not yet */
	assert_int_equal(poam_rules_is_late(1, sched, sched + 1, 0, -1), 1);
	assert_int_equal(poam_rules_is_late(0, sched, sched + 100, 0, -1), 0);    /* closed */
	/* vendor dependency: a check-in in the last 30 days keeps it on time */
	assert_int_equal(poam_rules_is_late(1, sched, sched + 10, 1, sched + 10 - 30), 0);
	assert_int_equal(poam_rules_is_late(1, sched, sched + 10, 1, sched + 10 - 31), 1);
	assert_int_equal(poam_rules_is_late(1, sched, sched + 10, 1, -1), 1);      /* never checked in */
	assert_int_equal(poam_rules_is_late(1, sched, sched + 10, 0, sched + 5), 1); /* not vendor-dependent */
	assert_int_equal(poam_rules_is_late(1, sched, sched + 10, 1, sched + 20), 1); /* check-in after as_of */
}

static void test_dev_names(void **state)
{
	poam_dev_type t;
	poam_dev_status s;

	(void)state;
	assert_int_equal(poam_rules_dev_type_parse("risk_adjustment", &t), 0);
	assert_int_equal(t, POAM_DEV_RISK_ADJUSTMENT);
	assert_int_equal(poam_rules_dev_type_parse("operational_requirement", &t), 0);
	assert_int_equal(t, POAM_DEV_OPERATIONAL_REQUIREMENT);
	assert_int_equal(poam_rules_dev_type_parse("Risk Adjustment", &t), -1);
	assert_int_equal(poam_rules_dev_type_parse("", &t), -1);
	assert_int_equal(poam_rules_dev_type_parse(NULL, &t), -1);
	assert_string_equal(poam_rules_dev_type_label(POAM_DEV_FALSE_POSITIVE), "False Positive");
	assert_string_equal(poam_rules_dev_type_name((poam_dev_type)7), "unknown");
	assert_int_equal(poam_rules_dev_status_parse("rejected", &s), 0);
	assert_int_equal(s, POAM_DEV_REJECTED);
	assert_int_equal(poam_rules_dev_status_parse("Approved", &s), -1);
	assert_string_equal(poam_rules_dev_status_name(POAM_DEV_PENDING), "pending");
}

static void test_dev_request(void **state)
{
	(void)state;
	/* risk adjustment: needs a lower rating */
	assert_int_equal(poam_rules_dev_request_check(1, RISK_HIGH, POAM_DEV_RISK_ADJUSTMENT, 1, RISK_MODERATE),
			 POAM_DEV_OK);
	assert_int_equal(poam_rules_dev_request_check(1, RISK_HIGH, POAM_DEV_RISK_ADJUSTMENT, 0, RISK_LOW),
			 POAM_DEV_ERR_ADJUSTED_MISSING);
	assert_int_equal(poam_rules_dev_request_check(1, RISK_MODERATE, POAM_DEV_RISK_ADJUSTMENT, 1, RISK_HIGH),
			 POAM_DEV_ERR_NOT_LOWER);
	assert_int_equal(poam_rules_dev_request_check(1, RISK_LOW, POAM_DEV_RISK_ADJUSTMENT, 1, RISK_LOW),
			 POAM_DEV_ERR_NOT_LOWER);
	/* no operational requirement for a High item */
	assert_int_equal(poam_rules_dev_request_check(1, RISK_HIGH, POAM_DEV_OPERATIONAL_REQUIREMENT, 0, RISK_LOW),
			 POAM_DEV_ERR_HIGH_OR);
	assert_int_equal(poam_rules_dev_request_check(1, RISK_MODERATE, POAM_DEV_OPERATIONAL_REQUIREMENT, 0, RISK_LOW),
			 POAM_DEV_OK);
	/* false positives at any rating; no rating with it */
	assert_int_equal(poam_rules_dev_request_check(1, RISK_HIGH, POAM_DEV_FALSE_POSITIVE, 0, RISK_LOW), POAM_DEV_OK);
	assert_int_equal(poam_rules_dev_request_check(1, RISK_HIGH, POAM_DEV_FALSE_POSITIVE, 1, RISK_LOW),
			 POAM_DEV_ERR_ADJUSTED_EXTRA);
	/* closed items take no request */
	assert_int_equal(poam_rules_dev_request_check(0, RISK_LOW, POAM_DEV_FALSE_POSITIVE, 0, RISK_LOW),
			 POAM_DEV_ERR_CLOSED);
	assert_string_equal(poam_rules_dev_err_message(POAM_DEV_ERR_HIGH_OR),
			    "an operational requirement cannot be approved for a High item; request a risk adjustment first");
}

static void test_dev_decide(void **state)
{
	(void)state;
	assert_int_equal(poam_rules_dev_decide_check(1, POAM_DEV_PENDING, 1, POAM_DEV_FALSE_POSITIVE, RISK_HIGH),
			 POAM_DEV_OK);
	assert_int_equal(poam_rules_dev_decide_check(1, POAM_DEV_APPROVED, 0, POAM_DEV_FALSE_POSITIVE, RISK_HIGH),
			 POAM_DEV_ERR_NOT_PENDING);
	assert_int_equal(poam_rules_dev_decide_check(1, POAM_DEV_REJECTED, 1, POAM_DEV_RISK_ADJUSTMENT, RISK_HIGH),
			 POAM_DEV_ERR_NOT_PENDING);
	assert_int_equal(poam_rules_dev_decide_check(0, POAM_DEV_PENDING, 1, POAM_DEV_RISK_ADJUSTMENT, RISK_HIGH),
			 POAM_DEV_ERR_CLOSED);
	/* an OR requested while Moderate cannot be approved once the item is High again */
	assert_int_equal(poam_rules_dev_decide_check(1, POAM_DEV_PENDING, 1, POAM_DEV_OPERATIONAL_REQUIREMENT, RISK_HIGH),
			 POAM_DEV_ERR_HIGH_OR);
	/* ... but it can always be rejected */
	assert_int_equal(poam_rules_dev_decide_check(1, POAM_DEV_PENDING, 0, POAM_DEV_OPERATIONAL_REQUIREMENT, RISK_HIGH),
			 POAM_DEV_OK);
	assert_int_equal(poam_rules_dev_decide_check(1, POAM_DEV_PENDING, 1, POAM_DEV_OPERATIONAL_REQUIREMENT,
						     RISK_MODERATE), POAM_DEV_OK);
}

static void test_dev_columns(void **state)
{
	const char *docs1[] = {"Deviation Request : DR-1.pdf", "", "Evidence : scan.json"};
	const char *docs2[] = {"Deviation Request : DR-2.pdf"};
	poam_deviation d[4];
	poam_dev_columns c;
	buf b;

	(void)state;
	poam_rules_dev_columns(NULL, 0, &c);
	assert_string_equal(c.risk_adjustment, "No");
	assert_string_equal(c.false_positive, "No");
	assert_string_equal(c.operational_requirement, "No");
	assert_int_equal(c.any, 0);
	assert_int_equal(c.has_adjusted, 0);

	memset(d, 0, sizeof(d));
	d[0].type = POAM_DEV_RISK_ADJUSTMENT;
	d[0].status = POAM_DEV_APPROVED;
	d[0].adjusted = RISK_MODERATE;
	d[0].rationale = "Not reachable from outside the boundary";
	d[0].documents = docs1;
	d[0].ndocuments = 3;
	d[1].type = POAM_DEV_OPERATIONAL_REQUIREMENT;
	d[1].status = POAM_DEV_PENDING;
	d[1].rationale = "The service needs this library";
	d[1].documents = docs2;
	d[1].ndocuments = 1;
	d[2].type = POAM_DEV_FALSE_POSITIVE;
	d[2].status = POAM_DEV_REJECTED;
	d[2].rationale = "Scanner confusion";
	d[3].type = POAM_DEV_RISK_ADJUSTMENT;
	d[3].status = POAM_DEV_REJECTED;
	d[3].adjusted = RISK_LOW;
	d[3].rationale = "Lower still";
	poam_rules_dev_columns(d, 4, &c);
	assert_string_equal(c.risk_adjustment, "Yes");
	assert_string_equal(c.operational_requirement, "Pending");
	assert_string_equal(c.false_positive, "No");
	assert_int_equal(c.has_adjusted, 1);
	assert_int_equal(c.adjusted, RISK_MODERATE);   /* the rejected Low one does not count */
	assert_int_equal(c.closes, 0);
	assert_int_equal(c.any, 1);

	buf_init(&b, 4096);
	assert_int_equal(poam_rules_dev_rationale(d, 4, &b), 0);
	assert_string_equal(b.data, "Risk Adjustment : Not reachable from outside the boundary\n\n"
				    "Operational Requirement : The service needs this library");
	buf_free(&b);
	buf_init(&b, 4096);
	assert_int_equal(poam_rules_dev_documents(d, 4, &b), 0);
	assert_string_equal(b.data, "Deviation Request : DR-1.pdf\nEvidence : scan.json\nDeviation Request : DR-2.pdf");
	buf_free(&b);

	/* an approved false positive closes the item */
	d[2].status = POAM_DEV_APPROVED;
	poam_rules_dev_columns(d, 4, &c);
	assert_string_equal(c.false_positive, "Yes");
	assert_int_equal(c.closes, 1);
	/* a pending request of a type wins over an earlier approved one */
	d[3].status = POAM_DEV_PENDING;
	poam_rules_dev_columns(d, 4, &c);
	assert_string_equal(c.risk_adjustment, "Pending");
	assert_int_equal(c.adjusted, RISK_MODERATE);

	/* nothing to say: nothing appended; a tiny ceiling fails cleanly */
	buf_init(&b, 4096);
	d[0].status = d[1].status = d[2].status = d[3].status = POAM_DEV_REJECTED;
	assert_int_equal(poam_rules_dev_rationale(d, 4, &b), 0);
	assert_int_equal(b.len, 0);
	buf_free(&b);
	buf_init(&b, 8);
	d[0].status = POAM_DEV_APPROVED;
	assert_int_not_equal(poam_rules_dev_rationale(d, 1, &b), 0);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_windows),
		cmocka_unit_test(test_scheduled),
		cmocka_unit_test(test_late),
		cmocka_unit_test(test_dev_names),
		cmocka_unit_test(test_dev_request),
		cmocka_unit_test(test_dev_decide),
		cmocka_unit_test(test_dev_columns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
