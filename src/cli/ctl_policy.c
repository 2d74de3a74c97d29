/*
 * Policies at a glance: the per-rule counters of the running config's policies, for show
 * summary ("policies") and /metrics (bgp64d_policy_rule_hits_total). What a counter counts
 * depends on where the policy applies (bgp64d.json(5) POLICIES): prefixes evaluated on import,
 * best-path changes evaluated for translation, prefixes evaluated per update group on export.
 */
#include <event2/buffer.h>

#include "cli/ctl_impl.h"
#include "policy/policy.h"
#include "rde/rde.h"

void
ctl_render_policies(struct ctl_jw *w, struct rde *r)
{
	const struct policy_db *db = rde_cfg(r)->pol;
	const uint64_t *hits = rde_policy_hits(r);
	ctl_jw_arr_open(w, "policies");
	for (size_t i = 0; db != NULL && i < db->n_pols; i++) {
		const struct policy *p = &db->pols[i];
		ctl_jw_obj_open(w, NULL);
		ctl_jw_str(w, "name", p->name);
		ctl_jw_arr_open(w, "rules");
		for (size_t k = 0; k < p->n_rules; k++) {
			const struct policy_rule *pr = &p->rules[k];
			ctl_jw_obj_open(w, NULL);
			ctl_jw_u64(w, "index", k);
			if (pr->name != NULL)
				ctl_jw_str(w, "name", pr->name);
			else
				ctl_jw_null(w, "name");
			ctl_jw_str(w, "action", pr->accept ? "accept" : "reject");
			ctl_jw_u64(w, "hits", hits[pr->id]);
			ctl_jw_obj_close(w);
		}
		ctl_jw_arr_close(w);
		ctl_jw_obj_open(w, "default");
		ctl_jw_str(w, "action", p->default_accept ? "accept" : "reject");
		ctl_jw_u64(w, "hits", hits[p->default_id]);
		ctl_jw_obj_close(w);
		ctl_jw_obj_close(w);
	}
	ctl_jw_arr_close(w);
}

void
ctl_metrics_policies(struct evbuffer *b, struct rde *r)
{
	const struct policy_db *db = rde_cfg(r)->pol;
	const uint64_t *hits = rde_policy_hits(r);
	if (db == NULL || db->n_pols == 0)
		return;
	evbuffer_add_printf(b, "# HELP bgp64d_policy_rule_hits_total routes decided by the rule "
			       "(rule \"default\": by no rule)\n"
			       "# TYPE bgp64d_policy_rule_hits_total counter\n");
	for (size_t i = 0; i < db->n_pols; i++) {
		const struct policy *p = &db->pols[i];
		for (size_t k = 0; k < p->n_rules; k++)
			evbuffer_add_printf(
			    b, "bgp64d_policy_rule_hits_total{policy=\"%s\",rule=\"%zu\"} %llu\n",
			    p->name, k, (unsigned long long)hits[p->rules[k].id]);
		evbuffer_add_printf(
		    b, "bgp64d_policy_rule_hits_total{policy=\"%s\",rule=\"default\"} %llu\n",
		    p->name, (unsigned long long)hits[p->default_id]);
	}
}
