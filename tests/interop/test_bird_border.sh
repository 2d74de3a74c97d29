#!/usr/bin/env bash
# BIRD as border router (issue 4, interop tests: the real topology).
#
# Two BIRD borders (AS 64500, route-reflector clients of bgp64d) each hold ONE MP-BGP session to
# bgp64d carrying IPv4 and IPv6: the border exports its IPv4 table and imports IPv6. bgp64d
# translates under 2001:db8:64::/96 with a next-hop table that maps each border's IPv4 next hops
# to a translator address on that border's own subnet (so that BIRD resolves it directly):
#     10.0.1.2/32  -> fd00:1::64    (border b1 itself: routes it originates, next hop self)
#     10.0.1.96/28 -> fd00:1::65    (a second translator behind b1)
#     10.0.2.2/32  -> fd00:2::64    (border b2)
#     10.0.1.200   -> no rule: unknown next hop, policy "reject"
# Checked on the borders (`birdc show route all table master6 protocol d`): the IPv6 table holds
# exactly the translated routes, with the mapped next hops and the attributes of the IPv4 best
# path (AS path, MED, LOCAL_PREF, communities, large communities, no ORIGINATOR_ID); a withdrawal
# at b1's source removes the translation from both borders; the unknown next hop yields no route
# (and is counted by `bgp64ctl show nexthops`); a prefix announced by both borders is translated
# with the next hop of the IPv4 best path and moves when b1 changes its LOCAL_PREF, and again
# when the AS path length decides; b2 restarting gracefully keeps its translations at b1 and
# finishes its recovery (it gets bgp64d's End-of-RIB on both channels).
. "$(dirname "$0")/lib.sh"
need_bgp64d

NSP=2001:db8:64::/96
step "topology: b1 (BIRD) --- d (bgp64d) --- b2 (BIRD)"
ns_add d b1 b2
link d b1 1
link d b2 2

# write_border NAME LINK OTHER-SUBNET STATIC-PROTOCOLS FILTER-STATEMENTS: the configuration of
# border NAME on link LINK (BIRD 10.0.LINK.2 / fd00:LINK::2, bgp64d 10.0.LINK.1 / fd00:LINK::1).
write_border() {
	cat >"$T/$1.conf" <<EOF
log stderr all;
router id 10.0.$2.2;
graceful restart wait 60;
protocol device {}
# The connected subnet in master6, and a route to the other border's subnet, so that the
# translated routes' next hops resolve (iBGP: gateway recursive).
protocol direct { ipv6; interface "to-d"; }
protocol static s6 { ipv6; route $3 via fd00:$2::1; }
$4
filter to_d {
  $5
  accept;
}
protocol bgp d {
  local 10.0.$2.2 as 64500; neighbor 10.0.$2.1 as 64500;
  hold time 9; connect retry time 2; connect delay time 1; error wait time 1, 2;
  graceful restart on;
  ipv4 { import none; export filter to_d; };
  ipv6 { import all; export none; };
}
EOF
}

B1_STATIC='
protocol static src4 {
  ipv4;
  route 10.50.1.0/24 unreachable {
    bgp_path.prepend(65101); bgp_path.prepend(65100);
    bgp_med = 10;
    bgp_community.add((64500,1)); bgp_community.add((64500,2));
    bgp_large_community.add((64500,1,2));
  };
  route 10.50.2.0/24 via 10.0.1.101;
  route 10.50.3.0/24 via 10.0.1.200;
  route 10.50.4.0/25 unreachable;
}
protocol static wd4 { ipv4; route 10.50.9.0/24 unreachable; }
protocol static mh4 { ipv4; route 10.60.1.0/24 unreachable { bgp_path.prepend(65200); }; }
'
B2_STATIC='
protocol static src4 { ipv4; route 10.70.1.0/24 unreachable { bgp_community.add((64500,70)); }; }
protocol static mh4 { ipv4; route 10.60.1.0/24 unreachable { bgp_path.prepend(65300); bgp_path.prepend(65300); }; }
'
b1_lp() { # b1's LOCAL_PREF on the multihomed prefix 10.60.1.0/24
	write_border b1 1 fd00:2::/64 "$B1_STATIC" "if proto = \"mh4\" then bgp_local_pref = $1;"
}
b1_lp 200
write_border b2 2 fd00:1::/64 "$B2_STATIC" ""

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

bird_start b1 b1
bird_start b2 b2
b64_start d d

X501=$(xlat96 $NSP 10.50.1.0/24)
X502=$(xlat96 $NSP 10.50.2.0/24)
X503=$(xlat96 $NSP 10.50.3.0/24)
X504=$(xlat96 $NSP 10.50.4.0/25)
X509=$(xlat96 $NSP 10.50.9.0/24)
X601=$(xlat96 $NSP 10.60.1.0/24)
X701=$(xlat96 $NSP 10.70.1.0/24)
say "expected translations: 10.50.1.0/24=$X501 10.50.4.0/25=$X504 10.60.1.0/24=$X601"

