#!/usr/bin/env bash
# End to end on real packets (issue 10): an IPv6-only host reaches an IPv4-only server through
# the translator beside the border with the best IPv4 path, with failover and two redundant
# bgp64d route reflectors; an IPv4-only client reaches an IPv6-only server the other way
# (SIIT-DC, RFC 7757). This is also the project's demo (scripts/demo.sh runs it with B64_DEMO=1).
#
#   "Internet" (IPv4 only)                    cli 203.0.113.7 (IPv4-only client)
#     srv 198.51.100.80 (HTTP)                  |
#       |            \                          |
#     up1 AS 64496    up2 AS 64497 ------------ (up1 only)
#       | eBGP          | eBGP (AS path 3 long: the worse one)
#     b1 AS 64500     b2 AS 64500      borders: BIRD 2 + Tayga (NAT64, dynamic pool, nft NAT44)
#       |               |
#   ----+---- core LAN 10.0.0.0/24, 2001:db8:c0::/64 (bridge in namespace sw) ----+----+
#       |               |               |                 |                          |
#     rr1 bgp64d      rr2 bgp64d      int (BIRD, IPv6 only: learns the translated routes
#     10.0.0.1        10.0.0.2             over BGP from rr1 and rr2, installs them)
#     (same cluster id, both peer with b1, b2 and int)      |                 |
#                                                         h6 (IPv6-only    s6 (IPv6-only
#                                                         host)             HTTP server)
#
# Addresses: only documentation and private ranges, so that not even a packet inside the
# namespaces is addressed to a real host. Under the well-known prefix 64:ff9b::/96 those IPv4
# ranges are not translated (RFC 6052 3.1; bgp64d's wkp-global-only and Tayga both refuse them),
# so the translation prefix is network-specific, 2001:db8:64::/96, as an operator with their own
# IPv6 block would use: 198.51.100.80 is 2001:db8:64::c633:6450.
#   198.51.100.0/24   the IPv4 server's network, announced by up1 (AS path 64496) and by up2
#                     (64497 64497 64497)
#   203.0.113.0/24    IPv4 clients, announced by up1; explicitly mapped (RFC 7757) to
#                     2001:db8:1234:64:ffff:ffff:ffff:ff00/120 by bgp64d and by both Tayga
#   192.0.2.0/24      the site's own IPv4 block, announced by the borders to their upstreams;
#                     192.0.2.80 is mapped by Tayga to the IPv6-only server 2001:db8:a:2::80
#   10.64.N.0/24      Tayga's dynamic pool on border N, masqueraded (nftables) to 10.1.N.2
#
# Checks: ping and an HTTP page from h6 to the server's translated address; the path through b1
# (bgp64ctl show rib, the interior's kernel route, the tun counters of each Tayga); up1
# withdraws the server prefix during ping trains at 20/s and 1000/s: traffic moves to b2, the
# loss windows and the interior's reroute time (ip -ts monitor) are printed; the prefix returns:
# traffic moves back; rr1 is killed (SIGKILL) during ping trains: at most 2 of 120 lost, the
# interior uses rr2's route, and once restarted rr1 and rr2 hold identical translated tables;
# cli fetches a page from s6 through 192.0.2.80 and s6's answer follows bgp64d's
# explicit-mapping route. A loss window is the time between the answers on either side of the
# lost echo requests, less one interval (so 20/s cannot see less than 50 ms of outage).
#
# B64_DEMO=1: plain words only (no PASS lines), and unless B64_DEMO_ONCE=1 everything stays up
# at the end until Ctrl-C.
. "$(dirname "$0")/lib.sh"
need_bgp64d
for b64_tool in tayga nft ping; do
	command -v "$b64_tool" >/dev/null || skip "$b64_tool is not installed (scripts/deps.sh)"
done
DEMO=${B64_DEMO:-0}
[ "$DEMO" = 1 ] && export B64_QUIET_PASS=1

