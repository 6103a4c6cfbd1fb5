/* Go text/template subset (lib/base/template.c): each case's expected output
 * is what Go's text/template prints for the same template over the same JSON
 * decoded into interface{}, or what Docker's --format documents. */
#include "base/cleanup.h"
#include "base/error.h"
#include "base/json.h"
#include "base/template.h"
#include "tap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char doc_text[]
    = "{\"Id\":\"4f66ad9a0b2e\",\"Name\":\"/web\",\"Args\":[\"-g\",\"daemon off;\"],"
      "\"State\":{\"Status\":\"running\",\"Running\":true,\"Pid\":4242,\"ExitCode\":0,"
      "\"StartedAt\":\"2026-12-06T23:00:00Z\"},"
      "\"Config\":{\"Hostname\":\"4f66ad9a0b2e\",\"Env\":[\"A=b\",\"C=d\",\"PATH=/usr/bin:/bin\"],"
      "\"Labels\":{\"k\":\"v\",\"com.example.x\":\"1\",\"a\":\"z\"},\"Cmd\":null,"
      "\"Image\":\"nginx:latest\",\"Tty\":false},"
      "\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/x\",\"Destination\":\"/y\",\"RW\":true},"
      "{\"Type\":\"volume\",\"Source\":\"/var/lib/v\",\"Destination\":\"/data\",\"RW\":false}],"
      "\"NetworkSettings\":{\"Networks\":{\"bridge\":{\"IPAddress\":\"10.88.0.2\"},"
      "\"back\":{\"IPAddress\":\"10.89.0.5\"}},\"Ports\":null},"
      "\"HostConfig\":{\"Binds\":[\"/x:/y\"],\"Memory\":536870912,\"NanoCpus\":0},"
      "\"Ratio\":0.5,\"Big\":1234567.0,\"Small\":0.0001,\"Tiny\":0.00001,\"Whole\":3.0,"
      "\"Empty\":\"\",\"EmptyList\":[],\"EmptyMap\":{},\"Nested\":[[1,2],[3]],"
      "\"Mixed\":[1,\"a\",null,true,{\"b\":2}]}";

static json_object *doc;

/* Output of text over d, or "ERR: <message>". */
static char *
run_on (const char *text, json_object *d)
{
  _cleanup_error_ struct error *err = NULL;
  struct tmpl *t = NULL;
  char *out = NULL, *res;
  if (tmpl_parse (text, &t, &err) < 0 || tmpl_exec (t, d, &out, NULL, &err) < 0)
    {
      if (asprintf (&res, "ERR: %s", err ? err->msg : "(no message)") < 0)
        abort ();
      tmpl_free (t);
      return res;
    }
  tmpl_free (t);
  return out;
}

static char *
run (const char *text)
{
  return run_on (text, doc);
}

#define T(text, want)                                                                              \
  do                                                                                               \
    {                                                                                              \
      _cleanup_free_ char *_got = run (text);                                                      \
      if (strcmp (_got, want) != 0)                                                                \
        printf ("#   case %s\n", text);                                                            \
      CHECK_STR (_got, want);                                                                      \
    }                                                                                              \
  while (0)

static void
test_fields (void)
{
  T ("{{.Name}}", "/web");
  T ("{{.State.Status}}", "running");
  T ("{{.State.Pid}}", "4242");
  T ("{{.State.Running}}", "true");
  T ("{{.Config.Tty}}", "false");
  T ("plain text", "plain text");
  T ("", "");
  T ("{{.Config.Image}} {{.Id}}", "nginx:latest 4f66ad9a0b2e");
  T ("{{.HostConfig.Memory}}", "536870912");
  /* Go prints an []interface{} of strings and maps as fmt does */
  T ("{{.Config.Env}}", "[A=b C=d PATH=/usr/bin:/bin]");
  T ("{{.HostConfig.Binds}}", "[/x:/y]");
  T ("{{.Config.Labels}}", "map[a:z com.example.x:1 k:v]");
  T ("{{.Nested}}", "[[1 2] [3]]");
  T ("{{.Mixed}}", "[1 a <nil> true map[b:2]]");
  T ("{{.EmptyList}} {{.EmptyMap}} [{{.Empty}}]", "[] map[] []");
  T ("{{.Config.Labels.k}}", "v");
  T ("{{$.State.Pid}}", "4242");
}

