/*
 * kev_store.h - the CISA KEV catalog in the database: an import replaces
 * every kev_entries row in one transaction and records a kev_imports row
 * (the history of imports is kept; the latest import is the catalog).
 * The POA&M's KEV columns follow with store_poam_kev_refresh (poam.h),
 * and the container rule "kev" reads kev_entries directly.
 */
#ifndef MUSTER_KEV_STORE_H
#define MUSTER_KEV_STORE_H

#include "../ingest/kev.h"
#include "store.h"

/*
 * Replace the catalog with cat (parsed by kev_parse) in one transaction:
 * insert a kev_imports row (version, release date, entry count), delete
 * every kev_entries row and load cat's entries with COPY (a CVE listed
 * twice keeps its first entry). An audit row records the import.
 * *import_id and *entries (either may be NULL) receive the new import's
 * id and the number of distinct CVEs stored. Returns STORE_OK or a
 * STORE_ERR_* code (the previous catalog is then untouched).
 */
int store_kev_import(db_conn *c, const store_actor *who, const kev_catalog *cat,
		     long long *import_id, long long *entries);

#endif
