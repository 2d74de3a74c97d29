#!/usr/bin/env bash
# The metrics endpoint under abuse (issue 8 item 3): bgp64d serves /metrics on 127.0.0.1 of a
# namespace while tests/interop/metrics_load.py, a bounded client loop, opens 300 idle
# connections, 40 slow senders (one header byte every 0.5 s), 20 requests with 16 KiB of
# headers and requests announcing bodies. Meanwhile a normal scrape runs every second and must
# be answered each time; the daemon never holds more than its 16 connections (counted in
# /proc/PID/fd), drops every slow sender by the 5 s request deadline, answers 431 / 413 / 405,
# and is back to its baseline of file descriptors afterwards. About 25 s.
. "$(dirname "$0")/lib.sh"
need_bgp64d

step "topology: d (bgp64d, metrics on 127.0.0.1:9179)"
ns_add d
cat >"$(b64_conf d)" <<JSON
{
  "router-id": "127.0.0.1", "local-as": 64500,
  "listen": [{"address": "127.0.0.1", "port": 1179}],
  "translation": {"prefix": "64:ff9b::/96"},
  "neighbors": [{"address": "127.0.0.9", "remote-as": 64501, "passive": true}],
  "fib": {"enabled": false},
  "control": {"socket": "$(b64_sock d)"},
  "metrics": {"listen": "127.0.0.1:9179"}
}
JSON
b64_start d d
metrics_up() { ip netns exec "$(ns d)" python3 -c '
import urllib.request; urllib.request.urlopen("http://127.0.0.1:9179/metrics", timeout=2).read()' \
	2>/dev/null; }
wait_for 10 "metrics endpoint answers" metrics_up

step "a bounded client loop: idle flood, slowloris, oversized headers, bodies"
rc=0
ip netns exec "$(ns d)" python3 "$B64_DIR/metrics_load.py" 127.0.0.1 9179 "${B64_PID[d]}" \
	>"$T/load.out" 2>&1 || rc=$?
cat "$T/load.out"
[ "$rc" = 0 ] || fail "metrics_load.py failed (rc $rc)"
alive d || fail "bgp64d died under the load"
pass "bgp64d alive; $(grep '^FIGURES' "$T/load.out")"
