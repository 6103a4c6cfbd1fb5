/* fuzz-template: arbitrary bytes as a --format template (lib/base/template.c),
 * parsed and executed against a fixed document shaped like Docker's inspect
 * output.  Errors are fine; crashes, leaks, sanitizer reports and a broken
 * error contract (failure without a message, success without output) are
 * not.  Run with -dict=tests/fuzz/fuzz-template.dict. */
#include "base/error.h"
#include "base/template.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const char doc_text[]
    = "{\"Id\":\"4f66ad9a0b2e\",\"Name\":\"/web\",\"Args\":[\"-g\",\"daemon off;\"],"
      "\"State\":{\"Status\":\"running\",\"Running\":true,\"Pid\":4242,\"ExitCode\":0},"
      "\"Config\":{\"Env\":[\"A=b\",\"C=d\"],\"Labels\":{\"k\":\"v\",\"a\":\"z\"},"
      "\"Cmd\":null,\"Image\":\"nginx:latest\"},"
      "\"Mounts\":[{\"Source\":\"/x\",\"Destination\":\"/y\",\"RW\":true},"
      "{\"Source\":\"/v\",\"Destination\":\"/data\",\"RW\":false}],"
      "\"NetworkSettings\":{\"Networks\":{\"bridge\":{\"IPAddress\":\"10.88.0.2\"}},"
      "\"Ports\":null},\"Ratio\":0.5,\"Big\":1e300,\"N\":-7,\"Nested\":[[1,2],[3]],"
      "\"Mixed\":[1,\"a\",null,true,{\"b\":2.5}],\"Empty\":\"\",\"EmptyList\":[]}";

static json_object *doc;

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (doc == NULL && (doc = json_tokener_parse (doc_text)) == NULL)
    abort ();
  char *text = malloc (size + 1);
  if (text == NULL)
    return 0;
  memcpy (text, data, size);
  text[size] = 0; /* a NUL inside ends the template early, as a C string does */
  struct error *err = NULL;
  struct tmpl *t = NULL;
  if (tmpl_parse (text, &t, &err) < 0)
    {
      if (err == NULL || err->msg == NULL || strchr (err->msg, '\n') != NULL)
        abort ();
      error_free (err);
      free (text);
      return 0;
    }
  char *out = NULL;
  size_t len = 0;
  if (tmpl_exec (t, doc, &out, &len, &err) < 0)
    {
      if (err == NULL || err->msg == NULL || out != NULL)
        abort ();
      error_free (err);
    }
  else
    {
      if (out == NULL || strlen (out) > len || len > TMPL_MAX_OUTPUT)
        abort ();
      free (out);
    }
  tmpl_free (t);
  free (text);
  return 0;
}
