/*
 * Lookups over a translation context that only the control side needs (which next-hop rule
 * matched, which explicit mappings a query touches), built on the xlat walks so the xlat core
 * keeps a small interface. Linear in the number of rules: these serve one request at a time.
 */
#include "cli/ctl.h"

#include <string.h>
#include <sys/socket.h>

struct nh_match {
	struct prefix addr;
	bool found;
	struct prefix rule;
	struct xlat_nh nh;
};

static void
nh_visit(const struct prefix *v4, const struct xlat_nh *nh, void *arg)
{
	struct nh_match *m = arg;
	if (!prefix_contains(v4, &m->addr))
		return;
	if (m->found && m->rule.len >= v4->len)
		return;
	m->found = true;
	m->rule = *v4;
	m->nh = *nh;
}

bool
ctl_xlat_nexthop_rule(const struct xlat *x, const uint8_t v4[4], struct prefix *rule,
		      struct xlat_nh *nh)
{
	struct nh_match m;

	memset(&m, 0, sizeof m);
	m.addr.af = AF_INET;
	m.addr.len = 32;
	memcpy(m.addr.a, v4, 4);
	xlat_nexthop_walk(x, nh_visit, &m);
	if (!m.found)
		return false;
	if (rule != NULL)
		*rule = m.rule;
	if (nh != NULL)
		*nh = m.nh;
	return true;
}

struct eam_overlap {
	const struct prefix *p;
	bool found;
};

static void
eam_visit(const struct prefix *v4, const struct prefix *v6, void *arg)
{
	struct eam_overlap *o = arg;
	(void)v4;
	if (prefix_contains(v6, o->p) || prefix_contains(o->p, v6))
		o->found = true;
}

bool
ctl_xlat_eam6_overlaps(const struct xlat *x, const struct prefix *p)
{
	struct eam_overlap o = {p, false};
	xlat_eam_walk(x, eam_visit, &o);
	return o.found;
}