NSP=2001:db8:64::/96
SRV4=198.51.100.80
SRV6=2001:db8:64::c633:6450 # SRV4 under NSP (RFC 6052, /96)
SRVPFX6=2001:db8:64::c633:6400/120
EAM4=203.0.113.0/24
EAM6=2001:db8:1234:64:ffff:ffff:ffff:ff00/120
CLI4=203.0.113.7
CLI6=2001:db8:1234:64:ffff:ffff:ffff:ff07 # CLI4 through the explicit mapping
DC4=192.0.2.80                            # the IPv6-only server's public IPv4 address
S6=2001:db8:a:2::80
H6=2001:db8:a:1::10
B1_6=2001:db8:c0::11
B2_6=2001:db8:c0::12

# ---------------------------------------------------------------- topology

# wire A B: a veth pair "to-B" in A, "to-A" in B, up, without addresses.
wire() {
	ip link add "to-$2" netns "$(ns "$1")" type veth peer name "to-$1" netns "$(ns "$2")" ||
		fail "veth $1-$2"
	ip -n "$(ns "$1")" link set "to-$2" up
	ip -n "$(ns "$2")" link set "to-$1" up
}
# lan NAME: a veth pair from NAME to the bridge of namespace sw ("lan" in NAME).
lan() {
	ip link add lan netns "$(ns "$1")" type veth peer name "p-$1" netns "$(ns sw)" ||
		fail "veth $1-sw"
	ip -n "$(ns sw)" link set "p-$1" master br0 up
	ip -n "$(ns "$1")" link set lan up
}
sysctl_ns() {
	local n=$1
	shift
	in_ns "$n" sysctl -qw "$@" >/dev/null || fail "sysctl $* in $n"
}

step "topology: 12 network namespaces, BIRD 2, Tayga, nftables, two bgp64d"
say "Every address is from a documentation or private range. The translation prefix is the"
say "network-specific $NSP: under the well-known prefix 64:ff9b::/96 these IPv4"
say "ranges are not translated (RFC 6052 section 3.1), by bgp64d or by Tayga."
ns_add up1 up2 srv cli b1 b2 sw rr1 rr2 int h6 s6
for n in up1 up2 srv cli b1 b2 sw rr1 rr2 int h6 s6; do
	sysctl_ns "$n" net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
done
for n in up1 up2 b1 b2; do sysctl_ns "$n" net.ipv4.ip_forward=1; done
for n in b1 b2 int; do sysctl_ns "$n" net.ipv6.conf.all.forwarding=1; done
ip -n "$(ns sw)" link add br0 type bridge
ip -n "$(ns sw)" link set br0 up

wire srv up1
wire srv up2
wire cli up1
wire b1 up1
wire b2 up2
wire int h6
wire int s6
for n in b1 b2 rr1 rr2 int; do lan "$n"; done

addr_add srv lo $SRV4/32
addr_add srv to-up1 10.2.1.2/24
addr_add up1 to-srv 10.2.1.1/24
addr_add srv to-up2 10.2.2.2/24
addr_add up2 to-srv 10.2.2.1/24
# the server answers each border's egress address through that border's upstream
in_ns srv ip route add 10.1.1.0/24 via 10.2.1.1
in_ns srv ip route add 10.1.2.0/24 via 10.2.2.1
addr_add cli lo $CLI4/32
addr_add cli to-up1 10.3.1.2/24
addr_add up1 to-cli 10.3.1.1/24
in_ns cli ip route add default via 10.3.1.1 src $CLI4
addr_add b1 to-up1 10.1.1.2/24
addr_add up1 to-b1 10.1.1.1/24
addr_add b2 to-up2 10.1.2.2/24
addr_add up2 to-b2 10.1.2.1/24
addr_add rr1 lan 10.0.0.1/24
addr_add rr1 lan 2001:db8:c0::1/64
addr_add rr2 lan 10.0.0.2/24
addr_add rr2 lan 2001:db8:c0::2/64
addr_add b1 lan 10.0.0.11/24
addr_add b1 lan $B1_6/64
addr_add b2 lan 10.0.0.12/24
addr_add b2 lan $B2_6/64
addr_add int lan 2001:db8:c0::100/64
addr_add int to-h6 2001:db8:a:1::1/64
addr_add h6 to-int $H6/64
in_ns h6 ip -6 route add default via 2001:db8:a:1::1
addr_add int to-s6 2001:db8:a:2::1/64
addr_add s6 to-int $S6/64
in_ns s6 ip -6 route add default via 2001:db8:a:2::1

