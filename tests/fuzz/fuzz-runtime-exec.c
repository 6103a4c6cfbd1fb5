/* fuzz-runtime-exec: the inputs of `hullrt exec` (lib/runtime/execinput.c,
 * lib/oci/process.c).  The bytes are split at NULs into
 *   1. a process.json (`exec --process`), parsed as such;
 *   2. the container's config.json, the base of an exec without --process;
 *   3. command-line overrides, one per line: `cwd=`, `env=`, `user=`,
 *      `gid=` (--additional-gids), `cap=`, `tty`, `nnp`;
 *   4. the container's /etc/passwd, searched for HOME for a few uids. */
#include "base/error.h"
#include "base/json.h"
#include "base/strv.h"
#include "oci/config.h"
#include "runtime/execinput.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* The next NUL-separated part of [*p, end) as a malloc'd C string. */
static char *
next_part (const uint8_t **p, const uint8_t *end)
{
  if (*p > end)
    return strdup ("");
  const uint8_t *nul = memchr (*p, 0, (size_t) (end - *p));
  const uint8_t *e = nul ? nul : end;
  char *s = strndup ((const char *) *p, (size_t) (e - *p));
  *p = nul ? nul + 1 : end + 1;
  return s;
}

static json_object *
parse_json (const char *text)
{
  json_tokener *tok = json_tokener_new_ex (64);
  json_object *o = tok ? json_tokener_parse_ex (tok, text, (int) strlen (text)) : NULL;
  if (tok)
    json_tokener_free (tok);
  return o;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const uint8_t *p = data, *end = data + size;
  char *process = next_part (&p, end);
  char *config = next_part (&p, end);
  char *opts = next_part (&p, end);
  const char *passwd = p <= end ? (const char *) p : "";
  size_t passwd_len = p <= end ? (size_t) (end - p) : 0;

  json_object *pj = parse_json (process);
  if (pj)
    {
      struct oci_process proc;
      memset (&proc, 0, sizeof proc);
      struct error *err = NULL;
      if (oci_process_parse (pj, &proc, &err) == 0)
        oci_process_clear (&proc);
      error_free (err);
      json_object_put (pj);
    }

  struct runtime_exec_options o = { .stdio_fds = { -1, -1, -1 } };
  char **env = NULL, **caps = NULL, **gids = NULL;
  char *argv[] = { (char *) "sh", NULL };
  o.argv = argv;
  char *save = NULL;
  for (char *line = strtok_r (opts, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      if (strncmp (line, "cwd=", 4) == 0)
        o.cwd = line + 4;
      else if (strncmp (line, "env=", 4) == 0)
        strv_push (&env, line + 4);
      else if (strncmp (line, "user=", 5) == 0)
        o.user = line + 5;
      else if (strncmp (line, "gid=", 4) == 0)
        strv_push (&gids, line + 4);
      else if (strncmp (line, "cap=", 4) == 0)
        strv_push (&caps, line + 4);
      else if (strcmp (line, "tty") == 0)
        o.tty = true;
      else if (strcmp (line, "nnp") == 0)
        o.no_new_privs = true;
    }
  o.env = env;
  o.caps = caps;
  o.additional_gids = gids;
  json_object *cj = parse_json (config);
  if (cj == NULL)
    cj = json_object_new_object ();
  struct oci_process proc;
  memset (&proc, 0, sizeof proc);
  struct error *err = NULL;
  if (exec_build_process (cj, &o, &proc, &err) == 0)
    oci_process_clear (&proc);
  error_free (err);
  json_object_put (cj);
  strv_free (env);
  strv_free (caps);
  strv_free (gids);

  static const uid_t uids[] = { 0, 1, 1000, 65534, 4294967294u };
  for (size_t i = 0; i < sizeof uids / sizeof *uids; i++)
    {
      char *home = passwd_home_for_uid (passwd, passwd_len, uids[i]);
      if (home && home[0] != '/')
        abort (); /* only absolute homes are returned */
      free (home);
    }
  free (process);
  free (config);
  free (opts);
  return 0;
}
