/* registry-tool - drive lib/registry's client from the integration tests
 * (tests/integration/registry-*.bats): what a real user reaches through
 * `hull pull/push`, with nothing of the image store in between.
 *
 *   registry-tool [OPTIONS] ping HOST
 *   registry-tool [OPTIONS] login HOST                 (checks -u/-p)
 *   registry-tool [OPTIONS] manifest REF [OUT]         prints "MEDIATYPE DIGEST SIZE"
 *   registry-tool [OPTIONS] head REF                   prints "DIGEST" or "absent"
 *   registry-tool [OPTIONS] open REF                   via mirrors: "DOMAIN/PATH DIGEST"
 *   registry-tool [OPTIONS] blob REPO DIGEST SIZE OUT [START]
 *   registry-tool [OPTIONS] blobs REPO OUTDIR DIGEST:SIZE...   (one thread each)
 *   registry-tool [OPTIONS] exists REPO DIGEST         prints "present SIZE" or "absent"
 *   registry-tool [OPTIONS] tags REPO
 *   registry-tool [OPTIONS] push-blob REPO FILE [FROM] prints existed|mounted|uploaded
 *   registry-tool [OPTIONS] push-blob-stream REPO FILE (read callback, not an fd)
 *   registry-tool [OPTIONS] put-manifest REF FILE MEDIATYPE
 *   registry-tool resolve NAME                          candidates, one a line
 * REF and REPO are references ("127.0.0.1:5000/x:tag", "127.0.0.1:5000/x").
 * Options: --authfile F, -u USER, -p PASS, --tls-verify=true|false,
 * --cert-dir D, --registries-conf F, --retries N, --retry-ms N, --chunk-size N.
 * Errors go to stderr as one line; the exit status is 1. */
#include "registry/client.h"
#include "registry/reference.h"
#include "registry/registries.h"

#include "base/cleanup.h"
#include "base/digest.h"
#include "base/error.h"
#include "base/log.h"
#include "base/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct registry_options opts = { 0 };
static struct registries_conf *conf;

static int
fail (struct error *err)
{
  fprintf (stderr, "registry-tool: %s\n", err ? err->msg : "failed");
  error_free (err);
  return 1;
}

static int
open_ref (const char *s, unsigned flags, struct reference **ref, struct registry_client **c,
          struct error **err)
{
  int ret = reference_parse (s, flags, ref, err);
  if (ret < 0)
    return ret;
  return registry_client_new ((*ref)->domain, (*ref)->path, &opts, c, err);
}

struct file_sink
{
  int fd;
  uint64_t expect; /* next offset */
};

static int
file_write (const void *buf, size_t len, uint64_t offset, void *ud)
{
  struct file_sink *f = ud;
  if (offset != f->expect)
    return -EINVAL; /* offsets must be contiguous */
  const char *p = buf;
  while (len)
    {
      ssize_t w = pwrite (f->fd, p, len, (off_t)offset);
      if (w < 0)
        return -errno;
      p += w, len -= (size_t)w, offset += (uint64_t)w;
    }
  f->expect = offset;
  return 0;
}

static int
get_blob (struct registry_client *c, const char *digest, int64_t size, const char *out,
          uint64_t start, struct error **err)
{
  int fd = open (out, O_RDWR | O_CREAT | O_CLOEXEC | (start ? 0 : O_TRUNC), 0644);
  if (fd < 0)
    return error_errno (err, errno, "open `%s`", out);
  struct file_sink f = { fd, start };
  struct registry_blob_request req = {
    .digest = digest,
    .size = size,
    .start = start,
    .start_fd = fd,
  };
  int ret = registry_get_blob (c, &req, file_write, &f, err);
  close (fd);
  if (ret < 0)
    unlink (out); /* nothing of a bad blob stays */
  return ret;
}

struct job
{
  struct registry_client *c;
  char digest[DIGEST_STRING_MAX];
  int64_t size;
  char out[4096];
  struct error *err;
  int ret;
};

static void *
job_run (void *arg)
{
  struct job *j = arg;
  j->ret = get_blob (j->c, j->digest, j->size, j->out, 0, &j->err);
  return NULL;
}

struct stream_src
{
  int fd;
};

static ssize_t
stream_read (void *buf, size_t len, void *ud)
{
  struct stream_src *s = ud;
  ssize_t r = read (s->fd, buf, len);
  return r < 0 ? -errno : r;
}

