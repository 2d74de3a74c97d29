#!/usr/bin/env bash
# Prefix limits per neighbor and family (issue 9 item 5; bgp64d.json(5) "Limits").
#
# Four scripted speakers (speaker.py), each with an IPv4 max-prefixes of 100 and one action,
# send 150 prefixes ("flood"):
#   s1 warn               all 150 accepted, the session stays, logged and counted once;
#   s2 block              the session stays, 100 held, 50 ignored and counted; a prefix it
#                         holds still takes new attributes; after 10 withdrawals, 10 new ones
#                         are accepted;
#   s3 restart, 3 s       Cease 6/1 (RFC 4486), its routes flushed; a reconnection within the
#                         restart time is refused (Cease 6/2), one after it is accepted;
#   s4 restart, 0 s       Cease 6/1, and the neighbor stays down (a reconnection is refused)
#                         until "bgp64ctl neighbor ... start".
# The other sessions and their routes are untouched throughout.
. "$(dirname "$0")/lib.sh"
need_bgp64d

step "topology: d (bgp64d) --- s1..s4 (speakers, AS 64601..64604)"
ns_add d s1 s2 s3 s4
for i in 1 2 3 4; do link d s$i $i; done

nbr() { # nbr N ACTION RESTART-TIME
	printf '{"address": "10.0.%s.2", "remote-as": 6460%s, "passive": true, "hold-time": 9,
	  "families": {"ipv4": {"import": true, "export": false,
	                        "max-prefixes": {"limit": 100, "action": "%s", "restart-time": %s}},
	               "ipv6": {"import": false, "export": false}}}' "$1" "$1" "$2" "$3"
}
cat >"$(b64_conf d)" <<EOF
{
  "router-id": "10.0.1.1",
  "local-as": 64500,
  "listen": [{"address": "10.0.1.1"}, {"address": "10.0.2.1"}, {"address": "10.0.3.1"}, {"address": "10.0.4.1"}],
  "translation": {"prefix": "2001:db8:64::/96"},
  "neighbors": [$(nbr 1 warn 60), $(nbr 2 block 60), $(nbr 3 restart 3), $(nbr 4 restart 0)],
  "fib": {"enabled": false},
  "control": {"socket": "$(b64_sock d)"}
}
EOF
b64_start d d
spk() { # spk NAME N: a speaker on link N
	speaker_start "$1" "s$2" --connect "10.0.$2.1" --as "6460$2" --peer-as 64500 --id "10.0.$2.2" \
		--nexthop "10.0.$2.2" --timeout 10
}
for i in 1 2 3 4; do spk s$i $i; done
for i in 1 2 3 4; do
	wait_eq 20 "bgp64d: neighbor 10.0.$i.2" Established nbr_state d 10.0.$i.2
done
held() { # prefixes of neighbor 10.0.$1.2 in the IPv4 RIB
	rib d ipv4 "sum(1 for r in routes() for p in r['paths'] if p['neighbor'] == '10.0.$1.2')"
}
lim() { ctl d show neighbors "10.0.$1.2" | jget "nbr('10.0.$1.2')['limits']['$2']"; }

step "warn: all accepted, logged and counted once"
speaker_cmd s1 "flood 150 20.1.0.0 per=10"
wait_eq 10 "bgp64d: prefixes of s1" 150 held 1
assert_eq "s1: limit crossings counted" 1 "$(lim 1 exceeded)"
speaker_cmd s1 "announce 20.1.200.0/24"
wait_eq 10 "bgp64d: prefixes of s1" 151 held 1
assert_eq "s1: counted once per crossing" 1 "$(lim 1 exceeded)"
assert_eq "bgp64d: one log line for it" 1 "$(grep -c '10.0.1.2.*exceed families.ipv4.max-prefixes 100 (action warn' "${B64_LOG[d]}")"
stays_eq 2 "bgp64d: neighbor 10.0.1.2" Established nbr_state d 10.0.1.2

