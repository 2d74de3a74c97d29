#!/usr/bin/env bash
# Reload at 1M (issue 7): a reload that changes the translation next-hop table re-derives every
# IPv4 prefix; with a full table that must not stop bgp64d from serving its sessions.
#
#   bench/feeder 127.0.0.1 --iBGP--> bgp64d 127.0.0.2 (loopback of namespace d)
#   BIRD b 10.0.1.2 (AS 64510, hold time 3) --eBGP-- d 10.0.1.1
#
# bgp64d holds the feeder's table (1M prefixes, DFZ-like, next hops 198.51.100.1-4). BIRD keeps
# an eBGP session with hold time 3 s (keepalive 1 s) and exchanges no routes: it only shows
# whether bgp64d answers in time. `bgp64ctl reload` then moves the next-hop rule
# 198.51.100.0/24 from 2001:db8:64:64::1 to 2001:db8:64:64::2, so every prefix is re-derived
# and every translated route changes. Checks: BIRD's session stays Established across the reload
# and for a while after it (bgp64d's flaps counter 0, BIRD came up once, no hold timer
# expiry in BIRD's log), the feeder's session too, and a sample of translated routes (first,
# middle, last prefix of the table; bgp64ctl show rib ipv6) has the new next hop. The event
# loop must keep turning meanwhile: a "show summary" request (constant time) is sent on the
# control socket every 20 ms from before the reload until the sample has the new next hop, and
# none may wait 250 ms or more (hold time 3 s means a KEEPALIVE every second; a stall of 0.5-1 s,
# what the whole-tree walk costs here, is what flaps the sessions of a bigger or slower -
# sanitizer, busy CPU - setup).
# Bug (issue 7): reload_translation walked the whole tree in one callback, so the event loop
# stood still for as long as the walk took (0.75 s for 1M on the 2-vCPU VM, gcc -O2).
#   B64_RELOAD_N      prefixes (default 1000000; gen_table.py needs about 6 s for 1M)
#   B64_RELOAD_WATCH  seconds the sessions are watched after the reload (default 10)
#   B64_RELOAD_MAX_STALL_MS  longest wait of a control request during the reload (default 250)
. "$(dirname "$0")/lib.sh"
need_bgp64d

N=${B64_RELOAD_N:-1000000}
WATCH=${B64_RELOAD_WATCH:-10}
MAX_STALL=${B64_RELOAD_MAX_STALL_MS:-250}
NH_OLD=$NH6 # 2001:db8:64:64::1
NH_NEW=2001:db8:64:64::2
need_bench feeder gen