# ---------------------------------------------------------------- HTTP services

mkdir -p "$T/www4" "$T/www6"
echo "hello from the IPv4-only server $SRV4" >"$T/www4/index.html"
echo "hello from the IPv6-only server $S6" >"$T/www6/index.html"
spawn http4 srv python3 -m http.server --bind $SRV4 --directory "$T/www4" 80
spawn http6 s6 python3 -m http.server --bind :: --directory "$T/www6" 80

# fetch NS URL: the page at URL fetched from namespace NS (5 s timeout).
fetch() {
	in_ns "$1" python3 -c 'import sys, urllib.request
print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode().strip())' "$2"
}

# ---------------------------------------------------------------- borders: Tayga and NAT44

# border N: Tayga on border bN (dynamic pool 10.64.N.0/24, the explicit mappings) and the
# kernel's NAT44 of that pool to the upstream address 10.1.N.2.
border() {
	local n=$1 b=b$1 up=to-up$1
	mkdir -p "$T/tayga-$b"
	cat >"$T/tayga-$b.conf" <<EOF
tun-device nat64
ipv4-addr 10.64.$n.1
prefix $NSP
dynamic-pool 10.64.$n.0/24
data-dir $T/tayga-$b
map $DC4 $S6
map $EAM4 $EAM6
EOF
	in_ns "$b" tayga -c "$T/tayga-$b.conf" --mktun >"$T/tayga-$b.mktun" 2>&1 ||
		fail "tayga --mktun on $b: $(cat "$T/tayga-$b.mktun")"
	in_ns "$b" ip link set nat64 up
	in_ns "$b" ip route add "10.64.$n.0/24" dev nat64
	in_ns "$b" ip route add $DC4/32 dev nat64
	in_ns "$b" ip -6 route add $NSP dev nat64
	in_ns "$b" ip -6 route add $EAM6 dev nat64
	# the interior's IPv6 networks (what an IGP would carry)
	in_ns "$b" ip -6 route add 2001:db8:a::/48 via 2001:db8:c0::100
	in_ns "$b" nft -f - <<EOF || fail "nft on $b"
table ip nat44 {
	chain post {
		type nat hook postrouting priority srcnat;
		ip saddr 10.64.$n.0/24 oifname "$up" masquerade
	}
}
EOF
	spawn "tayga-$b" "$b" tayga -n -c "$T/tayga-$b.conf"
}
border 1
border 2

# ---------------------------------------------------------------- BIRD

BIRD_TIMERS='hold time 9; connect retry time 1; connect delay time 1; error wait time 1, 2;'

# upstream N AS EXPORT-FILTER STATIC...: upstream router upN, eBGP with border bN.
upstream() {
	local n=$1 as=$2 filter=$3
	shift 3
	cat >"$T/up$n.conf" <<EOF
log stderr all;
router id 10.1.$n.1;
protocol device {}
protocol kernel { ipv4 { export all; }; }
$*
filter to_border { $filter }
protocol bgp b$n {
	local 10.1.$n.1 as $as; neighbor 10.1.$n.2 as 64500;
	$BIRD_TIMERS
	ipv4 { import all; export filter to_border; };
}
EOF
}
upstream 1 64496 'if proto = "srv4" || proto = "cli4" then accept; reject;' \
	"protocol static srv4 { ipv4; route 198.51.100.0/24 via 10.2.1.2; }" \
	"protocol static cli4 { ipv4; route $EAM4 via 10.3.1.2; }"
upstream 2 64497 'if proto = "srv4" then { bgp_path.prepend(64497); bgp_path.prepend(64497); accept; } reject;' \
	"protocol static srv4 { ipv4; route 198.51.100.0/24 via 10.2.2.2; }"

