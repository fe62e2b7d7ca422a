/*
 * kev.c - `muster kev import FILE`: replace the CISA KEV catalog from a
 * file (known_exploited_vulnerabilities.json, "-" for standard input) in
 * one transaction, then bring the POA&M's KEV columns up to date. The
 * same path as POST /api/v1/kev.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../ingest/kev.h"
#include "../store/kev_store.h"
#include "../store/poam.h"
#include "cli.h"

static void kev_usage(FILE *out)
{
	fprintf(out, "usage: muster kev import FILE    (the CISA catalog JSON; - reads standard input)\n");
}

int cli_kev(const config *cfg, int argc, char **argv)
{
	store_actor who = {0, "cli", "muster kev import", NULL};
	json_error_t jerr;
	json_t *root = NULL;
	kev_catalog cat;
	ms_error err;
	char msg[512];
	long long import_id = 0, entries = 0, changed = 0;
	db_conn *db = NULL;
	int rc = 1;

	if (argc != 2 || strcmp(argv[0], "import")) {
		kev_usage(stderr);
		return 2;
	}
	kev_catalog_init(&cat);
	memset(&err, 0, sizeof(err));
	root = strcmp(argv[1], "-") ? json_load_file(argv[1], JSON_REJECT_DUPLICATES, &jerr)
				    : json_loadf(stdin, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		fprintf(stderr, "muster: kev: %s: line %d: %s\n", argv[1], jerr.line, jerr.text);
		goto cleanup;
	}
	if (kev_parse(&cat, root, &err) != MS_OK) {
		fprintf(stderr, "muster: kev: %s: not a usable KEV catalog: %s%s%s\n", argv[1],
			err.field[0] ? err.field : "", err.field[0] ? ": " : "", err.message);
		goto cleanup;
	}
	db = db_connect(cfg->database_url, msg, sizeof(msg));
	if (!db) {
		fprintf(stderr, "muster: %s\n", msg);
		goto cleanup;
	}
	if (store_kev_import(db, &who, &cat, &import_id, &entries) != STORE_OK) {
		fprintf(stderr, "muster: kev: the catalog could not be stored\n");
		goto cleanup;
	}
	if (store_poam_kev_refresh(db, time(NULL), &changed) != STORE_OK)
		fprintf(stderr, "muster: kev: the POA&M KEV columns could not be refreshed"
				" (the next evaluation will)\n");
	printf("imported KEV catalog %s (%lld entries) as import %lld; %lld POA&M item(s) changed\n",
	       cat.version, entries, import_id, changed);
	rc = 0;
cleanup:
	db_disconnect(db);
	json_decref(root);
	kev_catalog_free(&cat);
	return rc;
}
