#!/usr/bin/env bash
# /metrics: the Prometheus endpoint answers with the daemon's gauges and counters, a
# configured neighbor appears with its state, and other paths get 404. Runs bgp64d in a
# private network namespace on 127.0.0.1.
set -euo pipefail
: "${BGP64D:?}"
ns=b64-$$-metrics
work=$(mktemp -d)
cleanup() {
	set +e
	[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
cat >"$work/c.json" <<JSON
{"router-id": "127.0.0.1", "local-as": 64500,
 "listen": [{"address": "127.0.0.1", "port": 1179}],
 "translation": {"prefix": "64:ff9b::/96"},
 "neighbors": [{"address": "127.0.0.9", "remote-as": 64501, "passive": true}],
 "control": {"socket": "$work/ctl.sock"},
 "metrics": {"listen": "127.0.0.1:9179"}}
JSON
ip netns exec "$ns" "$BGP64D" -c "$work/c.json" 2>"$work/log" &
pid=$!
page=""
for _ in $(seq 1 50); do
	page=$(ip netns exec "$ns" python3 -c '
import urllib.request
print(urllib.request.urlopen("http://127.0.0.1:9179/metrics", timeout=2).read().decode())' \
		2>/dev/null) && break
	sleep 0.1
done
fail() { echo "FAIL: $*"; cat "$work/log"; exit 1; }
grep -q '^bgp64d_prefixes{family="ipv4"} 0$' <<<"$page" || fail "no ipv4 prefix gauge"
grep -q '^bgp64d_neighbor_up{neighbor="127.0.0.9",remote_as="64501"} 0$' <<<"$page" ||
	fail "no neighbor gauge"
grep -q '^# TYPE bgp64d_updates_received_total counter$' <<<"$page" || fail "no counter type"
code=$(ip netns exec "$ns" python3 -c '
import urllib.request, urllib.error
try:
    urllib.request.urlopen("http://127.0.0.1:9179/other", timeout=2)
    print(200)
except urllib.error.HTTPError as e:
    print(e.code)')
[ "$code" = 404 ] || fail "expected 404 for /other, got $code"
echo "ok: /metrics gauges, neighbor state, 404 elsewhere"