static void
test_missing (void)
{
  /* a missing key of a map[string]interface{} prints <no value>; null <nil> */
  T ("{{.Nope}}", "<no value>");
  T ("{{.State.Nope}}", "<no value>");
  T ("{{.Config.Cmd}}", "<nil>");
  /* through absent and null sections: no value, never an error */
  T ("{{.Nope.Deeper.Still}}", "<no value>");
  T ("{{.NetworkSettings.Ports.80}}", "<no value>");
  T ("{{.Config.Labels.nope}}", "<no value>");
  T ("{{if .Nope}}y{{else}}n{{end}}", "n");
  T ("{{range .Nope}}x{{else}}none{{end}}", "none");
  T ("{{with .Nope}}x{{end}}", "");
  T ("{{.Nope | json}}", "null");
  T ("{{print .Nope}}", "<nil>");
}

static void
test_numbers (void)
{
  /* integers without a decimal point, floats as Go's %v */
  T ("{{.Ratio}}", "0.5");
  T ("{{.Big}}", "1.234567e+06");
  T ("{{.Small}}", "0.0001");
  T ("{{.Tiny}}", "1e-05");
  T ("{{.Whole}}", "3");
  T ("{{1.5}} {{-2}} {{0x10}} {{1e3}} {{100000.0}}", "1.5 -2 16 1000 100000");
  T ("{{0.1}} {{123456.789}}", "0.1 123456.789");
  T ("{{.5}} {{-.25}} {{017}}", "0.5 -0.25 15");
}

static void
test_range (void)
{
  T ("{{range .Mounts}}{{.Source}} {{end}}", "/x /var/lib/v ");
  T ("{{range .Mounts}}{{.Source}}:{{.Destination}}{{if not .RW}}:ro{{end}},{{end}}",
     "/x:/y,/var/lib/v:/data:ro,");
  T ("{{range $i, $m := .Mounts}}{{$i}}={{$m.Type}} {{end}}", "0=bind 1=volume ");
  T ("{{range $m := .Mounts}}{{$m.Destination}}{{end}}", "/y/data");
  /* maps in sorted key order */
  T ("{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}", "a=z;com.example.x=1;k=v;");
  T ("{{range $name, $n := .NetworkSettings.Networks}}{{$name}} {{$n.IPAddress}} {{end}}",
     "back 10.89.0.5 bridge 10.88.0.2 ");
  T ("{{range .Nested}}[{{range .}}{{.}}{{end}}]{{end}}", "[12][3]");
  T ("{{range .EmptyList}}x{{else}}empty{{end}}", "empty");
  T ("{{range .Args}}{{.}}|{{end}}", "-g|daemon off;|");
  /* $ stays the root inside a range */
  T ("{{range .Mounts}}{{$.Name}}{{end}}", "/web/web");
  T ("{{range $i, $e := .Args}}{{if $i}},{{end}}{{$e}}{{end}}", "-g,daemon off;");
  T ("{{range .Mounts}}{{if eq .Type \"bind\"}}{{continue}}{{end}}{{.Type}}{{end}}", "volume");
  T ("{{range .Mounts}}{{.Type}}{{break}}{{end}}", "bind");
  T ("{{range 3}}{{.}}{{end}}", "012");
  T ("{{range .Name}}{{end}}", "ERR: template: 1:2: range can't iterate over string");
}

