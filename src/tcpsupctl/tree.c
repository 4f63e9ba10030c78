/*
 * tree.c -- tcpsupctl tree: the whole hierarchy once, as the tutorial's
 * appmon drew it, one process per line with tree lines, or as one nested
 * JSON object. It only prints what snapshot gathered and view formatted.
 */
#include <err.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "commands.h"
#include "snapshot.h"
#include "view.h"

int
cmd_tree(const struct ctlopts *o, int argc, char **argv)
{
	struct snapshot snap;
	bool json = o->json;
	char why[512];
	int rc;

	/* --json after the command too, as in "tcpsupctl tree --json". */
	if (argc == 2 && strcmp(argv[1], "--json") == 0)
		json = true;
	else if (argc != 1) {
		warnx("%s takes no arguments but --json", argv[0]);
		return EX_USAGE;
	}
	setlocale(LC_CTYPE, "");
	if ((rc = snapshot_take(o->path, o->timeout_ms, &snap, why,
	    sizeof(why))) != 0)
		warnx("%s", why);
	else {
		view_sort(&snap.root, VIEW_BY_PID);
		if (json)
			view_json(stdout, &snap.root);
		else if (view_print(stdout, &snap.root,
		    view_locale_utf8()) == -1) {
			warn("tree");
			rc = EX_OSERR;
		}
	}
	snapshot_free(&snap);
	return rc;
}
