/*
 * handlers.h - every HTTP handler, grouped by the file that implements it.
 * A handler parses its input, calls the store or policy layer, renders
 * the answer and returns the status it sent.
 */
#ifndef MUSTER_HANDLERS_H
#define MUSTER_HANDLERS_H

#include "request.h"

/* h_system.c */
int h_healthz(req *r);
int h_readyz(req *r);

/* h_tokens.c */
int h_tokens_create(req *r);
int h_tokens_list(req *r);
int h_tokens_revoke(req *r);

#endif