# border N: eBGP with upN, one iBGP MP-BGP session with each bgp64d (IPv4 out with next hop
# self, the translated IPv6 routes in, kept in BIRD's table: the border's own Tayga routes are
# in the kernel), the site's block 192.0.2.0/24 announced upstream. A translated route whose
# next hop is the border's own translator is refused by that border ("Invalid NEXT_HOP
# attribute - address ... is local", treated as withdrawn); the other border keeps it.
for n in 1 2; do
	cat >"$T/b$n.conf" <<EOF
log stderr all;
router id 10.0.0.1$n;
protocol device {}
protocol kernel { ipv4 { export where source = RTS_BGP; }; }
protocol static site4 { ipv4; route 192.0.2.0/24 unreachable; }
protocol bgp up {
	local 10.1.$n.2 as 64500; neighbor 10.1.$n.1 as 6449$((5 + n));
	$BIRD_TIMERS
	ipv4 { import all; export where proto = "site4"; };
}
template bgp rrt {
	local 10.0.0.1$n as 64500;
	direct;
	$BIRD_TIMERS
	ipv4 { import none; export where source = RTS_BGP; next hop self; };
	ipv6 { import all; export none; gateway direct; };
}
protocol bgp rr1 from rrt { neighbor 10.0.0.1 as 64500; }
protocol bgp rr2 from rrt { neighbor 10.0.0.2 as 64500; }
EOF
done

# the interior: IPv6 only, learns the translated routes from both reflectors and installs the
# best one in its kernel; nothing static for the translation prefix.
cat >"$T/int.conf" <<EOF
log stderr all;
router id 10.0.0.100;
protocol device {}
protocol kernel { ipv6 { export where source = RTS_BGP; }; }
template bgp rrt {
	local 2001:db8:c0::100 as 64500;
	direct;
	$BIRD_TIMERS
	ipv6 { import all; export none; gateway direct; };
}
protocol bgp rr1 from rrt { neighbor 2001:db8:c0::1 as 64500; }
protocol bgp rr2 from rrt { neighbor 2001:db8:c0::2 as 64500; }
EOF

# ---------------------------------------------------------------- bgp64d

# rr_conf N: reflector rrN; both have cluster id 10.0.0.10 and the same translation.
rr_conf() {
	local n=$1 fam_b fam_i
	fam_b=$(fam_json ipv4-import,ipv6-export)
	fam_i=$(fam_json ipv6-export)
	cat >"$(b64_conf "rr$n")" <<EOF
{
  "router-id": "10.0.0.$n",
  "cluster-id": "10.0.0.10",
  "local-as": 64500,
  "listen": [{"address": "10.0.0.$n"}, {"address": "2001:db8:c0::$n"}],
  "translation": {
    "prefix": "$NSP",
    "next-hops": [
      {"ipv4": "10.0.0.11/32", "ipv6": "$B1_6"},
      {"ipv4": "10.0.0.12/32", "ipv6": "$B2_6"}
    ],
    "unknown-next-hop": "reject",
    "explicit-mappings": [{"ipv4": "$EAM4", "ipv6": "$EAM6"}],
    "eor-wait": 5
  },
  "neighbors": [
    {"address": "10.0.0.11", "remote-as": 64500, "description": "border b1",
     "route-reflector-client": true, "hold-time": 9, "connect-retry": 1, "families": $fam_b},
    {"address": "10.0.0.12", "remote-as": 64500, "description": "border b2",
     "route-reflector-client": true, "hold-time": 9, "connect-retry": 1, "families": $fam_b},
    {"address": "2001:db8:c0::100", "remote-as": 64500, "description": "interior",
     "route-reflector-client": true, "hold-time": 9, "connect-retry": 1, "families": $fam_i}
  ],
  "fib": {"enabled": false},
  "control": {"socket": "$(b64_sock "rr$n")"}
}
EOF
}
rr_conf 1
rr_conf 2

for n in up1 up2 b1 b2 int; do bird_start "$n" "$n"; done
b64_start rr1 rr1
b64_start rr2 rr2

step "BGP sessions"
for r in rr1 rr2; do
	for a in 10.0.0.11 10.0.0.12 2001:db8:c0::100; do
		wait_eq 40 "$r: neighbor $a" Established nbr_state "$r" "$a"
	done
