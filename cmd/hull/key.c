/* hull key generate [--output-key-prefix P]: a P-256 key pair in cosign's
 * formats, P.key (encrypted) and P.pub. */
#include "hull.h"
#include "trust-cmd.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "trust/trust.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define PASSWORD_MAX 1024

static int
read_tty_line (int fd, const char *prompt, char **out, struct error **err)
{
  struct termios old, quiet;
  bool restore = tcgetattr (fd, &old) == 0;
  if (restore)
    {
      quiet = old;
      quiet.c_lflag &= ~(tcflag_t)ECHO;
      tcsetattr (fd, TCSAFLUSH, &quiet);
    }
  (void)!write (fd, prompt, strlen (prompt));
  char buf[PASSWORD_MAX + 2];
  size_t n = 0;
  int r = 0;
  for (;;)
    {
      char c;
      ssize_t k = read (fd, &c, 1);
      if (k < 0 && errno == EINTR)
        continue;
      if (k <= 0 || c == '\n')
        break;
      if (n >= PASSWORD_MAX)
        {
          r = error_set (err, E2BIG, "password longer than %d bytes", PASSWORD_MAX);
          break;
        }
      buf[n++] = c;
    }
  buf[n] = '\0';
  if (restore)
    tcsetattr (fd, TCSAFLUSH, &old);
  (void)!write (fd, "\n", 1);
  if (r == 0 && (*out = strdup (buf)) == NULL)
    r = error_set (err, ENOMEM, "out of memory");
  explicit_bzero (buf, sizeof buf);
  return r;
}

int
hull_trust_password (const char *prompt, bool confirm, char **out, struct error **err)
{
  const char *env = getenv ("HULL_PASSWORD");
  if (env == NULL)
    env = getenv ("COSIGN_PASSWORD");
  if (env)
    {
      *out = strdup (env);
      return *out ? 0 : error_set (err, ENOMEM, "out of memory");
    }
  _cleanup_close_ int fd = open ("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return error_set (err, EACCES,
                      "a key password is needed: set HULL_PASSWORD or COSIGN_PASSWORD "
                      "(no terminal to ask on)");
  _cleanup_free_ char *a = NULL, *b = NULL;
  int r = read_tty_line (fd, prompt, &a, err);
  if (r < 0)
    return r;
  if (confirm)
    {
      if ((r = read_tty_line (fd, "Enter password for private key again: ", &b, err)) < 0)
        return r;
      if (strcmp (a, b) != 0)
        return error_set (err, EINVAL, "the passwords do not match");
    }
  *out = TAKE_PTR (a);
  return 0;
}

int
hull_trust_load_private (const char *path, struct trust_key **out, struct error **err)
{
  _cleanup_free_ char *data = NULL;
  size_t len = 0;
  int r = fs_read_file (path, TRUST_KEY_FILE_MAX, &data, &len, err);
  if (r < 0)
    return r;
  _cleanup_free_ char *pw = NULL;
  if (trust_key_is_encrypted (data, len)
      && (r = hull_trust_password ("Enter password for private key: ", false, &pw, err)) < 0)
    return r;
  r = trust_key_load_private (data, len, pw, path, out, err);
  if (pw)
    explicit_bzero (pw, strlen (pw));
  return r;
}

/* O_EXCL: never overwrite a key (losing a private key is not undoable). */
static int
write_new (const char *path, const char *data, mode_t mode, struct error **err)
{
  _cleanup_close_ int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0)
    return error_errno (err, errno, "create `%s`", path);
  int r = fs_write_all (fd, data, strlen (data));
  if (r < 0)
    {
      unlink (path);
      return error_errno (err, -r, "write `%s`", path);
    }
  return 0;
}

struct key_generate_opts
{
  const char *prefix;
};

static const struct cli_option key_generate_options[] = {
  CLI_OPT_STRING (0, "output-key-prefix", struct key_generate_opts, prefix, "PREFIX",
                  "write PREFIX.key and PREFIX.pub (default: cosign)"),
  { 0 },
};

static int
key_generate_run (void *data, void *opts, int argc, char **argv)
{
  const struct key_generate_opts *opt = opts;
  const char *prefix = opt->prefix ? opt->prefix : "cosign";
  (void)data, (void)argc, (void)argv;
  if (prefix[0] == '\0')
    return hull_usage_error ("key generate", "empty --output-key-prefix");
  _cleanup_error_ struct error *err = NULL;
  _cleanup_free_ char *kpath = NULL, *ppath = NULL;
  if (asprintf (&kpath, "%s.key", prefix) < 0 || asprintf (&ppath, "%s.pub", prefix) < 0)
    return HULL_EXIT_FAIL;
  if (access (kpath, F_OK) == 0 || access (ppath, F_OK) == 0)
    {
      error_set (&err, EEXIST, "`%s` or `%s` exists already", kpath, ppath);
      return hull_report (&err);
    }
  _cleanup_free_ char *pw = NULL, *priv = NULL, *pub = NULL;
  _cleanup_trust_key_ struct trust_key *k = NULL;
  if (hull_trust_password ("Enter password for private key: ", true, &pw, &err) < 0
      || trust_key_generate (&k, &err) < 0 || trust_key_export_private (k, pw, &priv, &err) < 0
      || trust_key_export_public (k, &pub, &err) < 0)
    return hull_report (&err);
  explicit_bzero (pw, strlen (pw));
  if (write_new (kpath, priv, 0600, &err) < 0)
    return hull_report (&err);
  explicit_bzero (priv, strlen (priv));
  if (write_new (ppath, pub, 0644, &err) < 0)
    {
      unlink (kpath);
      return hull_report (&err);
    }
  fprintf (stderr, "Private key written to %s\nPublic key written to %s\n", kpath, ppath);
  return 0;
}

static const struct cli_command key_generate_cmd = {
  .name = "generate",
  .summary = "Generate a P-256 key pair in cosign's formats",
  .description = "Generate a P-256 key pair in cosign's formats.\n\n"
                 "Write PREFIX.key (cosign's encrypted private key; the password comes from\n"
                 "HULL_PASSWORD or COSIGN_PASSWORD, else a prompt) and PREFIX.pub (PEM).\n"
                 "Existing files are never overwritten.",
  .options = key_generate_options,
  .opts_size = sizeof (struct key_generate_opts),
  .max_args = 0,
  .run = key_generate_run,
};

static const struct cli_entry key_verbs[] = {
  { &key_generate_cmd, NULL, "generate-key-pair" },
  { NULL },
};

const struct cli_command hull_cmd_key = {
  .name = "key",
  .summary = "Manage signing keys",
  .sub = key_verbs,
};
