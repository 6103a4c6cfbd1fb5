/* hull login [-u USER] [-p PASS | --password-stdin] [--tls-verify=false]
 *            [--authfile F] [--cert-dir D] [--get-login] [REGISTRY]
 *
 * Checks the credentials against the registry (GET /v2/ through its Basic or
 * Bearer flow) and only then stores them in auth.json (see
 * lib/registry/auth.h for which file).  REGISTRY defaults to the first
 * unqualified-search registry, else docker.io. */
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "registry/auth.h"
#include "registry/client.h"
#include "registry/registries.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define SECRET_MAX (64 << 10)

/* Read one line from the terminal (echo off for secrets); NULL at EOF. */
static char *
prompt (const char *what, bool secret)
{
  FILE *tty = fopen ("/dev/tty", "r+e");
  if (tty == NULL)
    return NULL;
  fprintf (tty, "%s: ", what);
  fflush (tty);
  struct termios old, noecho;
  bool restore = false;
  if (secret && tcgetattr (fileno (tty), &old) == 0)
    {
      noecho = old;
      noecho.c_lflag &= ~(tcflag_t)ECHO;
      restore = tcsetattr (fileno (tty), TCSAFLUSH, &noecho) == 0;
    }
  char *line = NULL;
  size_t cap = 0;
  ssize_t n = getline (&line, &cap, tty);
  if (restore)
    {
      tcsetattr (fileno (tty), TCSAFLUSH, &old);
      fputc ('\n', tty);
    }
  fclose (tty);
  if (n < 0)
    {
      free (line);
      return NULL;
    }
  while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
    line[--n] = '\0';
  return line;
}

/* All of stdin, without the trailing newlines (as docker). */
static int
read_stdin_secret (char **out, struct error **err)
{
  size_t len = 0;
  char *buf = malloc (SECRET_MAX + 1);
  if (buf == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (;;)
    {
      ssize_t r = read (STDIN_FILENO, buf + len, SECRET_MAX + 1 - len);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          free (buf);
          return error_errno (err, errno, "read the password from stdin");
        }
      if (r == 0)
        break;
      len += (size_t)r;
      if (len > SECRET_MAX)
        {
          free (buf);
          return error_set (err, EFBIG, "password on stdin longer than %d bytes", SECRET_MAX);
        }
    }
  while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
    len--;
  buf[len] = '\0';
  if (memchr (buf, '\0', len))
    {
      free (buf);
      return error_set (err, EINVAL, "password on stdin holds a NUL byte");
    }
  *out = buf;
  return 0;
}

static void
free_secret (char *s)
{
  if (s)
    {
      OPENSSL_cleanse (s, strlen (s));
      free (s);
    }
}

struct login_opts
{
  const char *username, *password, *tls_verify, *authfile, *cert_dir;
  bool password_stdin, get_login;
};

static const struct cli_option login_options[] = {
  CLI_OPT_STRING ('u', "username", struct login_opts, username, "USER", "the user name"),
  CLI_OPT_STRING ('p', "password", struct login_opts, password, "PASS",
                  "the password (visible to other users: prefer --password-stdin)"),
  CLI_OPT_FLAG (0, "password-stdin", struct login_opts, password_stdin,
                "read the password from stdin"),
  CLI_OPT_STRING (0, "tls-verify", struct login_opts, tls_verify, "BOOL",
                  "false: allow plain HTTP and unverified TLS"),
  CLI_OPT_STRING (0, "cert-dir", struct login_opts, cert_dir, "DIR",
                  "CA and client certificates for this registry"),
  CLI_OPT_STRING (0, "authfile", struct login_opts, authfile, "FILE",
                  "the credentials file (default: $REGISTRY_AUTH_FILE, else "
                  "$XDG_RUNTIME_DIR/containers/auth.json)"),
  CLI_OPT_FLAG (0, "get-login", struct login_opts, get_login,
                "print the user logged in to REGISTRY"),
  { 0 },
};

static int
login_run (void *data, void *opts, int argc, char **argv)
{
  (void)data;
  const struct login_opts *opt = opts;
  const char *user_opt = opt->username, *pass_opt = opt->password;
  bool pass_stdin = opt->password_stdin, get_login = opt->get_login;
  struct registry_options ropts = { .authfile = opt->authfile, .cert_dir = opt->cert_dir };
  if (opt->tls_verify)
    {
      if (strcmp (opt->tls_verify, "true") != 0 && strcmp (opt->tls_verify, "false") != 0)
        return hull_usage_error ("login", "--tls-verify takes true or false, not `%s`",
                                 opt->tls_verify);
      ropts.tls
          = strcmp (opt->tls_verify, "false") == 0 ? REGISTRY_TLS_NO_VERIFY : REGISTRY_TLS_VERIFY;
    }
  if (pass_opt && pass_stdin)
    return hull_usage_error ("login", "--password and --password-stdin are mutually exclusive");
  if (pass_stdin && user_opt == NULL)
    return hull_usage_error ("login", "--password-stdin needs --username");

  _cleanup_error_ struct error *err = NULL;
  _cleanup_registries_conf_ struct registries_conf *conf = NULL;
  if (registries_conf_load (NULL, &conf, &err) < 0)
    return hull_report (&err);
  ropts.conf = conf;
  const char *input = argc > 0                          ? argv[0]
                      : conf->search && conf->search[0] ? conf->search[0]
                                                        : "docker.io";
  _cleanup_free_ char *key = NULL;
  if (auth_registry_key (input, &key, &err) < 0)
    return hull_report (&err);

  if (get_login)
    {
      _cleanup_free_ char *u = NULL;
      char *p = NULL;
      int r = auth_lookup (ropts.authfile, key, NULL, &u, &p, &err);
      free_secret (p);
      if (r < 0)
        return hull_report (&err);
      if (r == 0)
        {
          error_set (&err, ENOENT, "not logged in to `%s`", key);
          return hull_report (&err);
        }
      printf ("%s\n", u);
      return 0;
    }

  _cleanup_free_ char *user = user_opt ? strdup (user_opt) : prompt ("Username", false);
  if (user == NULL || *user == '\0')
    return hull_usage_error ("login", "a username is needed (-u)");
  char *password = NULL;
  if (pass_opt)
    {
      fprintf (stderr,
               "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
      password = strdup (pass_opt);
    }
  else if (pass_stdin)
    {
      if (read_stdin_secret (&password, &err) < 0)
        return hull_report (&err);
    }
  else
    password = prompt ("Password", true);
  if (password == NULL)
    return hull_usage_error ("login", "a password is needed (-p or --password-stdin)");

  /* the registry is the key's host part: "host/ns/repo" keys log in to host */
  _cleanup_free_ char *domain = strndup (key, strcspn (key, "/"));
  ropts.username = user;
  ropts.password = password;
  int r = domain ? registry_login_check (domain, &ropts, &err)
                 : error_set (&err, ENOMEM, "out of memory");
  if (r == 0)
    r = auth_store (ropts.authfile, key, user, password, &err);
  free_secret (password);
  if (r < 0)
    {
      error_prefix (&err, "login");
      return hull_report (&err);
    }
  printf ("Login Succeeded!\n");
  return 0;
}

const struct cli_command hull_cmd_login = {
  .name = "login",
  .summary = "Log in to a registry",
  .args = "[REGISTRY]",
  .description = "Log in to a registry: check the credentials, then keep them in auth.json.",
  .options = login_options,
  .opts_size = sizeof (struct login_opts),
  .max_args = 1,
  .run = login_run,
};
