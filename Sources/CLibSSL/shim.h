#ifndef ALOFT_CLIBSSL_SHIM_H
#define ALOFT_CLIBSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/bio.h>
#include <openssl/x509.h>

// Swift cannot call OpenSSL's function-like macros; these wrap the ones the server's TLS uses.
static inline int aloft_ssl_ctx_set_min_tls12(SSL_CTX *ctx) {
    return (int)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
}
#endif
