#!/usr/bin/env bash
# RFC 8950 mode: IPv4 routes re-advertised as IPv4 NLRI with the mapped IPv6 next hop, to a
# neighbor with "extended-next-hop" (the "route IPv4 via IPv6" design). b1 (BIRD) sends IPv4
# routes; bgp64d reflects them to b2 (BIRD, extended next hop on) with the next hop taken from
# the next-hop table; b2's IPv4 table holds them via the IPv6 translator address.
. "$(dirname "$0")/lib.sh"
need_bgp64d

step "topology: b1 (BIRD, IPv4 source) --- d (bgp64d) --- b2 (BIRD, RFC 8950)"
ns_add d b1 b2
link d b1 1
link d b2 2

cat >"$T/b1.conf" <<EOF
log stderr all;
router id 10.0.1.2;
protocol device {}
protocol static src4 { ipv4; route 1.1.1.0/24 unreachable; route 8.8.8.0/24 unreachable; }
protocol bgp d {
  local 10.0.1.2 as 64500; neighbor 10.0.1.1 as 64500;
  hold time 9; connect retry time 2; connect delay time 1;
  ipv4 { import none; export all; next hop self; };
}
EOF
cat >"$T/b2.conf" <<EOF
log stderr all;
router id 10.0.2.2;
protocol device {}
protocol direct { ipv6; interface "to-d"; }
protocol bgp d {
  local 10.0.2.2 as 64500; neighbor 10.0.2.1 as 64500; direct;
  hold time 9; connect retry time 2; connect delay time 1;
  ipv4 { import all; export none; extended next hop on; gateway direct; };
  ipv6 { import none; export none; };
}
EOF
cat >"$(b64_conf d)" <<EOF
{
  "router-id": "10.0.1.1", "local-as": 64500,
  "listen": [{"address": "10.0.1.1"}, {"address": "10.0.2.1"}],
  "translation": {"prefix": "64:ff9b::/96",
    "next-hops": [{"ipv4": "10.0.1.2/32", "ipv6": "fd00:2::64"}], "eor-wait": 5},
  "neighbors": [
    {"address": "10.0.1.2", "remote-as": 64500, "route-reflector-client": true,
     "hold-time": 9, "connect-retry": 1,
     "families": {"ipv4": {"import": true, "export": false}, "ipv6": {"import": false, "export": false}}},
    {"address": "10.0.2.2", "remote-as": 64500, "route-reflector-client": true,
     "hold-time": 9, "connect-retry": 1, "extended-next-hop": true,
     "families": {"ipv4": {"import": false, "export": true}, "ipv6": {"import": false, "export": false}}}
  ],
  "control": {"socket": "$(b64_sock d)"}
}
EOF
bird_start b1 b1
bird_start b2 b2
b64_start d d
wait_eq 30 "bgp64d: neighbor 10.0.1.2" Established nbr_state d 10.0.1.2
wait_eq 30 "bgp64d: neighbor 10.0.2.2" Established nbr_state d 10.0.2.2
b2_routes() {
	birdc_q b2 show route table master4 protocol d |
		awk '/^[0-9]/ {p=$1} /via/ {for (i = 1; i <= NF; i++) if ($i == "via") print p "=" $(i + 1)}' |
		sort | xargs
}
wait_eq 30 "b2: IPv4 routes via the IPv6 translator" "1.1.1.0/24=fd00:2::64 8.8.8.0/24=fd00:2::64" b2_routes
