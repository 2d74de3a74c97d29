#!/usr/bin/env bash
# Kernel installation for real (fib.enabled): a BIRD border sends IPv4 routes, bgp64d installs
# their translations in its own network namespace over rtnetlink, table 100, protocol 64.
# Checked with `ip -6 route show table 100 proto 64` in that namespace: exactly the translated
# routes via the mapped next hop; a route of ours left by an earlier run (not re-announced) is
# removed by the start-up reconciliation while a route of another protocol stays; a
# withdrawal at the border removes the kernel route; `bgp64ctl show fib` counts the work; and
# SIGTERM removes every route bgp64d installed.
# FIB safety (issue 8 item 5): "protocol": "boot" (the host's own routes in table 254), "static"
# or another daemon's ("bgp", "zebra", "bird") is refused at start with a clear config error;
# an IPv4 route of protocol 64 in table 100 (bgp64d writes IPv6 only) survives the start-up
# reconciliation and the exit.
. "$(dirname "$0")/lib.sh"
need_bgp64d

NSP=64:ff9b::/96
step "topology: b1 (BIRD) --- d (bgp64d, kernel routes)"
ns_add d b1
link d b1 1

cat >"$T/b1.conf" <<EOF
log stderr all;
router id 10.0.1.2;
protocol device {}
protocol static src4 { ipv4; route 1.1.1.0/24 unreachable; route 8.8.8.0/24 unreachable;
  route 10.99.0.0/16 unreachable; }
protocol static wd4 { ipv4; route 9.9.9.0/24 unreachable; }
protocol bgp d {
  local 10.0.1.2 as 64500; neighbor 10.0.1.1 as 64500;
  hold time 9; connect retry time 2; connect delay time 1;
  ipv4 { import none; export all; next hop self; };
  ipv6 { import none; export none; };
}
EOF

cat >"$(b64_conf d)" <<EOF
{
  "router-id": "10.0.1.1", "local-as": 64500,
  "listen": [{"address": "10.0.1.1"}],
  "translation": {"prefix": "$NSP",
    "next-hops": [{"ipv4": "10.0.1.2/32", "ipv6": "fd00:1::64"}], "eor-wait": 5},
  "neighbors": [
    {"address": "10.0.1.2", "remote-as": 64500, "route-reflector-client": true,
     "hold-time": 9, "connect-retry": 1,
     "families": {"ipv4": {"import": true, "export": false}, "ipv6": {"import": false, "export": false}}}
  ],
  "fib": {"enabled": true, "table": 100, "protocol": 64, "metric": 20},
  "control": {"socket": "$(b64_sock d)"}
}
EOF

step "fib.protocol of the system or of another routing daemon: refused at start"
ip -n "$(ns d)" -4 route add default via 10.0.1.2 # proto boot, table 254, as a host has it
for proto in '"boot"' 3 '"static"' '"kernel"' '"bgp"' '"zebra"' '"bird"' 12; do
	sed "s/\"protocol\": 64/\"protocol\": $proto/; s/\"table\": 100/\"table\": 254/" \
		"$(b64_conf d)" >"$T/bad-proto.json"
	rc=0
	out=$("$BGP64D" -n -c "$T/bad-proto.json" 2>&1) || rc=$?
	assert_eq "bgp64d -n with \"protocol\": $proto: exit status" 1 "$rc"
	assert_match "... the message names fib.protocol and the owner" \
		'bad-proto\.json: fib\.protocol: protocol [0-9]+.* belongs to ' "$out"
done
say "message: $out"
rc=0
ip netns exec "$(ns d)" "$BGP64D" -d -c "$T/bad-proto.json" >"$T/bad-proto.log" 2>&1 || rc=$?
assert_eq "bgp64d started with \"protocol\": 12 exits with status" 1 "$rc"
assert_eq "... and touched no route (default route of the namespace unchanged)" \
	"default via 10.0.1.2 dev to-b1" \
	"$(ip -n "$(ns d)" -4 route show default proto boot | xargs)"

