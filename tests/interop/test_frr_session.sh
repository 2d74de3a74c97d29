#!/usr/bin/env bash
# bgp64d <-> FRR bgpd (issue 3, interop tests): sessions and IPv4 routes.
#
# FRR instance "frr" (AS 4200000002, namespace f) holds four eBGP sessions with bgp64d, each
# between its own pair of addresses (FRR keys neighbors by address):
#   v4a   IPv4 transport, FRR passive (bgp64d connects), MD5
#   v4p   IPv4 transport, bgp64d passive (FRR connects), MD5, graceful restart disabled
#   v6a   IPv6 transport, FRR passive (bgp64d connects), MD5
#   v6p   IPv6 transport, bgp64d passive (FRR connects), MD5
# FRR instance "frri" (AS 64500, namespace i) is an iBGP neighbor (FRR connects, MD5).
# Routes are originated with `network` and given their attributes by outbound route-maps
# (set metric, community, large-community, as-path prepend, local-preference on iBGP).
# Checked: sessions Established on both sides and opened by the expected side; every path in
# `bgp64ctl show rib ipv4` with its exact attributes; best path by LOCAL_PREF; FRR killed (-9)
# -> graceful-restart paths kept as stale, v4p's paths flushed; FRR restarted -> refreshed, and
# what it no longer announces flushed at its End-of-RIB; a session shut down at FRR (Cease) ->
# its paths gone at once; FRR stopped -> every path gone (FRR closes its GR sessions without a
# NOTIFICATION, so those go when FRR's restart time, 15 s, runs out).
. "$(dirname "$0")/lib.sh"
need_bgp64d

step "topology: d (bgp64d) --- f (FRR, eBGP);  d --- i (FRR, iBGP)"
ns_add d f i
link d f 2
link d i 3
addr_add f to-d 10.0.2.3/24
addr_add f to-d fd00:2::3/64
addr_add d to-f 10.0.2.11/24
addr_add d to-f fd00:2::11/64

# Outbound route-map NAME [IPv4 next hop]: attributes on 10.20.1.0/24, next hop on everything.
rmap() {
	local nh=""
	[ -n "${2:-}" ] && nh=" set ip next-hop $2"
	cat <<EOF
route-map $1 permit 10
 match ip address prefix-list attrs
 set metric 10
 set community 64500:1 64500:2
 set large-community 64500:1:2
 set as-path prepend 65020
$nh
route-map $1 permit 20
$nh
EOF
}

write_frr_conf() { # $1: "with3" to originate 10.20.3.0/24 too
	local n3=""
	[ "$1" = with3 ] && n3=" network 10.20.3.0/24"
	cat >"$T/frr.conf" <<EOF
hostname frr
debug bgp neighbor-events
ip prefix-list attrs seq 5 permit 10.20.1.0/24
router bgp 4200000002
 bgp router-id 10.0.2.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 bgp graceful-restart
 bgp graceful-restart preserve-fw-state
 bgp graceful-restart select-defer-time 5
 bgp graceful-restart restart-time 15
 no bgp graceful-restart notification
 timers bgp 3 9
 neighbor 10.0.2.1 remote-as 64500
 neighbor 10.0.2.1 passive
 neighbor 10.0.2.1 update-source 10.0.2.2
 neighbor 10.0.2.1 password v4a-secret
 neighbor 10.0.2.11 remote-as 64500
 neighbor 10.0.2.11 update-source 10.0.2.3
 neighbor 10.0.2.11 password v4p-secret
 neighbor 10.0.2.11 timers connect 1
 neighbor 10.0.2.11 graceful-restart-disable
 neighbor fd00:2::1 remote-as 64500
 neighbor fd00:2::1 passive
 neighbor fd00:2::1 update-source fd00:2::2
 neighbor fd00:2::1 password v6a-secret
 neighbor fd00:2::11 remote-as 64500
 neighbor fd00:2::11 update-source fd00:2::3
 neighbor fd00:2::11 password v6p-secret
 neighbor fd00:2::11 timers connect 1
 address-family ipv4 unicast
  network 10.20.1.0/24
  network 10.20.2.0/24
$n3
  neighbor 10.0.2.1 route-map out-v4a out
  neighbor 10.0.2.11 route-map out-v4p out
  neighbor fd00:2::1 activate
  neighbor fd00:2::1 route-map out-v6a out
  neighbor fd00:2::11 activate
  neighbor fd00:2::11 route-map out-v6p out
 exit-address-family
$(rmap out-v4a)
$(rmap out-v4p)
$(rmap out-v6a 10.0.2.2)
$(rmap out-v6p 10.0.2.3)
EOF
}
write_frr_conf with3