static void
test_conditionals (void)
{
  T ("{{if .State.Running}}up{{else}}down{{end}}", "up");
  T ("{{if .Config.Tty}}tty{{else if .State.Running}}running{{else}}other{{end}}", "running");
  T ("{{if .Config.Tty}}a{{else if .Nope}}b{{else}}c{{end}}", "c");
  T ("{{if .Empty}}a{{else}}b{{end}}{{if .EmptyMap}}a{{else}}b{{end}}{{if 0}}a{{else}}b{{end}}",
     "bbb");
  T ("{{if .Ratio}}a{{end}}{{if .Mixed}}b{{end}}", "ab");
  T ("{{with .State}}{{.Status}}/{{.Pid}}{{end}}", "running/4242");
  T ("{{with .Nope}}x{{else}}y{{end}}", "y");
  T ("{{with .Nope}}a{{else with .State}}{{.Status}}{{else}}c{{end}}", "running");
  T ("{{range .Nested}}{{range .}}{{if eq . 2}}{{break}}{{end}}{{.}}{{end}};{{end}}", "1;3;");
  T ("{{with $x := .State.Pid}}{{$x}}{{end}}", "4242");
  T ("{{if and .State.Running (eq .State.ExitCode 0)}}ok{{end}}", "ok");
  T ("{{if or .Config.Tty .Empty}}a{{else}}b{{end}}", "b");
  T ("{{or .Empty \"default\"}}", "default");
  T ("{{and 1 0 2}} {{or 0 \"\" 3}}", "0 3");
  /* and/or stop at the deciding operand: the index is never evaluated */
  T ("{{and .EmptyList (index .EmptyList 0)}}", "[]");
  T ("{{not .State.Running}} {{not .Empty}}", "false true");
}

static void
test_compare (void)
{
  T ("{{eq .State.Status \"running\"}}", "true");
  T ("{{eq .State.Pid 4242}} {{ne .State.Pid 1}}", "true true");
  T ("{{eq .State.Status \"exited\" \"running\"}}", "true");
  T ("{{lt 1 2}} {{le 2 2}} {{gt 1 2}} {{ge 3 2}}", "true true false true");
  T ("{{lt \"a\" \"b\"}} {{gt .Ratio 0.25}} {{lt 1 1.5}}", "true true true");
  T ("{{eq .Nope nil}} {{eq .Config.Cmd nil}}", "true true");
  T ("{{eq .State.Pid \"4242\"}}",
     "ERR: template: 1:2: error calling eq: incompatible types for comparison");
  T ("{{lt .Mounts 1}}",
     "ERR: template: 1:2: error calling lt: non-comparable type []interface {}");
}

