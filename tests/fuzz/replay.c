/* replay.c - run a libFuzzer target over its corpus without libFuzzer, as a
 * TAP test: every file of every directory (or file) named on the command line
 * is fed to LLVMFuzzerTestOneInput once.  A crash, a sanitizer report or a
 * non-zero return fails the test. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int n, failed;

static void
run_file (const char *path)
{
  FILE *f = fopen (path, "rb");
  if (f == NULL)
    {
      printf ("not ok %d - %s: cannot open\n", ++n, path);
      failed++;
      return;
    }
  size_t cap = 1 << 16, len = 0;
  uint8_t *buf = malloc (cap);
  size_t r;
  while (buf && (r = fread (buf + len, 1, cap - len, f)) > 0)
    {
      len += r;
      if (len == cap && (cap > (64u << 20) || !(buf = realloc (buf, cap *= 2))))
        break;
    }
  fclose (f);
  if (buf == NULL)
    {
      printf ("not ok %d - %s: out of memory\n", ++n, path);
      failed++;
      return;
    }
  /* an exact-size copy, so that ASan catches reads past the end */
  uint8_t *exact = malloc (len ? len : 1);
  memcpy (exact, buf, len);
  free (buf);
  int ret = LLVMFuzzerTestOneInput (exact, len);
  free (exact);
  printf ("%sok %d - %s\n", ret == 0 ? "" : "not ", ++n, path);
  if (ret != 0)
    failed++;
  fflush (stdout);
}

int
main (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      struct stat st;
      if (stat (argv[i], &st) == 0 && S_ISDIR (st.st_mode))
        {
          struct dirent **ents = NULL;
          int k = scandir (argv[i], &ents, NULL, alphasort);
          for (int j = 0; j < k; j++)
            {
              if (ents[j]->d_name[0] != '.')
                {
                  char path[4096];
                  snprintf (path, sizeof path, "%s/%s", argv[i], ents[j]->d_name);
                  run_file (path);
                }
              free (ents[j]);
            }
          free (ents);
        }
      else
        run_file (argv[i]);
    }
  printf ("1..%d\n", n);
  return failed ? 1 : 0;
}
