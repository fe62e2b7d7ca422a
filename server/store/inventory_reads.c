/*
 * inventory_reads.c - JSON reads of images, scans and findings
 * (inventory_reads.h). Every statement is parameterized; cursors are
 * validated as numbers before use.
 */
#include "inventory_reads.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/parse.h"
#include "db.h"

/* One JSON value from a single-row, single-column result. */
static int one_json(db_conn *c, const char *sql, int n, const char *const *params, char **json)
{
	PGresult *r;
	const char *v;
	int rc = db_exec(c, &r, sql, n, params);

	if (rc)
		return rc;
	v = PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) ? PQgetvalue(r, 0, 0) : NULL;
	if (!v) {
		PQclear(r);
		return STORE_ERR_NOTFOUND;
	}
	*json = strdup(v);
	PQclear(r);
	return *json ? STORE_OK : STORE_ERR_INTERNAL;
}

static int cursor_id(const store_page *p, char *out, size_t len)
{
	long long v = 0;

	if (p->cursor && *p->cursor && parse_int_range(p->cursor, 0, 9007199254740992LL, &v))
		return -1;
	snprintf(out, len, "%lld", v);
	return 0;
}

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* Wrap a page query: rows of (key, obj) -> {"items":[...],"next":...}. */
#define PAGE_WRAP(inner) \
	"WITH page AS (" inner "), lim AS (SELECT $1::int AS n)" \
	" SELECT json_build_object('items', coalesce((SELECT json_agg(obj ORDER BY k)" \
	"   FROM (SELECT * FROM page ORDER BY k LIMIT (SELECT n FROM lim)) x), '[]'::json)," \
	"  'next', CASE WHEN (SELECT count(*) FROM page) > (SELECT n FROM lim)" \
	"   THEN (SELECT max(k)::text FROM (SELECT k FROM page ORDER BY k LIMIT (SELECT n FROM lim)) y) END)"

/*
 * The scans of an image's builds are reached build by build, each through
 * a LIMIT 1 subquery on scans_build_time (a LATERAL with LIMIT is not
 * flattened into a join): the plan does not depend on row estimates, which
 * are wrong while statistics are stale (an ANALYZE taken during a first
 * large ingest made a join of all scans with build_images per image take
 * minutes), and it is 3x faster than the join with good statistics.
 */
#define LATEST_SCAN_OF_BUILD(cols) \
	"CROSS JOIN LATERAL (SELECT " cols " FROM scans s WHERE s.build_id = bi.build_id" \
	" ORDER BY s.scanned_at DESC, s.id DESC LIMIT 1) s"

#define IMAGE_OBJ \
	"json_build_object('id', i.id, 'uai', i.uai, 'registry', i.registry, 'repository', i.repository," \
	" 'version', i.version, 'first_seen', " TS("i.first_seen") "," \
	" 'aliases', coalesce((SELECT json_agg(a.uai ORDER BY a.uai) FROM image_aliases a WHERE a.image_id = i.id), '[]')," \
	" 'last_scan_at', (SELECT " TS("max(s.scanned_at)") " FROM build_images bi " \
	LATEST_SCAN_OF_BUILD("s.scanned_at") " WHERE bi.image_id = i.id)," \
	" 'never_scanned', NOT EXISTS (SELECT 1 FROM build_images bi " LATEST_SCAN_OF_BUILD("s.id") \
	"   WHERE bi.image_id = i.id))"