static void
test_functions (void)
{
  T ("{{index .Config.Labels \"k\"}}", "v");
  T ("{{index .Config.Labels \"com.example.x\"}}", "1");
  /* Docker's labels are map[string]string: an absent key indexes to "" */
  T ("[{{index .Config.Labels \"nope\"}}]", "[]");
  T ("{{eq (index .Config.Labels \"nope\") \"\"}} {{json (index .Config.Labels \"nope\")}}",
     "true \"\"");
  /* ... and what is under an absent entry is absent too, never an error */
  T ("{{(index .Config.Labels \"nope\").X}} [{{index .Config.Labels \"nope\" \"y\"}}]",
     "<no value> []");
  T ("{{range index .Config.Labels \"nope\"}}x{{else}}none{{end}}", "none");
  T ("[{{(index .Config.Cmd 0)}}]", "[]");
  T ("{{index .Args 1}}", "daemon off;");
  T ("{{index .Nested 0 1}}", "2");
  T ("{{(index .Mounts 1).Destination}}", "/data");
  T ("{{index .NetworkSettings.Networks \"bridge\" \"IPAddress\"}}", "10.88.0.2");
  T ("{{index .Args 5}}", "ERR: template: 1:2: error calling index: index out of range: 5");
  T ("{{index .Name 0}}",
     "ERR: template: 1:2: error calling index: can't index item of type string");
  T ("{{json .Config.Labels}}", "{\"k\":\"v\",\"com.example.x\":\"1\",\"a\":\"z\"}");
  T ("{{json .Config.Env}}", "[\"A=b\",\"C=d\",\"PATH=/usr/bin:/bin\"]");
  T ("{{.Mounts | json}}",
     "[{\"Type\":\"bind\",\"Source\":\"/x\",\"Destination\":\"/y\",\"RW\":true},"
     "{\"Type\":\"volume\",\"Source\":\"/var/lib/v\",\"Destination\":\"/data\",\"RW\":false}]");
  T ("{{json .Name}} {{json .State.Pid}} {{json .Config.Cmd}}", "\"/web\" 4242 null");
  /* numbers and strings as encoding/json writes them, without HTML escaping */
  T ("{{json .Ratio}} {{json .Big}} {{json .Tiny}} {{json 0.1}} {{json 1e21}} {{json 1e-7}}",
     "0.5 1234567 0.00001 0.1 1e+21 1e-7");
  T ("{{json \"a/<b>&\\\"\\n\\x01\"}}", "\"a/<b>&\\\"\\n\\u0001\"");
  T ("{{json .Mixed}}", "[1,\"a\",null,true,{\"b\":2}]");
  T ("{{join .Args \",\"}}", "-g,daemon off;");
  T ("{{join .Config.Env \" \"}}", "A=b C=d PATH=/usr/bin:/bin");
  T ("{{join .Nope \",\"}}", "");
  T ("{{upper .State.Status}} {{lower \"MiXeD\"}} {{title \"hello big_world x-y\"}}",
     "RUNNING mixed Hello Big_world X-Y");
  T ("{{.State.Status | upper}}", "RUNNING");
  T ("{{split \"a,b,,c\" \",\"}}", "[a b  c]");
  T ("{{len (split \"a:b:c\" \":\")}}", "3");
  T ("{{index (split .Config.Image \":\") 0}}", "nginx");
  T ("{{split \"abc\" \"\"}}", "[a b c]");
  T ("{{len .Mounts}} {{len .Config.Labels}} {{len .Name}} {{len .Nope}}", "2 3 4 0");
  T ("{{len .State.Pid}}", "ERR: template: 1:2: error calling len: len of type int");
  T ("{{println .Name .State.Pid}}", "/web 4242\n");
  T ("{{println}}", "\n");
  T ("{{print \"a\" \"b\" 1 2 \"c\"}}", "ab1 2c");
  T ("{{printf \"%s is %d\" .Name .State.Pid}}", "/web is 4242");
  T ("{{printf \"%v|%q|%%\" .Config.Env .State.Status}}",
     "[A=b C=d PATH=/usr/bin:/bin]|\"running\"|%");
  T ("{{printf \"%-6s|%5d|\" \"ab\" 42}}", "ab    |   42|");
  T ("{{printf \"%d\" .Name}}", "%!d(string=/web)");
  T ("{{printf \"%s %s\" .Name}}", "/web %!s(MISSING)");
  T ("{{printf \"%s\" .Name 1}}", "/web%!(EXTRA int=1)");
  T ("{{printf \"%q\" \"a\\tb\\\"\"}}", "\"a\\tb\\\"\"");
  T ("{{.Name | printf \"name=%s\"}}", "name=/web");
  T ("{{truncate .Id 4}} [{{pad \"x\" 1 2}}]", "4f66 [ x  ]");
  T ("{{.Args | len | printf \"%d args\"}}", "2 args");
}

/* A field holding an object takes arguments as an index: Docker's
 * {{.Label "k"}} of ps rows, offered by the row document. */
static void
test_method (void)
{
  _cleanup_json_ json_object *d
      = json_tokener_parse ("{\"Label\":{\"k\":\"v\"},\"None\":null,\"Labels\":\"k=v\"}");
  REQUIRE (d != NULL);
  _cleanup_free_ char *a = run_on ("{{.Label \"k\"}}|{{.Label \"x\"}}|{{\"k\" | .Label}}", d);
  CHECK_STR (a, "v||v");
  _cleanup_free_ char *b = run_on ("[{{.None \"k\"}}] {{.Labels}}", d);
  CHECK_STR (b, "[] k=v");
  _cleanup_free_ char *c = run_on ("{{range $r := .}}{{end}}{{$.Label \"k\"}}", d);
  CHECK_STR (c, "v");
}

