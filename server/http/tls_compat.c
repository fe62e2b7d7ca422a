/*
 * tls_compat.c - libmuster_tls_compat.so, a shared library whose SONAME is
 * "libssl.so", for Debian's civetweb 1.15 on OpenSSL 3.
 *
 * civetweb loads OpenSSL at run time (dlopen "libssl.so", then dlsym of
 * every function it uses) and was built for OpenSSL 1.1: it wants
 * SSL_get_peer_certificate, which OpenSSL 3 renamed
 * SSL_get1_peer_certificate. With that name missing, mg_init_library()
 * fails and the first HTTPS connection calls a NULL pointer. server.c
 * loads this library before civetweb does; civetweb's dlopen("libssl.so")
 * then finds it by SONAME, and dlsym on it searches it first and its
 * dependencies (the real libssl.so.3 and libcrypto.so.3) after.
 *
 * Nothing else lives here; on OpenSSL older than 3 the library only
 * forwards to the real libssl through its dependency.
 */
#include <openssl/opensslv.h>
#include <openssl/ssl.h>

#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#undef SSL_get_peer_certificate

X509 *SSL_get_peer_certificate(const SSL *s);

/* OpenSSL 1.1's name: the peer's certificate with a reference the caller
 * releases (X509_free), or NULL when the peer sent none. */
X509 *SSL_get_peer_certificate(const SSL *s)
{
	return SSL_get1_peer_certificate(s);
}
#endif
