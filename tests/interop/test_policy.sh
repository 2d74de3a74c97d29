#!/usr/bin/env bash
# Export and import policy with scripted eBGP speakers (issues 3 and 4):
#  - a neighbor's "ipv6-next-hop" is the translated next hop when the next-hop table has no
#    match for its IPv4 next hop;
#  - more-specifics of the well-known prefix 64:ff9b::/96 are not sent to an eBGP neighbor
#    (RFC 6052 3.1) unless it sets "allow-wkp-specifics", and the blocks are counted;
#  - an unknown optional transitive attribute of the IPv4 path is not copied into the
#    translated route ("copy-unknown-attributes" false);
#  - "max-prefixes" closes the session with Cease/Maximum Number of Prefixes Reached (6/1) and
#    the neighbor's routes are withdrawn from the others.
. "$(dirname "$0")/lib.sh"
need_bgp64d

step "topology: s1 (speaker, AS 64601) --- d (bgp64d) --- s2 (speaker, AS 64602)"
ns_add d s1 s2
link d s1 1
link d s2 2
cat >"$(b64_conf d)" <<EOF
{
  "router-id": "10.0.1.1", "local-as": 64500,
  "listen": [{"address": "10.0.1.1"}, {"address": "10.0.2.1"}],
  "translation": {"prefix": "64:ff9b::/96",
    "next-hops": [{"ipv4": "10.0.1.200/32", "ipv6": "fd00:1::99"}], "eor-wait": 2},
  "neighbors": [
    $(nbr_json 10.0.1.2 64601 9 ipv4-import,ipv6-export '"ipv6-next-hop": "fd00:1::64", "max-prefixes": 5'),
    $(nbr_json 10.0.2.2 64602 9 ipv6-export '"allow-wkp-specifics": true')
  ],
  "control": {"socket": "$(b64_sock d)"}
}
EOF
b64_start d d
link_speaker sp1 s1 1 64601 --ipv6
link_speaker sp2 s2 2 64602 --ipv6
wait_for 20 "s1: established" speaker_has sp1 '^established'
wait_for 20 "s2: established" speaker_has sp2 '^established'

step "s1 announces 4 prefixes, one with an unknown transitive attribute (type 200)"
speaker_cmd sp1 "announce 1.1.1.0/24,8.8.8.0/24,9.9.9.0/24 med=1"
speaker_cmd sp1 "announce 4.4.4.0/24 attr=0xc0:200:abcdef"
speaker_cmd sp1 "eor"
X4=$(xlat96 64:ff9b::/96 4.4.4.0/24)
wait_for 20 "s2 (allow-wkp-specifics): receives the translations" \
	speaker_has sp2 "mp_reach=\[[^]]*$X4"
assert_line "s2: next hop is s1's ipv6-next-hop (no table match for 10.0.1.2)" \
	"mp_reach=\[[^]]*$X4.*mp_nh=\[fd00:1::64\]" "$(speaker_events sp2 '^update-received')"
s2_types=$(speaker_events sp2 "mp_reach=\[[^]]*$X4" | sed 's/.*types=\[\([^]]*\)\].*/\1/')
assert_eq "s2: attribute types of the translated route (no type 200)" "14,1,2" "$s2_types"
wait_for 10 "s1: End-of-RIB for IPv6" speaker_has sp1 'update-received.*eor=2/1'
assert_eq "s1 (eBGP, no allow-wkp-specifics): no WKP more-specific received" no \
	"$(speaker_has sp1 'mp_reach=\[64:ff9b' && echo yes || echo no)"
summary() { ctl d show summary | jget "$1"; }
wait_eq 10 "show summary: blocked WKP more-specifics counted" yes \
	summary "'yes' if j['summary']['stats']['wkp_specifics_blocked'] >= 4 else 'no'"

step "max-prefixes 5: the sixth prefix closes the session with 6/1"
speaker_cmd sp1 "announce 5.5.5.0/24,6.6.6.0/24"
wait_for 15 "s1: NOTIFICATION 6/1 received" speaker_has sp1 '^notification-received 6/1'
wait_eq 15 "bgp64d: IPv4 RIB emptied" "" rib d ipv4 "prefixes()"
X1=$(xlat96 64:ff9b::/96 1.1.1.0/24)
wait_for 15 "s2: the translations are withdrawn" speaker_has sp2 "mp_unreach=\[[^]]*$X1"
log_has d 'max-prefixes' || fail "bgp64d: max-prefix event not logged"
pass "bgp64d logged the max-prefix event"
