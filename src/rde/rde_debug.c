/*
 * Per-neighbor UPDATE debugging (bgp64ctl log updates ADDR on), like FRR's "debug bgp updates
 * in" or BIRD's debug { routes }: one line per UPDATE received from that neighbor, with its
 * counts and first prefixes, logged whatever the level. Rate-limited per neighbor to
 * RDE_DEBUG_LINES a second; the lines left out are counted and reported in the next second's
 * first line, so a full table arriving costs a few lines a second, not one per UPDATE.
 */
#include "rde/rde_impl.h"

#include <stdio.h>
#include <time.h>

#include "lib/log.h"

#define RDE_DEBUG_LINES 10 /* per neighbor and second */

/* Counts the prefixes of an NLRI field (on a copy: the caller's view is not advanced) and
 * formats the first in buf ("" when none). */
static unsigned
nlri_summary(const struct bgp_nlri *n, char *buf)
{
	struct bgp_nlri c = *n;
	struct prefix p;
	uint32_t pid;
	unsigned cnt = 0;

	buf[0] = '\0';
	while (bgp_nlri_next(&c, &p, &pid) == 1)
		if (cnt++ == 0)
			prefix_fmt(&p, buf);
	return cnt;
}

void
rde_debug_update(struct rde_peer *rp, const struct bgp_update *u)
{
	time_t now = time(NULL);
	if (now != rp->dbg_sec) {
		if (rp->dbg_dropped > 0)
			log_force(LOG_LVL_INFO,
				  "%s: UPDATE debugging: %u lines left out (limit %d/s)",
				  bgp_peer_name(rp->bp), rp->dbg_dropped, RDE_DEBUG_LINES);
		rp->dbg_sec = now;
		rp->dbg_lines = 0;
		rp->dbg_dropped = 0;
	}
	if (rp->dbg_lines >= RDE_DEBUG_LINES) {
		rp->dbg_dropped++;
		return;
	}
	rp->dbg_lines++;
	if (u->eor) {
		log_force(LOG_LVL_INFO, "%s: UPDATE in: End-of-RIB %s", bgp_peer_name(rp->bp),
			  bgp_fam_name(u->eor_fam));
		return;
	}
	char a[PREFIX_STRLEN], w[PREFIX_STRLEN], nh[ADDR_STRLEN] = "-";
	unsigned na = nlri_summary(&u->nlri, a), nw = nlri_summary(&u->withdrawn, w);
	if (u->has_mp_reach)
		na += nlri_summary(&u->mp_reach, na == 0 ? a : (char[PREFIX_STRLEN]){0});
	if (u->has_mp_unreach)
		nw += nlri_summary(&u->mp_unreach, nw == 0 ? w : (char[PREFIX_STRLEN]){0});
	if (u->attrs.nh_len == 4 || u->attrs.nh_len >= 16)
		addr_fmt(u->attrs.nh_len == 4 ? AF_INET : AF_INET6, u->attrs.nh, nh);
	char as[PREFIX_STRLEN + 16] = "", ws[PREFIX_STRLEN + 16] = "";
	if (na > 0)
		snprintf(as, sizeof as, " (%s%s)", a, na > 1 ? ", ..." : "");
	if (nw > 0)
		snprintf(ws, sizeof ws, " (%s%s)", w, nw > 1 ? ", ..." : "");
	log_force(LOG_LVL_INFO, "%s: UPDATE in: %u announced%s, next hop %s, %u withdrawn%s%s%s",
		  bgp_peer_name(rp->bp), na, as, nh, nw, ws, u->action != BGP_UPD_OK ? ": " : "",
		  u->action != BGP_UPD_OK ? u->reason : "");
}
