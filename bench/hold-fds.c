/* Keeps P processes holding F idle fds each (on /dev/null) until killed:
 * the load of a host with many processes under which the daemon's walk
 * over /proc (sources/proc-walk.c) is measured. The children die with
 * it (PR_SET_PDEATHSIG), so killing this one process ends them all.
 * Prints "holding P x F" once every child holds its fds.
 * usage: hold-fds P F */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long procs = argc == 3 ? atol(argv[1]) : 0, fds = argc == 3 ? atol(argv[2]) : 0;
	if (procs <= 0 || fds <= 0 || procs > 30000 || fds > 100000) {
		fprintf(stderr, "usage: hold-fds PROCESSES FDS (at most 30000 and 100000)\n");
		return 2;
	}
	int ready[2];
	if (pipe(ready) != 0) {
		perror("hold-fds: pipe");
		return 1;
	}
	for (long i = 0; i < procs; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("hold-fds: fork");
			return 1;
		}
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == 1)
				_exit(0); /* the parent died before prctl */
			close(ready[0]);
			for (long f = 0; f < fds; f++)
				if (open("/dev/null", O_RDONLY) < 0) {
					perror("hold-fds: open");
					_exit(1);
				}
			close(ready[1]); /* one fewer writer: this child holds its fds */
			for (;;)
				pause();
		}
	}
	close(ready[1]);
	char c;
	/* read returns 0 once every child closed its end: all hold their fds */
	if (read(ready[0], &c, 1) != 0)
		return 1;
	printf("holding %ld x %ld\n", procs, fds);
	fflush(stdout);
	for (;;)
		pause();
}
