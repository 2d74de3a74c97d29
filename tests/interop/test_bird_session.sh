#!/usr/bin/env bash
# bgp64d <-> BIRD 2 (issue 3, interop tests): sessions and IPv4 routes.
#
# One BIRD instance holds five BGP sessions with bgp64d over one veth link (each session between
# its own pair of addresses: BIRD 2.0 locks a session by remote address):
#   v4a   eBGP, IPv4 transport, BIRD passive (bgp64d connects), MD5, 4-octet AS 4200000001
#   v4p   eBGP, IPv4 transport, bgp64d passive (BIRD connects), MD5, no graceful restart
#   v6a   eBGP, IPv6 transport, BIRD passive (bgp64d connects), MD5
#   v6p   eBGP, IPv6 transport, bgp64d passive (BIRD connects), MD5
#   ib    iBGP (AS 64500), IPv4 transport, BIRD passive, MD5
# BIRD exports static IPv4 routes with AS path prepends, MED, communities and large communities
# (and LOCAL_PREF on iBGP). Checked: every session Established on both sides and opened by the
# expected side; each neighbor's paths in `bgp64ctl show rib ipv4` with their exact attributes;
# best path by LOCAL_PREF; BIRD's graceful restart keeps the GR sessions' paths as stale (and drops
# those of the session without GR at once), then refreshes them and flushes what BIRD no longer
# sends after its End-of-RIB; BIRD stopped -> every path gone.
. "$(dirname "$0")/lib.sh"
need_bgp64d

step "topology: d (bgp64d 10.0.1.1 .11 .14, fd00:1::1 ::11) --- b (BIRD 10.0.1.2 .3 .4, fd00:1::2 ::3)"
ns_add d b
link d b 1
addr_add b to-d 10.0.1.3/24
addr_add b to-d 10.0.1.4/24
addr_add b to-d fd00:1::3/64
addr_add d to-b 10.0.1.11/24
addr_add d to-b 10.0.1.14/24
addr_add d to-b fd00:1::11/64

write_bird_conf() { # $1: "with3" to originate 10.10.3.0/24 too
	local r3=""
	[ "$1" = with3 ] && r3="route 10.10.3.0/24 unreachable;"
	cat >"$T/bird.conf" <<EOF
log stderr all;
router id 10.0.1.2;
graceful restart wait 15;
protocol device {}
protocol static s4 {
  ipv4;
  route 10.10.1.0/24 unreachable;
  route 10.10.2.0/24 unreachable;
  $r3
}
filter ebgp_out {
  if net = 10.10.1.0/24 then {
    bgp_path.prepend(65010);
    bgp_med = 10;
    bgp_community.add((64500,1)); bgp_community.add((64500,2));
    bgp_large_community.add((64500,1,2));
  }
  accept;
}
filter ibgp_out {
  bgp_local_pref = 250;
  if net = 10.10.1.0/24 then {
    bgp_med = 20;
    bgp_community.add((64500,3));
    bgp_large_community.add((64500,3,4));
  }
  accept;
}
template bgp common {
  hold time 9; connect retry time 2; connect delay time 1; error wait time 1, 2;
  graceful restart on;
}
protocol bgp v4a from common {
  local 10.0.1.2 as 4200000001; neighbor 10.0.1.1 as 64500;
  passive on; password "v4a-secret";
  ipv4 { import all; export filter ebgp_out; next hop self; };
}
protocol bgp v4p from common {
  local 10.0.1.3 as 4200000001; neighbor 10.0.1.11 as 64500;
  password "v4p-secret";
  graceful restart off;
  ipv4 { import all; export filter ebgp_out; next hop self; };
}
protocol bgp v6a from common {
  local fd00:1::2 as 4200000001; neighbor fd00:1::1 as 64500;
  passive on; password "v6a-secret";
  ipv4 { import all; export filter ebgp_out; next hop address 10.0.1.2; };
}
protocol bgp v6p from common {
  local fd00:1::3 as 4200000001; neighbor fd00:1::11 as 64500;
  password "v6p-secret";
  ipv4 { import all; export filter ebgp_out; next hop address 10.0.1.3; };
}
protocol bgp ib from common {
  local 10.0.1.4 as 64500; neighbor 10.0.1.14 as 64500;
  passive on; password "ibgp-secret";
  ipv4 { import all; export filter ibgp_out; next hop self; };
}
EOF
}
write_bird_conf with3

