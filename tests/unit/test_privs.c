/*
 * test_privs.c -- --user and --group: names looked up in /etc/passwd and
 * /etc/group (an unknown one refused, saying which), and, when the suite
 * runs as root, a real drop in a child: uid, gid and groups all the
 * user's, root not regained, the environment the user's.
 */
#include <criterion/criterion.h>

#include <sys/wait.h>

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "privs.h"

static char why[256];

Test(privs, no_user_no_drop)
{
	struct privs p;

	cr_assert_eq(privs_lookup(NULL, NULL, &p, why, sizeof(why)), PRIVS_OK);
	cr_assert(!p.drop);
	cr_assert_eq(privs_drop(&p, why, sizeof(why)), 0);
}

Test(privs, unknown_names)
{
	struct privs p;

	cr_assert_eq(privs_lookup("tcpsup-no-such-user", NULL, &p, why,
	    sizeof(why)), PRIVS_NO_USER);
	cr_assert_str_eq(why, "--user tcpsup-no-such-user: no such user in"
	    " /etc/passwd");
	cr_assert_eq(privs_lookup("nobody", "tcpsup-no-such-group", &p, why,
	    sizeof(why)), PRIVS_NO_GROUP);
	cr_assert_str_eq(why, "--group tcpsup-no-such-group: no such group in"
	    " /etc/group");
}

Test(privs, nobody_looked_up)
{
	struct privs p;

	if (geteuid() != 0)
		cr_skip_test("needs root");
	cr_assert_eq(privs_lookup("nobody", NULL, &p, why, sizeof(why)),
	    PRIVS_OK, "%s", why);
	cr_assert(p.drop);
	cr_assert_eq(p.uid, 65534);
	cr_assert_eq(p.gid, 65534);
	cr_assert_str_eq(p.name, "nobody");
	cr_assert_eq(privs_lookup("nobody", "root", &p, why, sizeof(why)),
	    PRIVS_OK, "%s", why);
	cr_assert_eq(p.gid, 0);
}

/* In a child, which can give root away: exit 0 if all held. */
static int
drop_in_child(void)
{
	struct privs p;
	gid_t groups[4];
	pid_t pid;
	int status;

	if ((pid = fork()) == 0) {
		setenv("XDG_RUNTIME_DIR", "/run/user/0", 1);
		if (privs_lookup("nobody", NULL, &p, why, sizeof(why)) != PRIVS_OK ||
		    privs_drop(&p, why, sizeof(why)) == -1)
			_exit(1);
		if (getuid() != 65534 || geteuid() != 65534 ||
		    getgid() != 65534 || getegid() != 65534)
			_exit(2);
		if (getgroups(4, groups) != 1 || groups[0] != 65534)
			_exit(3);
		if (setuid(0) != -1 || seteuid(0) != -1 || setgid(0) != -1)
			_exit(4);
		if (strcmp(getenv("USER"), "nobody") != 0 ||
		    strcmp(getenv("LOGNAME"), "nobody") != 0 ||
		    getenv("XDG_RUNTIME_DIR") != NULL)
			_exit(5);
		_exit(0);
	}
	cr_assert_gt(pid, 0);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

Test(privs, drop_to_nobody)
{
	if (geteuid() != 0)
		cr_skip_test("needs root");
	cr_assert_eq(drop_in_child(), 0);
}

Test(privs, not_root_cannot_become_another)
{
	struct privs p;
	pid_t pid;
	int status;

	if (geteuid() != 0)
		cr_skip_test("needs root to become someone else first");
	if ((pid = fork()) == 0) {
		if (setresgid(65534, 65534, 65534) == -1 ||
		    setresuid(65534, 65534, 65534) == -1)
			_exit(1);
		if (privs_lookup("root", NULL, &p, why, sizeof(why)) !=
		    PRIVS_NOT_ROOT || strstr(why, "only root") == NULL)
			_exit(2);
		/* Already that user: nothing to do, and allowed. */
		if (privs_lookup("nobody", "nogroup", &p, why, sizeof(why)) !=
		    PRIVS_OK || p.drop)
			_exit(3);
		_exit(0);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x",
	    status);
}
