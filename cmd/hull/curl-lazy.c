/* curl-lazy.c - libcurl, loaded when a registry is first talked to.
 *
 * libcurl and what it brings (TLS stacks, Kerberos, LDAP, IDN, brotli...: 35
 * shared libraries here) cost every hull command about 4 ms of dynamic
 * loading, including `hull run` of a local image, which never uses them.
 * These definitions of the libcurl functions lib/registry calls are part of
 * the hull executable itself, so the linker resolves lib/registry's
 * references to them and, with --as-needed, drops libcurl from hull's
 * dependencies; each one dlopen()s libcurl.so.4 on first use and calls the
 * real function.
 *
 * The variadic setters/getters pass their one argument on unchanged: every
 * libcurl option argument is a long, a curl_off_t, or a (function) pointer,
 * all of which the x86-64 and AArch64 calling conventions pass in the same
 * general-purpose register, so it is read as a 64-bit integer and passed on
 * as one (checked below at compile time).
 */
#include <curl/curl.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#if !(defined(__x86_64__) || defined(__aarch64__))
#error "curl-lazy.c forwards variadic arguments the x86-64/AArch64 way: link libcurl instead"
#endif
_Static_assert (sizeof (long) == sizeof (void *) && sizeof (curl_off_t) == sizeof (void *),
                "option arguments must all be register-sized");

static void *lib;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
load (void)
{
  lib = dlopen ("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL)
    fprintf (stderr, "hull: cannot load libcurl (needed to talk to registries): %s\n", dlerror ());
}

static void *
sym (const char *name)
{
  pthread_once (&once, load);
  return lib ? dlsym (lib, name) : NULL;
}

#define REAL(ret, name, params)                                                                    \
  typedef ret(*name##_fn) params;                                                                  \
  static name##_fn real_##name;                                                                    \
  static name##_fn get_##name (void)                                                               \
  {                                                                                                \
    if (real_##name == NULL)                                                                       \
      real_##name = (name##_fn) sym (#name);                                                       \
    return real_##name;                                                                            \
  }

REAL (CURLcode, curl_global_init, (long))
REAL (CURL *, curl_easy_init, (void))
REAL (CURLcode, curl_easy_setopt, (CURL *, CURLoption, ...))
REAL (CURLcode, curl_easy_getinfo, (CURL *, CURLINFO, ...))
REAL (CURLcode, curl_easy_perform, (CURL *))
REAL (void, curl_easy_cleanup, (CURL *))
REAL (void, curl_easy_reset, (CURL *))
REAL (const char *, curl_easy_strerror, (CURLcode))
REAL (curl_version_info_data *, curl_version_info, (CURLversion))
REAL (struct curl_slist *, curl_slist_append, (struct curl_slist *, const char *))
REAL (void, curl_slist_free_all, (struct curl_slist *))
REAL (CURLSH *, curl_share_init, (void))
REAL (CURLSHcode, curl_share_setopt, (CURLSH *, CURLSHoption, ...))
REAL (CURLSHcode, curl_share_cleanup, (CURLSH *))
REAL (void, curl_free, (void *))
REAL (CURLU *, curl_url, (void))
REAL (void, curl_url_cleanup, (CURLU *))
REAL (CURLUcode, curl_url_get, (CURLU *, CURLUPart, char **, unsigned int))
REAL (CURLUcode, curl_url_set, (CURLU *, CURLUPart, const char *, unsigned int))

/* The typecheck-gcc.h macros would shadow our definitions. */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_share_setopt

CURLcode
curl_global_init (long flags)
{
  curl_global_init_fn f = get_curl_global_init ();
  return f ? f (flags) : CURLE_FAILED_INIT;
}

CURL *
curl_easy_init (void)
{
  curl_easy_init_fn f = get_curl_easy_init ();
  return f ? f () : NULL;
}

CURLcode
curl_easy_setopt (CURL *h, CURLoption opt, ...)
{
  va_list ap;
  va_start (ap, opt);
  uintptr_t arg = va_arg (ap, uintptr_t);
  va_end (ap);
  curl_easy_setopt_fn f = get_curl_easy_setopt ();
  return f ? f (h, opt, arg) : CURLE_FAILED_INIT;
}

CURLcode
curl_easy_getinfo (CURL *h, CURLINFO info, ...)
{
  va_list ap;
  va_start (ap, info);
  void *arg = va_arg (ap, void *);
  va_end (ap);
  curl_easy_getinfo_fn f = get_curl_easy_getinfo ();
  return f ? f (h, info, arg) : CURLE_FAILED_INIT;
}

CURLcode
curl_easy_perform (CURL *h)
{
  curl_easy_perform_fn f = get_curl_easy_perform ();
  return f ? f (h) : CURLE_FAILED_INIT;
}

void
curl_easy_cleanup (CURL *h)
{
  curl_easy_cleanup_fn f = get_curl_easy_cleanup ();
  if (f)
    f (h);
}

void
curl_easy_reset (CURL *h)
{
  curl_easy_reset_fn f = get_curl_easy_reset ();
  if (f)
    f (h);
}

const char *
curl_easy_strerror (CURLcode c)
{
  curl_easy_strerror_fn f = get_curl_easy_strerror ();
  return f ? f (c) : "libcurl is not available";
}

curl_version_info_data *
curl_version_info (CURLversion v)
{
  curl_version_info_fn f = get_curl_version_info ();
  return f ? f (v) : NULL;
}

struct curl_slist *
curl_slist_append (struct curl_slist *l, const char *s)
{
  curl_slist_append_fn f = get_curl_slist_append ();
  return f ? f (l, s) : NULL;
}

void
curl_slist_free_all (struct curl_slist *l)
{
  curl_slist_free_all_fn f = get_curl_slist_free_all ();
  if (f)
    f (l);
}

CURLSH *
curl_share_init (void)
{
  curl_share_init_fn f = get_curl_share_init ();
  return f ? f () : NULL;
}

CURLSHcode
curl_share_setopt (CURLSH *s, CURLSHoption opt, ...)
{
  va_list ap;
  va_start (ap, opt);
  uintptr_t arg = va_arg (ap, uintptr_t);
  va_end (ap);
  curl_share_setopt_fn f = get_curl_share_setopt ();
  return f ? f (s, opt, arg) : CURLSHE_NOT_BUILT_IN;
}

CURLSHcode
curl_share_cleanup (CURLSH *s)
{
  curl_share_cleanup_fn f = get_curl_share_cleanup ();
  return f ? f (s) : CURLSHE_OK;
}

void
curl_free (void *p)
{
  curl_free_fn f = get_curl_free ();
  if (f)
    f (p);
}

CURLU *
curl_url (void)
{
  curl_url_fn f = get_curl_url ();
  return f ? f () : NULL;
}

void
curl_url_cleanup (CURLU *u)
{
  curl_url_cleanup_fn f = get_curl_url_cleanup ();
  if (f)
    f (u);
}

CURLUcode
curl_url_get (CURLU *u, CURLUPart what, char **part, unsigned int flags)
{
  curl_url_get_fn f = get_curl_url_get ();
  return f ? f (u, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}

CURLUcode
curl_url_set (CURLU *u, CURLUPart what, const char *part, unsigned int flags)
{
  curl_url_set_fn f = get_curl_url_set ();
  return f ? f (u, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}
