/*
 * html.h - the web pages' template renderer: {{name}} placeholders filled
 * with HTML-escaped text, {{{name}}} with markup that C code built itself
 * (escaping as it went), nothing else: no logic in templates. Pure: the
 * template text comes in, the page goes out.
 */
#ifndef MUSTER_HTML_H
#define MUSTER_HTML_H

#include <stddef.h>

#include "../util/buf.h"

#define HTML_ERR_TEMPLATE (-10)   /* unknown or unterminated placeholder */

/* One placeholder's value; NULL renders as empty. */
typedef struct html_var {
	const char *name;
	const char *value;
} html_var;

/*
 * Append s to out escaped for HTML text and quoted attribute values
 * (& < > " ' as entities); bytes below 0x20 other than tab and newline
 * are dropped. Returns 0 or a BUF_ERR_* code (out released).
 */
int html_escape(buf *out, const char *s);

/* The same for the first n bytes of s. */
int html_escape_n(buf *out, const char *s, size_t n);

/*
 * Render the template tpl (len bytes) into out: "{{name}}" is replaced by
 * the escaped value of the var called name, "{{{name}}}" by its raw value.
 * Names are [a-z0-9_]+. A placeholder naming no var, or one not closed,
 * fails with HTML_ERR_TEMPLATE and a message in err (so a template typo is
 * an error, never a silently empty field); out is then released. Other
 * failures are BUF_ERR_* codes.
 */
int html_render(buf *out, const char *tpl, size_t len, const html_var *vars, size_t nvars,
		char *err, size_t errlen);

/*
 * Append a URL query component (percent-encoding everything but
 * unreserved characters), for links built from data. 0 or BUF_ERR_*.
 */
int html_url_component(buf *out, const char *s);

#endif
