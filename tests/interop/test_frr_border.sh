#!/usr/bin/env bash
# FRR as border router (issue 4, interop tests: the real topology, FRR variant).
#
# Two FRR bgpd borders (AS 64500, route-reflector clients of bgp64d) each hold ONE MP-BGP
# session to bgp64d carrying IPv4 and IPv6: the border exports its IPv4 table (network
# statements, attributes and next hops set by an outbound route-map) and imports IPv6. bgp64d
# translates under 2001:db8:64::/96 with the next-hop table
#     10.0.1.2/32  -> fd00:1::64    (border f1 itself)
#     10.0.1.96/28 -> fd00:1::65    (set ip next-hop 10.0.1.101 at f1)
#     10.0.2.2/32  -> fd00:2::64    (border f2)
#     10.0.1.200   -> no rule: unknown next hop, policy "reject"
# Checked on the borders (vtysh 'show bgp ipv6 unicast json detail'): the IPv6 table holds
# exactly the translated routes with the mapped next hops and the attributes of the IPv4 best
# path; `no network` at f1 removes the translation from both borders; the unknown next hop yields
# no route; the multihomed prefix follows the IPv4 best path when f1 changes LOCAL_PREF, and
# when the AS path length decides; f2 killed and restarted with graceful restart keeps its
# translations at f1 meanwhile.
. "$(dirname "$0")/lib.sh"
need_bgp64d

NSP=2001:db8:64::/96
step "topology: f1 (FRR) --- d (bgp64d) --- f2 (FRR)"
ns_add d f1 f2
link d f1 1
link d f2 2

cat >"$T/f1.conf" <<EOF
hostname f1
debug bgp neighbor-events
ip prefix-list attrs seq 5 permit 10.50.1.0/24
ip prefix-list via101 seq 5 permit 10.50.2.0/24
ip prefix-list via200 seq 5 permit 10.50.3.0/24
ip prefix-list mh seq 5 permit 10.60.1.0/24
router bgp 64500
 bgp router-id 10.0.1.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 timers bgp 3 9
 neighbor 10.0.1.1 remote-as 64500
 neighbor 10.0.1.1 update-source 10.0.1.2
 neighbor 10.0.1.1 timers connect 1
 address-family ipv4 unicast
  network 10.50.1.0/24
  network 10.50.2.0/24
  network 10.50.3.0/24
  network 10.50.4.0/25
  network 10.50.9.0/24
  network 10.60.1.0/24
  neighbor 10.0.1.1 route-map to-d out
 exit-address-family
 address-family ipv6 unicast
  neighbor 10.0.1.1 activate
 exit-address-family
route-map to-d permit 10
 match ip address prefix-list attrs
 set metric 10
 set community 64500:1 64500:2
 set large-community 64500:1:2
 set as-path prepend 65100 65101
route-map to-d permit 20
 match ip address prefix-list via101
 set ip next-hop 10.0.1.101
route-map to-d permit 30
 match ip address prefix-list via200
 set ip next-hop 10.0.1.200
route-map to-d permit 40
 match ip address prefix-list mh
 set local-preference 200
 set as-path prepend 65200
route-map to-d permit 50
EOF
cat >"$T/f2.conf" <<EOF
hostname f2
debug bgp neighbor-events
ip prefix-list mh seq 5 permit 10.60.1.0/24
router bgp 64500
 bgp router-id 10.0.2.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 bgp graceful-restart
 bgp graceful-restart preserve-fw-state
 no bgp graceful-restart notification
 timers bgp 3 9
 neighbor 10.0.2.1 remote-as 64500
 neighbor 10.0.2.1 update-source 10.0.2.2
 neighbor 10.0.2.1 timers connect 1
 address-family ipv4 unicast
  network 10.60.1.0/24
  network 10.70.1.0/24
  neighbor 10.0.2.1 route-map to-d out
 exit-address-family
 address-family ipv6 unicast
  neighbor 10.0.2.1 activate
 exit-address-family
route-map to-d permit 10
 match ip address prefix-list mh
 set as-path prepend 65300 65300
route-map to-d permit 20
 set community 64500:70
EOF

