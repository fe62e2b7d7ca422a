/*
 * parse.h - bounded parsers for values taken from requests (ids, limits,
 * booleans), in the spirit of curl's strparse: no silent overflow, no
 * trailing garbage.
 */
#ifndef MUSTER_PARSE_H
#define MUSTER_PARSE_H

/* A positive decimal id (1 .. 2^53) with nothing else; 0 or -1. */
int parse_id(const char *s, long long *out);
/* An integer in [lo, hi]; 0 or -1. */
int parse_int_range(const char *s, long long lo, long long hi, long long *out);
/* "true"/"false"/"1"/"0"/"yes"/"no"; 0 or -1. */
int parse_bool(const char *s, int *out);

#endif
