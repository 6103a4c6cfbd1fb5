#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Out of memory while building an error must still yield an error. */
static struct error oom_error = { ENOMEM, (char *) "out of memory" };

static struct error *
error_new (int code, char *msg)
{
  struct error *e = malloc (sizeof *e);
  if (e == NULL || msg == NULL)
    {
      free (e);
      free (msg);
      return &oom_error;
    }
  e->code = code > 0 ? code : EINVAL;
  e->msg = msg;
  return e;
}

int
error_setv (struct error **err, int code, const char *fmt, va_list ap)
{
  char *msg = NULL;
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  if (code <= 0)
    code = EINVAL;
  if (err)
    {
      if (*err)
        error_free (*err);
      *err = error_new (code, msg);
    }
  else
    free (msg);
  return -code;
}

int
error_set (struct error **err, int code, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  int r = error_setv (err, code, fmt, ap);
  va_end (ap);
  return r;
}

int
error_errno (struct error **err, int errnum, const char *fmt, ...)
{
  char *head = NULL, *msg = NULL;
  va_list ap;
  if (errnum <= 0)
    errnum = EIO;
  va_start (ap, fmt);
  if (vasprintf (&head, fmt, ap) < 0)
    head = NULL;
  va_end (ap);
  if (head && asprintf (&msg, "%s: %s", head, strerror (errnum)) < 0)
    msg = NULL;
  free (head);
  if (err)
    {
      if (*err)
        error_free (*err);
      *err = error_new (errnum, msg);
    }
  else
    free (msg);
  return -errnum;
}

int
error_prefix (struct error **err, const char *fmt, ...)
{
  char *head = NULL, *msg = NULL;
  va_list ap;
  if (err == NULL || *err == NULL)
    return -EINVAL;
  int code = (*err)->code;
  if (*err == &oom_error)
    return -ENOMEM;
  va_start (ap, fmt);
  if (vasprintf (&head, fmt, ap) < 0)
    head = NULL;
  va_end (ap);
  if (head && asprintf (&msg, "%s: %s", head, (*err)->msg) >= 0)
    {
      free ((*err)->msg);
      (*err)->msg = msg;
    }
  free (head);
  return -code;
}

void
error_free (struct error *e)
{
  if (e == NULL || e == &oom_error)
    return;
  free (e->msg);
  free (e);
}