done
wait_eq 20 "b1: eBGP session with up1" Established bird_proto_state b1 up
wait_eq 20 "b2: eBGP session with up2" Established bird_proto_state b2 up
say "Every session is up: up1-b1 and up2-b2 (eBGP), b1, b2 and the interior with rr1 and rr2."

# best_nh RR PREFIX: the IPv6 next hop of the translated route PREFIX at reflector RR.
best_nh() { rib "$1" ipv6 "route('$2')['next_hop']"; }
# int_route DST: the interior kernel's next hop toward DST ("via X" or the error).
int_route() { in_ns int ip -6 route get "$1" 2>&1 | grep -o 'via [^ ]*' || echo none; }
# int_proto DST: the kernel route's origin at the interior (bird = learned over BGP).
int_proto() { in_ns int ip -6 route show match "$1" | grep -o 'proto [a-z0-9]*' | head -n1; }

wait_eq 30 "rr1: $SRVPFX6 next hop (b1, AS path 1 long)" $B1_6 best_nh rr1 $SRVPFX6
wait_eq 30 "rr2: $SRVPFX6 next hop" $B1_6 best_nh rr2 $SRVPFX6
wait_eq 30 "interior: kernel route toward $SRV6" "via $B1_6" int_route $SRV6
assert_eq "interior: the route came from BIRD (BGP), not a static route" "proto bird" "$(int_proto $SRV6)"

step "the translated route, as bgp64d shows it (bgp64ctl --text show rib ipv6 $SRVPFX6)"
ctl rr1 --text show rib ipv6 $SRVPFX6 || fail "bgp64ctl show rib"
assert_eq "rr1: $SRVPFX6 comes from the IPv4 route" "198.51.100.0/24 10.0.0.11 rfc6052" \
	"$(rib rr1 ipv6 "' '.join([route('$SRVPFX6')[k] for k in ('ipv4_prefix', 'ipv4_next_hop', 'rule')])")"
say "Both reflectors picked b1's path (AS path 64496, shorter than b2's 64497 64497 64497)"
say "and translated 198.51.100.0/24 into $SRVPFX6"
say "with next hop $B1_6, the address of b1's translator. The interior"
say "learned it over BGP and installed it in its kernel:"
say "    $(in_ns int ip -6 route show match $SRV6 | head -n1)"

# tun_count BORDER: packets the border's kernel handed to its Tayga (IPv4 and IPv6 together).
tun_count() { in_ns "$1" cat /sys/class/net/nat64/statistics/tx_packets; }

# ping_train NAME COUNT DST [INTERVAL]: COUNT echo requests from h6 to DST, one every INTERVAL
# seconds (default 0.05: 20 per second), in the background, replies time-stamped.
ping_train() { spawn "$1" h6 ping -6 -n -D -i "${4:-0.05}" -W 1 -c "$2" "$3"; }
# train_result NAME COUNT INTERVAL-MS: wait for the end of train NAME and print "LOST WINDOW-MS":
# the echo requests without answer, and the longest time without answers (between the answers
# on either side of a run of lost requests, less one interval).
train_result() {
	local i
	for ((i = 0; i < 400; i++)); do
		alive "$1" || break
		sleep 0.1
	done
	alive "$1" && fail "ping train $1 did not end"
	python3 - "${B64_LOG[$1]}" "$2" "$3" <<'EOF'
import re, sys
got = {}
for t, q in re.findall(r"^\[([0-9.]+)\] .*icmp_seq=(\d+) ttl", open(sys.argv[1]).read(), re.M):
    got.setdefault(int(q), float(t))
n, iv = int(sys.argv[2]), float(sys.argv[3])
lost = [q for q in range(1, n + 1) if q not in got]
win = 0.0
prev = None
for q in range(1, n + 1):
    if q in got:
        if prev is not None and q > prev + 1:
            win = max(win, (got[q] - got[prev]) * 1000 - iv)
        prev = q
if lost and win == 0.0:  # lost at the start or the end of the train
    win = len(lost) * iv
print(len(lost), round(win))
EOF
}

