// libcurl for Swift, loaded when first used (lazy_curl.c): `aloft` does not link libcurl, so the ~25
// libraries it pulls in (Kerberos, LDAP, GnuTLS, ...) cost nothing to a command that makes no HTTP request (issue
// 18: start-up). The functions Aloft calls keep their libcurl names (lazy_curl.c defines them and forwards to
// the library); curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call, so the options
// Aloft uses are typed functions here.
#ifndef ALOFT_CCURL_SHIM_H
#define ALOFT_CCURL_SHIM_H
#include <curl/curl.h>

typedef size_t (*aloft_curl_data_fn)(char *ptr, size_t size, size_t nmemb, void *userdata);

CURLcode aloft_curl_set_string(CURL *h, CURLoption o, const char *v);
CURLcode aloft_curl_set_long(CURL *h, CURLoption o, long v);
CURLcode aloft_curl_set_pointer(CURL *h, CURLoption o, void *v);
CURLcode aloft_curl_set_large(CURL *h, CURLoption o, curl_off_t v);
CURLcode aloft_curl_set_slist(CURL *h, CURLoption o, struct curl_slist *v);
CURLcode aloft_curl_set_data_fn(CURL *h, CURLoption o, aloft_curl_data_fn v);
long aloft_curl_response_code(CURL *h);

/// Why libcurl could not be loaded (the library's file and the loader's message), or NULL once it is loaded.
/// Loads it if it was not yet. Thread-safe.
const char *aloft_curl_load_error(void);

// Option values as plain constants (some are macros or enum members Swift imports awkwardly).
static const CURLoption ALOFT_CURLOPT_URL = CURLOPT_URL;
static const CURLoption ALOFT_CURLOPT_CUSTOMREQUEST = CURLOPT_CUSTOMREQUEST;
static const CURLoption ALOFT_CURLOPT_HTTPHEADER = CURLOPT_HTTPHEADER;
static const CURLoption ALOFT_CURLOPT_POSTFIELDS = CURLOPT_POSTFIELDS;
static const CURLoption ALOFT_CURLOPT_POSTFIELDSIZE_LARGE = CURLOPT_POSTFIELDSIZE_LARGE;
static const CURLoption ALOFT_CURLOPT_NOBODY = CURLOPT_NOBODY;
static const CURLoption ALOFT_CURLOPT_HTTPGET = CURLOPT_HTTPGET;
static const CURLoption ALOFT_CURLOPT_WRITEFUNCTION = CURLOPT_WRITEFUNCTION;
static const CURLoption ALOFT_CURLOPT_WRITEDATA = CURLOPT_WRITEDATA;
static const CURLoption ALOFT_CURLOPT_HEADERFUNCTION = CURLOPT_HEADERFUNCTION;
static const CURLoption ALOFT_CURLOPT_HEADERDATA = CURLOPT_HEADERDATA;
static const CURLoption ALOFT_CURLOPT_UNIX_SOCKET_PATH = CURLOPT_UNIX_SOCKET_PATH;
static const CURLoption ALOFT_CURLOPT_CONNECTTIMEOUT_MS = CURLOPT_CONNECTTIMEOUT_MS;
static const CURLoption ALOFT_CURLOPT_TIMEOUT_MS = CURLOPT_TIMEOUT_MS;
static const CURLoption ALOFT_CURLOPT_NOSIGNAL = CURLOPT_NOSIGNAL;
static const CURLoption ALOFT_CURLOPT_CAINFO = CURLOPT_CAINFO;
static const CURLoption ALOFT_CURLOPT_SSLCERT = CURLOPT_SSLCERT;
static const CURLoption ALOFT_CURLOPT_SSLKEY = CURLOPT_SSLKEY;
static const CURLoption ALOFT_CURLOPT_SSL_VERIFYPEER = CURLOPT_SSL_VERIFYPEER;
static const CURLoption ALOFT_CURLOPT_SSL_VERIFYHOST = CURLOPT_SSL_VERIFYHOST;
static const CURLoption ALOFT_CURLOPT_ERRORBUFFER = CURLOPT_ERRORBUFFER;
static const CURLoption ALOFT_CURLOPT_ACCEPT_ENCODING = CURLOPT_ACCEPT_ENCODING;
static const CURLoption ALOFT_CURLOPT_PROTOCOLS_STR = CURLOPT_PROTOCOLS_STR;
#endif
