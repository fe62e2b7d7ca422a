/*
 * log.h - structured logging to stderr: one JSON object per line.
 */
#ifndef MUSTER_LOG_H
#define MUSTER_LOG_H

/* Log an event: level ("info", "warn", "error") and a message; extra
 * key/value string pairs may follow, terminated by NULL. */
void log_event(const char *level, const char *msg, ...);
/* Write a preformatted JSON line (without newline) atomically. */
void log_line(const char *json);

#endif
