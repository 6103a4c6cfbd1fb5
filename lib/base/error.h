/* error.h - errors made where they happen, carried up to whoever reports them.
 *
 * Convention (see STYLE.md): a fallible function returns a negative errno-style
 * value and sets *err; on success it returns >= 0 and leaves *err alone.
 * Library code never prints: the command that gets the error reports it once.
 *
 *   if (fd < 0)
 *     return error_errno (err, errno, "open `%s`", path);
 *   ...
 *   if (ret < 0)
 *     return error_prefix (err, "mount `%s`", dest);   // "mount `/x`: open `/y`: ..."
 */
#ifndef HULL_BASE_ERROR_H
#define HULL_BASE_ERROR_H

#include <stdarg.h>

struct error
{
  int code;   /* positive errno value (EINVAL for plain validation errors) */
  char *msg;  /* one line, no trailing newline */
};

/* Set *err to a new error; returns -code (or -EINVAL if code is 0). */
int error_set (struct error **err, int code, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
int error_setv (struct error **err, int code, const char *fmt, va_list ap);

/* Like error_set, with ": strerror(errnum)" appended. */
int error_errno (struct error **err, int errnum, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* Prepend "context: " to an existing error; returns -code. */
int error_prefix (struct error **err, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

void error_free (struct error *e);
static inline void error_freep (struct error **e)
{
  if (*e)
    error_free (*e);
  *e = 0;
}
#define _cleanup_error_ __attribute__ ((cleanup (error_freep)))

#endif
