/*
 * h_system.c - health endpoints for load balancers and orchestrators.
 */
#include "handlers.h"
#include "respond.h"

int h_healthz(req *r)
{
	static const char ok[] = "{\"status\":\"ok\"}";

	return respond_json_text(r, 200, ok, sizeof(ok) - 1);
}

int h_readyz(req *r)
{
	static const char ok[] = "{\"status\":\"ready\"}";
	db_conn *db = req_db(r);
	int rc;

	if (!db)
		return r->status;
	rc = store_ping(db);
	if (rc)
		return respond_store_error(r, STORE_ERR_DOWN);
	return respond_json_text(r, 200, ok, sizeof(ok) - 1);
}