step "the IPv6-only host reaches the IPv4-only server ($SRV4 as $SRV6)"
t1=$(tun_count b1)
t2=$(tun_count b2)
out=$(in_ns h6 ping -6 -n -c 3 -i 0.2 -W 2 $SRV6 2>&1) || fail "ping $SRV6 from h6: $out"
rtt=$(grep -o 'rtt[^=]*= [0-9.]*/[0-9.]*' <<<"$out" | awk -F/ '{print $NF}')
pass "h6 pings $SRV6 (avg rtt ${rtt} ms)"
page=$(fetch h6 "http://[$SRV6]/") || fail "HTTP fetch from h6: $page"
assert_eq "h6 fetches the page of $SRV4 over TCP" "hello from the IPv4-only server $SRV4" "$page"
d1=$(($(tun_count b1) - t1))
d2=$(($(tun_count b2) - t2))
if [ "$d1" -lt 6 ] || [ "$d2" -ne 0 ]; then
	fail "translator counters: b1 +$d1, b2 +$d2 (expected b1 only)"
fi
pass "the packets crossed b1's translator (+$d1) and not b2's (+$d2)"
say "h6 pinged $SRV6 (3 of 3 answered, average round trip $rtt ms) and fetched"
say "http://[$SRV6]/ over TCP: \"$page\"."
say "Packets handed to each border's Tayga meanwhile: b1 $d1, b2 $d2: the path runs through b1."

# The interior's kernel route changes, with time stamps: how long after the withdrawal (or the
# announcement) at up1 the interior forwarded to the other border.
spawn mon int ip -6 -ts monitor route
sleep 0.2
# switch_ms T0 NEXT-HOP: milliseconds from T0 (seconds since the epoch) to the first change of
# the interior's route for the server prefix to NEXT-HOP after T0.
switch_ms() {
	python3 - "${B64_LOG[mon]}" "$1" "$SRVPFX6 via $2 " <<'PY'
import datetime, re, sys
t0 = float(sys.argv[2])
for line in open(sys.argv[1]):
    m = re.match(r"\[([0-9T:.-]+)\] (.*)", line)
    if not m or not m.group(2).startswith(sys.argv[3]):
        continue
    t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f").timestamp()
    if t >= t0:
        print(round((t - t0) * 1000))
        sys.exit(0)
sys.exit(1)
PY
}

step "failover: up1 withdraws 198.51.100.0/24 during a ping train at 20 per second"
ping_train fo1 120 $SRV6
ping_train fo1f 3000 $SRV6 0.001
sleep 1.5
t1=$(tun_count b1)
t2=$(tun_count b2)
t0=$(date +%s.%N)
birdc_q up1 disable srv4 >/dev/null || fail "birdc disable srv4 at up1"
wait_eq 10 "rr1: $SRVPFX6 next hop (b2)" $B2_6 best_nh rr1 $SRVPFX6
wait_eq 10 "rr2: $SRVPFX6 next hop (b2)" $B2_6 best_nh rr2 $SRVPFX6
wait_eq 10 "interior: kernel route toward $SRV6" "via $B2_6" int_route $SRV6
FO_MS=$(switch_ms "$t0" $B2_6) || fail "no route change to $B2_6 in the interior's monitor"
if out=$(in_ns b1 ip route get $SRV4 2>&1); then
	fail "b1 still has a route to $SRV4 after up1's withdrawal: $out"
fi
pass "b1 has no route to $SRV4 any more ($out)"
res=$(train_result fo1 120 50) || fail "ping train fo1"
read -r lost win <<<"$res"
res=$(train_result fo1f 3000 1) || fail "ping train fo1f"
read -r FO_FLOST FO_FWIN <<<"$res"
d1=$(($(tun_count b1) - t1))
d2=$(($(tun_count b2) - t2))
[ "$d2" -ge 40 ] || fail "after the failover b2's translator moved only $d2 packets"
pass "traffic moved to b2 (b2's translator +$d2 packets, b1's +$d1)"
[ "$lost" -le 40 ] || fail "failover lost $lost of 120 echo requests"
pass "failover: $lost of 120 echo requests lost (loss window $win ms)"
page=$(fetch h6 "http://[$SRV6]/") || fail "HTTP fetch after the failover: $page"
assert_eq "h6 fetches the page through b2" "hello from the IPv4-only server $SRV4" "$page"
FO_LOST=$lost FO_WIN=$win
say "bgp64d now prefers b2's path; the interior forwards to $B2_6 and b2's"
say "Tayga carries the traffic (+$d2 packets, b1's +$d1). The interior's kernel route moved to"
say "b2 $FO_MS ms after up1's withdrawal (up1 -> b1 -> bgp64d -> interior -> kernel); b1 itself"
say "has no route to $SRV4 any more, so what still reached it was lost."
say "Of 120 pings at 20 a second $lost went unanswered (loss window $win ms); a second train"
say "at 1000 a second lost $FO_FLOST of 3000, the longest time without answers $FO_FWIN ms."

