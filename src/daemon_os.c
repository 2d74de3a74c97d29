/*
 * What bgp64d asks of the operating system besides its sockets: the service manager's
 * readiness protocol and least privilege.
 *
 * Notifications (sd_notify(3) protocol, written here so the daemon needs no libsystemd): one
 * datagram of newline-separated KEY=VALUE assignments to the AF_UNIX socket named by
 * $NOTIFY_SOCKET (a path, or "@name" for the abstract namespace). Without the variable every
 * call is a no-op, so the daemon behaves the same by hand and under Type=notify.
 *
 * Privileges: started as root with "user" configured, the daemon binds its listeners, opens
 * netlink and the control socket, then becomes that user keeping only CAP_NET_ADMIN (kernel
 * routes over rtnetlink) and CAP_NET_BIND_SERVICE (a reload that listens on a new address,
 * port 179); the bounding set is cut to the same two. TCP MD5 and TCP-AO keys, IP_MINTTL
 * (ttl-security) and IP_TOS need no capability on sockets the daemon owns. Started as
 * another user (the unit's User= with AmbientCapabilities=), it changes nothing.
 */
#include "daemon_os.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"

int
daemon_notify(const char *fmt, ...)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	char msg[512];
	va_list ap;

	if (path == NULL || path[0] == '\0')
		return 0;
	size_t len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof sun.sun_path)
		return -1;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof msg)
		return -1;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, len);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	socklen_t sl = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	ssize_t k = sendto(fd, msg, (size_t)n, MSG_NOSIGNAL, (struct sockaddr *)&sun, sl);
	int e = errno;
	close(fd);
	if (k < 0) {
		log_debug("notify %s: %s", path, strerror(e));
		return -1;
	}
	return 0;
}

unsigned long long
daemon_monotonic_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000;
}

#define KEEP_CAPS ((1u << CAP_NET_ADMIN) | (1u << CAP_NET_BIND_SERVICE))

static int
caps_set(uint32_t eff, uint32_t prm)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof d);
	d[0].effective = eff;
	d[0].permitted = prm;
	return (int)syscall(SYS_capset, &h, d);
}

int
daemon_drop_privileges(const char *user)
{
	if (user == NULL)
		return 0;
	if (geteuid() != 0) {
		log_info("running as uid %u, not root: \"user\" (%s) left to the service manager",
			 (unsigned)geteuid(), user);
		return 0;
	}
	errno = 0;
	struct passwd *pw = getpwnam(user);
	if (pw == NULL) {
		log_err("user %s: %s", user, errno ? strerror(errno) : "no such user");
		return -1;
	}
	uid_t uid = pw->pw_uid;
	gid_t gid = pw->pw_gid;
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++) {
		if (cap == CAP_NET_ADMIN || cap == CAP_NET_BIND_SERVICE)
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) {
			log_err("dropping capability %d from the bounding set: %s", cap,
				strerror(errno));
			return -1;
		}
	}
	if (initgroups(user, gid) < 0 || setgid(gid) < 0) {
		log_err("user %s: groups: %s", user, strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setuid(uid) < 0) {
		log_err("user %s: setuid: %s", user, strerror(errno));
		return -1;
	}
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	if (caps_set(KEEP_CAPS, KEEP_CAPS) < 0) {
		log_err("user %s: capabilities: %s", user, strerror(errno));
		return -1;
	}
	if (setuid(0) == 0) {
		log_err("user %s: could become root again", user);
		return -1;
	}
	log_info("running as user %s (uid %u, gid %u) with CAP_NET_ADMIN and "
		 "CAP_NET_BIND_SERVICE only",
		 user, (unsigned)uid, (unsigned)gid);
	return 0;
}
