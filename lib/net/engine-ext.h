/* engine-ext.h - lib/net as an engine extension (networks, published
 * ports); built only with lib/engine. */
#ifndef HULL_NET_ENGINE_EXT_H
#define HULL_NET_ENGINE_EXT_H

#include <stddef.h>

struct engine;
struct error;
struct net;
struct net_port;
struct ctr_spec;

/* Register the extension (before engine_open; idempotent). */
int net_engine_register (void);
/* The engine's lib/net handle (opened on first use, kept). */
int net_engine_net (struct engine *e, struct net **out, struct error **err);
/* -p and -P of a container's spec. */
int net_engine_ports (const struct ctr_spec *s, struct net_port **ports, size_t *n,
                      struct error **err);
/* The container's /etc/hosts as the engine writes it (malloc'd). */
char *net_engine_hosts_path (struct engine *e, const char *id);
/* Reconcile every container (engine_lookup) and remove what no live
 * container owns. */
int net_engine_reconcile (struct engine *e, struct error **err);

#endif
