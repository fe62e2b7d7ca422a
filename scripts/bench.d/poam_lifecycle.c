/*
 * poam_lifecycle.c - the lifecycle half of `scripts/bench poam`, linked
 * with muster's own libraries so that what is timed is exactly
 * store_poam_update_after_scan / store_poam_evaluate (store/poam.h).
 *
 *   poam_lifecycle CONNINFO evaluate
 *       run the full evaluation once (opens every item of a fresh system),
 *       print "evaluate SECONDS opened changed closed".
 *   poam_lifecycle CONNINFO rescans N
 *       N times: store a new scan of one image (SQL, not timed: its latest
 *       scan's findings minus two weaknesses plus two new ones, one minute
 *       after the newest scan), then time
 *       store_poam_update_after_scan for it; print one line per run
 *       "rescan MS opened changed closed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/db.h"
#include "store/poam.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A new scan of image `img` at minute i after the data's last scan. */
static long long new_scan(db_conn *c, long long img, int i)
{
	char si[32];
	const char *params[1];
	PGresult *r;
	long long id;

	(void)i;
	snprintf(si, sizeof(si), "%lld", img);
	params[0] = si;
	if (db_exec(c, &r,
		"WITH b AS (SELECT build_id FROM build_images WHERE image_id = $1::bigint ORDER BY build_id LIMIT 1),"
		" prev AS (SELECT s.id FROM scans s, b WHERE s.build_id = b.build_id"
		"   ORDER BY s.scanned_at DESC, s.id DESC LIMIT 1),"
		" s AS (INSERT INTO scans (report_id, seq, image_id, build_id, digest, scanner_name, scanned_at,"
		"   findings_count, new_findings)"
		"   SELECT 1, (SELECT max(seq) + 1 FROM scans WHERE report_id = 1), $1::bigint, b.build_id,"
		"     'sha256:bench', 'trivy', (SELECT max(scanned_at) FROM scans) + interval '1 minute', 200, 2"
		"   FROM b RETURNING id),"
		" f AS (INSERT INTO findings (scan_id, ord, vuln_id, weakness, aliases, pkg_name, installed_version,"
		"   fixed_version, severity, risk, title)"
		"   SELECT (SELECT id FROM s), f.ord, f.vuln_id, f.weakness, f.aliases, f.pkg_name, f.installed_version,"
		"     f.fixed_version, f.severity, f.risk, f.title"
		"   FROM findings f WHERE f.scan_id = (SELECT id FROM prev) AND f.ord >= 2"
		"   UNION ALL"
		"   SELECT (SELECT id FROM s), (SELECT max(ord) FROM findings WHERE scan_id = (SELECT id FROM prev)) + 1 + k,"
		"     'CVE-2099-' || lpad(((SELECT id FROM s) * 2 + k)::text, 8, '0'),"
		"     'CVE-2099-' || lpad(((SELECT id FROM s) * 2 + k)::text, 8, '0'), '{}', 'newpkg', '1.0', '1.1', 'HIGH', 'High',"
		"     'a new weakness'"
		"   FROM generate_series(0, 1) k RETURNING 1)"
		" SELECT (SELECT id FROM s) AS id, (SELECT count(*) FROM f) AS n", 1, params))
		return -1;
	id = db_get_ll(r, 0, "id");
	PQclear(r);
	return id;
}

int main(int argc, char **argv)
{
	char err[512];
	store_poam_counts n;
	db_conn *c;
	int i, runs, rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: poam_lifecycle CONNINFO evaluate | rescans N\n");
		return 2;
	}
	c = db_connect(argv[1], err, sizeof(err));
	if (!c) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (!strcmp(argv[2], "evaluate")) {
		double t0 = now_s();

		rc = store_poam_evaluate(c, 0, &n);
		printf("evaluate %.3f %lld %lld %lld\n", now_s() - t0, n.opened, n.changed, n.closed);
	} else if (!strcmp(argv[2], "rescans") && argc == 4) {
		PGresult *r;
		long long images;

		runs = atoi(argv[3]);
		if (db_exec(c, &r, "SELECT max(id) AS n FROM images", 0, NULL)) {
			db_disconnect(c);
			return 1;
		}
		images = db_get_ll(r, 0, "n");
		PQclear(r);
		for (i = 0; i < runs && rc == 0; i++) {
			/* spread over the system: images far apart */
			long long img = 1 + ((long long)i * 7919) % (images > 0 ? images : 1);
			long long scan = new_scan(c, img, i);
			double t0;

			if (scan <= 0) {
				rc = 1;
				break;
			}
			t0 = now_s();
			rc = store_poam_update_after_scan(c, scan, &n);
			printf("rescan %.3f %lld %lld %lld\n", (now_s() - t0) * 1000.0, n.opened, n.changed, n.closed);
		}
	} else {
		rc = 2;
	}
	db_disconnect(c);
	return rc ? 1 : 0;
}
