#!/usr/bin/env bash
# Route refresh, sending side (RFC 2918 / RFC 7313): a peer asks for the IPv6 table again;
# bgp64d re-sends it, wrapped in BoRR ... EoRR when enhanced route refresh was negotiated, and
# with no second End-of-RIB. The peer is a scripted speaker (speaker.py) sending IPv4 routes
# and receiving their translations back.
. "$(dirname "$0")/lib.sh"
need_bgp64d

step "topology: d (bgp64d 10.0.1.1) --- s (speaker 10.0.1.2, AS 64601, enhanced route refresh)"
ns_add d s
link d s 1
cat >"$(b64_conf d)" <<EOF
{
  "router-id": "10.0.1.1", "local-as": 64500,
  "listen": [{"address": "10.0.1.1"}],
  "translation": {"prefix": "2001:db8:64::/96",
    "next-hops": [{"ipv4": "10.0.1.2/32", "ipv6": "fd00:1::64"}], "eor-wait": 5},
  "neighbors": [
    {"address": "10.0.1.2", "remote-as": 64601, "passive": true, "hold-time": 9,
     "families": {"ipv4": {"import": true, "export": false}, "ipv6": {"import": false, "export": true}}}
  ],
  "control": {"socket": "$(b64_sock d)"}
}
EOF
b64_start d d
speaker_start spk s --connect 10.0.1.1 --as 64601 --peer-as 64500 --id 10.0.1.2 \
	--nexthop 10.0.1.2 --enhanced-refresh --ipv6
wait_for 20 "speaker: session established" speaker_has spk '^established'
speaker_cmd spk "announce 10.90.1.0/24,10.90.2.0/24 med=1"
speaker_cmd spk "eor"
wait_for 20 "speaker: translated routes received" speaker_has spk 'mp_reach=\[[^]]*2001:db8:64::a5a:100/120'
wait_for 20 "speaker: End-of-RIB for IPv6 received" speaker_has spk 'update-received.*eor.*2'
n_before=$(speaker_events spk '^update-received' | wc -l)

step "the speaker asks for the IPv6 table again"
speaker_cmd spk "raw 5 00020001"
wait_for 10 "speaker: BoRR for IPv6" speaker_has spk '^route-refresh-received 00020101$'
wait_for 10 "speaker: EoRR for IPv6" speaker_has spk '^route-refresh-received 00020201$'
order=$(speaker_events spk '^route-refresh-received|^update-received' | tail -n +"$((n_before + 1))" |
	awk '/00020101/ {print "BoRR"} /00020201/ {print "EoRR"} /^update-received/ && /2001:db8:64::a5a:/ {print "routes"}' |
	uniq | xargs)
assert_eq "order after the request" "BoRR routes EoRR" "$order"
eors=$(speaker_events spk 'update-received.*eor' | wc -l)
assert_eq "no second End-of-RIB after the refresh" 2 "$eors"
assert_eq "bgp64d: neighbor 10.0.1.2" Established "$(nbr_state d 10.0.1.2)"
