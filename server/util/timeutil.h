/*
 * timeutil.h - RFC 3339 timestamps: parsing what reports and sensors send,
 * formatting what muster answers. All times are UTC.
 */
#ifndef MUSTER_TIMEUTIL_H
#define MUSTER_TIMEUTIL_H

#include <stddef.h>
#include <time.h>

/* Parse "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)" (space for T
 * allowed) into seconds since the epoch. 0 on success, -1 otherwise. */
int time_parse_rfc3339(const char *s, time_t *out);
/* Format as "YYYY-MM-DDTHH:MM:SSZ" into buf (>= 21 bytes). */
void time_format_rfc3339(time_t t, char *buf, size_t len);
/* Parse "YYYY-MM" into the first second of that month and of the next. */
int time_parse_month(const char *s, time_t *start, time_t *end);

#endif
