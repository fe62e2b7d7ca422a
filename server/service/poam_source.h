/*
 * poam_source.h - the store's POA&M cursors as sources for the exporters
 * of report/poam_export.h, shared by GET /api/v1/reports/poam.* and
 * `muster export poam`.
 */
#ifndef MUSTER_POAM_SOURCE_H
#define MUSTER_POAM_SOURCE_H

#include "../report/poam_export.h"
#include "../store/poam_report.h"

/* Workbook and CSV rows: set db and q, pass poam_rows_source and a pointer
 * to this as the exporter's source; emit and sink are filled by it. */
typedef struct poam_rows {
	db_conn *db;
	poam_report_query q;
	poam_emit_fn emit;
	void *sink;
} poam_rows;

int poam_rows_source(void *src, poam_emit_fn emit, void *sink);

/* Items with their events, for OSCAL: set db and as_of likewise. */
typedef struct poam_items {
	db_conn *db;
	time_t as_of;
	poam_item_fn item;
	void *sink;
} poam_items;

int poam_items_source(void *src, poam_item_fn item, void *sink);

#endif
