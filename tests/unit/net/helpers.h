/* helpers.h - what the lib/net unit tests share: a private network (and
 * mount) namespace for the whole test process, so that every bridge, veth,
 * rule and route they make lives and dies with the test, and a database. */
#ifndef HULL_TESTS_NET_HELPERS_H
#define HULL_TESTS_NET_HELPERS_H

#include "../../lib/tap-error.h"

#include "base/error.h"
#include "base/fs.h"
#include "net/internal.h"
#include "net/net.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static char test_dir[] = "/tmp/hull-net-test-XXXXXX";

/* A network namespace (and mount namespace) of our own; lo up.  Returns
 * false when we cannot (not root): the caller skips. */
static bool
private_namespaces (void)
{
  if (geteuid () != 0 || unshare (CLONE_NEWNET | CLONE_NEWNS) < 0)
    return false;
  /* our mounts (the namespaces bound on files) must not reach the host */
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return false;
  struct nl nl;
  struct error *e = NULL;
  if (nl_open (&nl, -1, &e) < 0)
    return false;
  int lo = nl_link_index (&nl, "lo");
  int r = lo > 0 ? nl_link_up (&nl, lo, &e) : -1;
  nl_close (&nl);
  error_free (e);
  return r == 0;
}

static struct db *
open_db (const char *dir)
{
  char p[512];
  snprintf (p, sizeof p, "%s/hull.db", dir);
  struct db *db = NULL;
  struct error *e = NULL;
  if (db_open (p, &db, &e) < 0)
    {
      printf ("# db_open: %s\n", e->msg);
      error_free (e);
      return NULL;
    }
  return db;
}

static struct net *
open_net (struct db *db, const char *prefix, const char *subnet)
{
  struct net_options o = { .db = db, .runroot = test_dir, .prefix = prefix, .default_subnet = subnet };
  struct net *n = NULL;
  struct error *e = NULL;
  if (net_open (&o, &n, &e) < 0)
    {
      printf ("# net_open: %s\n", e->msg);
      error_free (e);
      return NULL;
    }
  return n;
}

static void
rm_test_dir (void)
{
  struct error *e = NULL;
  fs_rm_rf_at (AT_FDCWD, test_dir, &e);
  error_free (e);
}

#endif