cat >"$(b64_conf d)" <<EOF
{
  "router-id": "10.0.1.1",
  "local-as": 64500,
  "listen": [{"address": "10.0.1.1"}, {"address": "10.0.2.1"}],
  "translation": {
    "prefix": "$NSP",
    "next-hops": [
      {"ipv4": "10.0.1.2/32", "ipv6": "fd00:1::64"},
      {"ipv4": "10.0.1.96/28", "ipv6": "fd00:1::65"},
      {"ipv4": "10.0.2.2/32", "ipv6": "fd00:2::64"}
    ],
    "unknown-next-hop": "reject",
    "eor-wait": 5
  },
  "neighbors": [
    {"address": "10.0.1.2", "remote-as": 64500, "route-reflector-client": true,
     "hold-time": 9, "connect-retry": 1,
     "families": {"ipv4": {"import": true, "export": false}, "ipv6": {"import": false, "export": true}}},
    {"address": "10.0.2.2", "remote-as": 64500, "route-reflector-client": true,
     "hold-time": 9, "connect-retry": 1,
     "families": {"ipv4": {"import": true, "export": false}, "ipv6": {"import": false, "export": true}}}
  ],
  "fib": {"enabled": false},
  "control": {"socket": "$(b64_sock d)"}
}
EOF

frr_start f1 f1
frr_start f2 f2
b64_start d d

X501=$(xlat96 $NSP 10.50.1.0/24)
X502=$(xlat96 $NSP 10.50.2.0/24)
X503=$(xlat96 $NSP 10.50.3.0/24)
X504=$(xlat96 $NSP 10.50.4.0/25)
X509=$(xlat96 $NSP 10.50.9.0/24)
X601=$(xlat96 $NSP 10.60.1.0/24)
X701=$(xlat96 $NSP 10.70.1.0/24)
ALL6="$X501 $X502 $X504 $X509 $X601 $X701" # sorted by address
say "expected translations: 10.50.1.0/24=$X501 10.50.4.0/25=$X504 10.60.1.0/24=$X601"

v6table() { frr_q "$1" ipv6 "$2"; }
soft_out() { # border, bgp64d's address: re-send the IPv4 table after a route-map change
	vty "$1" "clear bgp ipv4 unicast $2 soft out" >/dev/null
}

step "sessions and the IPv4 tables the borders send"
wait_eq 40 "bgp64d: neighbor 10.0.1.2 (f1)" Established nbr_state d 10.0.1.2
wait_eq 40 "bgp64d: neighbor 10.0.2.2 (f2)" Established nbr_state d 10.0.2.2
wait_eq 10 "f1: neighbor 10.0.1.1" Established frr_peer_state f1 10.0.1.1
wait_eq 10 "f2: neighbor 10.0.2.1" Established frr_peer_state f2 10.0.2.1
wait_eq 20 "bgp64d: IPv4 RIB" "10.50.1.0/24 10.50.2.0/24 10.50.3.0/24 10.50.4.0/25 10.50.9.0/24 10.60.1.0/24 10.70.1.0/24" \
	rib d ipv4 "prefixes()"
assert_eq "IPv4 next hops as the borders sent them" \
	"10.50.1.0/24=10.0.1.2 10.50.2.0/24=10.0.1.101 10.50.3.0/24=10.0.1.200 10.50.4.0/25=10.0.1.2 10.50.9.0/24=10.0.1.2 10.70.1.0/24=10.0.2.2" \
	"$(rib d ipv4 "words(r['prefix']+'='+best(r['prefix'])['next_hop'] for r in routes() if r['prefix'] != '10.60.1.0/24')")"
assert_eq "IPv4 best path of 10.60.1.0/24 (LOCAL_PREF 200 at f1)" 10.0.1.2 \
	"$(rib d ipv4 "best('10.60.1.0/24')['neighbor']")"

step "the borders' IPv6 tables hold exactly the translated routes"
wait_eq 30 "f1: IPv6 routes" "$ALL6" v6table f1 "prefixes()"
wait_eq 10 "f2: IPv6 routes" "$ALL6" v6table f2 "prefixes()"
for b in f1 f2; do
	assert_eq "$b: $X501 (10.50.1.0/24 from f1)" \
		"next_hop=fd00:1::64 as_path=65100 65101 med=10 local_pref=100 communities=64500:1,64500:2 large_communities=64500:1:2" \
		"$(v6table $b "summ('$X501','next_hop','as_path','med','local_pref','communities','large_communities')")"
	assert_eq "$b: $X502 (next hop 10.0.1.101 in 10.0.1.96/28)" "next_hop=fd00:1::65 communities=-" \
		"$(v6table $b "summ('$X502','next_hop','communities')")"
	assert_eq "$b: $X504 (a /25 -> /121)" "next_hop=fd00:1::64" "$(v6table $b "summ('$X504','next_hop')")"
	assert_eq "$b: $X701 (from f2)" "next_hop=fd00:2::64 as_path=- communities=64500:70" \
		"$(v6table $b "summ('$X701','next_hop','as_path','communities')")"
	assert_eq "$b: $X601 (multihomed, best via f1)" "next_hop=fd00:1::64 as_path=65200 local_pref=200" \
		"$(v6table $b "summ('$X601','next_hop','as_path','local_pref')")"
	assert_eq "$b: no route for 10.50.3.0/24 (unknown next hop 10.0.1.200)" no \
		"$(v6table $b "has('$X503')")"
	assert_eq "$b: every translated route valid and best" "true" \
		"$(v6table $b "str(all(p['valid'] and p['best'] for r in routes() for p in r['paths'])).lower()")"