static void
test_syntax (void)
{
  T ("{{\"a\\tb\\n\\u00e9\\x41\\101\"}}", "a\tb\n\xc3\xa9"
                                          "AA");
  T ("{{`raw\\n}}`}}", "raw\\n}}");
  T ("{{\"a}}b\" | printf \"%s{{\"}}", "a}}b{{");
  T ("a  {{- .Name -}}  \n b", "a/webb");
  T ("a {{- /* comment */ -}} b", "ab");
  T ("x{{/* a comment */}}y", "xy");
  T ("{{- .Name}}", "/web");
  T ("{{range .Args}}\n  {{- .}}\n{{- end}}", "-gdaemon off;");
  T ("{{.Name}}\t{{.State.Status}}\n", "/web\trunning\n");
  T ("{{-3}}", "-3");
  T ("{{$x := .State.Pid}}{{$x}}{{$x = 7}} {{$x}}", "4242 7");
  T ("{{$n := len .Mounts}}{{if gt $n 1}}many{{end}}", "many");
  T ("{{ .Name }}", "/web");
  T ("{{.State}}", "map[ExitCode:0 Pid:4242 Running:true StartedAt:2026-12-06T23:00:00Z "
                   "Status:running]");
  T ("{{with .HostConfig}}{{.}}{{end}}", "map[Binds:[/x:/y] Memory:536870912 NanoCpus:0]");
}

static void
test_errors (void)
{
  T ("{{foo}}", "ERR: template: 1:2: function \"foo\" not defined");
  T ("{{.Name | foo}}", "ERR: template: 1:10: function \"foo\" not defined");
  T ("line\n{{if .X}}", "ERR: template: 2:2: unexpected EOF");
  T ("{{end}}", "ERR: template: 1:2: unexpected {{end}}");
  T ("{{else}}", "ERR: template: 1:2: unexpected {{else}}");
  T ("{{.Name", "ERR: template: 1:0: unclosed action");
  T ("{{}}", "ERR: template: 1:2: missing value for command");
  T ("{{\"abc}}", "ERR: template: 1:0: unterminated quoted string");
  T ("{{(.Name}}", "ERR: template: 1:8: unclosed left paren");
  T ("{{.Name)}}", "ERR: template: 1:7: unexpected right paren");
  T ("{{$x}}", "ERR: template: 1:2: undefined variable \"$x\"");
  T ("{{if 1}}{{$x := 1}}{{end}}{{$x}}", "ERR: template: 1:28: undefined variable \"$x\"");
  T ("{{$x = 1}}", "ERR: template: 1:2: undefined variable \"$x\"");
  T ("{{range $v := .Args}}{{end}}{{$v}}", "ERR: template: 1:30: undefined variable \"$v\"");
  T ("{{if 0}}{{$nope}}{{end}}", "ERR: template: 1:10: undefined variable \"$nope\"");
  T ("{{with $a := .State.Pid}}{{$a}}{{end}}|{{if $b := .Empty}}{{else}}[{{$b}}]{{end}}",
     "4242|[]");
  T ("{{.Name.First}}", "ERR: template: 1:2: can't evaluate field First in type string");
  T ("{{.Name 1}}", "ERR: template: 1:2: Name is not a method but has arguments");
  T ("{{.Nope 1}}", "ERR: template: 1:2: Nope is not a method but has arguments");
  T ("{{. 1}}", "ERR: template: 1:2: can't give argument to non-function");
  T ("{{1 | 2}}", "ERR: template: 1:6: can't give argument to non-function");
  T ("{{nil}}", "ERR: template: 1:2: nil is not a command");
  T ("{{index}}", "ERR: template: 1:2: wrong number of args for index: want at least 1 got 0");
  T ("{{upper 1}}",
     "ERR: template: 1:2: error calling upper: wrong type for value; expected string; got int");
  T ("{{break}}", "ERR: template: 1:2: {{break}} outside {{range}}");
  T ("{{template \"x\"}}", "ERR: template: 1:2: named templates are not supported");
  T ("{{/* open", "ERR: template: 1:0: unclosed comment");
  T ("{{/* x */ .Name}}", "ERR: template: 1:0: comment ends before closing delimiter");
  T ("{{1x}}", "ERR: template: 1:2: bad number syntax: \"1x\"");
  T ("{{\"\\q\"}}", "ERR: template: 1:2: invalid syntax in quoted string");
}

