/*
 * server.h - the HTTP server: civetweb setup, the single entry point that
 * turns a civetweb connection into a req, access logging and shutdown.
 */
#ifndef MUSTER_SERVER_H
#define MUSTER_SERVER_H

#include "app.h"

/* Serve until a->stopping becomes true, then finish requests in flight and
 * return 0; -1 if the server could not start (message logged). */
int http_server_run(app *a);

#endif
