/* template.h - a subset of Go's text/template, executed against a json-c
 * document, for Docker's `--format` / `-f`.
 *
 *   struct tmpl *t;
 *   if (tmpl_parse ("{{range .Mounts}}{{.Source}} {{end}}", &t, err) < 0) ...
 *   char *out; size_t len;
 *   if (tmpl_exec (t, doc, &out, &len, err) < 0) ...
 *   tmpl_free (t);
 *
 * Values print as Go's fmt prints the same data decoded into interface{}:
 * a missing map key prints `<no value>`, null prints `<nil>`, arrays
 * `[a b]`, objects `map[k:v]` with sorted keys, integers without a decimal
 * point, floats as %v.  The input is user-supplied: nesting, output size and
 * range iterations are limited, and every failure is one line with the
 * position, as Go words it: "template: 1:12: function "foo" not defined".
 * See docs/design/templates.md. */
#ifndef HULL_BASE_TEMPLATE_H
#define HULL_BASE_TEMPLATE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct error;
struct tmpl;

/* Limits on what a template may cost (input is user-supplied). */
#define TMPL_MAX_TEXT (64 * 1024)   /* bytes of template text */
#define TMPL_MAX_DEPTH 64           /* nested blocks and parentheses */
#define TMPL_MAX_OUTPUT (16 << 20)  /* bytes of output per execution */
#define TMPL_MAX_STEPS (100 * 1000) /* range iterations + commands per execution */
#define TMPL_MAX_BUILT (64 << 20)   /* bytes of strings functions build per execution */

/* Parse text once into a tree; *out is freed with tmpl_free. */
int tmpl_parse (const char *text, struct tmpl **out, struct error **err);
void tmpl_free (struct tmpl *t);
static inline void
tmpl_freep (struct tmpl **t)
{
  if (*t)
    tmpl_free (*t);
}
#define _cleanup_tmpl_ __attribute__ ((cleanup (tmpl_freep)))

/* Execute against data (dot and $); *out is malloc'd and NUL-terminated,
 * *len (may be NULL) its length.  Nothing is returned on error. */
int tmpl_exec (const struct tmpl *t, json_object *data, char **out, size_t *len,
               struct error **err);
/* The same, written to f only when the whole execution succeeded. */
int tmpl_exec_file (const struct tmpl *t, json_object *data, FILE *f, struct error **err);

/* Docker's preparation of a --format value: a leading `table` word is
 * removed (*is_table set), surrounding spaces trimmed, and the two-character
 * sequences \t and \n become a tab and a newline.  Returns a malloc'd string
 * or NULL on allocation failure.  The caller prints the header by executing
 * the same template against a document of column names. */
char *tmpl_docker_format (const char *format, bool *is_table);

#endif
