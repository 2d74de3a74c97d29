#!/usr/bin/env bash
# Operator experience (issue 11) and least privilege (issue 8 items 2 and 3), against a running
# bgp64d on the loopback of one namespace (bgp64d 127.0.0.1, speaker.py 127.0.0.2):
#   errors and wording: bgp64ctl names what is wrong in a command (exit 1, not the usage);
#       bgp64d --help; --text show translation of an untranslated address in words; --text
#       show rib keeps its columns aligned for a /121 explicit mapping
#   systemd: READY=1, STATUS=, RELOADING=1/READY=1 around a reload (good and refused), STOPPING=1
#       read from a NOTIFY_SOCKET the test provides; bgp64ctl reload exits 1 when refused;
#       etc/bgp64d.service passes systemd-analyze verify; bgp64d -n rejects a group that does
#       not exist, and (run as another user) one it is not a member of
#   logging: full timestamps on stderr; syslog priorities ("<3>" for an error) when stderr is
#       the journal's stream ($JOURNAL_STREAM); bgp64ctl log level changes what is logged at
#       run time; bgp64ctl log updates ADDR on logs that neighbor's UPDATEs, at most 10 lines a
#       second, the rest counted exactly
#   counting right: under the well-known prefix, a non-global prefix inside an explicit
#       mapping (translated through it) is neither counted in non_global_skipped nor named in
#       the "not translating" log line
#   reload correctness: the reload log counts the IPv6 prefixes a next-hop rule removal
#       withdrew; a neighbor whose hold time changed is logged as changed and reset with
#       Cease/Other Configuration Change (6/6), keeping its counters; a control.mode change is
#       logged
#   visibility: --text show summary prints the counters the logs point to; --text show rib of
#       one prefix prints communities and large communities; a neighbor shut down by the
#       operator is "Idle (Admin)", admin_down true; show config prints the running file with
#       its secrets hidden (on the read-only socket too)
#   least privilege: started as root with "user": "nobody", the running daemon's uid is nobody
#       and its capability sets hold CAP_NET_ADMIN and CAP_NET_BIND_SERVICE only
#       (/proc/PID/status); a reload adding a listener on port 179 still works; a second
#       daemon so started installs its kernel routes over rtnetlink (fib.enabled) as nobody
. "$(dirname "$0")/lib.sh"
need_bgp64d

step "topology: one namespace, bgp64d 127.0.0.1, speaker 127.0.0.2"
ns_add d

# write_conf FILE [EXTRA-TOP-LEVEL-JSON]: bgp64d's configuration.
write_conf() {
	cat >"$1" <<JSON
{
  "router-id": "192.0.2.1",
  "local-as": 64500,
  "listen": [{"address": "127.0.0.1", "port": 179}],
  "translation": {
    "prefix": "2001:db8:64::/96",
    "next-hops": [{"ipv4": "192.0.2.2/32", "ipv6": "2001:db8:ff::2"}],
    "explicit-mappings": [
      {"ipv4": "203.0.113.0/24", "ipv6": "2001:db8:1234:64:ffff:ffff:ffff:ff00/120"}
    ]
  },
  "neighbors": [
    $(nbr_json 127.0.0.2 64501 9 "ipv4-import ipv6-export"),
    $(nbr_json 127.0.0.5 64502 9 "ipv6-export")
  ],
  "fib": {"enabled": false},
  "control": {"socket": "$(b64_sock d)"${CONTROL_EXTRA:+, $CONTROL_EXTRA}}${2:+,
  $2}
}
JSON
}

NOBODY=$(id -u nobody) || skip "no user nobody"
NOGROUP=$(id -gn nobody)
# as_nobody CMD...: run CMD as nobody with nobody's group only (a monitoring user).
as_nobody() { setpriv --reuid="$NOBODY" --regid="$(id -g nobody)" --clear-groups "$@"; }
RO=$T/ro.sock
# The read-only socket for monitoring, reachable by nobody's group; idle clients dropped after 3 s.
CONTROL_EXTRA="\"idle-timeout\": 3, \"read-only\": {\"socket\": \"$RO\", \"mode\": \"0660\", \"group\": \"$NOGROUP\"}"
write_conf "$(b64_conf d)" '"user": "nobody"'
# The service manager's end of sd_notify: every datagram, one line each ("|" for newlines).
cat >"$T/notify.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as f:
    print("listening", file=f)
    while True:
        f.write(s.recv(4096).decode().replace("\n", "|") + "\n")
