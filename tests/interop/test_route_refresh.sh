#!/usr/bin/env bash
# Enhanced route refresh as a receiver (RFC 7313; issue 3 item 2): a peer re-sends its table
# between a BoRR and an EoRR; at the EoRR bgp64d removes what was not re-sent and keeps the rest.
# BIRD does exactly this on every `birdc configure` that changes an export filter, so a border
# that is reconfigured depends on it. speaker.py plays the peer:
#   round 1: BoRR, UPDATEs, EoRR in separate segments, half a second apart
#   round 2: the same in one TCP segment (TCP_CORK), as a fast peer sends it
# In both rounds: the prefixes re-sent (changed or identical) stay with their new attributes,
# the prefix not re-sent is removed, the session stays up.
. "$(dirname "$0")/lib.sh"
need_bgp64d

step "topology: d (bgp64d 10.0.1.1) --- s (speaker 10.0.1.2, AS 64601, enhanced route refresh)"
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
speaker_start spk s --connect 10.0.1.1 --as 64601 --peer-as 64500 --id 10.0.1.2 \
	--nexthop 10.0.1.2 --enhanced-refresh
wait_for 20 "speaker: session established" speaker_has spk '^established'
wait_eq 10 "bgp64d: neighbor 10.0.1.2" Established nbr_state d 10.0.1.2
assert_eq "bgp64d: enhanced route refresh negotiated" true \
	"$(ctl d show neighbors 10.0.1.2 | jget "nbr('10.0.1.2')['capabilities']['enhanced_route_refresh']")"

meds() { rib d ipv4 "words(r['prefix']+':'+str(best(r['prefix'])['med']) for r in routes())"; }

step "initial table"
speaker_cmd spk "announce 10.90.1.0/24,10.90.2.0/24,10.90.3.0/24,10.90.4.0/24,10.90.5.0/24 med=1"
speaker_cmd spk "eor"
wait_eq 10 "RIB" "10.90.1.0/24:1 10.90.2.0/24:1 10.90.3.0/24:1 10.90.4.0/24:1 10.90.5.0/24:1" meds

step "round 1: BoRR ... EoRR, half a second apart"
speaker_cmd spk "borr"
speaker_cmd spk "sleep 0.5"
speaker_cmd spk "announce 10.90.1.0/24,10.90.2.0/24 med=2"
speaker_cmd spk "announce 10.90.3.0/24,10.90.4.0/24 med=1"
speaker_cmd spk "sleep 0.5"
speaker_cmd spk "eorr"
wait_eq 10 "RIB after the EoRR (10.90.5.0/24 not re-sent)" \
	"10.90.1.0/24:2 10.90.2.0/24:2 10.90.3.0/24:1 10.90.4.0/24:1" meds
stays_eq 2 "RIB" "10.90.1.0/24:2 10.90.2.0/24:2 10.90.3.0/24:1 10.90.4.0/24:1" meds

step "round 2: BoRR, UPDATEs and EoRR in one TCP segment"
speaker_cmd spk "cork"
speaker_cmd spk "borr"
speaker_cmd spk "announce 10.90.1.0/24,10.90.2.0/24 med=3"
speaker_cmd spk "announce 10.90.3.0/24 med=1"
speaker_cmd spk "eorr"
speaker_cmd spk "uncork"
wait_eq 10 "RIB after the EoRR (10.90.4.0/24 not re-sent)" \
	"10.90.1.0/24:3 10.90.2.0/24:3 10.90.3.0/24:1" meds
stays_eq 2 "RIB" "10.90.1.0/24:3 10.90.2.0/24:3 10.90.3.0/24:1" meds
assert_eq "bgp64d: neighbor 10.0.1.2" Established "$(nbr_state d 10.0.1.2)"
assert_eq "speaker: no NOTIFICATION, connection open" no \
	"$(speaker_has spk '^notification-received|^closed' && echo yes || echo no)"
alive d || fail "bgp64d died"
stop d
