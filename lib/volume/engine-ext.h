/* engine-ext.h - volumes as an engine extension; built only with lib/engine. */
#ifndef HULL_VOLUME_ENGINE_EXT_H
#define HULL_VOLUME_ENGINE_EXT_H

struct engine;
struct error;
struct volume_store;

/* Register the extension and its config builder step (idempotent). */
int volume_engine_register (void);
/* The engine's volume store (opened on first use, kept). */
int volume_engine_store (struct engine *e, struct volume_store **out, struct error **err);
/* Forget references of containers that no longer exist. */
int volume_engine_reconcile (struct engine *e, struct error **err);

#endif
