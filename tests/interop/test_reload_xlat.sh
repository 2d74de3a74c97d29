#!/usr/bin/env bash
# Reload that moves the translation prefix (issue 7): every IPv6 route derived under the old
# prefix is withdrawn from every update group (through pathless IPv6 nodes of the RIB that each
# export reads once, not a withdrawal list per group) and the routes under the new prefix are
# announced; the session stays up. Two receivers in different update groups (one with an
# RFC 2545 link-local next hop), and a receiver that joins after the reload gets only the new
# routes.
. "$(dirname "$0")/lib.sh"
need_bgp64d

step "topology: s1 (source, AS 64601) --- d (bgp64d) --- r2, r3 (receivers, AS 64500)"
ns_add d s1 r2 r3
link d s1 1
link d r2 2
link d r3 3
conf() { # translation prefix
	cat >"$(b64_conf d)" <<JSON
{
  "router-id": "10.0.1.1", "local-as": 64500,
  "listen": [{"address": "10.0.1.1"}, {"address": "10.0.2.1"}, {"address": "10.0.3.1"}],
  "translation": {"prefix": "$1",
    "next-hops": [{"ipv4": "10.0.1.2/32", "ipv6": "fd00:1::99"}], "eor-wait": 2},
  "neighbors": [
    $(nbr_json 10.0.1.2 64601 9 ipv4-import),
    $(rr_client 10.0.2.2 9 ipv6-export),
    $(rr_client 10.0.3.2 9 ipv6-export '"ipv6-link-local-next-hop": "fe80::3"')
  ],
  "control": {"socket": "$(b64_sock d)"}
}
JSON
}
OLD=2001:db8:64::/96
NEW=2001:db8:65::/96
conf $OLD
b64_start d d
link_speaker sp1 s1 1 64601 --ipv6
link_speaker sp2 r2 2 64500 --ipv6
for s in sp1 sp2; do wait_for 20 "$s: established" speaker_has $s '^established'; done

step "s1 announces 3 prefixes; r2 gets them under $OLD"
speaker_cmd sp1 "announce 192.0.2.0/24,198.51.100.0/24,203.0.113.0/24"
speaker_cmd sp1 "eor"
for p in 192.0.2.0/24 198.51.100.0/24 203.0.113.0/24; do
	x=$(xlat96 $OLD $p)
	wait_for 20 "r2: $x announced" speaker_has sp2 "mp_reach=\[[^]]*$x"
done
link_speaker sp3 r3 3 64500 --ipv6
wait_for 20 "sp3: established" speaker_has sp3 '^established'
x=$(xlat96 $OLD 198.51.100.0/24)
wait_for 20 "r3 (its own update group): $x announced" speaker_has sp3 "mp_reach=\[[^]]*$x"

step "reload with the translation prefix $NEW"
conf $NEW
ctl d reload >/dev/null || fail "bgp64ctl reload failed"
for p in 192.0.2.0/24 198.51.100.0/24 203.0.113.0/24; do
	o=$(xlat96 $OLD $p) n=$(xlat96 $NEW $p)
	for s in sp2 sp3; do
		wait_for 20 "$s: $o withdrawn" speaker_has $s "mp_unreach=\[[^]]*$o"
		wait_for 20 "$s: $n announced" speaker_has $s "mp_reach=\[[^]]*$n"
	done
done
assert_eq "r2: session not reset" 1 "$(speaker_events sp2 '^established' | wc -l)"
wait_eq 20 "bgp64d: the pathless IPv6 nodes are deleted once sent" 0 \
	eval "ctl d show summary | jget \"j['summary']['prefixes']['ipv6']\""
log_has d 'IPv6 prefixes withdrawn' || fail "bgp64d: reload log line missing"
pass "the reload log line counts the withdrawals"

step "a receiver that connects now gets only the new routes"
speaker_cmd sp3 "close"
wait_for 20 "d: r3 down" nbr_down d 10.0.3.2
rm -f "$T/sp3.events"
link_speaker sp3 r3 3 64500 --ipv6
wait_for 20 "sp3: established again" speaker_has sp3 '^established'
n=$(xlat96 $NEW 203.0.113.0/24)
wait_for 20 "r3: $n announced" speaker_has sp3 "mp_reach=\[[^]]*$n"
assert_eq "r3: nothing under the old prefix" no \
	"$(speaker_has sp3 'reach=\[[^]]*2001:db8:64:' && echo yes || echo no)"
