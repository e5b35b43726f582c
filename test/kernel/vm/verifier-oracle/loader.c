// Loads one program into the running kernel and prints its errno and verifier log: the oracle for
// verifier-cases.ts. Build: cc -O1 -o loader loader.c. Usage: loader PROGTYPE LOGLEVEL [maptype:key:value:max ...]
// < one 16-hex-digit little-endian bpf_insn per line; ld_imm64 map fds are indexes into the maps.
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
static char logbuf[1<<24];
int main(int argc,char**argv){
  int ptype=atoi(argv[1]), lvl=atoi(argv[2]); int fds[16]; int nm=0;
  for(int i=3;i<argc;i++){ union bpf_attr a; memset(&a,0,sizeof a); sscanf(argv[i],"%u:%u:%u:%u",&a.map_type,&a.key_size,&a.value_size,&a.max_entries);
    fds[nm++]=syscall(SYS_bpf,BPF_MAP_CREATE,&a,sizeof a); if(fds[nm-1]<0){perror("map");return 2;} }
  struct bpf_insn ins[100000]; int n=0; unsigned long long w;
  while(scanf("%llx",&w)==1){ memcpy(&ins[n],&w,8); if(ins[n].code==0x18 && (ins[n].src_reg==1||ins[n].src_reg==2)) ins[n].imm=fds[ins[n].imm]; n++; }
  union bpf_attr a; memset(&a,0,sizeof a); a.prog_type=ptype; a.insns=(long)ins; a.insn_cnt=n; a.license=(long)"GPL";
  if(lvl){a.log_level=lvl;a.log_buf=(long)logbuf;a.log_size=sizeof logbuf;}
  int fd=syscall(SYS_bpf,BPF_PROG_LOAD,&a,sizeof a);
  printf("rc=%d errno=%d\n",fd,fd<0?errno:0); fputs(logbuf,stdout); return 0; }