v6table() { bird_q "$1" "$2" table master6 protocol d; }

step "sessions and the IPv4 tables the borders send"
wait_eq 40 "bgp64d: neighbor 10.0.1.2 (b1)" Established nbr_state d 10.0.1.2
wait_eq 40 "bgp64d: neighbor 10.0.2.2 (b2)" Established nbr_state d 10.0.2.2
wait_eq 10 "b1: session d" Established bird_proto_state b1 d
wait_eq 10 "b2: session d" Established bird_proto_state b2 d
wait_eq 20 "bgp64d: IPv4 RIB" "10.50.1.0/24 10.50.2.0/24 10.50.3.0/24 10.50.4.0/25 10.50.9.0/24 10.60.1.0/24 10.70.1.0/24" \
	rib d ipv4 "prefixes()"
assert_eq "IPv4 next hops as the borders sent them" \
	"10.50.1.0/24=10.0.1.2 10.50.2.0/24=10.0.1.101 10.50.3.0/24=10.0.1.200 10.50.4.0/25=10.0.1.2 10.50.9.0/24=10.0.1.2 10.70.1.0/24=10.0.2.2" \
	"$(rib d ipv4 "words(r['prefix']+'='+best(r['prefix'])['next_hop'] for r in routes() if r['prefix'] != '10.60.1.0/24')")"
assert_eq "IPv4 best path of 10.60.1.0/24 (LOCAL_PREF 200 at b1)" 10.0.1.2 \
	"$(rib d ipv4 "best('10.60.1.0/24')['neighbor']")"

step "the borders' IPv6 tables hold exactly the translated routes"
ALL6="$X501 $X502 $X504 $X509 $X601 $X701"
# shellcheck disable=SC2086 # one prefix a word
ALL6=$(printf '%s\n' $ALL6 | python3 -c 'import sys,ipaddress as i; print(" ".join(sorted(sys.stdin.read().split(), key=lambda p: (int(i.ip_network(p).network_address), i.ip_network(p).prefixlen))))')
wait_eq 30 "b1: IPv6 routes from bgp64d" "$ALL6" v6table b1 "prefixes()"
wait_eq 10 "b2: IPv6 routes from bgp64d" "$ALL6" v6table b2 "prefixes()"
K="'next_hop','as_path','med','local_pref','communities','large_communities','originator_id'"
for b in b1 b2; do
	assert_eq "$b: $X501 (10.50.1.0/24 from b1, next hop self)" \
		"next_hop=fd00:1::64 as_path=65100 65101 med=10 local_pref=100 communities=64500:1,64500:2 large_communities=64500:1:2 originator_id=-" \
		"$(v6table $b "summ('$X501',$K)")"
	assert_eq "$b: $X502 (next hop 10.0.1.101 in 10.0.1.96/28)" \
		"next_hop=fd00:1::65 as_path=- med=- communities=-" \
		"$(v6table $b "summ('$X502','next_hop','as_path','med','communities')")"
	assert_eq "$b: $X504 (a /25 -> /121)" "next_hop=fd00:1::64" "$(v6table $b "summ('$X504','next_hop')")"
	assert_eq "$b: $X701 (from b2)" "next_hop=fd00:2::64 as_path=- communities=64500:70" \
		"$(v6table $b "summ('$X701','next_hop','as_path','communities')")"
	assert_eq "$b: $X601 (multihomed, best via b1)" "next_hop=fd00:1::64 as_path=65200 local_pref=200" \
		"$(v6table $b "summ('$X601','next_hop','as_path','local_pref')")"
	assert_eq "$b: no route for 10.50.3.0/24 (unknown next hop 10.0.1.200)" no \
		"$(v6table $b "has('$X503')")"
	assert_eq "$b: every translated route resolvable (unicast)" "unicast" \
		"$(v6table $b "words(set(p['type'] for r in routes() for p in r['paths']))")"
done
assert_eq "bgp64d show rib ipv6 $X501: translated from 10.50.1.0/24, next hop fd00:1::64" \
	"true 10.50.1.0/24 fd00:1::64" \
	"$(ctl d show rib ipv6 "$X501" | jget "' '.join([str(route('$X501')['translated']).lower(), route('$X501')['ipv4_prefix'], route('$X501')['next_hop']])")"
assert_eq "bgp64d show rib ipv6: the same translated set (with a next hop)" "$ALL6" \
	"$(rib d ipv6 "words(r['prefix'] for r in routes() if r.get('next_hop'))")"
assert_eq "bgp64d show rib ipv6: 10.50.3.0/24 shown untranslated" "next_hop=None unknown_next_hop" \
	"$(rib d ipv6 "'next_hop=%s %s' % (route('$X503')['next_hop'], route('$X503')['untranslated_reason'])")"
