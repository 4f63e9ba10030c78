/*
 * privs.h -- --user and --group: who the tree runs as once the root has
 * taken what needs root (the port, the socket systemd passed, the
 * pidfile). The drop happens in the root before it forks anything, so no
 * process of the tree ever runs as root but the root's first moments.
 */
#ifndef TCPSUP_PRIVS_H
#define TCPSUP_PRIVS_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

struct privs {
	bool	 drop;		/* --user was given */
	uid_t	 uid;
	gid_t	 gid;		/* --group's, or the user's login group */
	char	 name[64];	/* the user's, for HOME, USER and LOGNAME */
	char	 home[256];
};

enum privs_lookup {
	PRIVS_OK,
	PRIVS_NO_USER,		/* EX_NOUSER */
	PRIVS_NO_GROUP,		/* EX_NOUSER */
	PRIVS_NOT_ROOT		/* EX_NOPERM: only root can become another */
};

/*
 * Look user and group (either may be NULL; a group alone is an error the
 * option parser already refused) up in the user database, and check that
 * this process can become them. why says what is wrong.
 */
enum privs_lookup privs_lookup(const char *user, const char *group,
	    struct privs *, char *why, size_t whysize);

/*
 * Become p: supplementary groups (only p->gid), gid, uid, in that order,
 * each checked, then check that root cannot be regained. Sets HOME, USER
 * and LOGNAME to the user's and unsets XDG_RUNTIME_DIR, which was the
 * starting user's. Returns -1 with why set if anything failed: the
 * caller must not go on.
 */
int	privs_drop(const struct privs *p, char *why, size_t whysize);

#endif
