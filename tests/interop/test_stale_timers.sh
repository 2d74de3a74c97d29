#!/usr/bin/env bash
# The receiving side's two refresh timers, configured per neighbor and changed by a reload
# without a session reset (issue 7 item 5):
#   (a) graceful restart (RFC 4724 4.2): a peer restarts, re-sends part of its routes and never
#       sends End-of-RIB: its stale routes are removed when graceful-restart.stale-time runs out
#       (counted from the session's return, not from the restart), not before; the re-sent
#       ones stay;
#   (b) enhanced route refresh (RFC 7313): a peer sends BoRR, re-sends part, no EoRR: the rest
#       is removed when eorr-time runs out, not before; the re-sent ones stay.
. "$(dirname "$0")/lib.sh"
need_bgp64d

STALE=4 # seconds, both timers
step "topology: g (10.0.1.2, GR) --- d (bgp64d) --- e (10.0.2.2, enhanced route refresh)"
ns_add d g e
link d g 1
link d e 2
conf() { # conf GR_OBJECT_EXTRA EORR_KEY
	cat >"$(b64_conf d)" <<EOF
{
  "router-id": "10.0.1.1", "local-as": 64500,
  "listen": [{"address": "10.0.1.1"}, {"address": "10.0.2.1"}],
  "translation": {"prefix": "2001:db8:64::/96"},
  "neighbors": [
    {"address": "10.0.1.2", "remote-as": 64601, "passive": true, "hold-time": 9,
     "graceful-restart": {"enabled": true$1},
     "families": {"ipv4": {"import": true, "export": false}, "ipv6": {"import": false, "export": false}}},
    {"address": "10.0.2.2", "remote-as": 64602, "passive": true, "hold-time": 9$2,
     "families": {"ipv4": {"import": true, "export": false}, "ipv6": {"import": false, "export": false}}}
  ],
  "fib": {"enabled": false},
  "control": {"socket": "$(b64_sock d)"}
}
EOF
}
conf "" ""
b64_start d d
link_speaker g g 1 64601 --graceful-restart 120
link_speaker e e 2 64602 --enhanced-refresh
for x in g e; do wait_for 20 "speaker $x: session established" speaker_has "$x" '^established'; done
speaker_cmd g "announce 10.91.1.0/24,10.91.2.0/24,10.91.3.0/24"
speaker_cmd g "eor"
speaker_cmd e "announce 10.92.1.0/24,10.92.2.0/24,10.92.3.0/24"
speaker_cmd e "eor"
pfx() { rib d ipv4 "prefixes()"; }
wait_eq 10 "bgp64d: routes of g and e" \
	"10.91.1.0/24 10.91.2.0/24 10.91.3.0/24 10.92.1.0/24 10.92.2.0/24 10.92.3.0/24" pfx

step "reload: graceful-restart.stale-time and eorr-time $STALE s (default 360), no session reset"
conf ", \"stale-time\": $STALE" ", \"eorr-time\": $STALE"
ctl d reload >/dev/null || fail "reload refused"
wait_for 5 "bgp64d: the new timers taken over" log_has d "10.0.1.2.*stale time $STALE s"
sleep 1
for x in g e; do
	assert_eq "speaker $x: still the first session" 1 "$(speaker_events "$x" '^established' | wc -l)"
	speaker_has "$x" '^closed|^notification' && fail "speaker $x: session closed by the reload"
done
assert_eq "bgp64d: neighbor 10.0.1.2" Established "$(nbr_state d 10.0.1.2)"

step "(a) g restarts (TCP closed, no NOTIFICATION), re-sends 10.91.1.0/24, no End-of-RIB"
speaker_cmd g "close"
wait_for 10 "bgp64d: g down" nbr_down d 10.0.1.2
assert_eq "bgp64d: g's routes kept, stale" "10.91.1.0/24:True 10.91.2.0/24:True 10.91.3.0/24:True" \
	"$(rib d ipv4 "' '.join('%s:%s' % (r['prefix'], best(r['prefix']).get('stale')) for r in routes() if r['prefix'].startswith('10.91.'))")"
# 2 s down: a stale timer counted from the restart would run out during the check below
sleep 3
link_speaker g2 g 1 64601 --graceful-restart 120 --restarted
wait_for 20 "speaker g (restarted): session established" speaker_has g2 '^established'
speaker_cmd g2 "announce 10.91.1.0/24 med=7"
t0=$SECONDS
stays_eq $((STALE - 2)) "bgp64d: stale routes kept while the stale timer runs" \
	"10.91.1.0/24 10.91.2.0/24 10.91.3.0/24" eval "rib d ipv4 \"words(r['prefix'] for r in routes() if r['prefix'].startswith('10.91.'))\""
wait_eq $((STALE + 6)) "bgp64d: g's routes once the stale timer ran out" "10.91.1.0/24" \
	eval "rib d ipv4 \"words(r['prefix'] for r in routes() if r['prefix'].startswith('10.91.'))\""
dt=$((SECONDS - t0))
[ "$dt" -ge $((STALE - 1)) ] || fail "stale routes swept after ${dt}s, before the stale time ($STALE s)"
pass "swept after ${dt}s (stale time $STALE s)"
assert_eq "bgp64d: the re-sent route, fresh, new MED" "7 False" \
	"$(rib d ipv4 "'%s %s' % (best('10.91.1.0/24')['med'], best('10.91.1.0/24').get('stale', False))")"
log_has d "no End-of-RIB within $STALE s" || fail "no log line for the stale sweep"
pass "logged: no End-of-RIB within $STALE s"
assert_eq "bgp64d: neighbor 10.0.1.2" Established "$(nbr_state d 10.0.1.2)"

step "(b) e sends BoRR, re-sends 10.92.1.0/24, no EoRR"
speaker_cmd e "borr"
speaker_cmd e "announce 10.92.1.0/24 med=9"
t0=$SECONDS
stays_eq $((STALE - 2)) "bgp64d: e's routes kept while the EoRR timer runs" \
	"10.92.1.0/24 10.92.2.0/24 10.92.3.0/24" eval "rib d ipv4 \"words(r['prefix'] for r in routes() if r['prefix'].startswith('10.92.'))\""
wait_eq $((STALE + 6)) "bgp64d: e's routes once the EoRR timer ran out" "10.92.1.0/24" \
	eval "rib d ipv4 \"words(r['prefix'] for r in routes() if r['prefix'].startswith('10.92.'))\""
dt=$((SECONDS - t0))
[ "$dt" -ge $((STALE - 1)) ] || fail "routes removed after ${dt}s, before the EoRR time ($STALE s)"
pass "removed after ${dt}s (EoRR time $STALE s)"
assert_eq "bgp64d: the re-sent route, new MED" 9 "$(rib d ipv4 "best('10.92.1.0/24')['med']")"
log_has d "no EoRR within $STALE s" || fail "no log line for the EoRR timeout"
pass "logged: no EoRR within $STALE s"
assert_eq "bgp64d: neighbor 10.0.2.2" Established "$(nbr_state d 10.0.2.2)"
