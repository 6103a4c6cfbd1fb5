/* internal.h - what the files of lib/monitor share: the monitor's state
 * (struct mon) and the functions its parts call across files. */
#ifndef HULL_MONITOR_INTERNAL_H
#define HULL_MONITOR_INTERNAL_H

#include "monitor/monitor.h"
#include "runtime/runtime.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct cgroup;

enum kind
{
  K_SIGNAL = 1,
  K_LISTEN,
  K_CLIENT,
  K_OUT,
  K_ERR,
  K_STDIN,
  K_RESULT,
  K_CONSOLE,
  K_TIMER,
  K_HEALTH_TIMER,
  K_HEALTH_OUT,
};

struct watch
{
  enum kind kind;
  int fd;
};

struct client
{
  struct watch w; /* first: epoll data points here */
  bool quiet, owner, gone;
  char *pending; /* one message that did not fit */
  size_t pending_len;
  struct client *next;
};

enum phase
{
  P_STARTING,
  P_RUNNING,
  P_DRAINING, /* init exited: reading what is left in the pipes */
  P_RESTART_WAIT,
};

struct mon
{
  /* args: point into the START message, kept for our life */
  struct monitor_msg args;
  const char *id, *runtime_root, *bundle, *rootfs, *log_dir, *cleanup, *root, *runroot;
  bool tty, open_stdin, auto_remove, loopback, cleanup_on_exit;
  int restart_policy, restart_max;
  char *const *health_test;
  int64_t h_interval, h_timeout, h_start;
  int h_retries;
  int stop_signal;
  uint64_t log_max_size;
  int log_max_file;
  unsigned short rows, cols;

  struct runtime_context rt;
  int ep, rundirfd, ctl;
  struct watch sig, listen, out, err, in, result, console, timer, htimer, hout;
  bool first_start, caller_finishes, stop_requested, output_paused;
  enum phase phase;
  pid_t helper_pid, init_pid, health_pid;
  int exit_code;
  bool out_eof, err_eof;
  char result_buf[8192];
  size_t result_len;
  char *stdin_pending;
  size_t stdin_pending_len;
  struct client *stdin_blocked;
  char hbuf[HEALTH_OUTPUT_MAX];
  size_t hlen;
  int64_t hstart;
  bool htimed_out;
  int64_t backoff_ms, run_started;
  struct log_writer log;
  struct monitor_state st;
  struct cgroup *cg;
  uint64_t oom_before;
  struct client *clients;
  struct
  {
    pid_t pid;
    int status;
  } reaped[16];
  size_t n_reaped;
};

/* server.c */
void mon_log (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void mon_ep_add (struct mon *m, struct watch *w, uint32_t events);
void mon_ep_mod (struct mon *m, struct watch *w, uint32_t events);
void mon_ep_close (struct mon *m, struct watch *w);
/* Arm a timerfd for ms milliseconds (0: disarm). */
void mon_arm (int tfd, int64_t ms);
void mon_save_state (struct mon *m);
pid_t mon_helper_spawn (struct mon *m, const struct monitor_msg *req, const int *keep,
                        size_t n_keep, int errfd, bool err_as_text);
/* The final exit: state file, EXIT to the clients, then the finisher. */
void mon_finish (struct mon *m) __attribute__ ((noreturn));
/* A stop: the signal, then SIGKILL after secs (< 0: never). */
void mon_stop (struct mon *m, int sig, int secs);

/* attach.c: the attach server and the container's stdio */
void mon_on_listen (struct mon *m);
void mon_on_client (struct mon *m, struct client *c, uint32_t events);
void mon_clients_reap (struct mon *m);
/* EXIT to every client, then hang up; whether the owner got it. */
bool mon_clients_exit (struct mon *m, int code);
void mon_output_pause (struct mon *m, bool pause);
void mon_on_output (struct mon *m, struct watch *w);
void mon_on_stdin_writable (struct mon *m);

/* health.c */
void mon_health_schedule (struct mon *m, int64_t ms);
int64_t mon_health_interval_ms (struct mon *m);
void mon_on_health_out (struct mon *m);
void mon_on_health_timer (struct mon *m);
void mon_on_health_done (struct mon *m, int status);

/* helper.c: main() of `hull-monitor --helper FD`. */
int monitor_helper_main (const char *fdarg);

#endif
