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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../report/inventory_export.h"
#include "../report/layout.h"
#include "cli.h"

#define EXPORT_PATH_MAX 4096

static void export_usage(FILE *out)
{
	fprintf(out,
		"usage: muster export inventory [--month YYYY-MM [--finalize] | --as-of YYYY-MM-DD] [--csv] -o FILE\n"
		"  --finalize  store the month's rows as its deliverable first (the month must be over);\n"
		"              later exports of the month are written from them\n");
}

/* The directory part of path ("." when none) into out. */
static int dir_of(const char *path, char *out, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return (size_t)snprintf(out, len, ".") >= len ? -1 : 0;
	if (slash == path)
		return (size_t)snprintf(out, len, "/") >= len ? -1 : 0;
	if ((size_t)(slash - path) >= len)
		return -1;
	memcpy(out, path, (size_t)(slash - path));
	out[slash - path] = '\0';
	return 0;
}

static int export_inventory(const config *cfg, const char *templates_dir, int argc, char **argv)
{
	const char *month = NULL, *as_of = NULL, *out = NULL;
	char err[1024], lpath[EXPORT_PATH_MAX], tmp[EXPORT_PATH_MAX], dir[EXPORT_PATH_MAX];
	inventory_format fmt = INVENTORY_XLSX;
	inventory_period per;
	layout *l = NULL;
	db_conn *db = NULL;
	inventory_source src;
	int i, fd, rc = 1, made = 0, finalize = 0;

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
	    (size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", out) >= sizeof(tmp) ||
	    dir_of(out, dir, sizeof(dir))) {
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
	fd = mkstemp(tmp);
	if (fd < 0) {
		fprintf(stderr, "muster: export: could not create %s: %s\n", tmp, strerror(errno));
		goto cleanup;
	}
	made = 1;
	/* mkstemp's 0600 would stick to the renamed file: use the usual umask */
	{
		mode_t mask = umask(0);

		umask(mask);
		if (fchmod(fd, 0666 & ~mask) != 0)
			fprintf(stderr, "muster: export: could not set the mode of %s: %s\n", tmp,
				strerror(errno));
	}
	close(fd);
	if (finalize) {
		store_actor who = {0, "cli", "muster export inventory --finalize", NULL};
		inventory_final fin;
		int replaced = 0;

		rc = store_inventory_finalize(db, &per, &who, &fin, &replaced);
		if (rc) {
			if (rc == STORE_ERR_INVALID)
				snprintf(err, sizeof(err), "%s has not ended yet: only a past month can be finalized",
					 per.label);
			else
				snprintf(err, sizeof(err), "the database could not finalize the inventory (%d)", rc);
			fprintf(stderr, "muster: export: %s\n", err);
			rc = 1;
			goto cleanup;
		}
		rc = 1;
		fprintf(stderr, "muster: finalized the inventory of %s (%lld assets)%s\n", per.label, fin.rows,
			replaced ? ", superseding the earlier finalization" : "");
	}
	if (inventory_export(db, l, &per, fmt, tmp, dir, &src, err, sizeof(err)) != 0) {
		fprintf(stderr, "muster: export: %s\n", err);
		goto cleanup;
	}
	if (rename(tmp, out) != 0) {
		fprintf(stderr, "muster: export: could not write %s: %s\n", out, strerror(errno));
		goto cleanup;
	}
	made = 0;
	fprintf(stderr, "muster: wrote the inventory of %s (%lld assets%s%s) to %s\n", per.label, src.rows,
		src.finalized ? ", as finalized at " : "", src.finalized ? src.finalized_at : "", out);
	rc = 0;
cleanup:
	if (made)
		unlink(tmp);
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
