/*
 * import.c - `muster import FILE...`: backfill reports through the same
 * path as POST /api/v1/scans, one transaction per file. A bad file is
 * reported and skipped; the exit status is 1 if any file failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../service/scan_service.h"
#include "../store/poam.h"
#include "../store/rules.h"
#include "../util/buf.h"
#include "../util/gz.h"
#include "cli.h"

#define IMPORT_MAX_FILE (1024UL * 1024 * 1024)

static int read_all(const char *path, buf *out, char *err, size_t errlen)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char chunk[65536];
	size_t n;
	int rc = 0;

	if (!f) {
		snprintf(err, errlen, "could not open the file");
		return -1;
	}
	buf_init(out, IMPORT_MAX_FILE);
	while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = buf_append(out, chunk, n);
	if (rc == 0 && ferror(f))
		rc = -1;
	if (f != stdin)
		fclose(f);
	if (rc) {
		snprintf(err, errlen, rc == BUF_ERR_TOOBIG ? "the file is larger than 1 GiB"
						       : "could not read the file");
		buf_free(out);
		return -1;
	}
	if (!out->data && buf_append(out, "", 0))
		return -1;
	/* a .gz file is read as its contents */
	if (out->len > 2 && (unsigned char)out->data[0] == 0x1f && (unsigned char)out->data[1] == 0x8b) {
		buf plain;

		buf_init(&plain, IMPORT_MAX_FILE);
		if (gz_inflate(&plain, out->data, out->len)) {
			snprintf(err, errlen, "the gzip file is corrupt or too large");
			buf_free(out);
			return -1;
		}
		buf_free(out);
		*out = plain;
	}
	return 0;
}

int cli_import(const config *cfg, int argc, char **argv)
{
	store_actor who = {0, "cli", "muster import", NULL};
	scan_options opt;
	char err[512];
	db_conn *db;
	int i, failed = 0, done = 0, files = 0;

	memset(&opt, 0, sizeof(opt));
	db = db_connect(cfg->database_url, err, sizeof(err));
	if (!db) {
		fprintf(stderr, "muster: %s\n", err);
		return 1;
	}
	for (i = 0; i < argc; i++) {
		scan_result res;
		buf body;
		size_t k;

		if (!strcmp(argv[i], "--format") && i + 1 < argc) {
			opt.format = argv[++i];
			continue;
		}
		if (!strcmp(argv[i], "--image") && i + 1 < argc) {
			opt.image = argv[++i];
			continue;
		}
		files++;
		if (read_all(argv[i], &body, err, sizeof(err))) {
			printf("%s: FAILED: %s\n", argv[i], err);
			failed++;
			continue;
		}
		scan_service_ingest(db, &who, body.data, body.len, &opt, &res);
		buf_free(&body);
		if (res.status >= 400) {
			printf("%s: FAILED (%d %s): %s\n", argv[i], res.status, res.code, res.message);
			failed++;
		} else {
			for (k = 0; k < res.n_scans; k++) {
				store_poam_counts pc;

				printf("%s: %s scan %lld of %s (%lld findings, %lld new)\n", argv[i],
				       res.status == 200 ? "already stored as" : "stored as",
				       res.scans[k].scan_id, res.scans[k].uai, res.scans[k].findings,
				       res.scans[k].new_findings);
				/* the same follow-up as after POST /api/v1/scans */
				if (res.status == 201 &&
				    store_poam_update_after_scan(db, res.scans[k].scan_id, &pc) != STORE_OK)
					printf("%s: warning: the POA&M update failed; run `muster poam evaluate`\n",
					       argv[i]);
			}
			done++;
		}
		scan_result_free(&res);
		fflush(stdout);
	}
	if (done) {
		int opened = 0, resolved = 0;

		if (store_rules_evaluate(db, time(NULL), &opened, &resolved) != STORE_OK)
			printf("warning: the rule evaluation failed; the periodic evaluator will retry\n");
	}
	db_disconnect(db);
	printf("imported %d of %d file(s), %d failed\n", done, files, failed);
	return failed ? 1 : 0;
}
