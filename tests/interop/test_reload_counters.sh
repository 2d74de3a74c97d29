#!/usr/bin/env bash
# Untranslated-path counters across reloads (issue 7): the count of IPv4 best paths left
# untranslated for want of an IPv6 next hop (show summary stats.no_next_hop, show nexthops
# untranslated_paths and its per-next-hop "unknown" list) must stay exact when a neighbor with
# "ipv6-next-hop" is removed from the configuration.
#
#   s1 (speaker 10.0.1.2, AS 64601, "ipv6-next-hop": fd00:1::64) --- d (bgp64d) --- s2 (10.0.2.2)
#
# The next-hop table matches neither 10.0.1.2 nor 10.0.2.2 (unknown-next-hop reject):
#   s1's routes are translated with its ipv6-next-hop (not counted);
#   s2's routes (next hop 10.0.2.2, no ipv6-next-hop) are untranslated and counted;
#   8.8.8.0/24 comes from both, s1's path is the best one (shorter AS path).
# Removing s1 (reload) flushes its routes: 8.8.8.0/24's best path moves to s2 and becomes
# untranslated too, so the count goes from 2 to exactly 3 - and stays 3 after a reload with an
# identical file and after one that changes the translation (every prefix re-derived).
# Bug (issue 7): the flush of a removed neighbor's paths ran after its configuration was gone,
# so its translated paths were "un-counted" as if they had been untranslated: no_next_hop
# went below zero (a huge unsigned number) and the per-next-hop list got a bogus entry.
. "$(dirname "$0")/lib.sh"
need_bgp64d

step "topology: s1 (speaker, ipv6-next-hop) --- d (bgp64d) --- s2 (speaker, no ipv6-next-hop)"
ns_add d s1 s2
link d s1 1
link d s2 2

# write_conf WITH-S1 [EXTRA-NEXT-HOP-RULE]
write_conf() {
	local s1="" extra=""
	[ "$1" = yes ] && s1="$(nbr_json 10.0.1.2 64601 9 ipv4-import '"ipv6-next-hop": "fd00:1::64"'),"
	[ -n "${2:-}" ] && extra=", $2"
	cat >"$(b64_conf d)" <<EOF
{
  "router-id": "10.0.1.1", "local-as": 64500,
  "listen": [{"address": "10.0.1.1"}, {"address": "10.0.2.1"}],
  "translation": {"prefix": "64:ff9b::/96",
    "next-hops": [{"ipv4": "10.0.9.0/24", "ipv6": "fd00:9::1"}$extra],
    "unknown-next-hop": "reject", "eor-wait": 2},
  "neighbors": [
    $s1
    $(nbr_json 10.0.2.2 64602 9 ipv4-import,ipv6-export '"allow-wkp-specifics": true')
  ],
  "fib": {"enabled": false},
  "control": {"socket": "$(b64_sock d)"}
}
EOF
}
write_conf yes
b64_start d d
link_speaker sp1 s1 1 64601 --ipv6
link_speaker sp2 s2 2 64602 --ipv6
wait_for 20 "s1: established" speaker_has sp1 '^established'
wait_for 20 "s2: established" speaker_has sp2 '^established'

step "s1: 1.1.1-3.0/24 and 8.8.8.0/24 (AS path 64601); s2: 2.2.1-2.0/24 and 8.8.8.0/24 (longer path)"
speaker_cmd sp1 "announce 1.1.1.0/24,1.1.2.0/24,1.1.3.0/24,8.8.8.0/24"
speaker_cmd sp1 "eor"
speaker_cmd sp2 "announce 2.2.1.0/24,2.2.2.0/24"
speaker_cmd sp2 "announce 8.8.8.0/24 aspath=64602,64999,64998"
speaker_cmd sp2 "eor"
wait_eq 20 "bgp64d: IPv4 RIB" "1.1.1.0/24 1.1.2.0/24 1.1.3.0/24 2.2.1.0/24 2.2.2.0/24 8.8.8.0/24" \
	rib d ipv4 "prefixes()"
assert_eq "8.8.8.0/24: best path from s1" 10.0.1.2 "$(rib d ipv4 "best('8.8.8.0/24')['neighbor']")"

# counters: "no_next_hop untranslated_paths unknown-list" in one line
counters() {
	local s n
	s=$(ctl d show summary | jget "j['summary']['stats']['no_next_hop']") || return 1
	n=$(ctl d show nexthops | jget "'%s %s' % (j['nexthops']['untranslated_paths'],
		words('%s=%s' % (u['next_hop'], u['paths']) for u in j['nexthops']['unknown']))") ||
		return 1
	printf '%s %s\n' "$s" "$n"
}
wait_eq 10 "counters (no_next_hop, untranslated_paths, unknown next hops)" "2 2 10.0.2.2=2" counters
X1=$(xlat96 64:ff9b::/96 1.1.1.0/24)
X8=$(xlat96 64:ff9b::/96 8.8.8.0/24)
wait_for 10 "s2: receives 8.8.8.0/24 translated with s1's ipv6-next-hop" \
	speaker_has sp2 "mp_reach=\[[^]]*$X8.*mp_nh=\[fd00:1::64\]"
assert_line "s2: receives 1.1.1.0/24 translated with s1's ipv6-next-hop" \
	"mp_reach=\[[^]]*$X1.*mp_nh=\[fd00:1::64\]" "$(speaker_events sp2 '^update-received')"

step "reload without s1: its routes are flushed, 8.8.8.0/24 falls back to s2 (untranslated)"
write_conf no
ctl d reload >"$T/reload1.out" 2>&1 || fail "bgp64ctl reload: $(cat "$T/reload1.out")"
wait_for 15 "s1: NOTIFICATION 6/3 (Peer De-configured)" speaker_has sp1 '^notification-received 6/3'
wait_eq 15 "bgp64d: IPv4 RIB" "2.2.1.0/24 2.2.2.0/24 8.8.8.0/24" rib d ipv4 "prefixes()"
wait_for 15 "s2: 8.8.8.0/24's translation withdrawn" speaker_has sp2 "mp_unreach=\[[^]]*$X8"
wait_eq 10 "counters after the removal" "3 3 10.0.2.2=3" counters
stays_eq 3 "counters after the removal" "3 3 10.0.2.2=3" counters

step "reload with an identical file: counters unchanged"
ctl d reload >"$T/reload2.out" 2>&1 || fail "bgp64ctl reload: $(cat "$T/reload2.out")"
stays_eq 2 "counters after an identical reload" "3 3 10.0.2.2=3" counters

step "reload with a changed translation (every prefix re-derived): counters unchanged"
write_conf no '{"ipv4": "10.0.8.0/24", "ipv6": "fd00:8::1"}'
ctl d reload >"$T/reload3.out" 2>&1 || fail "bgp64ctl reload: $(cat "$T/reload3.out")"
stays_eq 2 "counters after a translation reload" "3 3 10.0.2.2=3" counters

step "s2 withdraws 2.2.1.0/24, then announces it with a next hop the table maps"
speaker_cmd sp2 "withdraw 2.2.1.0/24"
wait_eq 10 "counters after a withdrawal" "2 2 10.0.2.2=2" counters
speaker_cmd sp2 "announce 2.2.1.0/24 nh=10.0.8.5"
wait_eq 10 "bgp64d: 2.2.1.0/24 back" yes rib d ipv4 "has('2.2.1.0/24')"
stays_eq 2 "counters (a mapped next hop is not counted)" "2 2 10.0.2.2=2" counters
assert_eq "s2: Established throughout" Established "$(nbr_state d 10.0.2.2)"
alive d || fail "bgp64d died"
