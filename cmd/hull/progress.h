/* progress.h - per-layer progress of pull and push: on a terminal one line
 * per layer (bytes, rate) redrawn in place, else one plain line per state
 * change; nothing with --quiet. */
#ifndef HULL_CMD_PROGRESS_H
#define HULL_CMD_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

#include "image/transfer.h"

struct progress;
struct progress *progress_new (FILE *out, bool quiet, const char *verb);
const struct transfer_progress *progress_ops (struct progress *p);
/* Final redraw; frees. */
void progress_finish (struct progress *p);

#endif
