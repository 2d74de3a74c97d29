#!/usr/bin/env bash
# Translatable best path (issue 9 item 4, bgp64d.json(5) translation.translatable-best).
#
# Two BIRD borders (route-reflector clients, one MP-BGP session each) announce the same prefix
# 10.80.1.0/24. b1 sends it with LOCAL_PREF 200 and next hop 10.0.1.200, which the next-hop
# table does not map (unknown-next-hop "reject"); b2 sends it with LOCAL_PREF 100 and next hop
# self, which maps to fd00:2::64. The IPv4 best path is b1's; it cannot be translated, so the
# IPv6 route comes from b2's path (its next hop, its communities) - the decision process run
# again without the untranslatable path (RFC 4271 9.1.2.1). Checked: bgp64d's IPv4 best path
# stays b1's; both borders' master6 hold the route via fd00:2::64 with b2's attributes;
# "show rib ipv6 neighbor ADDR" lists it under b2, not b1; a change of b2's path alone
# (community) reaches the borders; b2 withdrawing it withdraws the IPv6 route and
# re-announcing brings it back; a reload with translatable-best false withdraws it (no session
# reset) and one with it true brings it back.
. "$(dirname "$0")/lib.sh"
need_bgp64d

NSP=2001:db8:64::/96
step "topology: b1 (BIRD) --- d (bgp64d) --- b2 (BIRD)"
ns_add d b1 b2
link d b1 1
link d b2 2

# write_border NAME LINK OTHER-SUBNET STATIC-ROUTE: border NAME on link LINK (BIRD 10.0.LINK.2,
# bgp64d 10.0.LINK.1), originating STATIC-ROUTE (a BIRD route statement) to bgp64d.
write_border() {
	cat >"$T/$1.conf" <<EOF
log stderr all;
router id 10.0.$2.2;
protocol device {}
protocol direct { ipv6; interface "to-d"; }
protocol static s6 { ipv6; route $3 via fd00:$2::1; }
protocol static mh4 { ipv4; $4 }
protocol bgp d {
  local 10.0.$2.2 as 64500; neighbor 10.0.$2.1 as 64500;
  hold time 9; connect retry time 2; connect delay time 1; error wait time 1, 2;
  ipv4 { import none; export all; };
  ipv6 { import all; export none; };
}
EOF
}
write_border b1 1 fd00:2::/64 'route 10.80.1.0/24 via 10.0.1.200 { bgp_local_pref = 200; bgp_community.add((64500,1)); };'
b2_route() { # b2's route, community 64500:$1
	write_border b2 2 fd00:1::/64 "route 10.80.1.0/24 unreachable { bgp_community.add((64500,$1)); };"
}
b2_route 2

write_conf() { # translatable-best $1
	cat >"$(b64_conf d)" <<EOF
{
  "router-id": "10.0.1.1",
  "local-as": 64500,
  "listen": [{"address": "10.0.1.1"}, {"address": "10.0.2.1"}],
  "translation": {
    "prefix": "$NSP",
    "next-hops": [
      {"ipv4": "10.0.1.2/32", "ipv6": "fd00:1::64"},
      {"ipv4": "10.0.2.2/32", "ipv6": "fd00:2::64"}
    ],
    "unknown-next-hop": "reject",
    "translatable-best": $1,
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
}
write_conf true

bird_start b1 b1
bird_start b2 b2
b64_start d d

X801=$(xlat96 $NSP 10.80.1.0/24)
v6table() { bird_q "$1" "$2" table master6 protocol d; }

step "the IPv4 best path has no mapped next hop; the IPv6 route comes from b2's path"
wait_eq 40 "bgp64d: neighbor 10.0.1.2 (b1)" Established nbr_state d 10.0.1.2
wait_eq 40 "bgp64d: neighbor 10.0.2.2 (b2)" Established nbr_state d 10.0.2.2
wait_eq 20 "bgp64d: both paths of 10.80.1.0/24" "10.0.1.2 10.0.2.2" \
	rib d ipv4 "words(sorted(p['neighbor'] for p in route('10.80.1.0/24')['paths']))"
assert_eq "bgp64d: IPv4 best path unchanged (b1, LOCAL_PREF 200, next hop 10.0.1.200)" \
	"10.0.1.2 10.0.1.200" "$(rib d ipv4 "best('10.80.1.0/24')['neighbor']+' '+best('10.80.1.0/24')['next_hop']")"
for b in b1 b2; do
	wait_eq 20 "$b: $X801 via b2's translator with b2's attributes" \
		"next_hop=fd00:2::64 local_pref=100 communities=64500:2" \
		v6table $b "summ('$X801','next_hop','local_pref','communities')"
done
assert_eq "bgp64d show rib ipv6 $X801: from b2's path (fallback)" "True 10.0.2.2 fd00:2::64" \
	"$(ctl d show rib ipv6 "$X801" | jget "' '.join(str(route('$X801')[k]) for k in ('translatable_fallback','ipv4_next_hop','next_hop'))")"
assert_eq "bgp64d show rib ipv6 neighbor 10.0.2.2: the route (its path)" yes \
	"$(ctl d show rib ipv6 neighbor 10.0.2.2 | jget "has('$X801')")"
assert_eq "bgp64d show rib ipv6 neighbor 10.0.1.2: not the route" no \
	"$(ctl d show rib ipv6 neighbor 10.0.1.2 | jget "has('$X801')")"

step "a change of the path that is not the best reaches the borders"
b2_route 3
birdc_q b2 configure >/dev/null
for b in b1 b2; do
	wait_eq 20 "$b: $X801 with b2's new community" "next_hop=fd00:2::64 communities=64500:3" \
		v6table $b "summ('$X801','next_hop','communities')"
done
birdc_q b2 disable mh4 >/dev/null
for b in b1 b2; do
	wait_eq 20 "$b: $X801 withdrawn when b2 withdraws its path" no v6table $b "has('$X801')"
done
assert_eq "bgp64d: IPv4 best path still b1's" 10.0.1.2 "$(rib d ipv4 "best('10.80.1.0/24')['neighbor']")"
birdc_q b2 enable mh4 >/dev/null
for b in b1 b2; do
	wait_eq 20 "$b: $X801 back" "next_hop=fd00:2::64" v6table $b "summ('$X801','next_hop')"
done

step "translatable-best false (reload): no IPv6 route, no session reset"
flaps() { ctl d show neighbors | jget "str(nbr('$1')['stats']['flaps'])+' '+nbr('$1')['state']"; }
flaps1=$(flaps 10.0.1.2)
write_conf false
ctl d reload >/dev/null || fail "bgp64ctl reload failed"
for b in b1 b2; do
	wait_eq 20 "$b: $X801 withdrawn" no v6table $b "has('$X801')"
done
assert_eq "bgp64d show rib ipv6 $X801: untranslated" "None" \
	"$(rib d ipv6 "str(route('$X801')['next_hop'])")"
assert_eq "bgp64d: IPv4 best path still b1's" 10.0.1.2 "$(rib d ipv4 "best('10.80.1.0/24')['neighbor']")"
write_conf true
ctl d reload >/dev/null || fail "bgp64ctl reload failed"
for b in b1 b2; do
	wait_eq 20 "$b: $X801 back with translatable-best true" "next_hop=fd00:2::64" \
		v6table $b "summ('$X801','next_hop')"
done
assert_eq "bgp64d: session of b1 not reset by the reloads (flaps, state)" "$flaps1" "$(flaps 10.0.1.2)"
alive d || fail "bgp64d died"
stop d
