/*
 * app.h - the process-wide state the HTTP layer works with: configuration,
 * the database pool and paths. One per `muster serve`; nothing in it is
 * per-request, so any number of processes can serve over one database.
 */
#ifndef MUSTER_APP_H
#define MUSTER_APP_H

#include "../store/store.h"
#include "../util/config.h"

typedef struct app {
	config cfg;
	db_pool *pool;
	const char *schema_dir;     /* schema/ with the migrations */
	const char *templates_dir;  /* templates/ with layouts and pages */
	volatile int stopping;
} app;

#endif