nbr_json() { # address local-address remote-as password passive
	cat <<EOF
    {"address": "$1", "local-address": "$2", "remote-as": $3, "password": "$4", "passive": $5,
     "hold-time": 9, "connect-retry": 1,
     "families": {"ipv4": {"import": true, "export": false},
                  "ipv6": {"import": false, "export": false}},
     "graceful-restart": {"enabled": true, "restart-time": 60}}
EOF
}
cat >"$(b64_conf d)" <<EOF
{
  "router-id": "10.0.1.1",
  "local-as": 64500,
  "listen": [{"address": "10.0.1.1"}, {"address": "10.0.1.11"}, {"address": "10.0.1.14"},
             {"address": "fd00:1::1"}, {"address": "fd00:1::11"}],
  "translation": {"prefix": "2001:db8:64::/96", "unknown-next-hop": "reject"},
  "neighbors": [
$(nbr_json 10.0.1.2 10.0.1.1 4200000001 v4a-secret false),
$(nbr_json 10.0.1.3 10.0.1.11 4200000001 v4p-secret true),
$(nbr_json fd00:1::2 fd00:1::1 4200000001 v6a-secret false),
$(nbr_json fd00:1::3 fd00:1::11 4200000001 v6p-secret true),
$(nbr_json 10.0.1.4 10.0.1.14 64500 ibgp-secret false)
  ],
  "fib": {"enabled": false},
  "control": {"socket": "$(b64_sock d)"}
}
EOF

bird_start bird b
b64_start d d

NBRS="10.0.1.2 10.0.1.3 fd00:1::2 fd00:1::3 10.0.1.4"
declare -A PROTO=([10.0.1.2]=v4a [10.0.1.3]=v4p [fd00:1::2]=v6a [fd00:1::3]=v6p [10.0.1.4]=ib)

step "sessions: Established on both sides, 4-octet AS, MD5"
for a in $NBRS; do
	wait_eq 40 "bgp64d: neighbor $a state" Established nbr_state d "$a"
	wait_eq 10 "BIRD: protocol ${PROTO[$a]} state" Established bird_proto_state bird "${PROTO[$a]}"
done
for a in 10.0.1.2 10.0.1.3 fd00:1::2 fd00:1::3; do
	assert_eq "bgp64d: neighbor $a remote_as (4-octet)" 4200000001 \
		"$(ctl d show neighbors "$a" | jget "nbr('$a')['remote_as']")"
done
assert_eq "bgp64d: neighbor 10.0.1.2 negotiated 4-octet AS" true \
	"$(ctl d show neighbors 10.0.1.2 | jget "nbr('10.0.1.2')['capabilities']['as4']")"
# Who opened which connection: BIRD's socket has local port 179 when bgp64d connected.
conns=$(in_ns b ss -tnH state established | awk '{print $3 " " $4}' | sort)
say "BIRD's established TCP connections (local peer):"
say "$conns"
for c in "10.0.1.2:179 10.0.1.1:" "\[fd00:1::2\]:179 \[fd00:1::1\]:" "10.0.1.4:179 10.0.1.14:" \
	"10.0.1.3(%[^:]+)?:[0-9]+ 10.0.1.11:179" "\[fd00:1::3\](%[^:]+)?:[0-9]+ \[fd00:1::11\]:179"; do
	assert_line "TCP connection (BIRD's port 179: bgp64d connected)" "^$c" "$conns"
done

step "IPv4 routes from each neighbor with their attributes"
for a in $NBRS; do
	wait_eq 20 "paths from $a" "10.10.1.0/24 10.10.2.0/24 10.10.3.0/24" \
		rib d ipv4 "words(r['prefix'] for r in routes() if path(r['prefix'], '$a'))"
done
K="'as_path','next_hop','med','communities','large_communities'"
assert_eq "10.10.1.0/24 via v4a" \
	"as_path=4200000001 65010 next_hop=10.0.1.2 med=10 communities=64500:1,64500:2 large_communities=64500:1:2" \
	"$(rib d ipv4 "summ('10.10.1.0/24',$K,nbr='10.0.1.2')")"
assert_eq "10.10.1.0/24 via v4p" \
	"as_path=4200000001 65010 next_hop=10.0.1.3 med=10 communities=64500:1,64500:2 large_communities=64500:1:2" \
	"$(rib d ipv4 "summ('10.10.1.0/24',$K,nbr='10.0.1.3')")"
assert_eq "10.10.1.0/24 via v6a (IPv6 transport)" \
	"as_path=4200000001 65010 next_hop=10.0.1.2 med=10 communities=64500:1,64500:2 large_communities=64500:1:2" \
	"$(rib d ipv4 "summ('10.10.1.0/24',$K,nbr='fd00:1::2')")"
assert_eq "10.10.1.0/24 via v6p (IPv6 transport)" \
	"as_path=4200000001 65010 next_hop=10.0.1.3 med=10 communities=64500:1,64500:2 large_communities=64500:1:2" \
	"$(rib d ipv4 "summ('10.10.1.0/24',$K,nbr='fd00:1::3')")"