cat >"$T/frri.conf" <<EOF
hostname frri
debug bgp neighbor-events
ip prefix-list attrs seq 5 permit 10.20.1.0/24
router bgp 64500
 bgp router-id 10.0.3.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 timers bgp 3 9
 neighbor 10.0.3.1 remote-as 64500
 neighbor 10.0.3.1 update-source 10.0.3.2
 neighbor 10.0.3.1 password ibgp-secret
 neighbor 10.0.3.1 timers connect 1
 address-family ipv4 unicast
  network 10.20.1.0/24
  network 10.20.2.0/24
  network 10.20.3.0/24
  neighbor 10.0.3.1 route-map ibgp-out out
 exit-address-family
route-map ibgp-out permit 10
 match ip address prefix-list attrs
 set metric 20
 set local-preference 250
 set community 64500:3
 set large-community 64500:3:4
route-map ibgp-out permit 20
 set local-preference 250
EOF

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
  "router-id": "10.0.3.1",
  "local-as": 64500,
  "listen": [{"address": "10.0.2.1"}, {"address": "10.0.2.11"}, {"address": "10.0.3.1"},
             {"address": "fd00:2::1"}, {"address": "fd00:2::11"}],
  "translation": {"prefix": "2001:db8:64::/96", "unknown-next-hop": "reject"},
  "neighbors": [
$(nbr_json 10.0.2.2 10.0.2.1 4200000002 v4a-secret false),
$(nbr_json 10.0.2.3 10.0.2.11 4200000002 v4p-secret true),
$(nbr_json fd00:2::2 fd00:2::1 4200000002 v6a-secret false),
$(nbr_json fd00:2::3 fd00:2::11 4200000002 v6p-secret true),
$(nbr_json 10.0.3.2 10.0.3.1 64500 ibgp-secret true)
  ],
  "fib": {"enabled": false},
  "control": {"socket": "$(b64_sock d)"}
}
EOF

frr_start frr f
frr_start frri i
b64_start d d

EBGP="10.0.2.2 10.0.2.3 fd00:2::2 fd00:2::3"
NBRS="$EBGP 10.0.3.2"
# FRR's own address of each session (as FRR names the neighbor)
declare -A FRRNBR=([10.0.2.2]=10.0.2.1 [10.0.2.3]=10.0.2.11 [fd00:2::2]=fd00:2::1 [fd00:2::3]=fd00:2::11)

step "sessions: Established on both sides, 4-octet AS, MD5"
for a in $NBRS; do
	wait_eq 40 "bgp64d: neighbor $a state" Established nbr_state d "$a"
done
for a in $EBGP; do
	wait_eq 10 "FRR: neighbor ${FRRNBR[$a]} state" Established frr_peer_state frr "${FRRNBR[$a]}"
	assert_eq "bgp64d: neighbor $a remote_as (4-octet)" 4200000002 \
		"$(ctl d show neighbors "$a" | jget "nbr('$a')['remote_as']")"
done
wait_eq 10 "FRR iBGP: neighbor 10.0.3.1 state" Established frr_peer_state frri 10.0.3.1
assert_eq "bgp64d: neighbor 10.0.2.2 negotiated 4-octet AS" true \
	"$(ctl d show neighbors 10.0.2.2 | jget "nbr('10.0.2.2')['capabilities']['as4']")"
assert_eq "FRR: graceful restart mode toward v4p (precondition)" Disable \
	"$(vty frr 'show bgp neighbors 10.0.2.11 json' | jget "j['10.0.2.11']['gracefulRestartInfo']['localGrMode']")"
