// Thin shims over libcurl's variadic curl_easy_setopt/getinfo, which Swift cannot call directly.
#ifndef SOKUHO_CCURL_H
#define SOKUHO_CCURL_H
#include <curl/curl.h>

static inline CURLcode sokuho_curl_set_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode sokuho_curl_set_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode sokuho_curl_set_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode sokuho_curl_set_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
typedef size_t (*sokuho_write_cb)(char *, size_t, size_t, void *);
static inline CURLcode sokuho_curl_set_write(CURL *h, CURLoption o, sokuho_write_cb v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode sokuho_curl_get_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode sokuho_curl_get_double(CURL *h, CURLINFO i, double *v) { return curl_easy_getinfo(h, i, v); }

#endif
