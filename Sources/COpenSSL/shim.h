#ifndef ALOFT_COPENSSL_SHIM_H
#define ALOFT_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
/* SHA-256 of one buffer into out[32] with OpenSSL's own low-level routines. EVP_Digest's first call in a process
   initializes the library, reads openssl.cnf and fetches the digest from a provider: ~1 ms, which a short command
   (`aloft run` on a cached workflow) pays for nothing. The low-level routines are deprecated in OpenSSL 3 but
   present, and compute the same digest; a [system] module's inline body does not warn. */
static inline void aloft_sha256(const void *data, size_t count, unsigned char out[32]) {
    SHA256_CTX context;
    SHA256_Init(&context);
    SHA256_Update(&context, data, count);
    SHA256_Final(out, &context);
}
#endif