say "FRR: bgp64d's graceful restart mode as FRR sees it on v4a: $(vty frr 'show bgp neighbors 10.0.2.1 json' |
	jget "j['10.0.2.1']['gracefulRestartInfo']['remoteGrMode']")"
conns=$(in_ns f ss -tnH state established | awk '{print $3 " " $4}' | sort)
say "FRR's established TCP connections (local peer):"
say "$conns"
for c in "10.0.2.2(%[^:]+)?:179 10.0.2.1:" "\[fd00:2::2\](%[^:]+)?:179 \[fd00:2::1\]:" \
	"10.0.2.3(%[^:]+)?:[0-9]+ 10.0.2.11:179" "\[fd00:2::3\](%[^:]+)?:[0-9]+ \[fd00:2::11\]:179"; do
	assert_line "TCP connection (FRR's port 179: bgp64d connected)" "^$c" "$conns"
done

step "IPv4 routes from each neighbor with their attributes"
for a in $NBRS; do
	wait_eq 20 "paths from $a" "10.20.1.0/24 10.20.2.0/24 10.20.3.0/24" \
		rib d ipv4 "words(r['prefix'] for r in routes() if path(r['prefix'], '$a'))"
done
K="'as_path','next_hop','med','communities','large_communities'"
for a in $EBGP; do
	case $a in 10.0.2.3 | fd00:2::3) nh=10.0.2.3 ;; *) nh=10.0.2.2 ;; esac
	assert_eq "10.20.1.0/24 via $a" \
		"as_path=4200000002 65020 next_hop=$nh med=10 communities=64500:1,64500:2 large_communities=64500:1:2" \
		"$(rib d ipv4 "summ('10.20.1.0/24',$K,nbr='$a')")"
	# FRR sends MED 0 for a `network` route without a route-map metric
	assert_eq "10.20.2.0/24 via $a (no communities)" \
		"as_path=4200000002 next_hop=$nh med=0 communities=- large_communities=-" \
		"$(rib d ipv4 "summ('10.20.2.0/24',$K,nbr='$a')")"
done
assert_eq "10.20.1.0/24 via iBGP" \
	"as_path=- next_hop=10.0.3.2 med=20 local_pref=250 communities=64500:3 large_communities=64500:3:4" \
	"$(rib d ipv4 "summ('10.20.1.0/24','as_path','next_hop','med','local_pref','communities','large_communities',nbr='10.0.3.2')")"
assert_eq "10.20.2.0/24 via iBGP" "local_pref=250 med=0" \
	"$(rib d ipv4 "summ('10.20.2.0/24','local_pref','med',nbr='10.0.3.2')")"
assert_eq "best path of 10.20.1.0/24 (highest LOCAL_PREF: iBGP)" 10.0.3.2 \
	"$(rib d ipv4 "best('10.20.1.0/24')['neighbor']")"
assert_eq "exactly one best path per prefix" "1 1 1" \
	"$(rib d ipv4 "' '.join(str(len([p for p in r['paths'] if p['best']])) for r in routes())")"

step "FRR (eBGP instance) killed: graceful-restart paths kept as stale, v4p's flushed"
write_frr_conf without3
stop frr KILL
wait_for 20 "bgp64d: neighbor 10.0.2.2 no longer Established" nbr_down d 10.0.2.2
wait_eq 15 "paths of v4p (GR disabled on that session) flushed" "" \
	rib d ipv4 "words(r['prefix'] for r in routes() if path(r['prefix'], '10.0.2.3'))"
for a in 10.0.2.2 fd00:2::2 fd00:2::3; do
	wait_eq 10 "paths from $a kept, all stale" "10.20.1.0/24:true 10.20.2.0/24:true 10.20.3.0/24:true" \
		rib d ipv4 "words(r['prefix']+':'+str(path(r['prefix'],'$a')['stale']).lower() for r in routes() if path(r['prefix'],'$a'))"
