/*
 * privs.c -- drop root for --user and --group (see privs.h). Each step is
 * checked, and then checked again from the kernel's side (getres*id and a
 * setuid(0) that must fail): a half-dropped daemon must never serve.
 *
 * Names are looked up in /etc/passwd and /etc/group themselves, with
 * fgetpwent(3) and fgetgrent(3): tcpsup is linked statically, and a
 * static glibc cannot load the NSS modules that getpwnam(3) would try
 * (it crashes on nsswitch.conf's "systemd" for an unknown name).
 */
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "privs.h"

#define PRIVS_PASSWD	"/etc/passwd"
#define PRIVS_GROUP	"/etc/group"

/* The entry named name, copied into p; -1 if none (errno 0) or error. */
static int
find_user(const char *name, struct privs *p)
{
	struct passwd *pw;
	FILE *f;
	int found = -1;

	if ((f = fopen(PRIVS_PASSWD, "re")) == NULL)
		return -1;
	errno = 0;
	while ((pw = fgetpwent(f)) != NULL) {
		if (strcmp(pw->pw_name, name) != 0)
			continue;
		p->uid = pw->pw_uid;
		p->gid = pw->pw_gid;
		strlcpy(p->name, pw->pw_name, sizeof(p->name));
		strlcpy(p->home, pw->pw_dir, sizeof(p->home));
		found = 0;
		break;
	}
	if (found == -1 && errno == ENOENT)
		errno = 0;	/* the end of the file */
	fclose(f);
	return found;
}

static int
find_group(const char *name, gid_t *gid)
{
	struct group *gr;
	FILE *f;
	int found = -1;

	if ((f = fopen(PRIVS_GROUP, "re")) == NULL)
		return -1;
	errno = 0;
	while ((gr = fgetgrent(f)) != NULL) {
		if (strcmp(gr->gr_name, name) == 0) {
			*gid = gr->gr_gid;
			found = 0;
			break;
		}
	}
	if (found == -1 && errno == ENOENT)
		errno = 0;
	fclose(f);
	return found;
}

enum privs_lookup
privs_lookup(const char *user, const char *group, struct privs *p,
    char *why, size_t whysize)
{
	memset(p, 0, sizeof(*p));
	if (user == NULL)
		return PRIVS_OK;
	if (find_user(user, p) == -1) {
		snprintf(why, whysize, "--user %s: %s", user, errno != 0 ?
		    strerror(errno) : "no such user in " PRIVS_PASSWD);
		return PRIVS_NO_USER;
	}
	p->drop = true;
	if (group != NULL && find_group(group, &p->gid) == -1) {
		snprintf(why, whysize, "--group %s: %s", group, errno != 0 ?
		    strerror(errno) : "no such group in " PRIVS_GROUP);
		return PRIVS_NO_GROUP;
	}
	if (geteuid() == 0)
		return PRIVS_OK;
	/* Already that user: nothing to drop, and no right to setgroups. */
	if (p->uid == geteuid() && p->gid == getegid()) {
		p->drop = false;
		return PRIVS_OK;
	}
	snprintf(why, whysize, "--user %s: only root can change its user"
	    " (run as root, or leave --user out)", user);
	return PRIVS_NOT_ROOT;
}

static int
failed(char *why, size_t whysize, const char *step)
{
	snprintf(why, whysize, "dropping privileges: %s: %s", step,
	    strerror(errno));
	return -1;
}

/* What the kernel says we are now: exactly p, and no way back. */
static int
verify(const struct privs *p, char *why, size_t whysize)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg, groups[2];
	int n;

	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1)
		return failed(why, whysize, "getresuid");
	if ((n = getgroups(2, groups)) == -1)
		return failed(why, whysize, "getgroups");
	if (ru != p->uid || eu != p->uid || su != p->uid || rg != p->gid ||
	    eg != p->gid || sg != p->gid || n != 1 || groups[0] != p->gid) {
		snprintf(why, whysize, "dropping privileges: still uid %lu/%lu/%lu"
		    " gid %lu/%lu/%lu", (unsigned long)ru, (unsigned long)eu,
		    (unsigned long)su, (unsigned long)rg, (unsigned long)eg,
		    (unsigned long)sg);
		return -1;
	}
	if (p->uid != 0 && setuid(0) != -1) {
		snprintf(why, whysize, "dropping privileges: setuid(0) still"
		    " succeeds");
		return -1;
	}
	return 0;
}

int
privs_drop(const struct privs *p, char *why, size_t whysize)
{
	if (!p->drop)
		return 0;
	if (setgroups(1, &p->gid) == -1)
		return failed(why, whysize, "setgroups");
	if (setresgid(p->gid, p->gid, p->gid) == -1)
		return failed(why, whysize, "setresgid");
	if (setresuid(p->uid, p->uid, p->uid) == -1)
		return failed(why, whysize, "setresuid");
	if (verify(p, why, whysize) == -1)
		return -1;
	if (setenv("HOME", p->home, 1) == -1 ||
	    setenv("USER", p->name, 1) == -1 ||
	    setenv("LOGNAME", p->name, 1) == -1)
		return failed(why, whysize, "setenv");
	unsetenv("XDG_RUNTIME_DIR");
	return 0;
}
