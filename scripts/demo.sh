#!/usr/bin/env bash
# Quick start, main job: installs dependencies, builds, and runs bgp64d on the shipped example
# configuration (etc/bgp64d.json) beside a real border router (BIRD) in two private network
# namespaces, so you can watch IPv4 routes come back translated into IPv6.
#
#   border (BIRD, 192.0.2.10, AS 64500)  <-- one MP-BGP session -->  bgp64d (192.0.2.1)
#     exports its IPv4 table                                          translates, reflects
#     imports the translated IPv6 routes                              the IPv6 routes back
#
# Nothing leaves the namespaces. Ctrl-C stops everything; --once shows the result and exits.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
once=0
[ "${1:-}" = "--once" ] && once=1
if [ "$(id -u)" -ne 0 ]; then
	echo "demo.sh: run as root (it creates network namespaces)" >&2
	exit 1
fi

scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null

R=bgp64-demo-r B=bgp64-demo-b
work=$(mktemp -d /tmp/bgp64-demo.XXXXXX)
cleanup() {
	set +e
	[ -n "${dpid:-}" ] && kill "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
	[ -f "$work/bird.pid" ] && kill "$(cat "$work/bird.pid")" 2>/dev/null
	ip netns del "$R" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns del "$R" 2>/dev/null || true
ip netns del "$B" 2>/dev/null || true
ip netns add "$R"
ip netns add "$B"
ip link add d0 netns "$R" type veth peer name b0 netns "$B"
ip -n "$R" link set lo up
ip -n "$B" link set lo up
ip -n "$R" addr add 192.0.2.1/24 dev d0
ip -n "$B" addr add 192.0.2.10/24 dev b0
ip -n "$R" addr add 2001:db8:64::2/64 dev d0 nodad
ip -n "$B" addr add 2001:db8:64::10/64 dev b0 nodad
ip -n "$R" link set d0 up
ip -n "$B" link set b0 up

# The border: a few IPv4 routes (global ones, one inside the example's explicit mapping and
# one private, which the well-known prefix must not carry), next hop self.
cat >"$work/bird.conf" <<BIRD
router id 192.0.2.10;
log "$work/bird.log" all;
protocol device {}
protocol direct { ipv6; interface "b0"; }
protocol static {
	ipv4;
	route 1.1.1.0/24 blackhole;
	route 8.8.8.0/24 blackhole;
	route 9.9.9.0/24 blackhole;
	route 203.0.113.128/25 blackhole;
	route 10.64.0.0/16 blackhole;
}
protocol bgp bgp64d {
	local 192.0.2.10 as 64500;
	neighbor 192.0.2.1 as 64500;
	direct;
	connect retry time 2;
	ipv4 { import none; export all; next hop self; };
	ipv6 { import all; export none; gateway direct; };
}
BIRD
ip netns exec "$B" bird -c "$work/bird.conf" -s "$work/bird.ctl" -P "$work/bird.pid"

echo "starting bgp64d -c etc/bgp64d.json in namespace $R (log: $work/bgp64d.log)"
ip netns exec "$R" "$top/build/bgp64d" -c "$top/etc/bgp64d.json" 2>"$work/bgp64d.log" &
dpid=$!

ctl="$top/build/bgp64ctl"
for _ in $(seq 1 60); do
	n=$(birdc -s "$work/bird.ctl" show route table master6 count 2>/dev/null |
		awk '/routes/ {print $1; exit}')
	[ "${n:-0}" -ge 4 ] && break
	sleep 0.5
done

echo
echo "== bgp64d: translated IPv6 routes (bgp64ctl show rib ipv6 --text)"
"$ctl" --text show rib ipv6 || true
echo
echo "== the border's IPv6 table, learned back from bgp64d (birdc show route table master6)"
birdc -s "$work/bird.ctl" show route table master6 || true
echo
echo "== untranslated: 10.64.0.0/16 is not globally reachable (RFC 6052 3.1)"
"$ctl" show translation 10.64.0.0/16 || true
echo
if [ "$once" = 1 ]; then
	exit 0
fi
echo "bgp64d is running (bgp64ctl show summary / show rib ipv4 / show neighbors). Ctrl-C stops."
wait "$dpid"
