/*
 * exec_probe.c -- the program test_exec.c runs per connection with
 * --exec: it tells its client what it was given (arguments, environment,
 * descriptors, limits, directory), or does what a test needs a program to
 * do (write stderr, exit, crash, ignore SIGTERM). Its first argument says
 * which; what it writes on its connection is one line per fact, each value
 * in hex so that any byte comes through.
 */
#include <sys/resource.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static void
hex_line(const char *tag, const char *s)
{
	printf("%s ", tag);
	for (; *s != '\0'; s++)
		printf("%02x", (unsigned char)*s);
	printf("\n");
}

/* Every open descriptor but the directory's own, with what it is. */
static void
dump_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	char path[300], target[256];

	while (d != NULL && (e = readdir(d)) != NULL) {
		ssize_t n;

		if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = '\0';
		/* pipe:[N] and socket:[N]: the kind is what a test can know. */
		target[strcspn(target, ":")] = '\0';
		printf("fd %s %s\n", e->d_name, target);
	}
	if (d != NULL)
		closedir(d);
}

static void
dump(int argc, char **argv)
{
	printf("argc %d\n", argc);
	for (int i = 0; i < argc; i++)
		hex_line("arg", argv[i]);
	for (char **e = environ; *e != NULL; e++)
		hex_line("env", *e);
	dump_fds();
	printf("end\n");
}

static void
limits(void)
{
	static const struct { const char *name; int resource; } r[] = {
		{ "as", RLIMIT_AS }, { "cpu", RLIMIT_CPU },
		{ "nofile", RLIMIT_NOFILE }, { "nproc", RLIMIT_NPROC },
		{ "core", RLIMIT_CORE },
	};
	char cwd[512];

	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		struct rlimit rl;

		getrlimit(r[i].resource, &rl);
		if (rl.rlim_cur == RLIM_INFINITY)
			printf("%s unlimited\n", r[i].name);
		else
			printf("%s %llu\n", r[i].name,
			    (unsigned long long)rl.rlim_cur);
	}
	printf("cwd %s\n", getcwd(cwd, sizeof(cwd)) != NULL ? cwd : "?");
	printf("end\n");
}

/* Echo what the client sends until it closes: a program that serves. */
static void
serve(void)
{
	char buf[4096];
	ssize_t n;

	printf("ready\n");
	fflush(stdout);
	while ((n = read(0, buf, sizeof(buf))) > 0)
		if (write(1, buf, (size_t)n) != n)
			break;
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "dump";

	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (strcmp(mode, "dump") == 0) {
		dump(argc, argv);
	} else if (strcmp(mode, "limits") == 0) {
		limits();
	} else if (strcmp(mode, "stderr") == 0) {
		/* argv[2] lines, one write each; a last one without newline. */
		for (int i = 1; i <= atoi(argc > 2 ? argv[2] : "1"); i++)
			fprintf(stderr, "line %d of \x1b[31mred\x1b[0m\n", i);
		fprintf(stderr, "no newline");
		printf("done\n");
	} else if (strcmp(mode, "exit") == 0) {
		return atoi(argc > 2 ? argv[2] : "0");
	} else if (strcmp(mode, "segv") == 0) {
		signal(SIGSEGV, SIG_DFL);
		raise(SIGSEGV);
	} else if (strcmp(mode, "abort") == 0) {
		abort();
	} else if (strcmp(mode, "stubborn") == 0) {
		signal(SIGTERM, SIG_IGN);
		serve();
	} else if (strcmp(mode, "flaky") == 0) {
		/* Fails at once while argv[2] exists, serves otherwise. */
		if (argc > 2 && access(argv[2], F_OK) == 0)
			return 1;
		serve();
	} else {
		serve();
	}
	fflush(stdout);
	return 0;
}
