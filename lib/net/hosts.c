/* hosts.c - name resolution on user networks through generated hosts files.
 *
 * Docker answers container names with a DNS server embedded in its daemon
 * (127.0.0.11 inside each container); podman starts aardvark-dns, a daemon
 * per host.  hull has no daemon, and a resolver would be one more process
 * per network that must outlive the command, hold port 53 on every
 * gateway, and be restarted after a crash.  Instead each container's
 * /etc/hosts (a file the engine writes and bind-mounts) gets a marked
 * section listing, for every user network it is on, every container on
 * that network: its name, its aliases and its short id.  When a container
 * joins or leaves a network, the section is rewritten in the hosts file of
 * every container on it.  The file is rewritten in place (truncate, write):
 * it is bind-mounted, so a rename would not be seen inside.  Unqualified
 * names and everything else resolve through resolv.conf as on the host.
 * As with Docker, the default network "bridge" gives no names.
 */
#include "net/internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
entry (char ***out, uint32_t ip, const struct ndb_attach *a, bool self)
{
  char s[16];
  _cleanup_free_ char *line = NULL;
  if (asprintf (&line, "%s\t", net_ip_str (ip, s)) < 0)
    return -ENOMEM;
  char *names[4 + NET_MAX_ALIASES] = { 0 };
  size_t k = 0;
  char id12[13];
  snprintf (id12, sizeof id12, "%s", a->ctr_id);
  if (self && a->hostname)
    names[k++] = a->hostname;
  if (a->ctr_name)
    names[k++] = a->ctr_name;
  for (size_t i = 0; a->aliases && a->aliases[i] && k < ARRAY_SIZE (names) - 1; i++)
    names[k++] = a->aliases[i];
  names[k++] = id12;
  for (size_t i = 0; i < k; i++)
    {
      bool dup = false;
      for (size_t j = 0; j < i; j++)
        dup |= strcmp (names[i], names[j]) == 0;
      if (dup)
        continue;
      char *n2 = NULL;
      if (asprintf (&n2, "%s%s%s", line, line[strlen (line) - 1] == '\t' ? "" : " ", names[i]) < 0)
        return -ENOMEM;
      free (line);
      line = n2;
    }
  if (strv_contains (*out, line))
    return 0;
  return strv_consume (out, TAKE_PTR (line));
}

int
hosts_lines (struct net *n, const char *ctr_id, char ***out, struct error **err)
{
  struct ndb_attach *mine = NULL;
  size_t nm = 0;
  int r = ndb_attach_list (n, ctr_id, NULL, &mine, &nm, err);
  if (r < 0)
    return r;
  char **v = NULL;
  r = strv_push (&v, NET_HOSTS_MARK);
  for (size_t i = 0; r >= 0 && i < nm; i++)
    r = entry (&v, mine[i].ip, &mine[i], true);
  for (size_t i = 0; r >= 0 && i < nm; i++)
    {
      _cleanup_net_network_ struct net_network *nw = NULL;
      _cleanup_error_ struct error *e2 = NULL;
      if (ndb_network_get (n, mine[i].network_id, &nw, &e2) < 0 || nw->is_default)
        continue;
      struct ndb_attach *peers = NULL;
      size_t np = 0;
      if ((r = ndb_attach_list (n, NULL, mine[i].network_id, &peers, &np, err)) < 0)
        break;
      for (size_t j = 0; r >= 0 && j < np; j++)
        if (strcmp (peers[j].ctr_id, ctr_id) != 0)
          r = entry (&v, peers[j].ip, &peers[j], false);
      ndb_attach_list_free (peers, np);
    }
  ndb_attach_list_free (mine, nm);
  if (r < 0)
    {
      strv_free (v);
      return *err ? r : error_set (err, ENOMEM, "out of memory");
    }
  *out = v;
  return 0;
}

/* Replace the marked section of one hosts file (or append one). */
static int
rewrite (const char *path, char *const *lines, struct error **err)
{
  _cleanup_close_ int fd = open (path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? 0 : error_errno (err, errno, "open `%s`", path);
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  /* the container can write its own hosts file: read a bounded amount */
  int r = fs_read_fd (fd, 1 << 20, &text, &len, err);
  if (r < 0)
    return r;
  char *m = strstr (text, NET_HOSTS_MARK);
  while (m && m != text && m[-1] != '\n')
    m = strstr (m + 1, NET_HOSTS_MARK);
  if (m)
    *m = '\0';
  else if (len && text[len - 1] != '\n')
    {
      char *t2 = NULL;
      if (asprintf (&t2, "%s\n", text) < 0)
        return error_set (err, ENOMEM, "out of memory");
      free (text);
      text = t2;
    }
  _cleanup_free_ char *all = strdup (text);
  for (size_t i = 0; all && lines && lines[i]; i++)
    {
      char *n2 = NULL;
      if (asprintf (&n2, "%s%s\n", all, lines[i]) < 0)
        n2 = NULL;
      free (all);
      all = n2;
    }
  if (all == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if (ftruncate (fd, 0) < 0 || pwrite (fd, all, strlen (all), 0) != (ssize_t) strlen (all))
    return error_errno (err, errno, "write `%s`", path);
  return 0;
}

int
hosts_update_network (struct net *n, const char *network_id, struct error **err)
{
  struct ndb_attach *l = NULL;
  size_t k = 0;
  int r = ndb_attach_list (n, NULL, network_id, &l, &k, err);
  if (r < 0)
    return r;
  for (size_t i = 0; i < k; i++)
    {
      if (l[i].hosts_path == NULL)
        continue;
      _cleanup_strv_ char **lines = NULL;
      _cleanup_error_ struct error *e2 = NULL;
      /* one container's file failing must not stop the others' */
      if (hosts_lines (n, l[i].ctr_id, &lines, &e2) < 0 || rewrite (l[i].hosts_path, lines, &e2) < 0)
        continue;
    }
  ndb_attach_list_free (l, k);
  return 0;
}
