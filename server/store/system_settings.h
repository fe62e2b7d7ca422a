/*
 * system_settings.h - the described system: its name, the CSP's name and
 * the impact level (Low, Moderate, High), kept with history
 * (schema/005_system.sql) so that a report for a past date names the
 * system as it was then. Reports (inventory, POA&M) read it through
 * store_system_get; PUT /api/v1/system writes it through store_system_put.
 */
#ifndef MUSTER_STORE_SYSTEM_SETTINGS_H
#define MUSTER_STORE_SYSTEM_SETTINGS_H

#include <time.h>

#include "store.h"

#define STORE_SYSTEM_FIELD 804   /* 200 characters of UTF-8 and a NUL */

typedef struct store_system {
	int set;                              /* 0: never set (the strings are "") */
	char system_name[STORE_SYSTEM_FIELD];
	char csp_name[STORE_SYSTEM_FIELD];
	char impact_level[16];                /* "Low", "Moderate" or "High" */
	char since[32];                       /* RFC 3339 start of this version */
} store_system;

/*
 * The settings in force at `at` (seconds since the epoch; 0 = now). When
 * no version was in force then because the system was first described
 * later, the earliest version is returned, so old months keep a name.
 * out->set is 0 when the settings were never written.
 * Returns STORE_OK or a STORE_ERR_* code (out is then zeroed).
 */
int store_system_get(db_conn *c, time_t at, store_system *out);

/*
 * Make (system_name, csp_name, impact_level) the settings in force from
 * now on, closing the version in force, in one transaction with an audit
 * record. Writing the values already in force changes nothing. The values
 * are checked by the caller (1..200 characters, impact level one of Low,
 * Moderate, High); the database refuses others with STORE_ERR_INVALID.
 * out (may be NULL) receives the settings now in force.
 * Returns STORE_OK or a STORE_ERR_* code.
 */
int store_system_put(db_conn *c, const store_actor *who, const char *system_name,
		     const char *csp_name, const char *impact_level, store_system *out);

#endif
