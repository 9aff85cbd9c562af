/* Least privilege for workers: with `user =` in [daemon], every worker
 * process drops to that account (its groups included, so a `video` or
 * `render` membership opens /dev/dri) before touching the device. The
 * daemon itself keeps root: it reads debugfs. */
#ifndef GS_PRIVILEGE_H
#define GS_PRIVILEGE_H

#include <stddef.h>
#include <sys/types.h>

struct gs_user {
	char name[64];   /* empty: workers keep the daemon's identity */
	uid_t uid;
	gid_t gid;
};

/* Look NAME up in the user database; 0, or -1 with err filled. */
int privilege_lookup(const char *name, struct gs_user *u, char *err, size_t errlen);

/* In a worker: become u (supplementary groups, gid, uid), irrevocably.
 * 0, or -errno. A no-op when u->name is empty. */
int privilege_drop(const struct gs_user *u);

/* Can a process of this daemon become u? A child tries privilege_drop
 * and exits: 0, or its -errno (EPERM under a unit without CAP_SETUID,
 * CAP_SETGID or with @privileged filtered). 0 when u->name is empty. */
int privilege_probe(const struct gs_user *u);

#endif