assert_eq "bgp64d show nexthops: 10.0.1.200 counted as unknown" 1 \
	"$(ctl d show nexthops | jget "[u['paths'] for u in j['nexthops']['unknown'] if u['next_hop'] == '10.0.1.200'][0]")"

step "withdrawal at the border's source"
birdc_q b1 disable wd4 >/dev/null
wait_eq 20 "bgp64d: 10.50.9.0/24 withdrawn" no rib d ipv4 "has('10.50.9.0/24')"
wait_eq 20 "b1: $X509 withdrawn" no v6table b1 "has('$X509')"
wait_eq 10 "b2: $X509 withdrawn" no v6table b2 "has('$X509')"
assert_eq "b1: the others stay" 5 "$(v6table b1 "count()")"
birdc_q b1 enable wd4 >/dev/null
wait_eq 20 "b1: $X509 back after the source re-announces" "next_hop=fd00:1::64" \
	v6table b1 "summ('$X509','next_hop')"

step "multihoming: the translated route follows the IPv4 best path"
b1_lp 50
birdc_q b1 configure >/dev/null
wait_eq 20 "bgp64d: IPv4 best path of 10.60.1.0/24 after b1 set LOCAL_PREF 50" 10.0.2.2 \
	rib d ipv4 "best('10.60.1.0/24')['neighbor']"
for b in b1 b2; do
	wait_eq 20 "$b: $X601 moved to b2's translator" "next_hop=fd00:2::64 as_path=65300 65300 local_pref=100" \
		v6table $b "summ('$X601','next_hop','as_path','local_pref')"
done
b1_lp 100 # equal LOCAL_PREF: the shorter AS path (b1: 1 AS, b2: 2 ASes) decides
birdc_q b1 configure >/dev/null
wait_eq 20 "bgp64d: IPv4 best path of 10.60.1.0/24 with equal LOCAL_PREF" 10.0.1.2 \
	rib d ipv4 "best('10.60.1.0/24')['neighbor']"
for b in b1 b2; do
	wait_eq 20 "$b: $X601 back at b1's translator" "next_hop=fd00:1::64 as_path=65200 local_pref=100" \
		v6table $b "summ('$X601','next_hop','as_path','local_pref')"
done
birdc_q b1 disable mh4 >/dev/null
for b in b1 b2; do
	wait_eq 20 "$b: $X601 via b2 once b1 withdraws it" "next_hop=fd00:2::64" \
		v6table $b "summ('$X601','next_hop')"
done

step "border b2 restarts gracefully: the translations of its routes stay meanwhile"
birdc_q b2 graceful restart >/dev/null
for ((i = 0; i < 50; i++)); do alive b2 || break; sleep 0.1; done
stop b2 || true
wait_for 20 "bgp64d: b2 down" nbr_down d 10.0.2.2
assert_eq "bgp64d: b2's paths kept as stale" "10.60.1.0/24:true 10.70.1.0/24:true" \
	"$(rib d ipv4 "words(r['prefix']+':'+str(path(r['prefix'],'10.0.2.2')['stale']).lower() for r in routes() if path(r['prefix'],'10.0.2.2'))")"
b2_xlat() { v6table b1 "words(p+'='+str((best(p) or {}).get('next_hop')) for p in ['$X601','$X701'])"; }
stays_eq 3 "b1: translations of b2's routes kept" "$X601=fd00:2::64 $X701=fd00:2::64" b2_xlat
bird_start b2 b2 -R
wait_eq 30 "bgp64d: b2 back" Established nbr_state d 10.0.2.2
# BIRD restarted with -R stays in graceful-restart recovery, and sends nothing to its peers,
# until every GR channel got the peer's End-of-RIB (RFC 4724: sent after the initial update, even
# an empty one): ipv6 AND ipv4, which bgp64d does not export to the border.
b2_recovering() { birdc_q b2 show status | grep -E 'Graceful restart recovery|Waiting for' | tr -s ' \n' ' '; }
wait_eq 15 "b2: graceful restart recovery finished (End-of-RIB received on every channel)" "" b2_recovering
wait_eq 20 "bgp64d: b2's paths refreshed" "10.60.1.0/24:false 10.70.1.0/24:false" \
	rib d ipv4 "words(r['prefix']+':'+str(path(r['prefix'],'10.0.2.2')['stale']).lower() for r in routes() if path(r['prefix'],'10.0.2.2'))"
wait_eq 20 "b2: IPv6 routes after its restart" "$ALL6" v6table b2 "prefixes()"

step "final table check"
wait_eq 10 "b1: exactly the translated routes" "$ALL6" v6table b1 "prefixes()"
wait_eq 10 "b2: exactly the translated routes" "$ALL6" v6table b2 "prefixes()"
alive d || fail "bgp64d died"
stop d
