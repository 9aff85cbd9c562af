/* common/spawn.c: exit codes and words of known wait statuses; a
 * command's group ended with it, a time limit kept, a group stopped. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/spawn.h"

static void exit_codes_and_words(void **state)
{
	static const struct { int status, code; const char *words; } v[] = {
		{ W_EXITCODE(0, 0), 0, "exited with status 0" },
		{ W_EXITCODE(3, 0), 3, "exited with status 3" },
		{ W_EXITCODE(127, 0), 127, "exited with status 127" },
		{ W_EXITCODE(0, SIGKILL), 137, "killed by signal KILL" },
		{ W_EXITCODE(0, SIGTERM), 143, "killed by signal TERM" },
	};
	char buf[48];
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(spawn_exit_code(v[i].status), v[i].code);
		assert_string_equal(spawn_how_ended(v[i].status, buf, sizeof(buf)), v[i].words);
	}
}

/* The pid the command wrote on the pipe (its background job's). */
static pid_t read_pid(int fd)
{
	char buf[32] = "";
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	return (pid_t)atoi(buf);
}

/* Whether process pid (not a child of ours) ends within ms
 * milliseconds: a kill reaches it a moment after kill() returns. */
static bool ends_within(pid_t pid, int ms)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return errno == ESRCH; /* gone already */
	struct pollfd p = { fd, POLLIN, 0 };
	bool ended = poll(&p, 1, ms) == 1;
	close(fd);
	return ended;
}

/* What a command leaves in its group ends with it, and a stopped group
 * goes whole; the negative control is the background job running while
 * its shell does. */
static void group_ends_with_the_command(void **state)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = spawn_sh("sleep 300 & echo $! >&3; wait", fds[1], NULL, SIGKILL);
	assert_true(pid > 0);
	pid_t job = read_pid(fds[0]);
	int status = -1;
	assert_int_equal(spawn_wait(pid, 0.2, &status), -1); /* the shell waits for its job */
	assert_false(ends_within(job, 0));
	assert_int_equal(spawn_stop_group(pid, SIGTERM, 5, &status), 0);
	char how[48];
	bool gone = ends_within(job, 5000);
	printf("stopped: shell %s, its job %s\n", spawn_how_ended(status, how, sizeof(how)),
	       gone ? "ended" : "still running after 5 s");
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	assert_true(gone);

	pid = spawn_sh("sleep 300 & echo $! >&3; exit 3", fds[1], NULL, SIGKILL);
	assert_true(pid > 0);
	job = read_pid(fds[0]);
	assert_int_equal(spawn_wait(pid, 0, &status), 0);
	assert_int_equal(spawn_exit_code(status), 3);
	assert_true(ends_within(job, 5000));
	close(fds[0]);
	close(fds[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exit_codes_and_words),
		cmocka_unit_test(group_ends_with_the_command),
	};
	return cmocka_run_group_tests_name("spawn", tests, NULL, NULL);
}
