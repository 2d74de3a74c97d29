#!/usr/bin/env bash
# Self-test of the interop harness without bgp64d: BIRD and FRR peer with each other (4-octet AS,
# TCP MD5, IPv4 routes with attributes both ways), so that lib.sh, jcheck.py's BIRD/FRR
# converters and the peers' configuration idioms can be checked on their own. Not run by ctest
# (its name does not start with test_); run it by hand: sudo bash tests/interop/selftest.sh
. "$(dirname "$0")/lib.sh"

step "topology: bird --- frr"
ns_add b f
link b f 1

cat >"$T/bird.conf" <<EOF
log stderr all;
router id 10.0.1.1;
protocol device {}
protocol static s4 {
  ipv4;
  route 10.10.1.0/24 unreachable;
  route 10.10.2.0/24 unreachable;
}
filter to_frr {
  if net = 10.10.1.0/24 then {
    bgp_path.prepend(65010); bgp_path.prepend(65011);
    bgp_med = 10;
    bgp_community.add((64500,1)); bgp_community.add((64500,2));
    bgp_large_community.add((64500,1,2));
  }
  accept;
}
protocol bgp frr {
  local 10.0.1.1 as 4200000001;
  neighbor 10.0.1.2 as 64500;
  password "s3cret";
  hold time 9; connect retry time 2; connect delay time 1;
  graceful restart on;
  ipv4 { import all; export filter to_frr; };
}
EOF
cat >"$T/frr.conf" <<EOF
hostname frr
router bgp 64500
 bgp router-id 10.0.1.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 bgp graceful-restart
 neighbor 10.0.1.1 remote-as 4200000001
 neighbor 10.0.1.1 password s3cret
 neighbor 10.0.1.1 timers 3 9
 neighbor 10.0.1.1 timers connect 2
 address-family ipv4 unicast
  network 10.20.1.0/24 route-map attrs
  neighbor 10.0.1.1 route-map out out
 exit-address-family
route-map attrs permit 10
 set metric 33
 set community 64500:7
 set large-community 64500:7:8
route-map out permit 10
EOF
bird_start bird b
frr_start frr f

step "session"
wait_eq 30 "BIRD session state" Established bird_proto_state bird frr
wait_eq 30 "FRR session state" Established frr_peer_state frr 10.0.1.1

step "routes BIRD -> FRR"
wait_eq 20 "FRR has the two BIRD prefixes" "10.10.1.0/24 10.10.2.0/24" \
	frr_q frr ipv4 "words(r['prefix'] for r in routes() if paths(r['prefix'])[0]['neighbor']=='10.0.1.1')"
assert_eq "FRR 10.10.1.0/24 attributes" \
	"as_path=4200000001 65011 65010 next_hop=10.0.1.1 med=10 communities=64500:1,64500:2 large_communities=64500:1:2" \
	"$(frr_q frr ipv4 "summ('10.10.1.0/24','as_path','next_hop','med','communities','large_communities')")"

step "routes FRR -> BIRD"
wait_eq 20 "BIRD 10.20.1.0/24 attributes" \
	"as_path=64500 next_hop=10.0.1.2 med=33 communities=64500:7 large_communities=64500:7:8" \
	bird_q bird "summ('10.20.1.0/24','as_path','next_hop','med','communities','large_communities')"

step "BIRD graceful restart: FRR keeps the routes stale"
birdc_q bird graceful restart >/dev/null
sleep 1
alive bird && fail "BIRD still running after graceful restart"
wait_eq 10 "FRR 10.10.1.0/24 stale" true frr_q frr ipv4 "best('10.10.1.0/24')['stale']"
bird_start bird b -R
wait_eq 30 "BIRD session back" Established bird_proto_state bird frr
wait_eq 30 "FRR 10.10.1.0/24 refreshed" false frr_q frr ipv4 "best('10.10.1.0/24')['stale']"

step "BIRD stopped: routes gone from FRR"
stop bird
wait_eq 20 "FRR 10.10.1.0/24 present" no frr_q frr ipv4 "has('10.10.1.0/24')"

step "speaker.py against BIRD: RFC 7606 treat-as-withdraw, then a fatal NLRI error"
ns_add s
link s b 2
cat >"$T/bird2.conf" <<EOF2
log stderr all;
router id 10.0.2.2;
protocol device {}
protocol bgp spk {
  local 10.0.2.2 as 64500;
  neighbor 10.0.2.1 as 64601;
  hold time 9; passive on;
  ipv4 { import all; export none; };
}
EOF2
bird_start bird2 b
speaker_start spk s --connect 10.0.2.2 --as 64601 --peer-as 64500 --id 10.0.2.1 --nexthop 10.0.2.1
wait_for 20 "speaker established with BIRD" speaker_has spk '^established'
speaker_cmd spk "announce 10.30.1.0/24,10.30.2.0/24,10.30.3.0/24 med=5 comm=64601:1 lcomm=64601:1:1"
wait_eq 10 "BIRD has the speaker's prefixes" "10.30.1.0/24 10.30.2.0/24 10.30.3.0/24" bird_q bird2 'prefixes()' protocol spk
assert_eq "BIRD 10.30.1.0/24 attributes" "as_path=64601 next_hop=10.0.2.1 med=5 communities=64601:1 large_communities=64601:1:1" \
	"$(bird_q bird2 "summ('10.30.1.0/24','as_path','next_hop','med','communities','large_communities')" protocol spk)"
speaker_cmd spk "announce 10.30.2.0/24,10.30.4.0/24 origin=5"
wait_eq 10 "BIRD after ORIGIN 5 (treat-as-withdraw)" "10.30.1.0/24 10.30.3.0/24" bird_q bird2 'prefixes()' protocol spk
assert_eq "BIRD session still up" Established "$(bird_proto_state bird2 spk)"
speaker_cmd spk "announce 10.30.5.0/24 nlri-hex=210a1e060000"
wait_for 10 "speaker got NOTIFICATION 3/x for NLRI length 33" speaker_has spk '^notification-received 3/'
say "$(speaker_events spk notification)"
