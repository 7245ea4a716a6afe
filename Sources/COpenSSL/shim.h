#ifndef ALOFT_COPENSSL_SHIM_H
#define ALOFT_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#endif
