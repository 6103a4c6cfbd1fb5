/* monitor.h - hull-monitor: one small process per running container.
 *
 * Started by the engine (spawn.c) detached from the command line (its own
 * session, reparented away from the CLI), it
 *   - is a child subreaper, so the container's init becomes its child and
 *     it alone learns the exit status;
 *   - has a short-lived helper (a fork that re-executes hull-monitor from a
 *     sealed copy, runtime_protect_self_exe) create and start the container
 *     through lib/runtime, and run health checks (runtime_exec), so that the
 *     long-lived monitor itself never enters a container and keeps running
 *     from the shared on-disk binary;
 *   - holds the container's stdio (pipes, or the pty master for -t),
 *     writes the log, serves attach (proto.h), applies the restart policy
 *     with back-off, runs health checks, and records everything in its
 *     state file for the CLI to reconcile.
 * It links lib/base, lib/runtime, lib/cgroup, lib/seccomp only: no SQLite,
 * no curl, no OpenSSL.  See docs/design/engine.md.
 */
#ifndef HULL_ENGINE_MONITOR_H
#define HULL_ENGINE_MONITOR_H

/* fds the engine hands to the monitor */
#define MONITOR_FD_CTL 3     /* stream socket: args in, "ok PID" / "err CODE MSG" out */
#define MONITOR_FD_LOCK 4    /* monitor.lock, flock'ed */
#define MONITOR_FD_ATTACH 5  /* an attached client from the start (optional) */

/* main() of hull-monitor. */
int monitor_main (int argc, char **argv);

#endif