step "failback: up1 announces 198.51.100.0/24 again"
ping_train fo2 120 $SRV6
ping_train fo2f 3000 $SRV6 0.001
sleep 1.5
t1=$(tun_count b1)
t0=$(date +%s.%N)
birdc_q up1 enable srv4 >/dev/null || fail "birdc enable srv4 at up1"
wait_eq 10 "rr1: $SRVPFX6 next hop (b1 again)" $B1_6 best_nh rr1 $SRVPFX6
wait_eq 10 "interior: kernel route toward $SRV6" "via $B1_6" int_route $SRV6
FB_MS=$(switch_ms "$t0" $B1_6) || fail "no route change to $B1_6 in the interior's monitor"
res=$(train_result fo2 120 50) || fail "ping train fo2"
read -r lost win <<<"$res"
res=$(train_result fo2f 3000 1) || fail "ping train fo2f"
read -r FB_FLOST FB_FWIN <<<"$res"
d1=$(($(tun_count b1) - t1))
[ "$d1" -ge 40 ] || fail "after the failback b1's translator moved only $d1 packets"
[ "$lost" -le 40 ] || fail "failback lost $lost of 120 echo requests"
pass "failback: traffic through b1 again (+$d1), $lost of 120 lost (window $win ms)"
FB_LOST=$lost FB_WIN=$win
say "The shorter path is back: the interior's route moved to b1 $FB_MS ms after up1's"
say "announcement and traffic returned to b1 (+$d1 packets through its Tayga); $lost of 120"
say "pings lost (loss window $win ms), $FB_FLOST of 3000 at 1000 a second ($FB_FWIN ms)."

step "one reflector dies: SIGKILL of rr1 during a ping train"
ping_train rk 120 $SRV6
ping_train rkf 3000 $SRV6 0.001
sleep 1.5
rk_pid=${B64_PID[rr1]}
kill -KILL "$rk_pid"
{ wait "$rk_pid"; } 2>/dev/null
unset 'B64_PID[rr1]'
wait_for 15 "b1: session with rr1 down" bird_down b1 rr1
wait_for 15 "interior: session with rr1 down" bird_down int rr1
assert_line "interior: its route to the server comes from rr2" '\[rr2 ' "$(birdc_q int show route for $SRV6)"
res=$(train_result rk 120 50) || fail "ping train rk"
read -r lost win <<<"$res"
res=$(train_result rkf 3000 1) || fail "ping train rkf"
read -r RK_FLOST RK_FWIN <<<"$res"
[ "$lost" -le 2 ] || fail "losing rr1 lost $lost of 120 echo requests"
assert_eq "interior: kernel route toward $SRV6 (through rr2's route)" "via $B1_6" "$(int_route $SRV6)"
page=$(fetch h6 "http://[$SRV6]/") || fail "HTTP fetch with rr1 down: $page"
assert_eq "h6 fetches the page with rr1 down" "hello from the IPv4-only server $SRV4" "$page"
RK_LOST=$lost RK_WIN=$win
say "rr1 was killed; the borders and the interior kept their sessions with rr2, which"
say "serves the same routes. The host kept reaching the server: $lost of 120 pings lost"
say "(window $win ms), $RK_FLOST of 3000 at 1000 a second ($RK_FWIN ms), and the page"
say "still loads."