int store_images_list(db_conn *c, const image_filter *f, const store_page *p, char **json)
{
	char lim[32], cur[32];
	const char *params[5];

	if (cursor_id(p, cur, sizeof(cur)))
		return STORE_ERR_INVALID;
	snprintf(lim, sizeof(lim), "%lld", p->limit);
	params[0] = lim;
	params[1] = cur;
	params[2] = f->uai;
	params[3] = f->repository;
	params[4] = f->digest;
	return one_json(c, PAGE_WRAP(
		"SELECT i.id AS k, " IMAGE_OBJ " AS obj FROM images i"
		" WHERE i.id > $2::bigint"
		"  AND ($3::text IS NULL OR i.uai = $3 OR i.id IN (SELECT image_id FROM image_aliases WHERE uai = $3))"
		"  AND ($4::text IS NULL OR i.registry || '/' || i.repository = $4 OR i.repository = $4)"
		"  AND ($5::text IS NULL OR i.id IN (SELECT bi.image_id FROM build_images bi"
		"       JOIN digests d ON d.build_id = bi.build_id WHERE d.digest = $5))"
		" ORDER BY i.id LIMIT $1::int + 1"), 5, params, json);
}

int store_image_get(db_conn *c, long long id, char **json)
{
	char sid[32];
	const char *params[] = {sid};

	snprintf(sid, sizeof(sid), "%lld", id);
	return one_json(c,
		"SELECT (" IMAGE_OBJ "::jsonb || jsonb_build_object("
		" 'os', (SELECT json_build_object('family', s.os_family, 'version', s.os_version)"
		"   FROM build_images bi " LATEST_SCAN_OF_BUILD("s.os_family, s.os_version, s.scanned_at, s.id")
		"   WHERE bi.image_id = i.id ORDER BY s.scanned_at DESC, s.id DESC LIMIT 1),"
		" 'builds', coalesce((SELECT json_agg(json_build_object('id', b.id,"
		"   'first_seen', " TS("b.first_seen") ","
		"   'digests', (SELECT json_agg(d.digest ORDER BY d.digest) FROM digests d WHERE d.build_id = b.id),"
		"   'last_scan', (SELECT json_build_object('id', s.id, 'scanned_at', " TS("s.scanned_at") ","
		"      'scanner', s.scanner_name, 'findings', s.findings_count)"
		"      FROM scans s WHERE s.build_id = b.id ORDER BY s.scanned_at DESC, s.id DESC LIMIT 1))"
		"   ORDER BY b.id) FROM builds b JOIN build_images bi ON bi.build_id = b.id AND bi.image_id = i.id), '[]')"
		"))::text FROM images i WHERE i.id = $1::bigint", 1, params, json);
}

#define FINDING_OBJ \
	"json_build_object('vulnerability_id', f.vuln_id, 'weakness', f.weakness, 'aliases', to_json(f.aliases)," \
	" 'package', f.pkg_name, 'package_type', f.pkg_type, 'installed_version', f.installed_version," \
	" 'fixed_version', f.fixed_version, 'package_path', f.pkg_path, 'purl', f.purl," \
	" 'severity', f.severity, 'risk', f.risk, 'cvss3_score', f.cvss3_score, 'cvss3_vector', f.cvss3_vector," \
	" 'cvss3_source', f.cvss3_source, 'cvss2_score', f.cvss2_score, 'cvss2_vector', f.cvss2_vector," \
	" 'title', f.title, 'url', f.url, 'published', f.published, 'scan_id', f.scan_id)"

/* Findings are keyed by scan_id * 2^20 + ord so one bigint orders them. */
int store_scan_findings(db_conn *c, long long id, const store_page *p, char **json)
{
	char lim[32], cur[32], sid[32];
	const char *params[3];
	int rc;

	if (cursor_id(p, cur, sizeof(cur)))
		return STORE_ERR_INVALID;
	snprintf(sid, sizeof(sid), "%lld", id);
	params[0] = sid;
	rc = db_command_found(c, "SELECT 1 FROM scans WHERE id = $1::bigint", 1, params);
	if (rc)
		return rc;
	snprintf(lim, sizeof(lim), "%lld", p->limit);
	params[0] = lim;
	params[1] = cur;
	params[2] = sid;
	return one_json(c, PAGE_WRAP(
		"SELECT f.scan_id * 1048576 + f.ord AS k, " FINDING_OBJ " AS obj FROM findings f"
		" WHERE f.scan_id = $3::bigint AND f.scan_id * 1048576 + f.ord > $2::bigint"
		" ORDER BY f.scan_id, f.ord LIMIT $1::int + 1"), 3, params, json);
}

