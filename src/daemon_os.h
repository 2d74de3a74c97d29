/*
 * bgp64d's dealings with the operating system outside its sockets (daemon_os.c): service
 * manager notifications and dropping privileges.
 */
#ifndef BGP64_DAEMON_OS_H
#define BGP64_DAEMON_OS_H

/* Sends one notification ("READY=1", "STATUS=...") to $NOTIFY_SOCKET; 0 when sent or when
 * there is no such socket, -1 on error (logged at debug level only). */
int daemon_notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* CLOCK_MONOTONIC in microseconds (the MONOTONIC_USEC of RELOADING=1). */
unsigned long long daemon_monotonic_usec(void);
/* As root with user set: become user, keeping CAP_NET_ADMIN and CAP_NET_BIND_SERVICE. 0, or -1
 * (logged). A no-op for user NULL or when not running as root. */
int daemon_drop_privileges(const char *user);

#endif
