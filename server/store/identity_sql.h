/*
 * identity_sql.h - SQL of the identity rules shared by scan ingest
 * (scans.c) and runtime snapshots (runtime.c), so that both apply one
 * statement, not two copies of a rule (docs/ingest.md, "Identity rules").
 * Only files under store/ include this header.
 */
#ifndef MUSTER_STORE_IDENTITY_SQL_H
#define MUSTER_STORE_IDENTITY_SQL_H

/*
 * Rename once a versionless asset (version_from_digest) of a build now
 * seen under a real version of the same repository; the old UAI stays an
 * alias. src is a relation of (build_id, registry, repository, version,
 * ord) rows, each a build seen under a real (not moving) version; ord
 * decides which of an asset's new names wins. At most one new name per
 * asset and one asset (the lowest id) per name, never a name an asset
 * already has.
 */
#define RENAME_VERSIONLESS_SQL(src) \
	"WITH cand AS (SELECT DISTINCT ON (i.id) i.id, s.registry, s.repository, s.version" \
	"   FROM " src " s JOIN build_images bi ON bi.build_id = s.build_id" \
	"   JOIN images i ON i.id = bi.image_id AND i.version_from_digest" \
	"     AND i.registry = s.registry AND i.repository = s.repository" \
	"   ORDER BY i.id, s.ord)," \
	" pick AS (SELECT DISTINCT ON (registry, repository, version) * FROM cand x" \
	"   WHERE NOT EXISTS (SELECT 1 FROM images o WHERE o.registry = x.registry" \
	"     AND o.repository = x.repository AND o.version = x.version)" \
	"   ORDER BY registry, repository, version, id)," \
	" old AS (SELECT i.id, i.uai FROM images i JOIN pick ON pick.id = i.id FOR UPDATE OF i)," \
	" alias AS (INSERT INTO image_aliases (uai, image_id) SELECT uai, id FROM old ON CONFLICT DO NOTHING)" \
	" UPDATE images i SET uai = p.registry || '/' || p.repository || ':' || p.version," \
	"   version = p.version, version_from_digest = false" \
	" FROM pick p JOIN old o ON o.id = p.id WHERE i.id = p.id"

#endif