step "block: the session stays, the excess is ignored"
speaker_cmd s2 "flood 150 20.2.0.0 per=10"
wait_eq 10 "bgp64d: prefixes of s2" 100 held 2
assert_eq "s2: prefixes blocked" 50 "$(ctl d show neighbors 10.0.2.2 | jget "nbr('10.0.2.2')['limits']['prefixes_blocked']['ipv4']")"
assert_eq "bgp64d: the first 100 held, not the rest" "yes no" \
	"$(rib d ipv4 "has('20.2.99.0/24')+' '+has('20.2.100.0/24')")"
speaker_cmd s2 "announce 20.2.5.0/24 med=55"
wait_eq 10 "s2: a prefix it holds takes new attributes at the limit" "med=55" rib d ipv4 "summ('20.2.5.0/24','med')"
speaker_cmd s2 "withdraw $(python3 -c 'print(",".join("20.2.%d.0/24" % i for i in range(10)))')"
wait_eq 10 "bgp64d: prefixes of s2 after 10 withdrawals" 90 held 2
speaker_cmd s2 "flood 20 20.2.100.0 per=10"
wait_eq 10 "bgp64d: 10 new ones accepted, 10 more blocked" 100 held 2
assert_eq "s2: prefixes blocked" 60 "$(ctl d show neighbors 10.0.2.2 | jget "nbr('10.0.2.2')['limits']['prefixes_blocked']['ipv4']")"
stays_eq 2 "bgp64d: neighbor 10.0.2.2" Established nbr_state d 10.0.2.2
speaker_has s2 '^notification-received' && fail "s2 got a NOTIFICATION"
pass "s2: no NOTIFICATION"

step "restart after 3 s: Cease 6/1, a reconnection refused until the restart time is over"
speaker_cmd s3 "flood 150 20.3.0.0 per=10"
wait_for 10 "s3: Cease 6/1 (maximum number of prefixes reached)" speaker_has s3 '^notification-received 6/1'
wait_eq 10 "bgp64d: s3's routes flushed" 0 held 3
assert_eq "s3: restart pending" true "$(lim 3 restart_pending)"
log_has d '10.0.3.2.*1[0-9]+ prefixes exceed families.ipv4.max-prefixes 100: closing the session' ||
	fail "bgp64d: no log line for s3's limit"
pass "bgp64d logged the limit and the closing"
spk s3b 3
wait_for 10 "s3: a reconnection within the restart time is refused (Cease 6/2)" \
	speaker_has s3b '^notification-received 6/2'
wait_for 10 "bgp64d: restart time over" log_has d '10.0.3.2.*restart-time of the limit over'
spk s3c 3
wait_eq 20 "bgp64d: neighbor 10.0.3.2 after the restart time" Established nbr_state d 10.0.3.2
assert_eq "s3: sessions closed by a limit" 1 "$(lim 3 sessions_closed)"

step "restart-time 0: stays down until bgp64ctl neighbor start"
speaker_cmd s4 "flood 150 20.4.0.0 per=10"
wait_for 10 "s4: Cease 6/1" speaker_has s4 '^notification-received 6/1'
assert_eq "s4: no restart pending" false "$(lim 4 restart_pending)"
sleep 4
spk s4b 4
wait_for 10 "s4: a reconnection is refused (Cease 6/2)" speaker_has s4b '^notification-received 6/2'
ctl d neighbor 10.0.4.2 start >/dev/null || fail "bgp64ctl neighbor start failed"
spk s4c 4
wait_eq 20 "bgp64d: neighbor 10.0.4.2 after bgp64ctl neighbor start" Established nbr_state d 10.0.4.2

step "the other sessions carried on"
assert_eq "bgp64d: s1 and s2 still Established" "Established Established" \
	"$(nbr_state d 10.0.1.2) $(nbr_state d 10.0.2.2)"
assert_eq "bgp64d: their routes" "151 100" "$(held 1) $(held 2)"
alive d || fail "bgp64d died"
stop d