int
main (int argc, char **argv)
{
  log_init ("registry-tool", getenv ("REGISTRY_TOOL_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARN);
  static const struct option lo[] = {
    { "authfile", required_argument, NULL, 'a' },
    { "tls-verify", required_argument, NULL, 't' },
    { "cert-dir", required_argument, NULL, 'c' },
    { "registries-conf", required_argument, NULL, 'r' },
    { "retries", required_argument, NULL, 'R' },
    { "retry-ms", required_argument, NULL, 'M' },
    { "chunk-size", required_argument, NULL, 'K' },
    {},
  };
  const char *conf_path = NULL;
  int o;
  while ((o = getopt_long (argc, argv, "+u:p:", lo, NULL)) != -1)
    switch (o)
      {
      case 'a':
        opts.authfile = optarg;
        break;
      case 'u':
        opts.username = optarg;
        break;
      case 'p':
        opts.password = optarg;
        break;
      case 't':
        opts.tls = strcmp (optarg, "false") == 0 ? REGISTRY_TLS_NO_VERIFY : REGISTRY_TLS_VERIFY;
        break;
      case 'c':
        opts.cert_dir = optarg;
        break;
      case 'r':
        conf_path = optarg;
        break;
      case 'R':
        opts.max_retries = atoi (optarg) == 0 ? -1 : atoi (optarg);
        break;
      case 'M':
        opts.retry_base_ms = (unsigned)atoi (optarg);
        break;
      case 'K':
        opts.upload_chunk_size = (uint64_t)atoll (optarg);
        break;
      default:
        return 2;
      }
  if (optind >= argc)
    return 2;
  struct error *err = NULL;
  if (registries_conf_load (conf_path, &conf, &err) < 0)
    return fail (err);
  opts.conf = conf;
  const char *verb = argv[optind];
  char **args = argv + optind + 1;
  int nargs = argc - optind - 1;
  _cleanup_reference_ struct reference *ref = NULL;
  _cleanup_registry_client_ struct registry_client *c = NULL;
  int ret = 0;

  if (strcmp (verb, "ping") == 0 && nargs == 1)
    {
      if ((ret = registry_client_new (args[0], NULL, &opts, &c, &err)) == 0)
        ret = registry_ping (c, &err);
      if (ret == 0)
        printf ("ok\n");
    }
  else if (strcmp (verb, "login") == 0 && nargs == 1)
    {
      if ((ret = registry_login_check (args[0], &opts, &err)) == 0)
        printf ("ok\n");
    }
  else if (strcmp (verb, "manifest") == 0 && (nargs == 1 || nargs == 2))
    {
      _cleanup_registry_manifest_ struct registry_manifest *m = NULL;
      if ((ret = open_ref (args[0], 0, &ref, &c, &err)) == 0
          && (ret = registry_get_manifest (c, reference_manifest_ref (ref), &m, &err)) == 0)
        {
          printf ("%s %s %zu\n", m->media_type, m->digest, m->len);
          if (nargs == 2)
            {
              FILE *f = fopen (args[1], "we");
              if (f == NULL || fwrite (m->data, 1, m->len, f) != m->len)
                ret = error_errno (&err, errno, "write `%s`", args[1]);
              if (f)
                fclose (f);
            }
        }
    }
  else if (strcmp (verb, "head") == 0 && nargs == 1)
    {
      _cleanup_free_ char *d = NULL, *mt = NULL;
      int64_t size = -1;
      if ((ret = open_ref (args[0], 0, &ref, &c, &err)) == 0
          && (ret = registry_head_manifest (c, reference_manifest_ref (ref), &d, &mt, &size, &err))
                 >= 0)
        {
          if (ret == 1)
            printf ("%s %s %" PRId64 "\n", d, mt ? mt : "-", size);
          else
            printf ("absent\n");
          ret = 0;
        }
    }
  else if (strcmp (verb, "open") == 0 && nargs == 1)
    {
      _cleanup_registry_manifest_ struct registry_manifest *m = NULL;
      if ((ret = reference_parse (args[0], 0, &ref, &err)) == 0
          && (ret = registry_open_manifest (ref, &opts, &c, &m, &err)) == 0)
        printf ("%s/%s %s\n", registry_client_domain (c), registry_client_path (c), m->digest);
    }
  else if (strcmp (verb, "blob") == 0 && (nargs == 4 || nargs == 5))
    {
      int64_t size;
      uint64_t start = 0;
      if (parse_int64 (args[2], &size) < 0 || (nargs == 5 && parse_uint64 (args[4], &start) < 0))
        return 2;
      if ((ret = open_ref (args[0], REFERENCE_NO_DEFAULT_TAG, &ref, &c, &err)) == 0)
        ret = get_blob (c, args[1], size, args[3], start, &err);
    }
  else if (strcmp (verb, "blobs") == 0 && nargs >= 3)
    {
      if ((ret = open_ref (args[0], REFERENCE_NO_DEFAULT_TAG, &ref, &c, &err)) < 0)
        return fail (err);
      int n = nargs - 2;
      struct job *jobs = calloc ((size_t)n, sizeof *jobs);
      pthread_t *th = calloc ((size_t)n, sizeof *th);
      for (int i = 0; i < n; i++)
        {
          const char *spec = args[2 + i];
          const char *colon = strrchr (spec, ':');
          jobs[i].c = c;
          snprintf (jobs[i].digest, sizeof jobs[i].digest, "%.*s", (int)(colon - spec), spec);
          jobs[i].size = atoll (colon + 1);
          snprintf (jobs[i].out, sizeof jobs[i].out, "%s/%s", args[1], digest_hex (jobs[i].digest));
          pthread_create (&th[i], NULL, job_run, &jobs[i]);
        }
      for (int i = 0; i < n; i++)
        {
          pthread_join (th[i], NULL);
          if (jobs[i].ret < 0)
            {
              if (ret == 0)
                {
                  ret = jobs[i].ret;
                  err = jobs[i].err;
                }
              else
                error_free (jobs[i].err);
            }
        }
      free (jobs);
      free (th);
    }
  else if (strcmp (verb, "exists") == 0 && nargs == 2)
    {
      int64_t size = -1;
      if ((ret = open_ref (args[0], REFERENCE_NO_DEFAULT_TAG, &ref, &c, &err)) == 0
          && (ret = registry_blob_exists (c, args[1], &size, &err)) >= 0)
        {
          if (ret)
            printf ("present %" PRId64 "\n", size);
          else
            printf ("absent\n");
          ret = 0;
        }
    }
  else if (strcmp (verb, "tags") == 0 && nargs == 1)
    {
      _cleanup_strv_ char **tags = NULL;
      if ((ret = open_ref (args[0], REFERENCE_NO_DEFAULT_TAG, &ref, &c, &err)) == 0
          && (ret = registry_list_tags (c, &tags, &err)) == 0)
        for (char **t = tags; *t; t++)
          printf ("%s\n", *t);
    }
  else if ((strcmp (verb, "push-blob") == 0 && (nargs == 2 || nargs == 3))
           || (strcmp (verb, "push-blob-stream") == 0 && nargs == 2))
    {
      bool stream = strcmp (verb, "push-blob-stream") == 0;
      _cleanup_close_ int fd = open (args[1], O_RDONLY | O_CLOEXEC);
      struct stat st;
      if (fd < 0 || fstat (fd, &st) < 0)
        return fail ((error_errno (&err, errno, "open `%s`", args[1]), err));
      _cleanup_free_ char *data = malloc ((size_t)st.st_size + 1);
      if (pread (fd, data, (size_t)st.st_size, 0) != st.st_size)
        return fail ((error_errno (&err, errno, "read `%s`", args[1]), err));
      _cleanup_free_ char *digest = digest_buffer ("sha256", data, (size_t)st.st_size);
      struct stream_src ss = { fd };
      struct registry_blob_source src
          = { .fd = stream ? -1 : fd, .read = stream_read, .userdata = &ss };
      if ((ret = open_ref (args[0], REFERENCE_NO_DEFAULT_TAG, &ref, &c, &err)) == 0)
        {
          if (stream)
            ret = registry_upload_blob (c, digest, (uint64_t)st.st_size, &src, &err);
          else
            ret = registry_push_blob (c, digest, (uint64_t)st.st_size, nargs == 3 ? args[2] : NULL,
                                      &src, &err);
        }
      if (ret >= 0)
        {
          static const char *names[] = { "existed", "mounted", "uploaded" };
          printf ("%s %s\n", stream ? "uploaded" : names[ret], digest);
          ret = 0;
        }
    }
  else if (strcmp (verb, "put-manifest") == 0 && nargs == 3)
    {
      _cleanup_free_ char *data = NULL, *d = NULL;
      size_t len = 0;
      FILE *f = fopen (args[1], "re");
      if (f)
        {
          data = malloc (REGISTRY_MANIFEST_MAX + 1);
          len = fread (data, 1, REGISTRY_MANIFEST_MAX + 1, f);
          fclose (f);
        }
      if ((ret = open_ref (args[0], 0, &ref, &c, &err)) == 0
          && (ret = registry_put_manifest (c, reference_manifest_ref (ref), args[2], data, len, &d,
                                           &err))
                 == 0)
        printf ("%s\n", d);
    }
  else if (strcmp (verb, "resolve") == 0 && nargs == 1)
    {
      struct reference **list = NULL;
      if ((ret = reference_resolve (args[0], conf, 0, &list, &err)) == 0)
        for (struct reference **r = list; *r; r++)
          {
            _cleanup_free_ char *s = reference_string (*r), *fam = reference_familiar (*r);
            printf ("%s %s\n", s, fam);
          }
      reference_list_free (list);
    }
  else
    {
      fprintf (stderr, "registry-tool: bad usage\n");
      return 2;
    }
  registry_client_free (TAKE_PTR (c));
  registries_conf_free (conf);
  return ret < 0 ? fail (err) : 0;
}
