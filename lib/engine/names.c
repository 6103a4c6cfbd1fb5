/* names.c - container ids (64 hex digits) and names (adjective_noun when
 * the user gives none, as docker does; ours are birds, trees and rivers). */
#include "engine/engine.h"

#include "base/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

static const char *const adjectives[] = {
  "agile",    "amber",    "ancient",  "arctic",   "autumn",   "bold",     "brave",
  "breezy",   "bright",   "brisk",    "calm",     "candid",   "cheerful", "clever",
  "cosmic",   "crisp",    "curious",  "daring",   "dazzling", "eager",    "early",
  "earnest",  "electric", "elegant",  "fearless", "festive",  "fluffy",   "frosty",
  "gentle",   "gilded",   "glad",     "golden",   "graceful", "happy",    "hardy",
  "hidden",   "humble",   "icy",      "jolly",    "keen",     "kind",     "lively",
  "lucid",    "lunar",    "merry",    "misty",    "modest",   "nimble",   "noble",
  "patient",  "placid",   "polished", "proud",    "quick",    "quiet",    "radiant",
  "rapid",    "restless", "rustic",   "serene",   "shiny",    "silent",   "silver",
  "sleepy",   "smooth",   "snowy",    "solar",    "steady",   "stoic",    "sunny",
  "swift",    "tender",   "tidy",     "tranquil", "vivid",    "wandering", "warm",
  "wise",     "witty",    "zealous",
};

static const char *const nouns[] = {
  "albatross", "alder",    "amazon",   "aspen",    "avocet",   "baobab",   "birch",
  "bittern",   "bunting",  "cedar",    "chestnut", "condor",   "cormorant", "crane",
  "cypress",   "danube",   "dipper",   "egret",    "elbe",     "elm",      "falcon",
  "finch",     "fir",      "gannet",   "ganges",   "grebe",    "hawthorn", "hazel",
  "heron",     "hornbill", "ibis",     "indus",    "juniper",  "kestrel",  "kingfisher",
  "kite",      "lark",     "larch",    "linden",   "loire",    "magpie",   "maple",
  "mekong",    "merlin",   "nightjar", "nile",     "oak",      "oriole",   "osprey",
  "owl",       "pelican",  "petrel",   "pine",     "plover",   "puffin",   "rhine",
  "robin",     "rowan",    "sequoia",  "shannon",  "sparrow",  "spruce",   "swallow",
  "swift",     "sycamore", "tagus",    "tern",     "thames",   "thrush",   "vistula",
  "volga",     "warbler",  "willow",   "wren",     "yangtze",  "yew",      "yukon",
  "zambezi",
};

static uint32_t
rand32 (void)
{
  uint32_t v = 0;
  if (getrandom (&v, sizeof v, 0) != sizeof v)
    v = (uint32_t) rand ();
  return v;
}

char *
engine_random_name (void)
{
  uint32_t r = rand32 ();
  const char *a = adjectives[r % (sizeof adjectives / sizeof *adjectives)];
  const char *n = nouns[(r / 1024) % (sizeof nouns / sizeof *nouns)];
  char *out = NULL;
  if (asprintf (&out, "%s_%s", a, n) < 0)
    return NULL;
  return out;
}

bool
engine_name_valid (const char *name)
{
  size_t n = strlen (name);
  if (n == 0 || n > 128)
    return false;
  for (size_t i = 0; i < n; i++)
    {
      char c = name[i];
      bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
        return false;
    }
  return true;
}

int
engine_new_id (char out[65], struct error **err)
{
  unsigned char b[32];
  size_t got = 0;
  while (got < sizeof b)
    {
      ssize_t n = getrandom (b + got, sizeof b - got, 0);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return error_errno (err, errno, "getrandom");
        }
      got += (size_t) n;
    }
  static const char hex[] = "0123456789abcdef";
  for (size_t i = 0; i < sizeof b; i++)
    {
      out[2 * i] = hex[b[i] >> 4];
      out[2 * i + 1] = hex[b[i] & 15];
    }
  out[64] = '\0';
  /* docker avoids ids that look like numbers (all digits in the short
   * form would be taken for a pid); keep the first 12 with a letter */
  bool letter = false;
  for (int i = 0; i < 12; i++)
    letter |= out[i] >= 'a';
  if (!letter)
    out[0] = 'a';
  return 0;
}
