/*
 * log.c - JSON-lines logger (log.h). Each line is written with one
 * write(2) so lines from worker threads do not interleave.
 */
#include "log.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "timeutil.h"

void log_line(const char *json)
{
	size_t n = strlen(json);
	buf b;

	buf_init(&b, n + 2);
	if (buf_append(&b, json, n) || buf_append(&b, "\n", 1))
		return;
	if (write(STDERR_FILENO, b.data, b.len) < 0) {
		/* nowhere left to report it */
	}
	buf_free(&b);
}

void log_event(const char *level, const char *msg, ...)
{
	char ts[32];
	va_list ap;
	const char *k, *v;
	buf b;
	int rc = 0;

	time_format_rfc3339(time(NULL), ts, sizeof(ts));
	buf_init(&b, 64 * 1024);
	rc |= buf_printf(&b, "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":\"", ts, level);
	rc |= buf_json_escape(&b, msg);
	rc |= buf_puts(&b, "\"");
	va_start(ap, msg);
	while (rc == 0 && (k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		rc |= buf_puts(&b, ",\"");
		rc |= buf_json_escape(&b, k);
		rc |= buf_puts(&b, "\":\"");
		rc |= buf_json_escape(&b, v ? v : "");
		rc |= buf_puts(&b, "\"");
	}
	va_end(ap);
	rc |= buf_puts(&b, "}");
	if (rc == 0)
		log_line(b.data);
	buf_free(&b);
}
