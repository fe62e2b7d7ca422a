/*
 * demo_seed.h - the two things `muster demo` needs from the database that
 * no API does: knowing that the database holds no inventory yet, and
 * dating the environments it configured back to the start of the
 * generated history (the API records environments from "now", while the
 * demo replays three months of snapshots that must already count as
 * production). Everything else the demo writes goes through the same
 * service and store functions as the API.
 */
#ifndef MUSTER_STORE_DEMO_SEED_H
#define MUSTER_STORE_DEMO_SEED_H

#include <time.h>

#include "store.h"

/* 1 when no image, scan, container instance or POA&M item is stored, 0
 * when something is, or a STORE_ERR_* code. */
int store_demo_is_empty(db_conn *c);

/* Make every environment setting in force now valid from `since`. */
int store_demo_backdate_environments(db_conn *c, time_t since);

#endif
