/*
 * audit.c - the audit log: one row per write made through the API or the
 * CLI, written inside the writer's own transaction so that a write and its
 * record commit or vanish together; and the audited end of one row by id
 * (a token revoked, a webhook deleted).
 */
#include "db.h"

#include <stdio.h>

int store_audit(db_conn *c, const store_actor *who, const char *action,
		const char *detail_json)
{
	char tok[32];
	const char *params[6];

	snprintf(tok, sizeof(tok), "%lld", who ? who->token_id : 0);
	params[0] = who && who->token_id ? tok : NULL;
	params[1] = who && who->name ? who->name : "system";
	params[2] = who && who->route ? who->route : "";
	params[3] = who ? who->request_id : NULL;
	params[4] = action;
	params[5] = detail_json;
	return db_command(c,
		"INSERT INTO audit_log (token_id, actor, route, request_id, action, detail)"
		" VALUES ($1, $2, $3, $4, $5, $6::jsonb)", 6, params);
}

struct end_by_id {
	const store_actor *who;
	const char *sql;
	long long id;
	const char *action;
};

static int end_by_id_tx(db_conn *c, void *payload)
{
	struct end_by_id *e = payload;
	char id[32], detail[64];
	const char *params[] = {id};
	int rc;

	snprintf(id, sizeof(id), "%lld", e->id);
	rc = db_command_found(c, e->sql, 1, params);
	if (rc)
		return rc;
	snprintf(detail, sizeof(detail), "{\"id\":%lld}", e->id);
	return store_audit(c, e->who, e->action, detail);
}

int store_end_by_id(db_conn *c, const store_actor *who, const char *sql, long long id, const char *action)
{
	struct end_by_id e = {who, sql, id, action};

	return db_transaction(c, end_by_id_tx, &e);
}