done
assert_eq "bgp64d show nexthops: 10.0.1.200 counted as unknown" 1 \
	"$(ctl d show nexthops | jget "[u['paths'] for u in j['nexthops']['unknown'] if u['next_hop'] == '10.0.1.200'][0]")"

step "withdrawal at the border's source (no network 10.50.9.0/24 at f1)"
vty f1 "configure terminal" "router bgp 64500" "address-family ipv4 unicast" \
	"no network 10.50.9.0/24" "end" >/dev/null
wait_eq 20 "bgp64d: 10.50.9.0/24 withdrawn" no rib d ipv4 "has('10.50.9.0/24')"
wait_eq 20 "f1: $X509 withdrawn" no v6table f1 "has('$X509')"
wait_eq 10 "f2: $X509 withdrawn" no v6table f2 "has('$X509')"
assert_eq "f1: the others stay" 5 "$(v6table f1 "count()")"

step "multihoming: the translated route follows the IPv4 best path"
vty f1 "configure terminal" "route-map to-d permit 40" "set local-preference 50" "end" >/dev/null
soft_out f1 10.0.1.1
wait_eq 20 "bgp64d: IPv4 best path of 10.60.1.0/24 after f1 set LOCAL_PREF 50" 10.0.2.2 \
	rib d ipv4 "best('10.60.1.0/24')['neighbor']"
for b in f1 f2; do
	wait_eq 20 "$b: $X601 moved to f2's translator" "next_hop=fd00:2::64 as_path=65300 65300 local_pref=100" \
		v6table $b "summ('$X601','next_hop','as_path','local_pref')"
done
vty f1 "configure terminal" "route-map to-d permit 40" "set local-preference 100" "end" >/dev/null
soft_out f1 10.0.1.1 # equal LOCAL_PREF: the shorter AS path (f1: 1 AS, f2: 2 ASes) decides
wait_eq 20 "bgp64d: IPv4 best path of 10.60.1.0/24 with equal LOCAL_PREF" 10.0.1.2 \
	rib d ipv4 "best('10.60.1.0/24')['neighbor']"
for b in f1 f2; do
	wait_eq 20 "$b: $X601 back at f1's translator" "next_hop=fd00:1::64 as_path=65200 local_pref=100" \
		v6table $b "summ('$X601','next_hop','as_path','local_pref')"
done

step "border f2 killed and restarted (graceful restart): its translations stay meanwhile"
stop f2 KILL
wait_for 20 "bgp64d: f2 down" nbr_down d 10.0.2.2
assert_eq "bgp64d: f2's paths kept as stale" "10.60.1.0/24:true 10.70.1.0/24:true" \
	"$(rib d ipv4 "words(r['prefix']+':'+str(path(r['prefix'],'10.0.2.2')['stale']).lower() for r in routes() if path(r['prefix'],'10.0.2.2'))")"
stays_eq 3 "f1: translation of f2's 10.70.1.0/24 kept" "next_hop=fd00:2::64" v6table f1 "summ('$X701','next_hop')"
frr_start f2 f2
wait_eq 30 "bgp64d: f2 back" Established nbr_state d 10.0.2.2
wait_eq 20 "bgp64d: f2's paths refreshed" "10.60.1.0/24:false 10.70.1.0/24:false" \
	rib d ipv4 "words(r['prefix']+':'+str(path(r['prefix'],'10.0.2.2')['stale']).lower() for r in routes() if path(r['prefix'],'10.0.2.2'))"
say "f2: End-of-RIB from bgp64d: $(vty f2 'show bgp neighbors 10.0.2.1 json' | jget "j['10.0.2.1']['gracefulRestartInfo']['endOfRibRecv']")"

step "final table check"
# shellcheck disable=SC2086 # one prefix a word
ALL6=$(printf '%s\n' $ALL6 | grep -vx "$X509" | tr '\n' ' ' | sed 's/ $//')
wait_eq 10 "f1: exactly the translated routes" "$ALL6" v6table f1 "prefixes()"
wait_eq 10 "f2: exactly the translated routes" "$ALL6" v6table f2 "prefixes()"
alive d || fail "bgp64d died"
stop d