step "table: $N prefixes"
gen_table "$T/table.txt" "$N"
# the first, middle and last prefix of the table (in the feeder's order)
read -r P1 P2 P3 < <(python3 - "$T/table.txt" <<'EOF'
import sys
ps = []
for line in open(sys.argv[1]):
    if not line.startswith("#") and line.strip():
        ps += line.rstrip("\n").split("\t")[-1].split()
print(ps[0], ps[len(ps) // 2], ps[-1])
EOF
)
SAMPLE="$P1 $P2 $P3"
say "sample: $SAMPLE"

step "topology: feeder 127.0.0.1 -> bgp64d 127.0.0.2 (namespace d); BIRD b 10.0.1.2 -- d 10.0.1.1"
ns_add d b
link d b 1
# write_conf NH6: the next-hop rule 198.51.100.0/24 -> NH6; bgp64d also listens on 10.0.1.1.
write_conf() {
	{
		rr_client 127.0.0.1 30 ipv4-import # the feeder
		nbr_json 10.0.1.2 64510 3 none     # BIRD: eBGP, hold time 3, no routes
	} | bench_conf d "$1" 10.0.1.1 >"$(b64_conf d)"
}
write_conf "$NH_OLD"
cat >"$T/b.conf" <<EOF
log stderr all;
router id 10.0.1.2;
protocol device {}
protocol bgp d {
  local 10.0.1.2 as 64510; neighbor 10.0.1.1 as 64500;
  hold time 3; keepalive time 1; connect retry time 2; connect delay time 1; error wait time 1, 2;
  debug { states, packets };
  ipv4 { import none; export none; };
  ipv6 { import none; export none; };
}
EOF
b64_start d d
bird_start b b
wait_eq 30 "BIRD: session to bgp64d" Established bird_proto_state b d
wait_eq 10 "bgp64d: BIRD's session (hold 3)" Established nbr_state d 10.0.1.2
assert_eq "bgp64d: negotiated hold time with BIRD" 3 \
	"$(ctl d show neighbors | jget "nbr('10.0.1.2')['hold_time']")"

step "the feeder sends the table"
bench_feeder feeder d 127.0.0.1 "$T/table.txt"
wait_for 60 "feeder: table sent" grep -q '^SENT_ALL' "${B64_LOG[feeder]}"
v4count() { ctl d show summary | jget "j['summary']['prefixes']['ipv4']"; }
wait_eq 60 "bgp64d: IPv4 prefixes" "$N" v4count
# nh6 PREFIX...: "v4-prefix=ipv6-next-hop" of the translated route of each IPv4 prefix.
nh6() {
	local p x out=""
	for p in "$@"; do
		x=$(xlat96 "$WKP" "$p")
		out+=" $p=$(ctl d show rib ipv6 "$x" exact | jget "route('$x')['next_hop']")"
	done
	echo "${out# }"
}
want_old=$(for p in $SAMPLE; do printf '%s=%s ' "$p" "$NH_OLD"; done | xargs)
want_new=$(for p in $SAMPLE; do printf '%s=%s ' "$p" "$NH_NEW"; done | xargs)
# shellcheck disable=SC2086 # the sample is a list of words
wait_eq 10 "sample of translated routes: next hop" "$want_old" nh6 $SAMPLE
assert_eq "BIRD: Established after the table" Established "$(bird_proto_state b d)"

# probe: a control request ({"command":"show summary"}, constant time) every 20 ms on the
# control socket, one "start-ms latency-ms" line each: how long bgp64d's event loop keeps a
# request waiting. (Python, to leave process start-up out of the measurement.)
cat >"$T/probe.py" <<'PY'
import json, os, socket, sys, time
path, stop = sys.argv[1], sys.argv[2]
out = sys.stdout
while not os.path.exists(stop):
    t = time.time()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    try:
        s.connect(path)
        s.sendall(b'{"command":"show summary"}\n')
        s.shutdown(socket.SHUT_WR)
        buf = b""
        while True:
            k = s.recv(65536)
            if not k:
                break
            buf += k
            try:
                json.loads(buf)
                break
            except ValueError:
                pass
    except OSError as e:
        out.write("# %s\n" % e)
    finally:
        s.close()
    out.write("%d %d\n" % (t * 1000, (time.time() - t) * 1000))
    out.flush()
    time.sleep(0.02)
PY
# maxlat FROM-MS TO-MS: the longest wait of a probe started in [FROM, TO].
maxlat() { awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b && $2 > m { m = $2 } END { print m + 0 }' "$T/probe.ms"; }
python3 "$T/probe.py" "$(b64_sock d)" "$T/probe.stop" >"$T/probe.ms" 2>&1 &
B64_PID["probe"]=$!
tb=$(date +%s%3N)
sleep 2

step "reload: 198.51.100.0/24 -> $NH_NEW (every prefix re-derived)"
write_conf "$NH_NEW"
t0=$(date +%s%3N)
ctl d reload >"$T/reload.out" 2>&1 || fail "bgp64ctl reload: $(cat "$T/reload.out")"
t1=$(date +%s%3N)
say "bgp64ctl reload returned after $((t1 - t0)) ms"
# shellcheck disable=SC2086
wait_eq 60 "sample of translated routes after the reload: next hop" "$want_new" nh6 $SAMPLE
t2=$(date +%s%3N)
sleep 1
touch "$T/probe.stop"
stop probe || true
base=$(maxlat "$tb" "$t0")
during=$(maxlat "$t0" "$t2")
grep '^#' "$T/probe.ms" | head -n3
say "control requests: longest wait $base ms before the reload, $during ms from the reload until the sample had the new next hop ($(awk -v a="$t0" '$1 >= a' "$T/probe.ms" | wc -l) probes)"
[ "$during" -lt "$MAX_STALL" ] ||
	fail "bgp64d's event loop stood still during the reload: a control request waited $during ms (expected < $MAX_STALL ms; BIRD's hold time is 3 s)"
pass "bgp64d kept serving during the reload (longest wait $during ms < $MAX_STALL ms)"
# watch the sessions for a while: a flap shows in bgp64d's counter, in BIRD's state and log
watch() {
	printf '%s %s %s %s\n' "$(bird_proto_state b d)" \
		"$(ctl d show neighbors | jget "nbr('10.0.1.2')['stats']['flaps']")" \
		"$(ctl d show neighbors | jget "nbr('127.0.0.1')['stats']['flaps']")" \
		"$(nbr_state d 10.0.1.2)"
}
stays_eq "$WATCH" "BIRD state, flaps (BIRD, feeder), bgp64d's state of BIRD" \
	"Established 0 0 Established" watch
assert_eq "BIRD: session came up once" 1 "$(grep -c 'State changed to up' "${B64_LOG[b]}")"
# BIRD's log (debug packets): the longest gap between two KEEPALIVEs from bgp64d
gap=$(python3 - "${B64_LOG[b]}" <<'PY'
import re, sys, datetime
ts = []
for line in open(sys.argv[1]):
    if "Got KEEPALIVE" in line:
        m = re.match(r"(\S+ \S+)", line)
        ts.append(datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp())
print("%.2f" % max((b - a for a, b in zip(ts, ts[1:])), default=0))
PY
)
say "BIRD: longest gap between KEEPALIVEs from bgp64d: $gap s (hold time 3 s)"
if grep -Eiq 'hold timer expired|error|session closed' "${B64_LOG[b]}"; then
	fail "BIRD's log: $(grep -Ei 'hold timer expired|error|session closed' "${B64_LOG[b]}" | head -n3 | tr '\n' ' ')"
fi
pass "BIRD's log: no hold timer expiry, no error"
assert_eq "bgp64d: IPv4 prefixes after the reload" "$N" "$(v4count)"
alive feeder || fail "feeder exited: $(tail -n3 "${B64_LOG[feeder]}" | tr '\n' ' ')"
alive d || fail "bgp64d died"
