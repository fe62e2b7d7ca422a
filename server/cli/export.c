/*
 * export.c - `muster export KIND ...`: write a FedRAMP deliverable to a
 * file from the command line, through the same code as the HTTP reports.
 * The first argument picks the deliverable; each kind parses its own
 * options. The file is written under a temporary name next to the target
 * and renamed into place, so a failed export never leaves half a file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../report/inventory_export.h"
#include "../report/layout.h"
#include "cli.h"
#include "output_file.h"

#define EXPORT_PATH_MAX 4096

static void export_usage(FILE *out)
{
	fprintf(out,
		"usage: muster export inventory [--month YYYY-MM [--finalize] | --as-of YYYY-MM-DD] [--csv] -o FILE\n"
		"  --finalize  store the month's rows as its deliverable first (the month must be over);\n"
		"              later exports of the month are written from them\n");
}

static int export_inventory(const config *cfg, const char *templates_dir, int argc, char **argv)
{
	const char *month = NULL, *as_of = NULL, *out = NULL;
	char err[1024], lpath[EXPORT_PATH_MAX];
	inventory_format fmt = INVENTORY_XLSX;
	inventory_period per;
	layout *l = NULL;
	db_conn *db = NULL;
	inventory_source src;
	output_file of;
	int i, rc = 1, finalize = 0;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--month") && i + 1 < argc) {
			month = argv[++i];
		} else if (!strcmp(argv[i], "--as-of") && i + 1 < argc) {
			as_of = argv[++i];
		} else if (!strcmp(argv[i], "--csv")) {
			fmt = INVENTORY_CSV;
		} else if (!strcmp(argv[i], "--finalize")) {
			finalize = 1;
		} else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc) {
			out = argv[++i];
		} else {
			export_usage(stderr);
			return 2;
		}
	}
	if (!out || !*out || (finalize && !month)) {
		export_usage(stderr);
		return 2;
	}
	if (inventory_period_parse(month, as_of, time(NULL), &per, err, sizeof(err))) {
		fprintf(stderr, "muster: export: %s\n", err);
		return 2;
	}
	if ((size_t)snprintf(lpath, sizeof(lpath), "%s/%s", templates_dir, INVENTORY_LAYOUT_FILE) >= sizeof(lpath) ||
	    output_file_prepare(&of, out)) {
		fprintf(stderr, "muster: export: the output path is too long\n");
		return 2;
	}
	l = layout_load(lpath, err, sizeof(err));
	if (!l) {
		fprintf(stderr, "muster: export: %s\n", err);
		return 1;
	}
	db = db_connect(cfg->database_url, err, sizeof(err));
	if (!db) {
		fprintf(stderr, "muster: %s\n", err);
		goto cleanup;
	}
	if (output_file_create(&of)) {
		fprintf(stderr, "muster: export: could not create %s: %s\n", of.tmp, strerror(errno));
		goto cleanup;
	}
	/* the writers open the file by name */
	close(of.fd);
	of.fd = -1;
	if (finalize) {
		store_actor who = {0, "cli", "muster export inventory --finalize", NULL};
		inventory_final fin;
		int replaced = 0, frc;

		frc = store_inventory_finalize(db, &per, &who, &fin, &replaced);
		if (frc == STORE_ERR_INVALID) {
			fprintf(stderr, "muster: export: %s has not ended yet: only a past month can be finalized\n",
				per.label);
			goto cleanup;
		}
		if (frc) {
			fprintf(stderr, "muster: export: the database could not finalize the inventory (%d)\n", frc);
			goto cleanup;
		}
		fprintf(stderr, "muster: finalized the inventory of %s (%lld assets)%s\n", per.label, fin.rows,
			replaced ? ", superseding the earlier finalization" : "");
	}
	if (inventory_export(db, l, &per, fmt, of.tmp, of.dir, &src, err, sizeof(err)) != 0) {
		fprintf(stderr, "muster: export: %s\n", err);
		goto cleanup;
	}
	if (output_file_commit(&of)) {
		fprintf(stderr, "muster: export: could not write %s: %s\n", out, strerror(errno));
		goto cleanup;
	}
	fprintf(stderr, "muster: wrote the inventory of %s (%lld assets%s%s) to %s\n", per.label, src.rows,
		src.finalized ? ", as finalized at " : "", src.finalized ? src.finalized_at : "", out);
	rc = 0;
cleanup:
	output_file_discard(&of);
	db_disconnect(db);
	layout_free(l);
	return rc;
}

int cli_export(const config *cfg, const char *templates_dir, int argc, char **argv)
{
	if (argc < 1) {
		export_usage(stderr);
		return 2;
	}
	if (!strcmp(argv[0], "inventory"))
		return export_inventory(cfg, templates_dir, argc - 1, argv + 1);
	if (!strcmp(argv[0], "poam"))
		return cli_export_poam(cfg, templates_dir, argc - 1, argv + 1);
	fprintf(stderr, "muster: export: unknown report \"%s\"\n", argv[0]);
	export_usage(stderr);
	return 2;
}
