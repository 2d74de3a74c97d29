#!/usr/bin/env bash
# Routing policy with a BIRD and an FRR border (issue 9, interop tests).
#
# b1 (BIRD, AS 64500) and f1 (FRR, AS 64500) are route-reflector clients of bgp64d, each with
# one MP-BGP session (IPv4 exported to bgp64d, IPv6 imported). bgp64d has:
#   - an import policy on both: prefix set "blocked" (10.99.0.0/16 le 24) rejected;
#   - a translation policy: nothing longer than /24 translated; the others get community
#     64500:64 and LOCAL_PREF 90, and 10.70.2.0/24 the IPv6 next hop fd00:2::99;
#   - an export policy toward f1 only: the routes carrying a community of set "pick" (64500:1).
# Checked: bgp64d's RIB lacks the rejected prefixes, counts them (per rule too) and shows them
# with `show rib filtered` (neighbor, policy, rule); b1's
# master6 holds every translation with 64500:64 and LOCAL_PREF 90, and not the /25; f1 holds
# only the translation of the route tagged 64500:1; show translation names the rule. Then a
# reload changes all three policies (block 10.50.2.0/24 too, LOCAL_PREF 80, f1 gets the
# routes tagged 64500:70 instead): the routes move on both borders with no session reset
# (bgp64d's flap counters, BIRD's "since", FRR's connection counters unchanged).
. "$(dirname "$0")/lib.sh"
need_bgp64d

NSP=2001:db8:64::/96
step "topology: b1 (BIRD) --- d (bgp64d) --- f1 (FRR)"
ns_add d b1 f1
link d b1 1
link d f1 2

cat >"$T/b1.conf" <<EOF
log stderr all;
router id 10.0.1.2;
protocol device {}
protocol direct { ipv6; interface "to-d"; }
protocol static s6 { ipv6; route fd00:2::/64 via fd00:1::1; }
protocol static src4 {
  ipv4;
  route 10.50.1.0/24 unreachable { bgp_community.add((64500,1)); };
  route 10.50.2.0/24 unreachable;
  route 10.50.4.0/25 unreachable;
  route 10.99.0.0/16 unreachable;
  route 10.99.1.0/24 unreachable;
  route 10.99.5.128/25 unreachable;
}
protocol bgp d {
  local 10.0.1.2 as 64500; neighbor 10.0.1.1 as 64500;
  hold time 9; connect retry time 2; connect delay time 1; error wait time 1, 2;
  ipv4 { import none; export all; };
  ipv6 { import all; export none; };
}
EOF

cat >"$T/f1.conf" <<EOF
hostname f1
debug bgp neighbor-events
ip prefix-list tagged seq 5 permit 10.70.1.0/24
router bgp 64500
 bgp router-id 10.0.2.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 timers bgp 3 9
 neighbor 10.0.2.1 remote-as 64500
 neighbor 10.0.2.1 update-source 10.0.2.2
 neighbor 10.0.2.1 timers connect 1
 address-family ipv4 unicast
  network 10.70.1.0/24
  network 10.70.2.0/24
  neighbor 10.0.2.1 route-map to-d out
 exit-address-family
 address-family ipv6 unicast
  neighbor 10.0.2.1 activate
 exit-address-family
route-map to-d permit 10
 match ip address prefix-list tagged
 set community 64500:70
route-map to-d permit 20
EOF

# write_d BLOCKED-EXTRA LOCAL-PREF PICK-COMMUNITY: bgp64d's configuration.
write_d() {
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
    "eor-wait": 5,
    "policy": "xlat"
  },
  "sets": {
    "prefix": {"blocked": [{"prefix": "10.99.0.0/16", "le": 24}$1], "via99": ["10.70.2.0/24"]},
    "community": {"pick": ["$3"]}
  },
  "policies": {
    "in": {"rules": [{"name": "blocked", "match": {"prefix-set": "blocked"}, "action": "reject"}],
           "default": "accept"},
    "xlat": {"rules": [
      {"name": "max-24", "match": {"prefix-length": {"min": 25}}, "action": "reject"},
      {"name": "via99", "match": {"prefix-set": "via99"}, "action": "accept",
       "set": {"next-hop": "fd00:2::99", "add-communities": ["64500:64"], "local-pref": $2}},
      {"name": "tag", "action": "accept",
       "set": {"add-communities": ["64500:64"], "local-pref": $2}}]},
    "to-f1": {"rules": [{"name": "picked", "match": {"community-any": "pick"}, "action": "accept"}]}
  },
  "neighbors": [
    {"address": "10.0.1.2", "remote-as": 64500, "route-reflector-client": true,
     "hold-time": 9, "connect-retry": 1,
     "families": {"ipv4": {"import": true, "export": false, "import-policy": "in"},
                  "ipv6": {"import": false, "export": true}}},
    {"address": "10.0.2.2", "remote-as": 64500, "route-reflector-client": true,
     "hold-time": 9, "connect-retry": 1,
     "families": {"ipv4": {"import": true, "export": false, "import-policy": "in"},
                  "ipv6": {"import": false, "export": true, "export-policy": "to-f1"}}}
  ],
  "fib": {"enabled": false},
  "control": {"socket": "$(b64_sock d)"}
}
EOF
}
write_d "" 90 64500:1

