#!/usr/bin/env bash
# RFC 4271 5.1.3: a route bgp64d originates (a translation) is not advertised to a peer with an
# address of that peer as NEXT_HOP. Two IPv6 receivers in one update group; the translated next
# hop of one prefix is the session address of receiver r: r does not get it, q gets everything
# with the same next hops. Adj-out keeps no per-peer record of what was sent: a change that
# leaves a prefix out toward r is a withdrawal to r (harmless if r never had it); a table walk
# (the initial table of receiver t, which connects later, and its route refresh) sends nothing
# at all for a prefix whose next hop is t's own address.
. "$(dirname "$0")/lib.sh"
need_bgp64d

step "topology: s (IPv4 source 10.0.1.2) --- d (bgp64d) --- r (fd00:2::2), q (fd00:3::2)"
ns_add d s r q t
link d s 1
link d r 2
link d q 3
link d t 4
cat >"$(b64_conf d)" <<EOF
{
  "router-id": "10.0.1.1", "local-as": 64500,
  "listen": [{"address": "10.0.1.1"}, {"address": "fd00:2::1"}, {"address": "fd00:3::1"},
             {"address": "fd00:4::1"}],
  "translation": {"prefix": "2001:db8:64::/96",
    "next-hops": [{"ipv4": "10.0.1.2/32", "ipv6": "fd00:2::2"},
                  {"ipv4": "10.0.1.3/32", "ipv6": "fd00:9::3"},
                  {"ipv4": "10.0.1.4/32", "ipv6": "fd00:4::2"}], "eor-wait": 3},
  "neighbors": [
    {"address": "10.0.1.2", "remote-as": 64601, "passive": true, "hold-time": 9,
     "families": {"ipv4": {"import": true, "export": false}, "ipv6": {"import": false, "export": false}}},
    {"address": "fd00:2::2", "remote-as": 64500, "passive": true, "hold-time": 9,
     "families": {"ipv4": {"import": false, "export": false}, "ipv6": {"import": false, "export": true}}},
    {"address": "fd00:3::2", "remote-as": 64500, "passive": true, "hold-time": 9,
     "families": {"ipv4": {"import": false, "export": false}, "ipv6": {"import": false, "export": true}}},
    {"address": "fd00:4::2", "remote-as": 64500, "passive": true, "hold-time": 9,
     "families": {"ipv4": {"import": false, "export": false}, "ipv6": {"import": false, "export": true}}}
  ],
  "control": {"socket": "$(b64_sock d)"}, "metrics": {"listen": "127.0.0.1:9179"}
}
EOF
b64_start d d
for x in r:2 q:3; do
	speaker_start "${x%:*}" "${x%:*}" --connect "[fd00:${x#*:}::1]:179" --as 64500 \
		--peer-as 64500 --id "10.0.${x#*:}.2" --ipv6
done
link_speaker spk s 1 64601
for x in r q spk; do wait_for 20 "speaker $x: session established" speaker_has "$x" '^established'; done

P1=2001:db8:64::a5a:100/120 # 10.90.1.0/24
P2=2001:db8:64::a5a:200/120 # 10.90.2.0/24
P3=2001:db8:64::a5a:300/120 # 10.90.3.0/24
step "10.90.1.0/24 via 10.0.1.2 (-> fd00:2::2, r itself), 10.90.2.0/24 via 10.0.1.3"
speaker_cmd spk "announce 10.90.1.0/24 nh=10.0.1.2"
speaker_cmd spk "announce 10.90.2.0/24 nh=10.0.1.3"
speaker_cmd spk "eor"
for x in r q; do
	wait_for 20 "$x: End-of-RIB for IPv6" speaker_has "$x" 'update-received.*eor=2/1'
