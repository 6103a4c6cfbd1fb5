/* pause.c - the sandbox ("pause") process of the CRI test pods: it holds the
 * pod's namespaces, reaps the orphans of a shared PID namespace (it is pid 1
 * there) and exits 0 on SIGTERM or SIGINT. Static, libc only: the test image
 * has nothing else in it. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  sigset_t set;
  int sig;

  if (argc > 1 && argv[1][0] == '-' && argv[1][1] == 'v')
    {
      puts ("hull test pause 1");
      return 0;
    }
  sigemptyset (&set);
  sigaddset (&set, SIGINT);
  sigaddset (&set, SIGTERM);
  sigaddset (&set, SIGCHLD);
  if (sigprocmask (SIG_BLOCK, &set, NULL) < 0)
    {
      perror ("pause: sigprocmask");
      return 1;
    }
  for (;;)
    {
      if (sigwait (&set, &sig) != 0)
        continue;
      if (sig == SIGCHLD)
        {
          while (waitpid (-1, NULL, WNOHANG) > 0)
            ;
          continue;
        }
      return 0;
    }
}