bird_start b1 b1
frr_start f1 f1
b64_start d d

X501=$(xlat96 $NSP 10.50.1.0/24)
X502=$(xlat96 $NSP 10.50.2.0/24)
X504=$(xlat96 $NSP 10.50.4.0/25)
X701=$(xlat96 $NSP 10.70.1.0/24)
X702=$(xlat96 $NSP 10.70.2.0/24)
sorted6() { printf '%s\n' "$@" | python3 -c 'import sys,ipaddress as i; print(" ".join(sorted(sys.stdin.read().split(), key=lambda p: (int(i.ip_network(p).network_address), i.ip_network(p).prefixlen))))'; }
b1_6() { bird_q b1 "$1" table master6 protocol d; }
f1_6() { frr_q f1 ipv6 "$1"; }

step "sessions, and the import policy"
wait_eq 40 "bgp64d: b1 Established" Established nbr_state d 10.0.1.2
wait_eq 40 "bgp64d: f1 Established" Established nbr_state d 10.0.2.2
wait_eq 20 "bgp64d: IPv4 RIB without the prefix set \"blocked\" (10.99.5.128/25 is longer than le 24)" \
	"10.50.1.0/24 10.50.2.0/24 10.50.4.0/25 10.70.1.0/24 10.70.2.0/24 10.99.5.128/25" \
	rib d ipv4 "prefixes()"
SUMMARY='ctl d show summary'
assert_eq "show summary: import_filtered" 2 "$($SUMMARY | jget "j['summary']['stats']['import_filtered']")"
assert_eq "show summary: hits of rule \"blocked\" of policy \"in\" and of its default" "2 6" \
	"$($SUMMARY | jget "' '.join(str(x) for p in j['summary']['policies'] if p['name'] == 'in' for x in (p['rules'][0]['hits'], p['default']['hits']))")"

FILT="words(r['prefix']+'='+r['paths'][0]['neighbor']+':'+r['paths'][0]['filter']['policy']+':'+r['paths'][0]['filter']['rule']+':'+str(r['paths'][0]['filter']['rule_index']) for r in routes() if r['filtered'])"
assert_eq "show rib ipv4 filtered: the rejected routes, who sent them and the rule" \
	"10.99.0.0/16=10.0.1.2:in:blocked:0 10.99.1.0/24=10.0.1.2:in:blocked:0" \
	"$(ctl d show rib ipv4 filtered | jget "$FILT")"
assert_eq "show rib filtered 10.99.1.0/24 exact" "10.99.1.0/24=10.0.1.2:in:blocked:0" \
	"$(ctl d show rib filtered 10.99.1.0/24 exact | jget "$FILT")"
assert_line "bgp64ctl --text show rib filtered: flag F and the rule" \
	'^F +10\.99\.1\.0/24 .*rejected by in rule blocked$' "$(ctl d --text show rib filtered)"
assert_eq "show rib filtered neighbor 10.0.2.2: none" "" \
	"$(ctl d show rib filtered neighbor 10.0.2.2 | jget "$FILT")"

step "the translation policy: no /25, community 64500:64 and LOCAL_PREF 90, seen on both borders"
ALL6=$(sorted6 "$X501" "$X502" "$X701" "$X702")
wait_eq 30 "b1: IPv6 routes from bgp64d" "$ALL6" b1_6 "prefixes()"
assert_eq "b1: $X501 tagged, LOCAL_PREF 90" "communities=64500:1,64500:64 local_pref=90" \
	"$(b1_6 "summ('$X501','communities','local_pref')")"
assert_eq "b1: $X702 (from f1) tagged, LOCAL_PREF 90" "communities=64500:64 local_pref=90" \
	"$(b1_6 "summ('$X702','communities','local_pref')")"
assert_eq "b1: no translation of 10.50.4.0/25" no "$(b1_6 "has('$X504')")"
assert_eq "b1: $X701 with the next hop of the table" "next_hop=fd00:2::64" "$(b1_6 "summ('$X701','next_hop')")"
assert_eq "b1: $X702 with the IPv6 next hop the translation policy sets (rule via99)" \
	"next_hop=fd00:2::99 local_pref=90" "$(b1_6 "summ('$X702','next_hop','local_pref')")"
assert_eq "show rib ipv6 $X702: next hop from the policy" "fd00:2::99 policy" \
	"$(ctl d show rib ipv6 "$X702" | jget "route('$X702')['next_hop'] + ' ' + route('$X702')['next_hop_source']")"