PY
spawn notify d python3 "$T/notify.py" "$T/notify.sock" "$T/notify.log"
wait_for 5 "notify listener up" grep -q listening "$T/notify.log"
chmod 777 "$T/notify.sock"
export NOTIFY_SOCKET="$T/notify.sock"
b64_start d d
unset NOTIFY_SOCKET
speaker_start s d --connect 127.0.0.1 --bind 127.0.0.2 --as 64501 --peer-as 64500 \
	--id 127.0.0.2 --nexthop 192.0.2.2
wait_eq 20 "neighbor 127.0.0.2 state" Established nbr_state d 127.0.0.2
# The receiver: IPv6 only, gets the translated routes.
speaker_start r d --connect 127.0.0.1 --bind 127.0.0.5 --as 64502 --peer-as 64500 \
	--id 127.0.0.5 --ipv6 --timeout 60
wait_eq 20 "neighbor 127.0.0.5 state" Established nbr_state d 127.0.0.5
speaker_cmd s "announce 198.51.100.0/24,203.0.113.128/25 aspath=64501,64999"
wait_eq 10 "IPv4 routes" 2 rib d ipv4 "len(routes())"

# ---------------------------------------------------------------- issue 8 item 2: privileges
step "least privilege: uid and capabilities of the running daemon"
st=/proc/${B64_PID[d]}/status
say "$(grep -E '^(Uid|Gid|Cap)' "$st")"
assert_eq "Uid (real, effective, saved, fs)" "$NOBODY $NOBODY $NOBODY $NOBODY" \
	"$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "$st")"
# CAP_NET_BIND_SERVICE (10) and CAP_NET_ADMIN (12): 0x1400
assert_eq "CapEff" 0000000000001400 "$(awk '/^CapEff:/ { print $2 }' "$st")"
assert_eq "CapPrm" 0000000000001400 "$(awk '/^CapPrm:/ { print $2 }' "$st")"
assert_eq "CapBnd" 0000000000001400 "$(awk '/^CapBnd:/ { print $2 }' "$st")"
assert_eq "CapInh" 0000000000000000 "$(awk '/^CapInh:/ { print $2 }' "$st")"
assert_eq "CapAmb" 0000000000000000 "$(awk '/^CapAmb:/ { print $2 }' "$st")"
log_has d 'running as user nobody' || fail "no log line about the user"
pass "logged: $(grep -m1 'running as user' "${B64_LOG[d]}")"

# ---------------------------------------------------------------- item 2: systemd
step "systemd notifications"
wait_for 5 "READY=1 with a STATUS" grep -Eq '^READY=1\|STATUS=[0-9]+/2 neighbors established' "$T/notify.log"
wait_for 12 "STATUS= shows the neighbor up and its prefixes" \
	grep -q '^STATUS=2/2 neighbors established, 2 IPv4' "$T/notify.log"
: >"$T/notify.log"
cp "$(b64_conf d)" "$T/next.json"
sed -i 's/"listen": \[{"address": "127.0.0.1", "port": 179}\]/"listen": [{"address": "127.0.0.1", "port": 179}, {"address": "127.0.0.3", "port": 179}]/' "$T/next.json"
cp "$T/next.json" "$(b64_conf d)"
out=$(ctl d reload 2>&1)
assert_eq "bgp64ctl reload (good file): exit status" 0 "$?"
wait_for 5 "RELOADING=1 then READY=1" awk '/^RELOADING=1\|MONOTONIC_USEC=[0-9]+/ { r = NR } /^READY=1/ && r && NR > r { ok = 1 } END { exit !ok }' "$T/notify.log"
wait_for 5 "reload as nobody: a new listener on 127.0.0.3 port 179" \
	sh -c "ip netns exec $(ns d) ss -Hltn 'sport = :179' | grep -q 127.0.0.3"
: >"$T/notify.log"
cp "$(b64_conf d)" "$T/good.json"
echo '{' >"$(b64_conf d)"
out=$(ctl d reload 2>&1)
assert_eq "bgp64ctl reload (refused file): exit status" 1 "$?"
say "bgp64ctl: $out"
wait_for 5 "refused reload: RELOADING=1 then READY=1" awk '/^RELOADING=1/ { r = NR } /^READY=1/ && r && NR > r { ok = 1 } END { exit !ok }' "$T/notify.log"
cp "$T/good.json" "$(b64_conf d)"

step "bgp64d -n: the control group must exist (and be usable), no world-writable mode"
CONTROL_EXTRA='"group": "no-such-group-b64"' write_conf "$T/nogroup.json" '"user": "nobody"'
CONTROL_EXTRA='"mode": "0666"' write_conf "$T/o+w.json"
out=$("$BGP64D" -n -c "$T/o+w.json" 2>&1)
assert_eq "bgp64d -n with control.mode 0666: exit status" 1 "$?"
assert_match "message" 'control.mode: expected a mode not writable by others' "$out"
out=$("$BGP64D" -n -c "$T/nogroup.json" 2>&1)
assert_eq "bgp64d -n with a group that does not exist: exit status" 1 "$?"
assert_match "message" 'control.group: no group "no-such-group-b64"' "$out"
sed 's/no-such-group-b64/root/' "$T/nogroup.json" >"$T/rootgroup.json"
chmod 644 "$T/rootgroup.json"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$BGP64D" -n -c "$T/rootgroup.json" 2>&1)
assert_eq "bgp64d -n as nobody with group root: exit status" 1 "$?"
assert_match "message" 'not a member of group "root".*SupplementaryGroups=root' "$out"

