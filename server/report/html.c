/*
 * html.c - HTML escaping, URL components and the {{placeholder}} template
 * renderer of the web pages (html.h).
 */
#include "html.h"

#include <stdio.h>
#include <string.h>

int html_escape_n(buf *out, const char *s, size_t n)
{
	size_t i, start = 0;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		const char *ent = NULL;
		unsigned char ch = (unsigned char)s[i];

		switch (ch) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		default:
			if (ch >= 0x20 || ch == '\t' || ch == '\n')
				continue;
			ent = "";   /* control characters are dropped */
		}
		rc = buf_append(out, s + start, i - start);
		if (!rc)
			rc = buf_puts(out, ent);
		start = i + 1;
	}
	if (!rc)
		rc = buf_append(out, s + start, n - start);
	return rc;
}

int html_escape(buf *out, const char *s)
{
	return html_escape_n(out, s ? s : "", s ? strlen(s) : 0);
}

int html_url_component(buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = 0;

	for (; s && *s && rc == 0; s++) {
		unsigned char ch = (unsigned char)*s;
		char enc[3];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '_' || ch == '.' || ch == '~') {
			rc = buf_append(out, s, 1);
			continue;
		}
		enc[0] = '%';
		enc[1] = hex[ch >> 4];
		enc[2] = hex[ch & 15];
		rc = buf_append(out, enc, 3);
	}
	if (rc == 0 && !out->data)
		rc = buf_append(out, "", 0);
	return rc;
}

static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static const html_var *find_var(const html_var *vars, size_t n, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (vars[i].name && strlen(vars[i].name) == len && !memcmp(vars[i].name, name, len))
			return &vars[i];
	return NULL;
}

static int template_error(buf *out, char *err, size_t errlen, const char *what,
			  const char *name, size_t len)
{
	if (err && errlen)
		snprintf(err, errlen, "%s \"%.*s\"", what, (int)(len > 60 ? 60 : len), name);
	buf_free(out);
	return HTML_ERR_TEMPLATE;
}

int html_render(buf *out, const char *tpl, size_t len, const html_var *vars, size_t nvars,
		char *err, size_t errlen)
{
	size_t i = 0, lit = 0;
	int rc = 0;

	if (err && errlen)
		err[0] = '\0';
	while (i + 1 < len && rc == 0) {
		size_t open, name, nlen, close;
		const html_var *v;
		int raw;

		if (tpl[i] != '{' || tpl[i + 1] != '{') {
			i++;
			continue;
		}
		open = i;
		raw = i + 2 < len && tpl[i + 2] == '{';
		name = open + (raw ? 3 : 2);
		for (nlen = 0; name + nlen < len && name_char(tpl[name + nlen]); nlen++)
			;
		close = name + nlen;
		if (nlen == 0 || close + (raw ? 3 : 2) > len ||
		    memcmp(tpl + close, raw ? "}}}" : "}}", raw ? 3 : 2) != 0)
			return template_error(out, err, errlen, "unterminated placeholder at",
					      tpl + open, len - open < 20 ? len - open : 20);
		v = find_var(vars, nvars, tpl + name, nlen);
		if (!v)
			return template_error(out, err, errlen, "no value for placeholder", tpl + name, nlen);
		rc = buf_append(out, tpl + lit, open - lit);
		if (!rc && v->value)
			rc = raw ? buf_puts(out, v->value) : html_escape(out, v->value);
		i = close + (raw ? 3 : 2);
		lit = i;
	}
	if (!rc)
		rc = buf_append(out, tpl + lit, len - lit);
	return rc;
}
