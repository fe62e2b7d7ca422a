/*
 * timeutil.c - strict RFC 3339 parsing and formatting (timeutil.h).
 */
#include "timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int digits(const char *s, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 ? 28 + leap : d[m - 1];
}

int time_parse_rfc3339(const char *s, time_t *out)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign = 0;
	time_t t;
	const char *p;

	if (!s || strlen(s) < 10)
		return -1;
	if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d))
		return -1;
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo))
		return -1;
	p = s + 10;
	if (*p) {
		if (*p != 'T' && *p != 't' && *p != ' ')
			return -1;
		p++;
		if (strlen(p) < 8 || digits(p, 2, &h) || p[2] != ':' ||
		    digits(p + 3, 2, &mi) || p[5] != ':' || digits(p + 6, 2, &sec))
			return -1;
		if (h > 23 || mi > 59 || sec > 60)
			return -1;
		p += 8;
		if (*p == '.') {
			p++;
			if (!isdigit((unsigned char)*p))
				return -1;
			while (isdigit((unsigned char)*p))
				p++;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			sign = *p == '+' ? 1 : -1;
			if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om))
				return -1;
			if (oh > 23 || om > 59)
				return -1;
			p += 6;
		} else {
			return -1;
		}
		if (*p)
			return -1;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec > 59 ? 59 : sec;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	t -= (time_t)sign * (oh * 3600 + om * 60);
	*out = t;
	return 0;
}

void time_format_rfc3339(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int time_parse_month(const char *s, time_t *start, time_t *end)
{
	struct tm tm;
	int y, m;

	if (!s || strlen(s) != 7 || digits(s, 4, &y) || s[4] != '-' ||
	    digits(s + 5, 2, &m) || y < 1970 || m < 1 || m > 12)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = 1;
	*start = timegm(&tm);
	tm.tm_mon = m == 12 ? 0 : m;
	tm.tm_year = m == 12 ? y + 1 - 1900 : y - 1900;
	*end = timegm(&tm);
	return 0;
}
