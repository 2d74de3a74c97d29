#!/usr/bin/env bash
# A neighbor can only hurt its own session (issue 8 item 1; bgp64d.json(5) "Limits").
#
# bgp64d with a memory budget for interned attributes of 64 MiB (set low so that the run is
# short; the mechanism is the one of the default budget, half of the physical memory), and
#   b   BIRD border: 2000 IPv4 routes to bgp64d, their translations back (one MP-BGP session);
#   s3  speaker with tight per-neighbor limits (communities 5, as-path-length 10, attribute
#       bytes 1 MiB, all "block"): a route over a limit is not kept, the session stays;
#   s2  the attacker: B64_MEMB_N prefixes (default 1,000,000), each UPDATE with its own 4000-
#       octet unknown transitive attribute, i.e. a unique attribute set of about 4 KB each.
# s2 must lose its session (Cease 6/8, out of resources) once the budget would be passed, with
# a log line saying so, and its paths are flushed; bgp64d keeps running, its RSS stays
# bounded, BIRD's session never flaps and keeps its 2000 translated routes, s3's session and
# routes stay.
. "$(dirname "$0")/lib.sh"
need_bgp64d

N=${B64_MEMB_N:-1000000}
BUDGET=$((64 << 20))
NSP=2001:db8:64::/96
step "topology: b (BIRD) --- d (bgp64d) --- s2 (attacker), s3 (speaker)"
ns_add d b s2 s3
link d b 1
link d s2 2
link d s3 3

routes=$(python3 -c 'print("".join("  route 10.%d.%d.0/24 unreachable;\n" % (90 + i // 256, i % 256) for i in range(2000)))')
cat >"$T/b.conf" <<EOF
log stderr all;
router id 10.0.1.2;
protocol device {}
protocol direct { ipv6; interface "to-d"; }
protocol static src4 {
  ipv4;
$routes}
protocol bgp d {
  local 10.0.1.2 as 64500; neighbor 10.0.1.1 as 64500;
  hold time 9; connect retry time 2; connect delay time 1;
  ipv4 { import none; export all; };
  ipv6 { import all; export none; };
}
EOF

cat >"$(b64_conf d)" <<EOF
{
  "router-id": "10.0.1.1",
  "local-as": 64500,
  "listen": [{"address": "10.0.1.1"}, {"address": "10.0.2.1"}, {"address": "10.0.3.1"}],
  "translation": {"prefix": "$NSP", "next-hops": [{"ipv4": "10.0.1.2/32", "ipv6": "fd00:1::64"}]},
  "limits": {"memory-budget": $BUDGET},
  "neighbors": [
    {"address": "10.0.1.2", "remote-as": 64500, "route-reflector-client": true, "hold-time": 9,
     "families": {"ipv4": {"import": true, "export": false}, "ipv6": {"import": false, "export": true}}},
    {"address": "10.0.2.2", "remote-as": 64602, "passive": true, "hold-time": 9,
     "families": {"ipv4": {"import": true, "export": false}, "ipv6": {"import": false, "export": false}}},
    {"address": "10.0.3.2", "remote-as": 64603, "passive": true, "hold-time": 9,
     "families": {"ipv4": {"import": true, "export": false}, "ipv6": {"import": false, "export": false}},
     "limits": {"communities": {"limit": 5, "action": "block"}, "as-path-length": 10,
                "attribute-bytes": {"limit": 1048576, "action": "block"}}}
  ],
  "fib": {"enabled": false},
  "control": {"socket": "$(b64_sock d)"},
  "metrics": {"listen": "127.0.0.1:9179"}
}
EOF
bird_start b b
b64_start d d
speaker_start s3 s3 --connect 10.0.3.1 --as 64603 --peer-as 64500 --id 10.0.3.2 --nexthop 10.0.3.2

held() { # IPv4 paths of neighbor 10.0.$1.2
	rib d ipv4 "sum(1 for r in routes() for p in r['paths'] if p['neighbor'] == '10.0.$1.2')"
}
nlim() { ctl d show neighbors "10.0.$1.2" | jget "nbr('10.0.$1.2')['limits']['$2']"; }
summ() { ctl d show summary | jget "$1"; }
v6count() { bird_q b "count()" table master6 protocol d; }
rss_kib() { awk '$1 == "VmRSS:" { print $2 }' "/proc/${B64_PID[d]}/status"; }
b_flaps() { ctl d show neighbors | jget "str(nbr('10.0.1.2')['stats']['flaps'])+' '+nbr('10.0.1.2')['state']"; }

step "the stable border and its translated routes"
wait_eq 30 "bgp64d: neighbor 10.0.1.2 (BIRD)" Established nbr_state d 10.0.1.2
wait_eq 30 "bgp64d: neighbor 10.0.3.2 (s3)" Established nbr_state d 10.0.3.2
wait_eq 30 "bgp64d: BIRD's IPv4 routes" 2000 held 1
wait_eq 30 "b: translated routes back" 2000 v6count
flaps0=$(b_flaps)
rss0=$(rss_kib)

step "per-neighbor limits, action block: the route is not kept, the session stays"
speaker_cmd s3 "announce 10.199.0.0/24"
speaker_cmd s3 "announce 10.199.1.0/24 comm=1:1,1:2,1:3,1:4,1:5,1:6"
speaker_cmd s3 "announce 10.199.2.0/24 aspath=$(seq -s, 64603 64613)"
wait_eq 10 "bgp64d: s3's routes (6 communities and 11 ASes over the limits)" "yes no no" \
	rib d ipv4 "has('10.199.0.0/24')+' '+has('10.199.1.0/24')+' '+has('10.199.2.0/24')"
