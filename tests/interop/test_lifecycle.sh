#!/usr/bin/env bash
# The daemon's life cycle (issue 3 item 1, issue 4 item 4):
#   bgp64d -n -c on a good config -> 0; on a typo'd key or an out-of-range value -> 1 with the
#       file and the JSON path in the message
#   a connection from an unconfigured address -> closed without a NOTIFICATION (issue 8 item 4:
#       a stranger learns nothing, as with OpenBGPD)
#   SIGHUP adding a neighbor -> it comes up; the existing sessions are not reset
#   SIGHUP removing a neighbor -> it goes down (BIRD receives Cease/Peer De-configured); the
#       others stay
#   SIGHUP with an invalid config -> refused (logged), the running config and sessions kept
#   SIGTERM -> Cease/Administrative Shutdown (6/2) to every peer (speaker.py receives it, BIRD
#       reports it) and exit status 0
. "$(dirname "$0")/lib.sh"
need_bgp64d

step "topology: b (BIRD 10.0.1.2, 10.0.1.3) --- d (bgp64d) --- s (speakers 10.0.2.2, 10.0.2.3)"
ns_add d b s
link d b 1
link d s 2
addr_add b to-d 10.0.1.3/24
addr_add d to-b 10.0.1.11/24
addr_add s to-d 10.0.2.3/24

cat >"$T/bird.conf" <<EOF
log stderr all;
router id 10.0.1.2;
protocol device {}
protocol static s4 { ipv4; route 10.80.1.0/24 unreachable; }
template bgp common {
  hold time 9; connect retry time 2; connect delay time 1; error wait time 1, 2;
  passive on;
  ipv4 { import all; export all; next hop self; };
}
protocol bgp main from common { local 10.0.1.2 as 64510; neighbor 10.0.1.1 as 64500; }
protocol bgp late from common { local 10.0.1.3 as 64510; neighbor 10.0.1.11 as 64500; }
EOF

# write_conf FILE WITH-LATE [TYPO]: bgp64d's configuration, with or without neighbor "late";
# TYPO puts a typo'd key in neighbors[1].
write_conf() {
	local late="" hold='"hold-time"'
	[ "${3:-}" = typo ] && hold='"hold_time"'
	[ "$2" = yes ] && late=',
    {"address": "10.0.1.3", "local-address": "10.0.1.11", "remote-as": 64510, "hold-time": 9,
     "connect-retry": 1}'
	cat >"$1" <<EOF
{
  "router-id": "10.0.1.1",
  "local-as": 64500,
  "listen": [{"address": "10.0.1.1"}, {"address": "10.0.2.1"}],
  "translation": {"prefix": "2001:db8:64::/96"},
  "neighbors": [
    {"address": "10.0.1.2", "local-address": "10.0.1.1", "remote-as": 64510, "hold-time": 9,
     "connect-retry": 1},
    {"address": "10.0.2.2", "remote-as": 64601, "passive": true, $hold: 9}$late
  ],
  "fib": {"enabled": false},
  "control": {"socket": "$(b64_sock d)"}
}
EOF
}

step "bgp64d -n: configuration check"
write_conf "$T/good.json" no
write_conf "$T/typo.json" no typo
sed 's/"remote-as": 64601/"remote-as": 0/' "$T/good.json" >"$T/range.json"
out=$("$BGP64D" -n -c "$T/good.json" 2>&1)
assert_eq "bgp64d -n on a good config: exit status" 0 "$?"
out=$("$BGP64D" -n -c "$T/typo.json" 2>&1)
assert_eq "bgp64d -n on a typo'd key: exit status" 1 "$?"
say "message: $out"
assert_match "message names the file and the JSON path" 'typo\.json.*neighbors\[1\]\.hold_time.*unknown key' "$out"
out=$("$BGP64D" -n -c "$T/range.json" 2>&1)
assert_eq "bgp64d -n on remote-as 0: exit status" 1 "$?"
say "message: $out"
assert_match "message names the JSON path" 'range\.json.*neighbors\[1\]\.remote-as' "$out"
out=$("$BGP64D" -n -c "$T/does-not-exist.json" 2>&1)
assert_eq "bgp64d -n on a missing file: exit status" 1 "$?"

