/*
 * poam_rules.c - due dates, lateness and deviation rules of the POA&M
 * (poam_rules.h).
 */
#include "poam_rules.h"

#include <stdio.h>
#include <string.h>

/* Howard Hinnant's days_from_civil, for the proleptic Gregorian calendar. */
long poam_rules_day(int y, int m, int d)
{
	long yy = (long)y - (m <= 2);
	long era = (yy >= 0 ? yy : yy - 399) / 400;
	long yoe = yy - era * 400;
	long doy = (153L * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static void civil_from_day(long z, int *y, int *m, int *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int poam_rules_day_parse(const char *s, long *day)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y = 0, m, d, i, max;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	for (i = 0; i < 4; i++)
		y = y * 10 + (s[i] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1 || m < 1 || m > 12 || d < 1)
		return -1;
	max = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	if (d > max)
		return -1;
	*day = poam_rules_day(y, m, d);
	return 0;
}

void poam_rules_day_format(long day, char *out, size_t len)
{
	int y, m, d;

	civil_from_day(day, &y, &m, &d);
	snprintf(out, len, "%04d-%02d-%02d", y, m, d);
}

void poam_rules_windows(char *out, size_t len)
{
	snprintf(out, len, "{%d,%d,%d}", risk_remediation_days(RISK_HIGH),
		 risk_remediation_days(RISK_MODERATE), risk_remediation_days(RISK_LOW));
}

long poam_rules_scheduled(long start_day, risk_rating r, long kev_due_day)
{
	long base = start_day + risk_remediation_days(r);

	if (kev_due_day >= 0 && kev_due_day < base)
		return kev_due_day;
	return base;
}

int poam_rules_is_late(int open, long scheduled_day, long as_of_day, int vendor_dependency,
		       long last_checkin_day)
{
	if (!open || as_of_day <= scheduled_day)
		return 0;
	if (vendor_dependency && last_checkin_day >= 0 && last_checkin_day <= as_of_day &&
	    as_of_day - last_checkin_day <= POAM_CHECKIN_GRACE_DAYS)
		return 0;
	return 1;
}

static const char *const type_names[] = {"risk_adjustment", "false_positive", "operational_requirement"};
static const char *const type_labels[] = {"Risk Adjustment", "False Positive", "Operational Requirement"};
static const char *const status_names[] = {"pending", "approved", "rejected"};

int poam_rules_dev_type_parse(const char *s, poam_dev_type *out)
{
	int i;

	for (i = 0; s && i < 3; i++)
		if (!strcmp(s, type_names[i])) {
			*out = (poam_dev_type)i;
			return 0;
		}
	return -1;
}

const char *poam_rules_dev_type_name(poam_dev_type t)
{
	return (unsigned)t < 3 ? type_names[t] : "unknown";
}

const char *poam_rules_dev_type_label(poam_dev_type t)
{
	return (unsigned)t < 3 ? type_labels[t] : "Unknown";
}

const char *poam_rules_dev_status_name(poam_dev_status s)
{
	return (unsigned)s < 3 ? status_names[s] : "unknown";
}

int poam_rules_dev_status_parse(const char *s, poam_dev_status *out)
{
	int i;

	for (i = 0; s && i < 3; i++)
		if (!strcmp(s, status_names[i])) {
			*out = (poam_dev_status)i;
			return 0;
		}
	return -1;
}

const char *poam_rules_dev_err_message(poam_dev_err e)
{
	switch (e) {
	case POAM_DEV_OK: return "ok";
	case POAM_DEV_ERR_CLOSED: return "the item is closed";
	case POAM_DEV_ERR_HIGH_OR:
		return "an operational requirement cannot be approved for a High item; request a risk adjustment first";
	case POAM_DEV_ERR_ADJUSTED_MISSING: return "a risk adjustment needs \"adjusted_risk\" (Low, Moderate or High)";
	case POAM_DEV_ERR_ADJUSTED_EXTRA: return "only a risk adjustment takes \"adjusted_risk\"";
	case POAM_DEV_ERR_NOT_LOWER: return "the adjusted risk must be lower than the item's current rating";
	case POAM_DEV_ERR_NOT_PENDING: return "the deviation request was already decided";
	}
	return "invalid deviation";
}

poam_dev_err poam_rules_dev_request_check(int item_open, risk_rating current, poam_dev_type type,
					  int has_adjusted, risk_rating adjusted)
{
	if (!item_open)
		return POAM_DEV_ERR_CLOSED;
	if (type == POAM_DEV_RISK_ADJUSTMENT) {
		if (!has_adjusted)
			return POAM_DEV_ERR_ADJUSTED_MISSING;
		if (adjusted >= current)
			return POAM_DEV_ERR_NOT_LOWER;
		return POAM_DEV_OK;
	}
	if (has_adjusted)
		return POAM_DEV_ERR_ADJUSTED_EXTRA;
	if (type == POAM_DEV_OPERATIONAL_REQUIREMENT && current == RISK_HIGH)
		return POAM_DEV_ERR_HIGH_OR;
	return POAM_DEV_OK;
}

poam_dev_err poam_rules_dev_decide_check(int item_open, poam_dev_status status, int approve,
					 poam_dev_type type, risk_rating current)
{
	if (status != POAM_DEV_PENDING)
		return POAM_DEV_ERR_NOT_PENDING;
	if (!item_open)
		return POAM_DEV_ERR_CLOSED;
	if (approve && type == POAM_DEV_OPERATIONAL_REQUIREMENT && current == RISK_HIGH)
		return POAM_DEV_ERR_HIGH_OR;
	return POAM_DEV_OK;
}

void poam_rules_dev_columns(const poam_deviation *d, size_t n, poam_dev_columns *out)
{
	int pending[3] = {0, 0, 0}, approved[3] = {0, 0, 0};
	const char **col[3];
	size_t i;
	int t;

	memset(out, 0, sizeof(*out));
	col[0] = &out->risk_adjustment;
	col[1] = &out->false_positive;
	col[2] = &out->operational_requirement;
	for (i = 0; i < n; i++) {
		t = (int)d[i].type;
		if (t < 0 || t > 2)
			continue;
		out->any = 1;
		if (d[i].status == POAM_DEV_PENDING)
			pending[t] = 1;
		else if (d[i].status == POAM_DEV_APPROVED) {
			approved[t] = 1;
			if (d[i].type == POAM_DEV_RISK_ADJUSTMENT) {
				out->has_adjusted = 1;
				out->adjusted = d[i].adjusted;
			}
			if (d[i].type == POAM_DEV_FALSE_POSITIVE)
				out->closes = 1;
		}
	}
	for (t = 0; t < 3; t++)
		*col[t] = pending[t] ? "Pending" : approved[t] ? "Yes" : "No";
}

int poam_rules_dev_rationale(const poam_deviation *d, size_t n, buf *out)
{
	size_t i;
	int rc = 0, first = 1;

	for (i = 0; i < n && rc == 0; i++) {
		if (d[i].status == POAM_DEV_REJECTED)
			continue;
		if (!first)
			rc = buf_puts(out, "\n\n");
		if (rc == 0)
			rc = buf_printf(out, "%s : %s", poam_rules_dev_type_label(d[i].type),
					d[i].rationale ? d[i].rationale : "");
		first = 0;
	}
	return rc;
}

int poam_rules_dev_documents(const poam_deviation *d, size_t n, buf *out)
{
	size_t i, j;
	int rc = 0, first = 1;

	for (i = 0; i < n && rc == 0; i++) {
		if (d[i].status == POAM_DEV_REJECTED)
			continue;
		for (j = 0; j < d[i].ndocuments && rc == 0; j++) {
			if (!d[i].documents[j] || !*d[i].documents[j])
				continue;
			if (!first)
				rc = buf_puts(out, "\n");
			if (rc == 0)
				rc = buf_puts(out, d[i].documents[j]);
			first = 0;
		}
	}
	return rc;
}