step "etc/bgp64d.service: systemd-analyze verify"
if command -v systemd-analyze >/dev/null; then
	sed "s|/usr/sbin/bgp64d|$BGP64D|g; s|/usr/sbin/bgp64ctl|$BGP64CTL|g" \
		"$B64_SRC/etc/bgp64d.service" >"$T/bgp64d.service"
	out=$(systemd-analyze verify --man=no "$T/bgp64d.service" 2>&1)
	assert_eq "systemd-analyze verify: exit status ($out)" 0 "$?"
	for k in Type=notify ExecStartPre= ExecReload= User= RuntimeDirectory=; do
		grep -q "^$k" "$B64_SRC/etc/bgp64d.service" || fail "unit: no $k"
	done
	grep -Eq '^(AmbientCapabilities|CapabilityBoundingSet)=.*CAP_NET_RAW' "$B64_SRC/etc/bgp64d.service" && fail "unit grants CAP_NET_RAW"
	pass "unit: Type=notify, ExecStartPre, ExecReload, User, RuntimeDirectory; no CAP_NET_RAW"
else
	fail "systemd-analyze not installed (scripts/deps.sh installs systemd)"
fi

# ---------------------------------------------------------------- item 5: errors and wording
step "errors name what is wrong"
# expect_err WORDS REGEX: bgp64ctl WORDS exits 1 with a message matching REGEX on stderr.
expect_err() {
	local out rc
	out=$(ctl d $1 2>&1 >/dev/null)
	rc=$?
	assert_eq "bgp64ctl $1: exit status" 1 "$rc"
	assert_match "bgp64ctl $1: message" "$2" "$out"
	[[ $out != *usage:* ]] || fail "bgp64ctl $1: printed the usage instead of the error: $out"
}
expect_err "show foo" 'show: unknown "foo" \(expected one of: summary, neighbors'
expect_err "frob" 'unknown command "frob"'
expect_err "show summary extra" 'show summary: unexpected "extra"'
expect_err "reload now" 'reload: unexpected "now"'
expect_err "neighbor 127.0.0.2 frob" 'unknown action "frob"'
out=$("$BGP64D" --help)
assert_eq "bgp64d --help: exit status" 0 "$?"
assert_match "bgp64d --help prints the options" '--check' "$out"

step "--text show translation in words"
out=$(ctl d --text show translation 8.8.8.8)
say "$out"
assert_match "no IPv4 route said in words" 'IPv4 route +no IPv4 route covers it' "$out"
assert_match "no next-hop rule said in words" 'As next hop +no next-hop rule matches' "$out"
[[ $out != *"rule none"* && $out != *'AS path ""'* ]] || fail "placeholder words left: $out"
pass "no 'rule none' or empty AS path quotes"
out=$(ctl d --text show translation 198.51.100.1)
assert_match "a route's AS path" 'IPv4 route +198.51.100.0/24 via 192.0.2.2 from 127.0.0.2, AS path 64501 64999' "$out"

step "--text show rib ipv6: columns aligned for a /121"
out=$(ctl d --text show rib ipv6)
say "$out"
# Every route line's neighbor column starts at the same offset as the header's "neighbor".
hdr=$(grep -m1 'neighbor' <<<"$out")
col=$(awk -v h="$hdr" 'BEGIN { print index(h, "neighbor") }')
bad=$(grep -E '127\.0\.0\.2 ' <<<"$out" | awk -v c="$col" 'substr($0, c, 9) != "127.0.0.2"')
assert_eq "route lines with the neighbor out of its column" "" "$bad"
assert_match "the /121 is listed" '2001:db8:1234:64:ffff:ffff:ffff:ff80/121' "$out"


# ---------------------------------------------------------------- item 1: logging
step "logging: full timestamps on stderr"
line=$(grep -m1 'started: router-id' "${B64_LOG[d]}")
assert_match "start line: date, time, milliseconds, UTC offset, level" \
	'^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} [+-][0-9]{4} info: bgp64d ' "$line"

step "logging: syslog priorities when stderr is the journal's stream"
: >"$T/j.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/j.log") ip netns exec "$(ns d)" "$BGP64D" -c "$(b64_conf d)" \
	>>"$T/j.log" 2>&1 </dev/null