static void
test_limits (void)
{
  /* nesting beyond the limit is refused at parse time, not a stack overflow */
  size_t n = (TMPL_MAX_DEPTH + 5);
  _cleanup_free_ char *deep = malloc (n * 20 + 1);
  deep[0] = 0;
  for (size_t i = 0; i < n; i++)
    strcat (deep, "{{if 1}}");
  for (size_t i = 0; i < n; i++)
    strcat (deep, "{{end}}");
  _cleanup_free_ char *got = run (deep);
  CHECK (strstr (got, "nesting deeper than 64") != NULL);

  _cleanup_free_ char *parens = malloc (n * 2 + 16);
  strcpy (parens, "{{");
  for (size_t i = 0; i < n; i++)
    strcat (parens, "(");
  strcat (parens, "1");
  for (size_t i = 0; i < n; i++)
    strcat (parens, ")");
  strcat (parens, "}}");
  _cleanup_free_ char *got2 = run (parens);
  CHECK (strstr (got2, "nesting deeper than 64") != NULL);

  /* range over a large count: the step limit stops it */
  _cleanup_free_ char *got3 = run ("{{range 100000000}}{{end}}");
  CHECK (strstr (got3, "execution took more than") != NULL);

  /* output bounded: 2000 lines of 10 KB would be 20 MB */
  _cleanup_free_ char *got4 = run ("{{range 2000}}{{printf \"%9999s\" \"x\"}}\n{{end}}");
  CHECK (strstr (got4, "output longer than") != NULL);

  /* strings built and thrown away are bounded too (a declaration prints
   * nothing): 100000 copies of 10 KB would be 1 GB */
  _cleanup_free_ char *got6
      = run ("{{$s := printf \"%9999s\" \"x\"}}{{range 100000}}{{$t := printf \"%s\" $s}}{{end}}");
  CHECK_STR (got6, "ERR: template: execution built more than 67108864 bytes of strings");

  /* text longer than the limit */
  _cleanup_free_ char *big = malloc (TMPL_MAX_TEXT + 2);
  memset (big, 'a', TMPL_MAX_TEXT + 1);
  big[TMPL_MAX_TEXT + 1] = 0;
  _cleanup_free_ char *got5 = run (big);
  CHECK (strstr (got5, "longer than") != NULL);
}

/* The examples of Docker's "Format command and log output" and inspect
 * reference pages, over documents of the shapes they use. */
static void
test_docker_docs (void)
{
  _cleanup_json_ json_object *d = json_tokener_parse (
      "{\"Name\":\"/sad_ptolemy\",\"Image\":\"sha256:0123abcd\","
      "\"Args\":[\"--debug\",\"--log-level=info\"],\"LogPath\":\"/var/log/x.log\","
      "\"NetworkSettings\":{\"Networks\":{\"bridge\":{\"IPAddress\":\"172.17.0.2\","
      "\"MacAddress\":\"02:42:ac:11:00:02\"}},"
      "\"Ports\":{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"8080\"}],"
      "\"443/tcp\":null}},"
      "\"Mounts\":[{\"Type\":\"volume\",\"Name\":\"data\",\"Destination\":\"/data\"}],"
      "\"Config\":{\"ExposedPorts\":{\"80/tcp\":{},\"443/tcp\":{}}}}");
  REQUIRE (d != NULL);
#define D(text, want)                                                                              \
  do                                                                                               \
    {                                                                                              \
      _cleanup_free_ char *_got = run_on (text, d);                                                \
      CHECK_STR (_got, want);                                                                      \
    }                                                                                              \
  while (0)
  D ("{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", "172.17.0.2");
  D ("{{range .NetworkSettings.Networks}}{{.MacAddress}}{{end}}", "02:42:ac:11:00:02");
  D ("{{.LogPath}}", "/var/log/x.log");
  D ("{{.Image}}", "sha256:0123abcd");
  D ("{{range $p, $conf := .NetworkSettings.Ports}} {{$p}} -> {{(index $conf 0).HostPort}} {{end}}",
     " 443/tcp -> <no value>  80/tcp -> 8080 ");
  D ("{{range $p, $conf := .NetworkSettings.Ports}}{{with $conf}}{{$p}} -> {{(index $conf "
     "0).HostPort}} {{end}}{{end}}",
     "80/tcp -> 8080 ");
  D ("{{json .Mounts}}", "[{\"Type\":\"volume\",\"Name\":\"data\",\"Destination\":\"/data\"}]");
  D ("{{join .Args \" , \"}}", "--debug , --log-level=info");
  D ("{{lower .Name}} {{upper .Name}} {{title .Name}}", "/sad_ptolemy /SAD_PTOLEMY /Sad_ptolemy");
  D ("{{split .Image \":\"}}", "[sha256 0123abcd]");
  D ("{{.Name | println}}", "/sad_ptolemy\n");
  D ("{{range $p, $c := .Config.ExposedPorts}}{{$p}} {{end}}", "443/tcp 80/tcp ");
  D ("{{.Config.ExposedPorts}}", "map[443/tcp:map[] 80/tcp:map[]]");
#undef D
}

