#include "progress.h"

#include "util.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct line
{
  char digest[80];
  int64_t total;
  uint64_t done;
  int state;
  double start, end;
  bool used;
};

struct progress
{
  struct transfer_progress ops;
  FILE *out;
  bool tty, quiet;
  const char *verb;
  pthread_mutex_t mu;
  struct line *lines;
  size_t n;
  size_t drawn; /* lines on screen */
  double last_draw;
};

static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static const char *
state_name (int st, bool pull)
{
  switch (st)
    {
    case TRANSFER_WAITING:
      return "Waiting";
    case TRANSFER_RUNNING:
      return pull ? "Downloading" : "Uploading";
    case TRANSFER_EXISTS:
      return "Already exists";
    case TRANSFER_MOUNTED:
      return "Mounted";
    case TRANSFER_DONE:
      return pull ? "Pull complete" : "Pushed";
    default:
      return "Failed";
    }
}

static void
format_line (struct progress *p, struct line *l, char *buf, size_t cap)
{
  bool pull = strcmp (p->verb, "pull") == 0;
  const char *h = strchr (l->digest, ':');
  char id[13];
  snprintf (id, sizeof id, "%s", h ? h + 1 : l->digest);
  if (l->state == TRANSFER_RUNNING || (l->state == TRANSFER_DONE && l->done > 0))
    {
      char done[32], total[32] = "?", rate[32];
      hull_human_size (l->done, done, sizeof done);
      if (l->total >= 0)
        hull_human_size ((uint64_t) l->total, total, sizeof total);
      double el = (l->state == TRANSFER_DONE ? l->end : now ()) - l->start;
      hull_human_size (el > 0.01 ? (uint64_t) ((double) l->done / el) : 0, rate, sizeof rate);
      snprintf (buf, cap, "%s: %-14s %s/%s %s/s", id, state_name (l->state, pull), done, total,
                rate);
    }
  else
    snprintf (buf, cap, "%s: %s", id, state_name (l->state, pull));
}

static void
redraw (struct progress *p)
{
  if (p->drawn)
    fprintf (p->out, "\033[%zuA", p->drawn);
  size_t k = 0;
  for (size_t i = 0; i < p->n; i++)
    {
      if (!p->lines[i].used)
        continue;
      char buf[200];
      format_line (p, &p->lines[i], buf, sizeof buf);
      fprintf (p->out, "\033[2K%s\n", buf);
      k++;
    }
  p->drawn = k;
  fflush (p->out);
  p->last_draw = now ();
}

static void
grow (struct progress *p, size_t idx)
{
  if (idx < p->n)
    return;
  size_t nn = idx + 1;
  struct line *nl = realloc (p->lines, nn * sizeof *nl);
  if (nl == NULL)
    return;
  memset (nl + p->n, 0, (nn - p->n) * sizeof *nl);
  p->lines = nl;
  p->n = nn;
}

static void
on_layer (void *data, size_t idx, size_t count, const char *digest, int64_t total, int state)
{
  struct progress *p = data;
  (void) count;
  pthread_mutex_lock (&p->mu);
  grow (p, idx);
  if (idx < p->n)
    {
      struct line *l = &p->lines[idx];
      l->used = true;
      snprintf (l->digest, sizeof l->digest, "%s", digest);
      l->total = total;
      if (state == TRANSFER_RUNNING)
        l->start = now ();
      if (state == TRANSFER_DONE || state == TRANSFER_FAILED)
        l->end = now ();
      l->state = state;
      if (p->tty)
        redraw (p);
      else if (state != TRANSFER_WAITING)
        {
          char buf[200];
          format_line (p, l, buf, sizeof buf);
          fprintf (p->out, "%s\n", buf);
          fflush (p->out);
        }
    }
  pthread_mutex_unlock (&p->mu);
}

static void
on_bytes (void *data, size_t idx, uint64_t done)
{
  struct progress *p = data;
  pthread_mutex_lock (&p->mu);
  if (idx < p->n)
    {
      p->lines[idx].done = done;
      if (p->tty && now () - p->last_draw > 0.1)
        redraw (p);
    }
  pthread_mutex_unlock (&p->mu);
}

static void
on_message (void *data, const char *msg)
{
  struct progress *p = data;
  pthread_mutex_lock (&p->mu);
  if (p->tty && p->drawn)
    {
      fprintf (p->out, "\033[%zuA", p->drawn);
      p->drawn = 0;
    }
  fprintf (p->out, "%s\n", msg);
  fflush (p->out);
  pthread_mutex_unlock (&p->mu);
}

struct progress *
progress_new (FILE *out, bool quiet, const char *verb)
{
  struct progress *p = calloc (1, sizeof *p);
  if (p == NULL)
    return NULL;
  p->out = out;
  p->quiet = quiet;
  p->verb = verb;
  p->tty = isatty (fileno (out));
  pthread_mutex_init (&p->mu, NULL);
  p->ops.layer = on_layer;
  p->ops.bytes = on_bytes;
  p->ops.message = on_message;
  p->ops.data = p;
  return p;
}

const struct transfer_progress *
progress_ops (struct progress *p)
{
  return p == NULL || p->quiet ? NULL : &p->ops;
}

void
progress_finish (struct progress *p)
{
  if (p == NULL)
    return;
  if (p->tty && !p->quiet && p->n)
    redraw (p);
  pthread_mutex_destroy (&p->mu);
  free (p->lines);
  free (p);
}
