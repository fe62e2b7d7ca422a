/*
 * tls_setup.h - what `muster serve` prepares before civetweb can serve
 * HTTPS: one PEM file with the certificate and its key (civetweb 1.15
 * reads both from one file), and the OpenSSL 3 compatibility library
 * (tls_compat.c) loaded ahead of civetweb's own dlopen("libssl.so").
 */
#ifndef MUSTER_TLS_SETUP_H
#define MUSTER_TLS_SETUP_H

typedef struct tls_setup {
	char pem[4096];     /* the file to give civetweb as ssl_certificate */
	int joined;         /* pem is our private copy (removed by tls_setup_started) */
} tls_setup;

/* Load libmuster_tls_compat.so from the muster binary's folder, once, for
 * the life of the process. Call before anything calls
 * mg_init_library(MG_FEATURES_TLS) (the HTTPS listener, the webhook
 * sender's https:// client): civetweb loads OpenSSL only once. A missing
 * library is logged; civetweb's own check then decides. */
void tls_setup_preload(void);

/* Prepare TLS for a certificate file and a key file (the same path when
 * one file holds both). Separate files are joined into a new file of mode
 * 0600 in data_dir. Returns 0, or -1 after logging why (nothing is left
 * behind). Also calls tls_setup_preload. */
int tls_setup_begin(tls_setup *t, const char *cert, const char *key, const char *data_dir);
/* mg_start has returned (whether it succeeded or not): remove the joined
 * copy of the key. */
void tls_setup_started(tls_setup *t);
/* At the end (or after a failed start): the same as tls_setup_started. */
void tls_setup_end(tls_setup *t);

#endif
