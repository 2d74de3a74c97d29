#!/usr/bin/env bash
# RFC 7606 against a live session (issue 3, "Done when"): a test speaker (speaker.py) sends
# malformed attributes to bgp64d.
#
#   ORIGIN value 5, MED of 2 octets, COMMUNITIES of 3 octets  -> treat-as-withdraw: the prefixes of
#       that UPDATE are withdrawn (or never installed), the others stay, the session stays up
#       and the speaker receives no NOTIFICATION
#   AGGREGATOR of 4 octets (4-octet AS session)              -> attribute discard: route installed
#   NLRI with prefix length 33                               -> session reset, NOTIFICATION 3/10
. "$(dirname "$0")/lib.sh"
need_bgp64d

step "topology: d (bgp64d 10.0.1.1) --- s (speaker 10.0.1.2, AS 64601)"
ns_add d s
link d s 1

cat >"$(b64_conf d)" <<EOF
{
  "router-id": "10.0.1.1",
  "local-as": 64500,
  "listen": [{"address": "10.0.1.1"}],
  "translation": {"prefix": "2001:db8:64::/96"},
  "neighbors": [
    {"address": "10.0.1.2", "remote-as": 64601, "passive": true, "hold-time": 9,
     "families": {"ipv4": {"import": true, "export": false}, "ipv6": {"import": false, "export": false}}}
  ],
  "fib": {"enabled": false},
  "control": {"socket": "$(b64_sock d)"}
}
EOF
b64_start d d
speaker_start spk s --connect 10.0.1.1 --as 64601 --peer-as 64500 --id 10.0.1.2 --nexthop 10.0.1.2

step "session"
wait_for 20 "speaker: session established" speaker_has spk '^established'
wait_eq 10 "bgp64d: neighbor 10.0.1.2" Established nbr_state d 10.0.1.2
say "speaker: $(speaker_events spk '^open-received')"
assert_match "bgp64d's OPEN: AS 64500, 4-octet AS capability" 'as=64500 .*caps=([0-9]+,)*65(,|$)' \
	"$(speaker_events spk '^open-received')"

no_notification() { ! speaker_has spk '^notification-received|^closed'; }
rib_set() { rib d ipv4 "prefixes()"; }

step "well-formed announcements"
speaker_cmd spk "announce 10.40.1.0/24,10.40.2.0/24,10.40.3.0/24 med=5 comm=64601:1 lcomm=64601:1:1"
wait_eq 10 "RIB" "10.40.1.0/24 10.40.2.0/24 10.40.3.0/24" rib_set
assert_eq "10.40.1.0/24 attributes" \
	"as_path=64601 next_hop=10.0.1.2 med=5 communities=64601:1 large_communities=64601:1:1" \
	"$(rib d ipv4 "summ('10.40.1.0/24','as_path','next_hop','med','communities','large_communities')")"

step "ORIGIN 5 for 10.40.2.0/24 (known) and 10.40.4.0/24 (new): treat-as-withdraw"
speaker_cmd spk "announce 10.40.2.0/24,10.40.4.0/24 origin=5"
wait_eq 10 "RIB" "10.40.1.0/24 10.40.3.0/24" rib_set
stays_eq 2 "bgp64d: neighbor 10.0.1.2 after a malformed ORIGIN" Established nbr_state d 10.0.1.2
no_notification || fail "speaker received a NOTIFICATION or lost the session: $(speaker_events spk '^notification|^closed')"
pass "speaker: no NOTIFICATION, connection open"

step "MED of 2 octets for 10.40.3.0/24 and 10.40.5.0/24: treat-as-withdraw"
speaker_cmd spk "announce 10.40.3.0/24,10.40.5.0/24 med=7 medlen=2"
wait_eq 10 "RIB" "10.40.1.0/24" rib_set
stays_eq 2 "bgp64d: neighbor 10.0.1.2 after a malformed MED" Established nbr_state d 10.0.1.2

step "a correct UPDATE re-announces 10.40.2.0/24"
speaker_cmd spk "announce 10.40.2.0/24 med=6"
wait_eq 10 "RIB" "10.40.1.0/24 10.40.2.0/24" rib_set
assert_eq "10.40.2.0/24 MED" "med=6" "$(rib d ipv4 "summ('10.40.2.0/24','med')")"

step "COMMUNITIES of 3 octets for 10.40.2.0/24: treat-as-withdraw"
speaker_cmd spk "announce 10.40.2.0/24 attr=0xc0:8:fde901"
wait_eq 10 "RIB" "10.40.1.0/24" rib_set

step "AGGREGATOR of 4 octets for 10.40.6.0/24: attribute discard, route installed"
speaker_cmd spk "announce 10.40.6.0/24 med=9 attr=0xc0:7:0a000102"
wait_eq 10 "RIB" "10.40.1.0/24 10.40.6.0/24" rib_set
assert_eq "10.40.6.0/24 installed without the AGGREGATOR" "med=9 aggregator=-" \
	"$(rib d ipv4 "summ('10.40.6.0/24','med','aggregator')")"
stays_eq 2 "bgp64d: neighbor 10.0.1.2" Established nbr_state d 10.0.1.2
no_notification || fail "speaker received a NOTIFICATION or lost the session: $(speaker_events spk '^notification|^closed')"
pass "speaker: no NOTIFICATION through the RFC 7606 cases"
say "bgp64d neighbor counters: $(ctl d show neighbors 10.0.1.2 | jget "nbr('10.0.1.2').get('stats')")"
assert_eq "treat-as-withdraw counted (3 UPDATEs)" 3 \
	"$(ctl d show neighbors 10.0.1.2 | jget "nbr('10.0.1.2')['stats']['treat_as_withdraw']")"

step "NLRI with prefix length 33: session reset with NOTIFICATION 3/10"
speaker_cmd spk "announce 10.40.7.0/24 nlri-hex=210a28080000"
wait_for 10 "speaker received NOTIFICATION 3/10 (Invalid Network Field)" \
	speaker_has spk '^notification-received 3/10 '
wait_for 10 "speaker: connection closed" speaker_has spk '^closed'
wait_for 10 "bgp64d: neighbor 10.0.1.2 down" nbr_down d 10.0.1.2
wait_eq 10 "RIB flushed with the session" 0 rib d ipv4 "count()"
say "bgp64d last error: $(ctl d show neighbors 10.0.1.2 | jget "nbr('10.0.1.2').get('last_error')")"
alive d || fail "bgp64d died"
stop d
