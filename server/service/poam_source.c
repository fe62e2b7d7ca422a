/*
 * poam_source.c - adapters from the store's POA&M cursors to the exporters
 * (poam_source.h).
 */
#include "poam_source.h"

static int row_cb(int sheet, const char *const *names, const char *const *values, size_t n, void *payload)
{
	poam_rows *s = payload;

	return s->emit(s->sink, sheet == POAM_SHEET_OPEN ? POAM_EXPORT_OPEN : POAM_EXPORT_CLOSED, names, values, n);
}

int poam_rows_source(void *src, poam_emit_fn emit, void *sink)
{
	poam_rows *s = src;

	s->emit = emit;
	s->sink = sink;
	return store_poam_report(s->db, &s->q, row_cb, s);
}

static int item_cb(const char *state, const char *events, void *payload)
{
	poam_items *s = payload;

	return s->item(s->sink, state, events);
}

int poam_items_source(void *src, poam_item_fn item, void *sink)
{
	poam_items *s = src;

	s->item = item;
	s->sink = sink;
	return store_poam_report_items(s->db, s->as_of, item_cb, s);
}