assert_eq "a second bgp64d on the same control socket: exit status" 1 "$?"
say "$(cat "$T/j.log")"
assert_match "the error line has priority 3 (LOG_ERR), no timestamp" \
	'^<3>control socket .*: in use by another process' "$(grep -m1 'in use' "$T/j.log")"
grep -Eqv '^<[0-9]>' "$T/j.log" && fail "a line without a priority prefix: $(grep -Ev '^<[0-9]>' "$T/j.log")"
pass "every line carries its priority"

step "logging: bgp64ctl log level"
out=$(ctl d log level warning)
assert_eq "bgp64ctl log level warning: exit status" 0 "$?"
assert_eq "show summary log_level" warning "$(ctl d show summary | jget "j['summary']['log_level']")"
mark=$(wc -l <"${B64_LOG[d]}")
ctl d reload >/dev/null
sleep 0.5
assert_eq "info lines logged at level warning (a reload)" 0 \
	"$(tail -n +$((mark + 1)) "${B64_LOG[d]}" | grep -c ' info: ')"
ctl d log level info >/dev/null
assert_eq "show summary log_level" info "$(ctl d show summary | jget "j['summary']['log_level']")"
mark=$(wc -l <"${B64_LOG[d]}")
ctl d reload >/dev/null
wait_for 5 "at level info: the reload is logged" \
	sh -c "tail -n +$((mark + 1)) '${B64_LOG[d]}' | grep -q 'info: control: reload requested'"
python3 - "$(b64_conf d)" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["log-level"] = "warning"
json.dump(c, open(sys.argv[1], "w"), indent=1)
PY
ctl d reload >/dev/null || fail "reload with log-level warning refused"
assert_eq "log-level changed in the file, reloaded" warning "$(ctl d show summary | jget "j['summary']['log_level']")"
ctl d log level info >/dev/null
ctl d reload >/dev/null
assert_eq "an unchanged log-level leaves bgp64ctl's level" info "$(ctl d show summary | jget "j['summary']['log_level']")"
ctl d log level loud >/dev/null 2>&1 && fail "log level loud accepted"
pass "log level loud refused"

