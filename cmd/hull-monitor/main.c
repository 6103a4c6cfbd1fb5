/* hull-monitor - the per-container monitor (lib/monitor/monitor.h). */
#include "monitor/monitor.h"

int
main (int argc, char **argv)
{
  return monitor_main (argc, argv);
}