assert_eq "show translation 10.50.4.0/25: rule max-24 rejects" "xlat max-24 0 reject 0" \
	"$(ctl d show translation 10.50.4.0/25 | jget "' '.join(str(x) for x in (j['translation']['policy']['name'], j['translation']['policy']['rule'], j['translation']['policy']['rule_index'], j['translation']['policy']['decision'], len(j['translation']['ipv6_routes'])))")"
assert_eq "show translation 10.50.1.0/24: rule tag accepts" "tag accept" \
	"$(ctl d show translation 10.50.1.0/24 | jget "j['translation']['policy']['rule'] + ' ' + j['translation']['policy']['decision']")"

step "the export policy toward f1: only the routes tagged 64500:1"
wait_eq 30 "f1: IPv6 routes from bgp64d" "$X501" f1_6 "prefixes()"
assert_eq "f1: $X501 with the translation policy's community and LOCAL_PREF" \
	"communities=64500:1,64500:64 local_pref=90 next_hop=fd00:1::64" \
	"$(f1_6 "summ('$X501','communities','local_pref','next_hop')")"
assert_eq "show summary: hits of \"picked\" (to-f1) and its default" "1 3" \
	"$($SUMMARY | jget "' '.join(str(x) for p in j['summary']['policies'] if p['name'] == 'to-f1' for x in (p['rules'][0]['hits'], p['default']['hits']))")"

step "reload: block 10.50.2.0/24 too, LOCAL_PREF 80, f1 gets the routes tagged 64500:70"
since_d() { birdc_q b1 show protocols d | awk '$1 == "d" {print $5}'; }
B1_SINCE=$(since_d)
F1_DROPS=$(vty f1 "show bgp neighbors 10.0.2.1 json" | jget "j['10.0.2.1']['connectionsEstablished']")
write_d ', "10.50.2.0/24"' 80 64500:70
ctl d reload >/dev/null || fail "bgp64ctl reload failed"
wait_eq 20 "bgp64d: 10.50.2.0/24 rejected after the route refresh" \
	"10.50.1.0/24 10.50.4.0/25 10.70.1.0/24 10.70.2.0/24 10.99.5.128/25" rib d ipv4 "prefixes()"
wait_eq 20 "b1: $X502 withdrawn, the others with LOCAL_PREF 80" \
	"$X501=80 $X701=80 $X702=80" \
	b1_6 "words(r['prefix']+'='+str(best(r['prefix'])['local_pref']) for r in routes())"
wait_eq 20 "f1: only $X701 (tagged 64500:70), LOCAL_PREF 80" \
	"$X701 communities=64500:64,64500:70 local_pref=80" \
	f1_6 "prefixes() + ' ' + summ('$X701','communities','local_pref')"
assert_eq "show rib ipv4 filtered after the reload: 10.50.2.0/24 too" \
	"10.50.2.0/24=10.0.1.2:in:blocked:0 10.99.0.0/16=10.0.1.2:in:blocked:0 10.99.1.0/24=10.0.1.2:in:blocked:0" \
	"$(ctl d show rib ipv4 filtered | jget "$FILT")"
assert_eq "bgp64d: no session reset (flaps)" "0 0" \
	"$(ctl d show neighbors | jget "' '.join(str(nbr(a)['stats']['flaps']) for a in ('10.0.1.2', '10.0.2.2'))")"
assert_eq "b1: session d not reset (Established since)" "$B1_SINCE" "$(since_d)"
assert_eq "f1: session not re-established" "$F1_DROPS" \
	"$(vty f1 "show bgp neighbors 10.0.2.1 json" | jget "j['10.0.2.1']['connectionsEstablished']")"
log_has d 'import policy changed: route refresh requested' || fail "bgp64d: no route refresh logged"
pass "bgp64d asked for a route refresh to re-run the import policy"

step "an invalid policy on reload is refused, the running one kept"
sed -i 's/"prefix-set": "blocked"/"prefix-set": "nope"/' "$(b64_conf d)"
OUT=$(ctl d reload 2>&1) && fail "reload with an unknown set accepted"
assert_match "reload refused with the JSON path" 'policies\.in\.rules\[0\]\.match\.prefix-set: unknown prefix set "nope"' "$OUT"
OUT=$("$BGP64D" -n -c "$(b64_conf d)" 2>&1) && fail "bgp64d -n accepted an unknown set"
assert_match "at start (bgp64d -n) the same error" 'policies\.in\.rules\[0\]\.match\.prefix-set: unknown prefix set "nope"' "$OUT"
stays_eq 3 "b1: routes unchanged" "$X501=80 $X701=80 $X702=80" \
	b1_6 "words(r['prefix']+'='+str(best(r['prefix'])['local_pref']) for r in routes())"
alive d || fail "bgp64d died"
stop d
