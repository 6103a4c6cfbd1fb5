/* helpers.c - where the engine finds the programs it starts: hull-monitor,
 * hull-cleanup (the exit command the monitor becomes) and hull-init. */
#include "engine/internal.h"

#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef HULL_LIBEXECDIR
#define HULL_LIBEXECDIR "/usr/local/libexec/hull"
#endif

char *
engine_helper_path (const char *name)
{
  char self[PATH_MAX];
  ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);
  char *p = NULL;
  if (n > 0 && self[0] == '/')
    {
      self[n] = '\0';
      char *slash = strrchr (self, '/');
      *slash = '\0';
      /* installed side by side, then the build tree (cmd/hull/hull ->
       * cmd/<name>/<name>) */
      if (asprintf (&p, "%s/%s", self, name) > 0 && access (p, X_OK) == 0)
        return p;
      free (p);
      p = NULL;
      if (asprintf (&p, "%s/../%s/%s", self, name, name) > 0 && access (p, X_OK) == 0)
        {
          char *r = realpath (p, NULL);
          free (p);
          return r;
        }
      free (p);
      p = NULL;
    }
  if (asprintf (&p, "%s/%s", HULL_LIBEXECDIR, name) > 0 && access (p, X_OK) == 0)
    return p;
  free (p);
  return NULL;
}