step "rr1 restarts: both reflectors hold identical translated tables"
b64_start rr1 rr1
for a in 10.0.0.11 10.0.0.12 2001:db8:c0::100; do
	wait_eq 30 "rr1: neighbor $a" Established nbr_state rr1 "$a"
done
# xtable RR: the translated table of RR, one route after the other ("; " between them).
xtable() {
	rib "$1" ipv6 "'; '.join('%s via %s (%s from %s, AS path %s)' % (r['prefix'], r['next_hop'],
		r['rule'], r['ipv4_prefix'], r['paths'][0]['as_path']) for r in routes() if r.get('translated'))"
}
t2tab=$(xtable rr2)
assert_eq "rr2: translated routes" 2 "$(awk -F'; ' '{print NF}' <<<"$t2tab")"
wait_eq 30 "rr1's translated table equals rr2's" "$t2tab" xtable rr1
wait_eq 20 "interior: session with rr1" Established bird_proto_state int rr1
say "rr1 came back and learned both borders' tables again; rr1 and rr2 now hold the same"
say "$(awk -F'; ' '{print NF}' <<<"$t2tab") translated routes:"
printf '    %s\n' "${t2tab//; /$'\n'    }"

step "inbound, SIIT-DC (RFC 7757): an IPv4-only client reaches the IPv6-only server"
page=$(fetch cli "http://$DC4/") || fail "HTTP fetch from cli to $DC4: $page"
assert_eq "cli ($CLI4) fetches http://$DC4/" "hello from the IPv6-only server $S6" "$page"
wait_for 5 "s6 saw the client as $CLI6" log_has http6 "^$CLI6 .*GET / "
assert_eq "rr1: $EAM6 rule" "eam $EAM4 $B1_6" \
	"$(rib rr1 ipv6 "' '.join([route('$EAM6')[k] for k in ('rule', 'ipv4_prefix', 'next_hop')])")"
assert_eq "interior: kernel route toward $CLI6" "via $B1_6" "$(int_route $CLI6)"
assert_eq "interior: that route came from BGP" "proto bird" "$(int_proto $CLI6)"
say "The client $CLI4 fetched http://$DC4/: \"$page\"."
say "b1's Tayga maps $DC4 to the IPv6-only server $S6 and the client's network"
say "$EAM4 to $EAM6 (explicit mappings, RFC 7757); the server saw the request"
say "from $CLI6. Its answer went back through the interior's BGP route for"
say "$EAM6, which is bgp64d's explicit mapping of $EAM4 (best path via b1):"
ctl rr1 --text show rib ipv6 $EAM6 || fail "bgp64ctl show rib"

step "what was measured"
say "When up1 withdrew the server's prefix, the interior's route moved to b2 after $FO_MS ms;"
say "the host lost $FO_LOST of 120 pings at 20 a second (loss window $FO_WIN ms) and $FO_FLOST of 3000"
say "at 1000 a second ($FO_FWIN ms without answers). When the prefix came back, the route moved"
say "back to b1 after $FB_MS ms: $FB_LOST of 120 lost ($FB_WIN ms), $FB_FLOST of 3000 ($FB_FWIN ms)."
say "Killing one bgp64d: $RK_LOST of 120 lost ($RK_WIN ms), $RK_FLOST of 3000 ($RK_FWIN ms)."

if [ "$DEMO" = 1 ] && [ "${B64_DEMO_ONCE:-0}" != 1 ]; then
	step "still running: try it yourself; Ctrl-C stops it and removes everything"
	say "  ip netns exec $(ns h6) ping $SRV6"
	say "  ip netns exec $(ns cli) ping $DC4"
	say "  $BGP64CTL -s $(b64_sock rr1) --text show rib ipv6"
	say "  birdc -s $(bird_sock int) show route"
	demo_sleep=
	# shellcheck disable=SC2016 # expanded when the signal comes
	trap 'kill "$demo_sleep" 2>/dev/null
		say ""; say "stopping: every process, namespace and file of the demo is removed"; exit 0' INT TERM
	while :; do
		sleep 3600 &
		demo_sleep=$!
		wait "$demo_sleep"
	done
elif [ "$DEMO" = 1 ]; then
	say ""
	say "done: every process, namespace and file of the demo is removed"
fi
