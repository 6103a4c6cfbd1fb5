/* vulns.h - the VULNERABILITIES column of `hull ps --vulns` and `hull
 * images --vulns`: the counts the last `hull scan` saved for an image or a
 * container (lib/scan's scan_summary_load), read without scanning. */
#ifndef HULL_CMD_VULNS_H
#define HULL_CMD_VULNS_H

#include <stdbool.h>

struct hull_ctx;
struct error;

/* 0 when this hull can show the column; -ENOTSUP with a one-line message
 * when it was built without lib/scan. */
int hull_vulns_check (struct error **err);
/* Whether a --format template asks for the column ({{.Vulnerabilities}}). */
bool hull_vulns_in_format (const char *format);
/* The cell of one image or container id: "C:1 H:3 M:2 L:0 U:0", "-" when
 * it was never scanned, "?" when its saved counts cannot be read (a
 * listing shows the other rows anyway).  Malloc'd; NULL: out of memory. */
char *hull_vulns_cell (const struct hull_ctx *ctx, const char *id);

#endif