step "start: BIRD (main) and the speaker come up"
cp "$T/good.json" "$(b64_conf d)"
bird_start bird b
b64_start d d
speaker_start spk s --connect 10.0.2.1 --as 64601 --peer-as 64500 --id 10.0.2.2 --nexthop 10.0.2.2
wait_eq 30 "bgp64d: neighbor 10.0.1.2 (BIRD main)" Established nbr_state d 10.0.1.2
wait_for 20 "speaker: session established" speaker_has spk '^established'
wait_eq 10 "bgp64d: neighbor 10.0.2.2 (speaker)" Established nbr_state d 10.0.2.2
since_main() { birdc_q bird show protocols main | awk '$1 == "main" {print $5}'; }
MAIN_SINCE=$(since_main)
say "BIRD main Established since $MAIN_SINCE"
bird_down bird late || fail "BIRD late is up although bgp64d does not know it"
pass "BIRD late (not configured in bgp64d) is down: $(bird_proto_state bird late)"

step "a connection from an unconfigured address (10.0.2.3) is closed without a NOTIFICATION"
speaker_start stranger s --connect 10.0.2.1 --bind 10.0.2.3 --as 64602 --peer-as 64500 \
	--id 10.0.2.3 --timeout 10
wait_for 15 "stranger: connection closed by bgp64d" speaker_has stranger '^closed by peer'
assert_eq "stranger: no NOTIFICATION received" no \
	"$(speaker_has stranger '^notification-received' && echo yes || echo no)"
assert_eq "stranger: no OPEN received" no "$(speaker_has stranger '^open-received' && echo yes || echo no)"
assert_eq "stranger: never Established" no "$(speaker_has stranger '^established' && echo yes || echo no)"
wait_for 5 "bgp64d logs the closed connection" log_has d 'connection from 10.0.2.3 closed: not a configured neighbor'
stop stranger || true

step "SIGHUP adding neighbor 10.0.1.3: it comes up, the others are not reset"
write_conf "$(b64_conf d)" yes
kill -HUP "${B64_PID[d]}"
wait_eq 30 "bgp64d: new neighbor 10.0.1.3" Established nbr_state d 10.0.1.3
wait_eq 10 "BIRD late" Established bird_proto_state bird late
wait_eq 10 "routes from the new neighbor" "10.80.1.0/24=2" rib d ipv4 "words(r['prefix']+'='+str(len(r['paths'])) for r in routes())"
assert_eq "BIRD main not reset (Established since)" "$MAIN_SINCE" "$(since_main)"
assert_eq "bgp64d: neighbor 10.0.1.2" Established "$(nbr_state d 10.0.1.2)"
assert_eq "bgp64d: neighbor 10.0.2.2" Established "$(nbr_state d 10.0.2.2)"
assert_eq "speaker: no NOTIFICATION, connection open" no \
	"$(speaker_has spk '^notification-received|^closed' && echo yes || echo no)"

step "SIGHUP with an invalid config: refused, running config kept"
write_conf "$(b64_conf d)" no typo
kill -HUP "${B64_PID[d]}"
wait_for 10 "bgp64d logged the refusal with the JSON path" log_has d 'refused.*neighbors\[1\]\.hold_time'
alive d || fail "bgp64d exited on an invalid reload"
stays_eq 3 "bgp64d: neighbor 10.0.1.3 (still configured)" Established nbr_state d 10.0.1.3
assert_eq "bgp64d: neighbor 10.0.1.2" Established "$(nbr_state d 10.0.1.2)"
assert_eq "BIRD main not reset" "$MAIN_SINCE" "$(since_main)"

step "SIGHUP removing neighbor 10.0.1.3: it goes down, the others stay"
write_conf "$(b64_conf d)" no
kill -HUP "${B64_PID[d]}"
wait_for 20 "BIRD late: session down" bird_down bird late
late_err=$(bird_last_error bird late)
assert_match "BIRD late: Cease/Peer De-configured (6/3) received" '^Received: Peer de-configured' "$late_err"
wait_eq 10 "routes of the removed neighbor gone" "10.80.1.0/24=1" rib d ipv4 "words(r['prefix']+'='+str(len(r['paths'])) for r in routes())"
assert_eq "BIRD main not reset" "$MAIN_SINCE" "$(since_main)"
assert_eq "speaker: no NOTIFICATION" no \
	"$(speaker_has spk '^notification-received|^closed' && echo yes || echo no)"

step "SIGTERM: Cease/Administrative Shutdown to every peer, exit status 0"
stop d TERM
rc=$?
assert_eq "bgp64d exit status after SIGTERM" 0 "$rc"
wait_for 10 "speaker: NOTIFICATION 6/2 received" speaker_has spk '^notification-received 6/2 '
say "speaker: $(speaker_events spk '^notification-received')"
main_admin_down() { bird_last_error bird main | grep -q '^Received: Administrative shutdown'; }
wait_for 10 "BIRD main: Cease/Administrative Shutdown received" main_admin_down
say "BIRD main: last error: $(bird_last_error bird main)"