done
assert_eq "stale path keeps its attributes" \
	"as_path=4200000002 65020 next_hop=10.0.2.2 med=10 communities=64500:1,64500:2 large_communities=64500:1:2" \
	"$(rib d ipv4 "summ('10.20.1.0/24',$K,nbr='10.0.2.2')")"
assert_eq "iBGP paths not stale" "false false false" \
	"$(rib d ipv4 "' '.join(str(path(r['prefix'],'10.0.3.2')['stale']).lower() for r in routes())")"
sleep 3
assert_eq "paths of 10.20.1.0/24 still there 3 s later (3 stale + iBGP)" 4 \
	"$(rib d ipv4 "len(paths('10.20.1.0/24'))")"

step "FRR restarted: paths refreshed, 10.20.3.0/24 flushed at End-of-RIB"
frr_start frr f
for a in $EBGP; do
	wait_eq 40 "bgp64d: neighbor $a state" Established nbr_state d "$a"
done
for a in $EBGP; do
	wait_eq 30 "paths from $a after the restart (not stale)" "10.20.1.0/24:false 10.20.2.0/24:false" \
		rib d ipv4 "words(r['prefix']+':'+str(path(r['prefix'],'$a')['stale']).lower() for r in routes() if path(r['prefix'],'$a'))"
done
assert_eq "10.20.3.0/24 left with the iBGP path only" 10.0.3.2 \
	"$(rib d ipv4 "words(p['neighbor'] for p in paths('10.20.3.0/24'))")"

step "FRR shuts session v4a down (Cease/Administrative Shutdown): its paths gone at once"
vty frr "configure terminal" "router bgp 4200000002" "neighbor 10.0.2.1 shutdown message maintenance" \
	"end" >/dev/null
wait_for 10 "bgp64d: neighbor 10.0.2.2 down" nbr_down d 10.0.2.2
wait_eq 5 "paths from 10.0.2.2" "" \
	rib d ipv4 "words(r['prefix'] for r in routes() if path(r['prefix'], '10.0.2.2'))"
assert_match "bgp64d: last error of 10.0.2.2" 'Cease/Administrative Shutdown' \
	"$(ctl d show neighbors 10.0.2.2 | jget "nbr('10.0.2.2')['last_error']")"
assert_eq "paths from fd00:2::2 untouched" "10.20.1.0/24 10.20.2.0/24" \
	"$(rib d ipv4 "words(r['prefix'] for r in routes() if path(r['prefix'], 'fd00:2::2'))")"

step "FRR stopped (SIGTERM): every path gone (GR sessions: after FRR's restart time, 15 s)"
say "bgp64d: frri's graceful restart capability: $(ctl d show neighbors 10.0.3.2 |
	jget "nbr('10.0.3.2')['capabilities']['graceful_restart']")"
assert_eq "FRR iBGP instance: graceful restart mode (helper only: no family to keep)" Helper* \
	"$(vty frri 'show bgp neighbors 10.0.3.1 json' | jget "j['10.0.3.1']['gracefulRestartInfo']['localGrMode']")"
stop frr || true
stop frri || true
wait_eq 5 "paths from 10.0.2.3 (GR disabled: FRR sends a Cease)" "" \
	rib d ipv4 "words(r['prefix'] for r in routes() if path(r['prefix'], '10.0.2.3'))"
wait_eq 5 "paths from 10.0.3.2 (helper-only GR: nothing to keep)" "" \
	rib d ipv4 "words(r['prefix'] for r in routes() if path(r['prefix'], '10.0.3.2'))"
for a in fd00:2::2 fd00:2::3; do
	assert_eq "paths from $a (FRR closed without NOTIFICATION: GR) kept as stale" \
		"10.20.1.0/24:true 10.20.2.0/24:true" \
		"$(rib d ipv4 "words(r['prefix']+':'+str(path(r['prefix'],'$a')['stale']).lower() for r in routes() if path(r['prefix'],'$a'))")"
done
wait_eq 30 "IPv4 RIB once FRR's restart time ran out" 0 rib d ipv4 "count()"
for a in $NBRS; do
	wait_for 10 "bgp64d: neighbor $a not Established" nbr_down d "$a"
done
alive d || fail "bgp64d died"
stop d