step "logging: per-neighbor UPDATE debugging, rate-limited"
wait_eq 20 "neighbor 127.0.0.2 state" Established nbr_state d 127.0.0.2
out=$(ctl d log updates 127.0.0.2 on)
assert_eq "bgp64ctl log updates 127.0.0.2 on: exit status" 0 "$?"
ctl d log updates 127.0.0.9 on >/dev/null 2>&1 && fail "log updates of an unknown neighbor accepted"
mark=$(wc -l <"${B64_LOG[d]}")
base=$(grep -c '^done ' "$T/s.events")
# 40 UPDATEs in one burst through the FIFO
for i in $(seq 1 40); do echo "announce 10.1.$i.0/24"; done >"$T/s.fifo"
wait_for 20 "speaker sent 40 UPDATEs" sh -c "[ \$(grep -c '^done ' '$T/s.events') -ge $((base + 40)) ]"
sleep 1.2
speaker_cmd s "announce 10.2.0.0/24"
wait_for 5 "the count of lines left out is logged" sh -c "tail -n +$((mark + 1)) '${B64_LOG[d]}' | grep -q 'lines left out'"
logged=$(tail -n +$((mark + 1)) "${B64_LOG[d]}" | grep -c 'UPDATE in: ')
left=$(tail -n +$((mark + 1)) "${B64_LOG[d]}" | sed -n 's/.*UPDATE debugging: \([0-9]*\) lines left out.*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
say "UPDATE lines logged: $logged, left out: $left"
assert_eq "logged + left out = UPDATEs received" 41 "$((logged + left))"
[ "$logged" -lt 41 ] || fail "no rate limit: $logged lines"
pass "rate-limited: $logged of 41 logged"
assert_match "an UPDATE line names the prefix and next hop" \
	'127.0.0.2 AS64501: UPDATE in: 1 announced \(10\.1\.1\.0/24\), next hop 192\.0\.2\.2, 0 withdrawn' \
	"$(grep -m1 'UPDATE in: 1 announced (10.1.1.0/24)' "${B64_LOG[d]}")"
ctl d log updates 127.0.0.2 off >/dev/null

# ---------------------------------------------------------------- item 7: counting right
step "non-global prefixes inside an explicit mapping are not counted as skipped"
sed -i 's|"prefix": "2001:db8:64::/96"|"prefix": "64:ff9b::/96"|' "$(b64_conf d)"
ctl d reload >/dev/null || fail "reload to the well-known prefix refused"
# Held: 198.51.100.0/24 (TEST-NET-2), 10.1.1-40.0/24 and 10.2.0.0/24 (private): 42 skipped;
# 203.0.113.128/25 (TEST-NET-3) is inside the explicit mapping 203.0.113.0/24: translated.
wait_eq 10 "non_global_skipped" 42 sh -c "$BGP64CTL -s $(b64_sock d) show summary | $JCHECK \"j['summary']['stats']['non_global_skipped']\""
out=$(ctl d show rib ipv6 | jget "has('2001:db8:1234:64:ffff:ffff:ffff:ff80/121')")
assert_eq "203.0.113.128/25 translated through its explicit mapping" yes "$out"
speaker_cmd s "announce 203.0.113.0/25"
sleep 0.5
grep -q 'not translating IPv4 routes that are not globally reachable' "${B64_LOG[d]}" &&
	fail "logged as not translated: $(grep 'not translating' "${B64_LOG[d]}")"
pass "a non-global prefix inside an explicit mapping is not logged as skipped"
speaker_cmd s "announce 192.168.1.0/24"
wait_for 5 "a private prefix outside the mappings is logged as skipped" \
	grep -q 'not translating IPv4 routes .* e.g. 192.168.1.0/24' "${B64_LOG[d]}"
wait_eq 10 "non_global_skipped" 43 sh -c "$BGP64CTL -s $(b64_sock d) show summary | $JCHECK \"j['summary']['stats']['non_global_skipped']\""

# ---------------------------------------------------------------- item 4: read-only socket
step "read-only control socket: show commands only"
flaps=$(ctl d show neighbors | jget "nbr('127.0.0.2')['stats']['flaps']")
out=$(as_nobody "$BGP64CTL" -s "$RO" show summary | jget "j['summary']['as']")
assert_eq "nobody: show summary on the read-only socket" 64500 "$out"
out=$(as_nobody "$BGP64CTL" -s "$RO" show rib ipv4 | jget "len(routes())")
assert_match "nobody: show rib on the read-only socket" '^[0-9]+$' "$out"
for words in "reload" "neighbor 127.0.0.2 reset" "log level debug" "log updates 127.0.0.2 on"; do
	out=$(as_nobody "$BGP64CTL" -s "$RO" $words 2>&1)
	assert_eq "nobody: $words on the read-only socket: exit status" 1 "$?"
	assert_match "nobody: $words: message" 'not allowed on the read-only control socket' "$out"
done
out=$(as_nobody "$BGP64CTL" -s "$(b64_sock d)" show summary 2>&1)
assert_eq "nobody: the read-write socket (mode 0660, root's group): exit status" 1 "$?"
assert_eq "the neighbor was not reset (flaps)" "$flaps" \
	"$(ctl d show neighbors | jget "nbr('127.0.0.2')['stats']['flaps']")"
assert_eq "the neighbor is still up" Established "$(nbr_state d 127.0.0.2)"

# ---------------------------------------------------------------- issue 8 item 3: limits
step "control socket limits: one local user cannot lock the others out"
cat >"$T/hog.py" <<'PY'
# Bounded client loop: N idle connections held, then M connect/request/close cycles.
import socket, sys, time
path, n, m = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
held = []
for _ in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    held.append(s)
time.sleep(0.5)
def closed(s):
    s.settimeout(0.05)
    try:
        return s.recv(1) == b""
    except socket.timeout:
        return False
    except OSError:
        return True
refused = [s for s in held if closed(s)]
print("held", n - len(refused), "refused", len(refused), flush=True)
sys.stdout.flush()
# Idle: every accepted connection must be dropped by the daemon within idle-timeout + 2 s.
deadline = time.time() + 5
alive = [s for s in held if s not in refused]
while alive and time.time() < deadline:
    alive = [s for s in alive if not closed(s)]
    time.sleep(0.2)
print("still open after idle", len(alive), flush=True)
ok = 0
for _ in range(m):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.sendall(b'{"command":"show summary"}\n')
    s.shutdown(socket.SHUT_WR)
    data = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
    s.close()
    ok += data.startswith(b'{"summary"')
print("answered", ok, "of", m, flush=True)
PY
as_nobody /usr/bin/python3 "$T/hog.py" "$RO" 20 200 >"$T/hog.out" 2>&1 &
hog=$!
wait_for 5 "nobody holds 20 connections" grep -q '^held' "$T/hog.out"
assert_eq "nobody's connections accepted / refused" "held 8 refused 12" "$(grep '^held' "$T/hog.out")"
out=$(ctl d show summary | jget "j['summary']['as']")
assert_eq "root meanwhile: show summary on the read-write socket" 64500 "$out"
out=$("$BGP64CTL" -s "$RO" show summary | jget "j['summary']['as']")
assert_eq "root meanwhile: show summary on the read-only socket" 64500 "$out"
wait "$hog"
cat "$T/hog.out"
assert_eq "idle connections dropped after idle-timeout" "still open after idle 0" "$(grep '^still' "$T/hog.out")"
assert_eq "bounded loop of 200 requests" "answered 200 of 200" "$(grep '^answered' "$T/hog.out")"
log_has d "connection of uid $NOBODY refused: connection limit of this uid reached" ||
	fail "no log line for the refused connections"
pass "refusals logged (rate-limited): $(grep -c 'connection of uid' "${B64_LOG[d]}") line(s)"

# ---------------------------------------------------------------- item 3: visibility
step "--text show summary: the counters the logs point to"
out=$(ctl d --text show summary)
say "$out"
assert_match "non_global_skipped in words" 'not translated: not globally reachable \(RFC 6052 3.1\) +[0-9]+' "$out"
assert_match "no_next_hop in words" 'not translated: no IPv6 next hop \(show nexthops\) +[0-9]+' "$out"
assert_match "treat-as-withdraw" 'treat-as-withdraw \(RFC 7606\) +0' "$out"

step "show rib out neighbor: what the receiver was sent"
want="2001:db8:1234:64:ffff:ffff:ffff:ff00/121 2001:db8:1234:64:ffff:ffff:ffff:ff80/121"
wait_eq 10 "show rib out neighbor 127.0.0.5: prefixes" "$want" sh -c "$BGP64CTL -s $(b64_sock d) show rib out neighbor 127.0.0.5 | $JCHECK 'prefixes()'"
assert_eq "show rib out: next hops" "2001:db8:ff::2 2001:db8:ff::2" \
	"$(ctl d show rib out neighbor 127.0.0.5 | jget "' '.join(r['paths'][0]['next_hop'] for r in routes())")"
assert_eq "show rib out: AS path as exported (eBGP: own AS prepended)" "64500 64501 64999" \
	"$(ctl d show rib out ipv6 neighbor 127.0.0.5 | jget "routes()[1]['paths'][0]['as_path']")"
# The receiver's own view: every prefix it was sent, and none it was not.
for p in $want; do
	speaker_has r "mp_reach=\[[^]]*${p%/*}/${p#*/}" || fail "receiver never got $p: $(speaker_events r update-received)"
done
pass "the receiver holds what show rib out lists"
assert_eq "show rib out ipv4 neighbor 127.0.0.5 (IPv4 not exported)" 0 \
	"$(ctl d show rib out ipv4 neighbor 127.0.0.5 | jget 'len(routes())')"
assert_eq "show rib out neighbor 127.0.0.2 (IPv6 not negotiated)" 0 \
	"$(ctl d show rib out neighbor 127.0.0.2 | jget 'len(routes())')"
out=$(ctl d --text show rib out neighbor 127.0.0.5)
say "$out"
assert_match "--text show rib out" 'ff80/121[[:space:]]+2001:db8:ff::2' "$out"
out=$(ctl d show rib out neighbor 127.0.0.9 2>&1)
assert_eq "show rib out of an unknown neighbor: exit status" 1 "$?"
out=$(as_nobody "$BGP64CTL" -s "$RO" show rib out neighbor 127.0.0.5 | jget 'len(routes())')
assert_eq "show rib out on the read-only socket" 2 "$out"

step "per-neighbor counts of prefixes sent, equal to what the receiver got"
# sent COUNTS: "announced withdrawn" IPv6 prefixes in the receiver's UPDATEs
received() {
	python3 - "$T/r.events" <<'PY'
import re, sys
a = w = 0
for line in open(sys.argv[1]):
    if not line.startswith("update-received"):
        continue
    for key in ("mp_reach", "mp_unreach"):
        m = re.search(key + r"=\[([^]]*)\]", line)
        n = len([x for x in m.group(1).split(",") if x.strip()]) if m else 0
        if key == "mp_reach":
            a += n
        else:
            w += n
print(a, w)
PY
}
sent() { ctl d show neighbors | jget "'%d %d' % (nbr('127.0.0.5')['prefixes_sent']['ipv6'], nbr('127.0.0.5')['withdrawals_sent']['ipv6'])"; }
wait_eq 10 "bgp64d's counts of IPv6 prefixes sent to 127.0.0.5 (announced withdrawn)" "$(received)" sent
say "announced, withdrawn: $(sent)"
assert_match "--text show summary: the sent columns" 'IPv4 sent +IPv6 sent' "$(ctl d --text show summary)"
assert_match "--text show neighbors: prefixes sent" 'Prefixes sent this session: 0 IPv4, [0-9]+ IPv6' \
	"$(ctl d --text show neighbors 127.0.0.5)"

step "no withdrawal of a translation that was never announced (item 7)"
E=2001:db8:1234:64:ffff:ffff:ffff
# Never announced: unknown next hop from the start.
speaker_cmd s "announce 203.0.113.32/27 nh=192.0.2.99"
# Announced, then its next hop becomes unknown: withdrawn.
speaker_cmd s "announce 203.0.113.64/26"
wait_for 10 "receiver gets $E:ff40/122" speaker_has r "mp_reach=\[[^]]*$E:ff40/122"
speaker_cmd s "announce 203.0.113.64/26 nh=192.0.2.99"
wait_for 10 "receiver gets the withdrawal of $E:ff40/122" speaker_has r "mp_unreach=\[[^]]*$E:ff40/122"
speaker_has r "$E:ff20/123" && fail "the receiver got something of $E:ff20/123: $(speaker_events r ff20/123)"
pass "nothing of $E:ff20/123 (next hop never known) was sent"
assert_eq "203.0.113.32/27 is held, untranslated" yes "$(ctl d show rib ipv4 | jget "has('203.0.113.32/27')")"

step "--text show rib PREFIX: the detail view"
speaker_cmd s "announce 198.51.100.128/25 comm=64501:100,64501:200 lcomm=64501:1:2"
wait_eq 10 "198.51.100.128/25 held" yes rib d ipv4 "has('198.51.100.128/25')"
out=$(ctl d --text show rib ipv4 198.51.100.128/25 exact)
say "$out"
assert_match "communities" 'Communities: 64501:100 64501:200' "$out"
assert_match "large communities" 'Large communities: 64501:1:2' "$out"
out=$(ctl d --text show rib ipv4)
[[ $out != *Communities:* ]] || fail "the table view carries detail lines"
pass "the table view has no detail lines"

# ---------------------------------------------------------------- item 6: reload correctness
step "reload: the IPv6 prefixes withdrawn are counted"
announced() { ctl d show rib ipv6 | jget "len([r for r in routes() if r.get('next_hop')])"; }
wait_eq 10 "translated IPv6 routes announced" 2 announced
mark=$(wc -l <"${B64_LOG[d]}")
python3 - "$(b64_conf d)" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["translation"]["next-hops"] = []
json.dump(c, open(sys.argv[1], "w"), indent=1)
PY
ctl d reload >/dev/null || fail "reload without next-hop rules refused"
wait_for 10 "reload log: 2 IPv6 prefixes withdrawn" sh -c \
	"tail -n +$((mark + 1)) '${B64_LOG[d]}' | grep -q 'translation re-derived .* 2 IPv6 prefixes withdrawn'"
say "$(tail -n +$((mark + 1)) "${B64_LOG[d]}" | grep 'translation re-derived')"
wait_eq 10 "translated IPv6 routes announced" 0 announced

step "show fib with the FIB off: only the settings"
assert_eq "show fib keys" "enabled metric protocol table" "$(ctl d show fib | jget "words(j['fib'].keys())")"
assert_match "--text show fib says why" 'nothing is installed in the kernel' "$(ctl d --text show fib)"

step "reload: a changed hold time resets the session with 6/6 and keeps the counters"
nbr_q() { ctl d show neighbors | jget "nbr('127.0.0.2')$1"; }
flaps=$(nbr_q "['stats']['flaps']")
upd=$(nbr_q "['stats']['update']['received']")
say "before: flaps $flaps, UPDATEs received $upd"
[ "$upd" -gt 40 ] || fail "UPDATEs received before the change: $upd"
mark=$(wc -l <"${B64_LOG[d]}")
python3 - "$(b64_conf d)" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["neighbors"][0]["hold-time"] = 12
c["control"]["mode"] = "0640"
json.dump(c, open(sys.argv[1], "w"), indent=1)
PY
ctl d reload >/dev/null || fail "reload with hold-time 12 refused"
wait_for 10 "speaker: NOTIFICATION Cease/Other Configuration Change (6/6)" \
	speaker_has s '^notification-received 6/6'
tail -n +$((mark + 1)) "${B64_LOG[d]}" | grep -q 'removed from the configuration' &&
	fail "logged as removed: $(grep 'removed from the configuration' "${B64_LOG[d]}")"
pass "not logged as removed"
assert_match "logged as changed, with what changed" \
	'127.0.0.2 AS64501: configuration changed \(hold-time 9 -> 12\): session reset with Cease/Other Configuration Change' \
	"$(tail -n +$((mark + 1)) "${B64_LOG[d]}" | grep 'configuration changed')"
assert_match "control.mode change logged" 'reload: control settings .* changed' \
	"$(tail -n +$((mark + 1)) "${B64_LOG[d]}" | grep 'control settings')"
assert_eq "flaps carried and counted" $((flaps + 1)) "$(nbr_q "['stats']['flaps']")"
assert_eq "UPDATEs received carried" "$upd" "$(nbr_q "['stats']['update']['received']")"
assert_match "last error" 'Other Configuration Change' "$(nbr_q "['last_error']")"

step "an operator's shutdown: Idle (Admin), not Idle"
ctl d neighbor 127.0.0.2 shutdown >/dev/null || fail "neighbor shutdown"
wait_eq 10 "admin_down" true sh -c "$BGP64CTL -s $(b64_sock d) show neighbors | $JCHECK \"nbr('127.0.0.2')['admin_down']\""
assert_match "--text show summary: Idle (Admin)" '127\.0\.0\.2 +64501 +Idle \(Admin\)' "$(ctl d --text show summary)"
assert_match "--text show neighbors: Idle (Admin)" 'State Idle \(Admin\)' "$(ctl d --text show neighbors 127.0.0.2)"
ctl d neighbor 127.0.0.2 start >/dev/null || fail "neighbor start"
wait_eq 10 "admin_down after start" false sh -c "$BGP64CTL -s $(b64_sock d) show neighbors | $JCHECK \"nbr('127.0.0.2')['admin_down']\""

step "show config: the running configuration, secrets hidden"
python3 - "$(b64_conf d)" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["neighbors"][0]["password"] = "s3cret-b64"
json.dump(c, open(sys.argv[1], "w"), indent=1)
PY
ctl d reload >/dev/null || fail "reload with a password refused"
out=$(ctl d show config)
assert_eq "show config: the translation prefix of the file" "64:ff9b::/96" \
	"$(jget "j['config']['translation']['prefix']" <<<"$out")"
assert_eq "show config: hold-time as reloaded" 12 "$(jget "j['config']['neighbors'][0]['hold-time']" <<<"$out")"
assert_eq "show config: the password hidden" "(hidden)" "$(jget "j['config']['neighbors'][0]['password']" <<<"$out")"
[[ $out != *s3cret-b64* ]] || fail "show config prints the password"
pass "the secret is not in the output"
assert_eq "show config: path" "$(b64_conf d)" "$(jget "j['path']" <<<"$out")"
out=$(as_nobody "$BGP64CTL" -s "$RO" show config | jget "j['config']['router-id']")
assert_eq "show config on the read-only socket" 192.0.2.1 "$out"
out=$(ctl d --text show config)
assert_match "--text show config: indented JSON" '^  "router-id": "192.0.2.1",$' "$(grep router-id <<<"$out")"

step "SIGTERM: STOPPING=1"
: >"$T/notify.log"
stop d
assert_eq "bgp64d exit status after SIGTERM" 0 "$?"
wait_for 5 "STOPPING=1" grep -q '^STOPPING=1' "$T/notify.log"

step "least privilege with the FIB: kernel routes installed by a daemon running as nobody"
ns_add f fx
link f fx 9 # fd00:9::1 in f, fd00:9::2 (the translator, as next hop) in fx
cat >"$(b64_conf f)" <<JSON
{
  "router-id": "192.0.2.1", "local-as": 64500, "user": "nobody",
  "listen": [{"address": "127.0.0.1", "port": 179}],
  "translation": {"prefix": "64:ff9b::/96",
    "next-hops": [{"ipv4": "192.0.2.2/32", "ipv6": "fd00:9::2"}]},
  "neighbors": [$(nbr_json 127.0.0.2 64501 9 "ipv4-import")],
  "fib": {"enabled": true, "table": 100, "protocol": 64, "metric": 20},
  "control": {"socket": "$(b64_sock f)"}
}
JSON
b64_start f f
assert_eq "the FIB daemon's uid" "$NOBODY" "$(awk '/^Uid:/ { print $3 }' "/proc/${B64_PID[f]}/status")"
speaker_start s2 f --connect 127.0.0.1 --bind 127.0.0.2 --as 64501 --peer-as 64500 \
	--id 127.0.0.2 --nexthop 192.0.2.2
wait_eq 20 "FIB daemon: neighbor 127.0.0.2" Established nbr_state f 127.0.0.2
speaker_cmd s2 "announce 8.8.8.0/24"
kroute() { ip -n "$(ns f)" -6 route show table 100 proto 64 | awk '{ print $1, $2, $3 }' | xargs; }
wait_eq 10 "kernel route installed as nobody" "64:ff9b::808:800/120 via fd00:9::2" kroute
assert_eq "show fib: errors" 0 "$(ctl f show fib | jget "j['fib']['errors']")"
stop f
assert_eq "FIB daemon exit status" 0 "$?"
wait_eq 5 "kernel route removed at exit (as nobody)" "" kroute

