// The /proc floor for docs/performance.md: opens, reads (once) and closes the
// named files of every process, as oomctl does, and prints the time.
// gcc -O2 scripts/proc-floor.c -o /tmp/proc-floor && /tmp/proc-floor stat status oom_score_adj
#include <stdio.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
static char buf[65536];
int main(int argc,char**argv){ struct timespec a,b; clock_gettime(CLOCK_MONOTONIC,&a);
 DIR*d=opendir("/proc"); struct dirent*e; int n=0; char p[64];
 while((e=readdir(d))){ if(e->d_name[0]<'1'||e->d_name[0]>'9')continue; n++;
  for(int i=1;i<argc;i++){ snprintf(p,64,"/proc/%s/%s",e->d_name,argv[i]); int fd=open(p,O_RDONLY); if(fd<0)continue; read(fd,buf,sizeof buf); close(fd);} }
 clock_gettime(CLOCK_MONOTONIC,&b); printf("%d procs %.1f ms\n",n,(b.tv_sec-a.tv_sec)*1e3+(b.tv_nsec-a.tv_nsec)/1e6); }