static void
test_docker_format (void)
{
  bool table;
  _cleanup_free_ char *a = tmpl_docker_format ("table {{.ID}}\\t{{.Image}}", &table);
  CHECK (table);
  CHECK_STR (a, "{{.ID}}\t{{.Image}}");
  _cleanup_free_ char *b = tmpl_docker_format ("  {{.ID}}\\n ", &table);
  CHECK (!table);
  CHECK_STR (b, "{{.ID}}\n");
  _cleanup_free_ char *c = tmpl_docker_format ("tablet", &table);
  CHECK (!table);
  CHECK_STR (c, "tablet");
  _cleanup_free_ char *d = tmpl_docker_format ("table", &table);
  CHECK (table);
  CHECK_STR (d, "");
}

static void
test_reuse_and_file (void)
{
  /* parsed once, executed against several documents */
  _cleanup_error_ struct error *err = NULL;
  _cleanup_tmpl_ struct tmpl *t = NULL;
  REQUIRE (tmpl_parse ("{{.A}}-{{len .B}}\n", &t, &err) == 0);
  _cleanup_json_ json_object *d1 = json_tokener_parse ("{\"A\":1,\"B\":[1,2]}");
  _cleanup_json_ json_object *d2 = json_tokener_parse ("{\"A\":\"x\",\"B\":\"abc\"}");
  char buf[64] = { 0 };
  FILE *f = fmemopen (buf, sizeof buf, "w");
  REQUIRE (f != NULL);
  CHECK_INT (tmpl_exec_file (t, d1, f, &err), ==, 0);
  CHECK_INT (tmpl_exec_file (t, d2, f, &err), ==, 0);
  /* a failed execution writes nothing */
  _cleanup_json_ json_object *d3 = json_tokener_parse ("{\"A\":\"y\",\"B\":5}");
  CHECK_INT (tmpl_exec_file (t, d3, f, &err), ==, -EINVAL);
  fclose (f);
  CHECK_STR (buf, "1-2\nx-3\n");
  CHECK_STR (err ? err->msg : NULL, "template: 1:9: error calling len: len of type int");
  /* the root may be any JSON value, null included */
  _cleanup_error_ struct error *e2 = NULL;
  _cleanup_tmpl_ struct tmpl *t2 = NULL;
  REQUIRE (tmpl_parse ("{{.}}|{{.X}}", &t2, &e2) == 0);
  _cleanup_free_ char *o = NULL;
  CHECK_INT (tmpl_exec (t2, NULL, &o, NULL, &e2), ==, 0);
  CHECK_STR (o, "<nil>|<no value>");
}

int
main (void)
{
  doc = json_tokener_parse (doc_text);
  if (doc == NULL)
    return 1;
  RUN (test_fields);
  RUN (test_missing);
  RUN (test_numbers);
  RUN (test_range);
  RUN (test_conditionals);
  RUN (test_compare);
  RUN (test_functions);
  RUN (test_method);
  RUN (test_syntax);
  RUN (test_errors);
  RUN (test_limits);
  RUN (test_docker_docs);
  RUN (test_docker_format);
  RUN (test_reuse_and_file);
  json_object_put (doc);
  return tap_done ();
}