int store_image_findings(db_conn *c, long long id, const store_page *p, char **json)
{
	char lim[32], cur[32], sid[32];
	const char *params[3];
	int rc;

	if (cursor_id(p, cur, sizeof(cur)))
		return STORE_ERR_INVALID;
	snprintf(sid, sizeof(sid), "%lld", id);
	params[0] = sid;
	rc = db_command_found(c, "SELECT 1 FROM images WHERE id = $1::bigint", 1, params);
	if (rc)
		return rc;
	snprintf(lim, sizeof(lim), "%lld", p->limit);
	params[0] = lim;
	params[1] = cur;
	params[2] = sid;
	return one_json(c, PAGE_WRAP(
		"SELECT f.scan_id * 1048576 + f.ord AS k, (" FINDING_OBJ "::jsonb ||"
		"  jsonb_build_object('build', json_build_object('id', ls.build_id, 'digest', ls.digest))) AS obj"
		" FROM (SELECT DISTINCT ON (s.build_id) s.id, s.build_id, s.digest FROM scans s"
		"   JOIN build_images bi ON bi.build_id = s.build_id AND bi.image_id = $3::bigint"
		"   ORDER BY s.build_id, s.scanned_at DESC, s.id DESC) ls"
		" JOIN findings f ON f.scan_id = ls.id"
		" WHERE f.scan_id * 1048576 + f.ord > $2::bigint"
		" ORDER BY 1 LIMIT $1::int + 1"), 3, params, json);
}

#define SCAN_OBJ \
	"json_build_object('id', s.id, 'image', json_build_object('id', i.id, 'uai', i.uai)," \
	" 'build', json_build_object('id', s.build_id, 'digest', s.digest), 'format', r.format," \
	" 'scanner', json_build_object('name', s.scanner_name, 'version', s.scanner_version, 'db_version', s.db_version)," \
	" 'scanned_at', " TS("s.scanned_at") ", 'received_at', " TS("s.received_at") "," \
	" 'os', json_build_object('family', s.os_family, 'version', s.os_version), 'architecture', s.architecture," \
	" 'findings', s.findings_count, 'new_findings', s.new_findings, 'report_sha256', r.sha256)"

int store_scans_list(db_conn *c, long long image_id, const store_page *p, char **json)
{
	char lim[32], cur[32], iid[32];
	const char *params[3];

	if (cursor_id(p, cur, sizeof(cur)))
		return STORE_ERR_INVALID;
	snprintf(lim, sizeof(lim), "%lld", p->limit);
	snprintf(iid, sizeof(iid), "%lld", image_id);
	params[0] = lim;
	params[1] = cur;
	params[2] = image_id > 0 ? iid : NULL;
	return one_json(c, PAGE_WRAP(
		"SELECT s.id AS k, " SCAN_OBJ " AS obj FROM scans s JOIN images i ON i.id = s.image_id"
		" JOIN reports r ON r.id = s.report_id"
		" WHERE s.id > $2::bigint AND ($3::bigint IS NULL OR s.image_id = $3::bigint"
		"   OR s.build_id IN (SELECT build_id FROM build_images WHERE image_id = $3::bigint))"
		" ORDER BY s.id LIMIT $1::int + 1"), 3, params, json);
}

int store_scan_get(db_conn *c, long long id, char **json)
{
	char sid[32];
	const char *params[] = {sid};

	snprintf(sid, sizeof(sid), "%lld", id);
	return one_json(c, "SELECT " SCAN_OBJ "::text FROM scans s JOIN images i ON i.id = s.image_id"
			   " JOIN reports r ON r.id = s.report_id WHERE s.id = $1::bigint", 1, params, json);
}