done
wait_for 10 "q: $P1 (next hop fd00:2::2 is not q's)" speaker_has q "mp_reach=\[[^]]*$P1"
wait_for 10 "q: $P2" speaker_has q "mp_reach=\[[^]]*$P2"
wait_for 10 "r: $P2" speaker_has r "mp_reach=\[[^]]*$P2"
speaker_has r "mp_reach=\[[^]]*$P1" && fail "r got $P1 with its own address as next hop"
pass "r: $P1 left out (its own address is the next hop)"
assert_eq "q: the next hops of $P1 and $P2" "fd00:2::2 fd00:9::3" \
	"$(speaker_events q 'mp_reach=\[2001:db8:64::a5a:[12]00/120\]' | sed 's/.*mp_nh=\[\(.*\)\]/\1/' | xargs)"

step "r and q in one update group; then 10.90.2.0/24 moves to next hop 10.0.1.2"
wait_eq 20 "update groups: the source's and one for r and q" 2 \
	eval "ctl d show summary | jget \"j['summary']['exports']['update_groups']\""
speaker_cmd spk "announce 10.90.2.0/24,10.90.3.0/24 nh=10.0.1.2"
wait_for 10 "r: $P2 withdrawn" speaker_has r "mp_unreach=\[[^]]*$P2"
wait_for 10 "q: $P3" speaker_has q "mp_reach=\[[^]]*$P3"
n=$(speaker_events q "mp_reach=\[[^]]*$P2" | wc -l)
assert_eq "q: $P2 announced again (new next hop)" 2 "$n"
speaker_has r "mp_reach=\[[^]]*$P3" && fail "r got $P3 with its own address as next hop"
pass "r: $P3 left out"
wait_eq 10 "show summary: routes left out counted" 1 \
	eval "ctl d show summary | jget \"int(j['summary']['stats']['next_hop_is_peer'] >= 3)\""
metric=$(in_ns d python3 -c 'import urllib.request
print(urllib.request.urlopen("http://127.0.0.1:9179/metrics", timeout=2).read().decode())' |
	awk '$1 == "bgp64d_next_hop_is_peer_total" {print ($2 >= 3)}')
assert_eq "/metrics: bgp64d_next_hop_is_peer_total >= 3" 1 "$metric"

step "10.90.1.0/24 moves to next hop 10.0.1.3: r gets it"
speaker_cmd spk "announce 10.90.1.0/24 nh=10.0.1.3"
wait_for 10 "r: $P1" speaker_has r "mp_reach=\[[^]]*$P1"
assert_eq "bgp64d: neighbor fd00:2::2" Established "$(nbr_state d fd00:2::2)"

P4=2001:db8:64::a5a:400/120 # 10.90.4.0/24
step "t connects after 10.90.4.0/24 via 10.0.1.4 (-> fd00:4::2, t itself) is in the table"
speaker_cmd spk "announce 10.90.4.0/24 nh=10.0.1.4"
wait_for 10 "q: $P4" speaker_has q "mp_reach=\[[^]]*$P4"
speaker_start t t --connect "[fd00:4::1]:179" --as 64500 --peer-as 64500 --id 10.0.4.2 --ipv6
wait_for 20 "speaker t: session established" speaker_has t '^established'
wait_for 20 "t: End-of-RIB for IPv6" speaker_has t 'update-received.*eor=2/1'
assert_eq "t: its initial table (all but $P4)" "$P1 $P2 $P3" \
	"$(speaker_events t 'mp_reach=\[2' | sed 's/.*mp_reach=\[\([^]]*\)\].*/\1/' | tr , '\n' | sort | xargs)"
speaker_has t "$P4" && fail "t heard of $P4 (next hop its own address) in its initial table"
pass "t: nothing at all about $P4"
step "t asks for a route refresh of IPv6: the walk again leaves $P4 out without a withdrawal"
n0=$(speaker_events t 'mp_reach=\[2' | wc -l)
speaker_cmd t "raw 5 00020001"
wait_for 10 "t: its table again" eval "[ \$(speaker_events t 'mp_reach=\[2' | wc -l) -gt $n0 ]"
sleep 1
speaker_has t "$P4" && fail "t heard of $P4 after its route refresh"
pass "t: still nothing about $P4"