X1=$(xlat96 $NSP 1.1.1.0/24)
X8=$(xlat96 $NSP 8.8.8.0/24)
X9=$(xlat96 $NSP 9.9.9.0/24)
STALE=$(xlat96 $NSP 4.4.4.0/24)
OTHER=$(xlat96 $NSP 5.5.5.0/24)
kroutes() { # our kernel routes: "prefix=gateway" sorted
	ip -n "$(ns d)" -6 route show table 100 proto 64 |
		awk '{ for (i = 1; i <= NF; i++) if ($i == "via") print $1 "=" $(i + 1) }' | sort | xargs
}
other_left() { ip -n "$(ns d)" -6 route show table 100 proto static | awk '{print $1}' | xargs; }
fib_json() { ctl d show fib | jget "$1"; }
summary() { ctl d show summary | jget "$1"; }

step "a route of ours from an earlier run, one of another protocol, an IPv4 one of protocol 64"
ip -n "$(ns d)" -6 route add "$STALE" via fd00:1::64 table 100 proto 64 metric 20
ip -n "$(ns d)" -6 route add "$OTHER" via fd00:1::64 table 100 proto static metric 20
ip -n "$(ns d)" -4 route add 192.0.2.0/24 via 10.0.1.2 table 100 proto 64 metric 20
assert_eq "stale route present before start" "$STALE=fd00:1::64" "$(kroutes)"
v4_ours() { ip -n "$(ns d)" -4 route show table 100 proto 64 | awk '{print $1}' | xargs; }
assert_eq "IPv4 route of protocol 64 present before start" 192.0.2.0/24 "$(v4_ours)"

bird_start b1 b1
b64_start d d

expected=$(printf '%s\n' "$X1=fd00:1::64" "$X8=fd00:1::64" "$X9=fd00:1::64" | sort | xargs)
wait_eq 30 "bgp64d: neighbor 10.0.1.2" Established nbr_state d 10.0.1.2
wait_eq 30 "kernel: table 100 proto 64 holds exactly the translations" "$expected" kroutes
assert_eq "the other protocol's route is untouched" "$OTHER" "$(other_left)"
assert_eq "the IPv4 route of protocol 64 is untouched (bgp64d writes IPv6 only)" 192.0.2.0/24 \
	"$(v4_ours)"
assert_eq "10.99.0.0/16 (not globally reachable) is in the IPv4 RIB" 10.99.0.0/16 \
	"$(rib d ipv4 "words(r['prefix'] for r in routes() if r['prefix'].startswith('10.99'))")"
assert_eq "... but not translated under the WKP (RFC 6052 3.1), and counted" 1 \
	"$(summary "j['summary']['stats']['non_global_skipped']")"
assert_eq "show fib: enabled" true "$(fib_json "j['fib']['enabled']")"
wait_eq 10 "show fib: the stale route was removed by reconciliation" 1 \
	fib_json "j['fib']['stale_removed']"

step "a withdrawal at the border removes the kernel route"
birdc_q b1 disable wd4 >/dev/null
expected=$(printf '%s\n' "$X1=fd00:1::64" "$X8=fd00:1::64" | sort | xargs)
wait_eq 20 "kernel: 9.9.9.0/24's translation gone" "$expected" kroutes

step "reload (SIGHUP) with another translator: routes re-derived, session untouched"
sed -i 's/"ipv6": "fd00:1::64"/"ipv6": "fd00:1::65"/' "$(b64_conf d)"
kill -HUP "${B64_PID[d]}"
expected=$(printf '%s\n' "$X1=fd00:1::65" "$X8=fd00:1::65" | sort | xargs)
wait_eq 20 "kernel: the translations moved to the new next hop" "$expected" kroutes
assert_eq "the border's session did not flap" 0 \
	"$(ctl d show neighbors | jget "nbr('10.0.1.2')['stats']['flaps']")"
assert_eq "the border's session is Established" Established "$(nbr_state d 10.0.1.2)"

step "SIGTERM removes every route bgp64d installed"
stop d TERM || true
assert_eq "kernel: no route of protocol 64 left" "" "$(kroutes)"
assert_eq "the other protocol's route is still there" "$OTHER" "$(other_left)"
assert_eq "the IPv4 route of protocol 64 is still there" 192.0.2.0/24 "$(v4_ours)"
