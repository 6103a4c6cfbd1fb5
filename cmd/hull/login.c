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
#include <getopt.h>
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

int
cmd_login (struct hull_ctx *ctx, int argc, char **argv)
{
  (void)ctx;
  static const struct option opts[] = {
    { "username", required_argument, NULL, 'u' },
    { "password", required_argument, NULL, 'p' },
    { "password-stdin", no_argument, NULL, 'S' },
    { "tls-verify", required_argument, NULL, 'T' },
    { "authfile", required_argument, NULL, 'A' },
    { "cert-dir", required_argument, NULL, 'D' },
    { "get-login", no_argument, NULL, 'G' },
    { "help", no_argument, NULL, 'h' },
    {},
  };
  const char *user_opt = NULL, *pass_opt = NULL;
  bool pass_stdin = false, get_login = false;
  struct registry_options ropts = { 0 };
  int c;
  while ((c = getopt_long (argc, argv, "u:p:h", opts, NULL)) != -1)
    switch (c)
      {
      case 'u':
        user_opt = optarg;
        break;
      case 'p':
        pass_opt = optarg;
        break;
      case 'S':
        pass_stdin = true;
        break;
      case 'T':
        if (strcmp (optarg, "true") != 0 && strcmp (optarg, "false") != 0)
          return hull_usage_error ("login", "--tls-verify takes true or false, not `%s`", optarg);
        ropts.tls = strcmp (optarg, "false") == 0 ? REGISTRY_TLS_NO_VERIFY : REGISTRY_TLS_VERIFY;
        break;
      case 'A':
        ropts.authfile = optarg;
        break;
      case 'D':
        ropts.cert_dir = optarg;
        break;
      case 'G':
        get_login = true;
        break;
      case 'h':
        printf ("Usage: hull login [OPTIONS] [REGISTRY]\n\n"
                "Log in to a registry: check the credentials, then keep them in auth.json.\n\n"
                "  -u, --username USER\n"
                "  -p, --password PASS      (visible to other users: prefer --password-stdin)\n"
                "      --password-stdin     read the password from stdin\n"
                "      --tls-verify=false   allow plain HTTP and unverified TLS\n"
                "      --cert-dir DIR       CA and client certificates for this registry\n"
                "      --authfile FILE      (default: $REGISTRY_AUTH_FILE, else\n"
                "                           $XDG_RUNTIME_DIR/containers/auth.json)\n"
                "      --get-login          print the user logged in to REGISTRY\n");
        return 0;
      default:
        return hull_usage_error ("login", "unknown option");
      }
  if (argc - optind > 1)
    return hull_usage_error ("login", "accepts at most 1 argument");
  if (pass_opt && pass_stdin)
    return hull_usage_error ("login", "--password and --password-stdin are mutually exclusive");
  if (pass_stdin && user_opt == NULL)
    return hull_usage_error ("login", "--password-stdin needs --username");

  _cleanup_error_ struct error *err = NULL;
  _cleanup_registries_conf_ struct registries_conf *conf = NULL;
  if (registries_conf_load (NULL, &conf, &err) < 0)
    return hull_report (&err);
  ropts.conf = conf;
  const char *input = optind < argc                     ? argv[optind]
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