assert_eq "10.10.1.0/24 via iBGP" \
	"as_path=- next_hop=10.0.1.4 med=20 local_pref=250 communities=64500:3 large_communities=64500:3:4" \
	"$(rib d ipv4 "summ('10.10.1.0/24','as_path','next_hop','med','local_pref','communities','large_communities',nbr='10.0.1.4')")"
assert_eq "10.10.2.0/24 via v4a (no optional attributes)" \
	"as_path=4200000001 next_hop=10.0.1.2 med=- communities=- large_communities=-" \
	"$(rib d ipv4 "summ('10.10.2.0/24',$K,nbr='10.0.1.2')")"
assert_eq "10.10.2.0/24 via iBGP local_pref" "local_pref=250" \
	"$(rib d ipv4 "summ('10.10.2.0/24','local_pref',nbr='10.0.1.4')")"
assert_eq "best path of 10.10.1.0/24 (highest LOCAL_PREF: iBGP)" 10.0.1.4 \
	"$(rib d ipv4 "best('10.10.1.0/24')['neighbor']")"
assert_eq "exactly one best path for 10.10.1.0/24" 1 \
	"$(rib d ipv4 "len([p for p in paths('10.10.1.0/24') if p['best']])")"
assert_eq "no path stale" 0 \
	"$(rib d ipv4 "len([p for r in routes() for p in r['paths'] if p.get('stale')])")"
assert_eq "show rib ipv4 PREFIX" "10.10.1.0/24:5" \
	"$(ctl d show rib ipv4 10.10.1.0/24 | jget "','.join(r['prefix']+':'+str(len(r['paths'])) for r in routes())")"

step "BIRD graceful restart: paths kept as stale (except v4p, which has no GR)"
write_bird_conf without3 # after the restart BIRD no longer originates 10.10.3.0/24
birdc_q bird graceful restart
for ((i = 0; i < 50; i++)); do alive bird || break; sleep 0.1; done
alive bird && fail "BIRD did not exit on 'graceful restart'"
stop bird
wait_for 20 "bgp64d: v4a no longer Established" nbr_down d 10.0.1.2
wait_eq 15 "paths of v4p (no GR) flushed" "" \
	rib d ipv4 "words(r['prefix'] for r in routes() if path(r['prefix'], '10.0.1.3'))"
for a in 10.0.1.2 fd00:1::2 fd00:1::3 10.0.1.4; do
	assert_eq "paths from $a kept, all stale" "10.10.1.0/24:true 10.10.2.0/24:true 10.10.3.0/24:true" \
		"$(rib d ipv4 "words(r['prefix']+':'+str(path(r['prefix'],'$a')['stale']).lower() for r in routes() if path(r['prefix'],'$a'))")"
done
assert_eq "stale iBGP path keeps its attributes" \
	"as_path=- next_hop=10.0.1.4 med=20 local_pref=250 communities=64500:3 large_communities=64500:3:4" \
	"$(rib d ipv4 "summ('10.10.1.0/24','as_path','next_hop','med','local_pref','communities','large_communities',nbr='10.0.1.4')")"
sleep 3
assert_eq "paths still there 3 s later" 4 "$(rib d ipv4 "len(paths('10.10.1.0/24'))")"

step "BIRD back (bird -R): paths refreshed, 10.10.3.0/24 flushed at End-of-RIB"
bird_start bird b -R
for a in $NBRS; do
	wait_eq 40 "bgp64d: neighbor $a state" Established nbr_state d "$a"
done
for a in $NBRS; do
	wait_eq 30 "paths from $a after the restart (refreshed, not stale)" \
		"10.10.1.0/24:false 10.10.2.0/24:false" \
		rib d ipv4 "words(r['prefix']+':'+str(path(r['prefix'],'$a')['stale']).lower() for r in routes() if path(r['prefix'],'$a'))"
done
assert_eq "10.10.3.0/24 gone" no "$(rib d ipv4 "has('10.10.3.0/24')")"
assert_eq "10.10.1.0/24 via v6p after the restart" \
	"as_path=4200000001 65010 next_hop=10.0.1.3 med=10 communities=64500:1,64500:2 large_communities=64500:1:2" \
	"$(rib d ipv4 "summ('10.10.1.0/24',$K,nbr='fd00:1::3')")"

step "BIRD stopped (SIGTERM, Cease): every path gone"
stop bird || true
wait_eq 20 "IPv4 RIB after BIRD stopped" 0 rib d ipv4 "count()"
for a in $NBRS; do
	wait_for 10 "bgp64d: neighbor $a not Established" nbr_down d "$a"
done
alive d || fail "bgp64d died"
stop d