speaker_cmd s3 "flood 1000 20.95.0.0 attrsize=4000"
wait_for 20 "s3: its flood sent" speaker_has s3 '^flood-sent 1000'
sleep 1
s3n=$(held 3)
[ "$s3n" -ge 200 ] && [ "$s3n" -le 260 ] || fail "s3: expected 200..260 paths (1 MiB of 4 KB sets), got $s3n"
pass "s3: $s3n paths kept within its 1 MiB of attribute bytes"
assert_eq "s3: attribute bytes held within its limit" yes \
	"$(ctl d show neighbors 10.0.3.2 | jget "'yes' if nbr('10.0.3.2')['limits']['attribute_bytes_held'] <= 1048576 else 'no'")"
assert_eq "s3: announcements ignored counted (2 + the flood's excess)" yes \
	"$(ctl d show neighbors 10.0.3.2 | jget "'yes' if nbr('10.0.3.2')['limits']['updates_blocked'] >= 700 else 'no'")"
assert_eq "bgp64d: neighbor 10.0.3.2" Established "$(nbr_state d 10.0.3.2)"
speaker_has s3 '^notification-received' && fail "s3 got a NOTIFICATION"
pass "s3: no NOTIFICATION"

step "the attacker: $N prefixes, each with a unique 4 KB attribute set"
speaker_start s2 s2 --connect 10.0.2.1 --as 64602 --peer-as 64500 --id 10.0.2.2 --nexthop 10.0.2.2
wait_eq 30 "bgp64d: neighbor 10.0.2.2 (attacker)" Established nbr_state d 10.0.2.2
t0=$(date +%s.%N)
printf 'flood %s 30.0.0.0 attrsize=4000\n' "$N" >"$T/s2.fifo"
wait_for 120 "s2: Cease 6/8 (out of resources)" speaker_has s2 '^notification-received 6/8'
t1=$(date +%s.%N)
say "attacker: $(speaker_events s2 '^flood-(progress|sent)' | tail -n1) of $N prefixes sent when its session was closed, after $(python3 -c "print(round($t1 - $t0, 2))") s"
log_has d '10.0.2.2.*would pass the memory budget .*closing its session \(Cease/out of resources\)' ||
	fail "bgp64d: no log line naming the attacker and the budget"
pass "bgp64d: $(grep -o '10.0.2.2 AS64602: interning.*' "${B64_LOG[d]}" | head -n1)"
wait_eq 30 "bgp64d: the attacker's paths flushed" 0 held 2
assert_eq "bgp64d: sessions closed by the budget" 1 "$(summ "j['summary']['memory']['budget_sessions_closed']")"
assert_eq "bgp64d: interned attributes below the budget" yes \
	"$(summ "'yes' if j['summary']['memory']['attribute_bytes'] < $BUDGET else 'no'")"

step "the daemon and the other sessions carried on"
alive d || fail "bgp64d died"
rss1=$(rss_kib)
hwm=$(awk '$1 == "VmHWM:" { print $2 }' "/proc/${B64_PID[d]}/status")
say "bgp64d VmRSS: ${rss0} KiB before, ${rss1} KiB after the attack, peak ${hwm} KiB (budget $((BUDGET >> 10)) KiB)"
if grep -qa AddressSanitizer "$BGP64D"; then
	# ASan keeps freed memory in quarantine and adds redzones to every allocation
	say "note: bgp64d is built with ASan: peak RSS not compared with the budget"
else
	[ "$hwm" -lt $((rss0 + 2 * (BUDGET >> 10))) ] ||
		fail "bgp64d peak RSS past 2x the budget: $hwm KiB"
	pass "bgp64d peak RSS bounded by the budget"
fi
assert_eq "bgp64d: BIRD and s3 Established" "Established Established" "$(nbr_state d 10.0.1.2) $(nbr_state d 10.0.3.2)"
assert_eq "b: session never reset (flaps, state)" "$flaps0" "$(b_flaps)"
assert_eq "b: BIRD's view" Established "$(bird_proto_state b d)"
assert_eq "bgp64d: BIRD's routes" 2000 "$(held 1)"
assert_eq "b: its translated routes" 2000 "$(v6count)"
assert_eq "bgp64d: s3's routes" "$s3n" "$(held 3)"
assert_eq "bgp64d: attacker refused until its restart-time (60 s)" true "$(nlim 2 restart_pending)"
metrics() { # the /metrics lines matching $1
	in_ns d python3 -c 'import urllib.request
print(urllib.request.urlopen("http://127.0.0.1:9179/metrics", timeout=2).read().decode())' |
		grep -E "$1"
}
assert_eq "/metrics: budget, sessions closed for it, the attacker's limit counters" \
	"bgp64d_attribute_budget_bytes $BUDGET bgp64d_budget_sessions_closed_total 1 bgp64d_neighbor_attribute_bytes{neighbor=\"10.0.2.2\"} 0 bgp64d_neighbor_limit_sessions_closed_total{neighbor=\"10.0.2.2\"} 1" \
	"$(metrics '^bgp64d_(attribute_budget_bytes|budget_sessions_closed_total|neighbor_attribute_bytes\{neighbor="10.0.2.2"|neighbor_limit_sessions_closed_total\{neighbor="10.0.2.2")' | tr '\n' ' ' | sed 's/ $//')"
stop d
