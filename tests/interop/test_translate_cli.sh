#!/usr/bin/env bash
# bgp64ctl translate (offline, no daemon, no root): RFC 6052 mappings under all six prefix
# lengths (the worked examples, copied here), reverse mappings, explicit mappings and next-hop
# rules from a config, errors and exit status, --text columns, and -c with the example
# configuration etc/bgp64d.json.
#
# Environment (ctest sets them): BGP64CTL (the client), BGP64_SRC (the source tree).
set -uo pipefail

SRC=${BGP64_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
CTL=${BGP64CTL:-$SRC/build/bgp64ctl}
T=$(mktemp -d /tmp/b64-translate-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
CHECKS=0
FAILS=0

pass() {
	CHECKS=$((CHECKS + 1))
}
fail() {
	FAILS=$((FAILS + 1))
	printf 'FAIL: %s\n' "$*" >&2
}

# run ARGS...: runs the client; output in $OUT, stderr in $ERR, status in $RC.
run() {
	OUT=$("$CTL" "$@" 2>"$T/err")
	RC=$?
	ERR=$(cat "$T/err")
}

# expect_json WANT ARGS...: exact JSON output and exit 0.
expect_json() {
	local want=$1
	shift
	run "$@"
	if [ "$RC" -ne 0 ] || [ "$OUT" != "$want" ]; then
		fail "bgp64ctl $*: exit $RC, got $OUT, want $want ($ERR)"
	else
		pass
	fi
}

# mapping PREFIX INPUT IPV4 IPV6 [RULE]: one input maps to the given pair (no warning).
mapping() {
	local tp=$1 in=$2 v4=$3 v6=$4 rule=${5:-rfc6052}
	expect_json "[{\"input\":\"$in\",\"ipv4\":\"$v4\",\"ipv6\":\"$v6\",\"rule\":\"$rule\"}]" \
		translate --prefix "$tp" "$in"
}

[ -x "$CTL" ] || {
	echo "bgp64ctl not found at $CTL" >&2
	exit 1
}

# --- the brief's example: the well-known prefix is the default
WARN='"warning":"not globally reachable: not announced under the well-known prefix"'
expect_json "[{\"input\":\"198.51.100.0/24\",\"ipv4\":\"198.51.100.0/24\",\"ipv6\":\"64:ff9b::c633:6400/120\",\"rule\":\"rfc6052\",$WARN}]" \
	translate 198.51.100.0/24
expect_json '[{"input":"8.8.8.8/32","ipv4":"8.8.8.8/32","ipv6":"64:ff9b::808:808/128","rule":"rfc6052"}]' \
	translate 8.8.8.8/32
mapping 64:ff9b::/96 1.0.0.0/8 1.0.0.0/8 64:ff9b::100:0/104
mapping 64:ff9b::/96 9.9.9.128/25 9.9.9.128/25 64:ff9b::909:980/121

# --- RFC 6052 address examples (IPv4 192.0.2.33), one per prefix length, both directions
while read -r tp v6; do
	mapping "$tp" 192.0.2.33 192.0.2.33 "$v6"
	mapping "$tp" "$v6" 192.0.2.33 "$v6"
done <<'EOF'
2001:db8::/32 2001:db8:c000:221::
2001:db8:100::/40 2001:db8:1c0:2:21::
2001:db8:122::/48 2001:db8:122:c000:2:2100::
2001:db8:122:300::/56 2001:db8:122:3c0:0:221::
2001:db8:122:344::/64 2001:db8:122:344:c0:2:2100:0
2001:db8:122:344::/96 2001:db8:122:344::c000:221
EOF

# --- prefix examples over the six lengths (u-octet straddles and boundaries), both directions
while read -r v4 tp v6; do
	mapping "$tp" "$v4" "$v4" "$v6"
	mapping "$tp" "$v6" "$v4" "$v6"
done <<'EOF'
0.0.0.0/0 2001:db8::/32 2001:db8::/32
10.0.0.0/8 2001:db8::/32 2001:db8:a00::/40
100.64.0.0/10 2001:db8::/32 2001:db8:6440::/42
198.51.100.0/24 2001:db8::/32 2001:db8:c633:6400::/56
192.0.2.33/32 2001:db8::/32 2001:db8:c000:221::/64
0.0.0.0/0 2001:db8:100::/40 2001:db8:100::/40
172.16.128.0/17 2001:db8:100::/40 2001:db8:1ac:1080::/57
198.51.100.0/24 2001:db8:100::/40 2001:db8:1c6:3364::/64
198.51.100.128/25 2001:db8:100::/40 2001:db8:1c6:3364:80::/73
192.0.2.33/32 2001:db8:100::/40 2001:db8:1c0:2:21::/80
10.0.0.0/8 2001:db8:122::/48 2001:db8:122:a00::/56
172.16.128.0/17 2001:db8:122::/48 2001:db8:122:ac10:80::/73
198.51.100.0/24 2001:db8:122::/48 2001:db8:122:c633:64::/80
203.0.113.7/32 2001:db8:122::/48 2001:db8:122:cb00:71:700::/88
10.0.0.0/8 2001:db8:122:300::/56 2001:db8:122:30a::/64
172.16.128.0/17 2001:db8:122:300::/56 2001:db8:122:3ac:10:8000::/81
198.51.100.0/24 2001:db8:122:300::/56 2001:db8:122:3c6:33:6400::/88
0.0.0.0/0 2001:db8:122:344::/64 2001:db8:122:344::/64
198.51.100.0/24 2001:db8:122:344::/64 2001:db8:122:344:c6:3364::/96
198.51.100.128/25 2001:db8:122:344::/64 2001:db8:122:344:c6:3364:8000:0/97
192.0.2.33/32 2001:db8:122:344::/64 2001:db8:122:344:c0:2:2100:0/104
192.0.2.0/24 2001:db8:122:344::/96 2001:db8:122:344::c000:200/120
192.168.1.0/24 64:ff9b:1::/48 64:ff9b:1:c0a8:1::/80
100.64.0.0/10 64:ff9b:1:2::/64 64:ff9b:1:2:64:4000::/82
EOF

# --- reverse mapping of IPv6 prefixes that are not the exact image of an IPv4 prefix: the
# covering /24 under a /40, with a note naming the exact image
for q in 2001:db8:1c6:3364::/68 2001:db8:1c6:3364::/72; do
	expect_json "[{\"input\":\"$q\",\"ipv4\":\"198.51.100.0/24\",\"ipv6\":\"$q\",\"rule\":\"rfc6052\",\"warning\":\"198.51.100.0/24 maps to 2001:db8:1c6:3364::/64\"}]" \
		translate --prefix 2001:db8:100::/40 "$q"
done
# Non-canonical IPv6 input is printed in RFC 5952 form.
mapping 64:ff9b::/96 0064:FF9B:0000::0808:0808 8.8.8.8 64:ff9b::808:808

# --- errors: one bad input makes the exit status 1, the others are still mapped
run translate 8.8.8.8 not-an-address 10.0.0.1/8 2001:db8::/32
if [ "$RC" -eq 1 ] &&
	[ "$OUT" = '[{"input":"8.8.8.8","ipv4":"8.8.8.8","ipv6":"64:ff9b::808:808","rule":"rfc6052"},{"input":"not-an-address","error":"not an IPv4 or IPv6 address or prefix"},{"input":"10.0.0.1/8","error":"host bits set past /8"},{"input":"2001:db8::/32","error":"not inside the translation prefix 64:ff9b::/96 or an explicit mapping"}]' ] &&
	grep -q "not-an-address: not an IPv4 or IPv6 address or prefix" <<<"$ERR"; then
	pass
else
	fail "errors: exit $RC, got $OUT ($ERR)"
fi
run translate --prefix 64:ff9b:1:2::/64 64:ff9b:1:2:ff00::/72 # u-octet not zero
[ "$RC" -eq 1 ] && grep -q '"error"' <<<"$OUT" && pass || fail "u-octet: exit $RC, $OUT"
for bad in 2001:db8::/44 64:ff9b::/95 198.51.100.0/24 2001:db8:0:0:100::/96; do
	run translate --prefix "$bad" 192.0.2.1
	[ "$RC" -eq 1 ] && [ -z "$OUT" ] && [ -n "$ERR" ] && pass ||
		fail "--prefix $bad accepted: exit $RC, $OUT"
done
run translate
[ "$RC" -eq 1 ] && grep -q usage <<<"$ERR" && pass || fail "no input: exit $RC"
run translate -s /nonexistent 8.8.8.8
[ "$RC" -eq 1 ] && pass || fail "translate -s: exit $RC"

# --- --text: a header and aligned columns (each column starts at the same offset)
run --text translate 198.51.100.0/24 8.8.8.8 64:ff9b::808:808 bogus
if [ "$RC" -eq 1 ] && [ "$(wc -l <<<"$OUT")" -eq 5 ] &&
	python3 - "$OUT" <<'EOF'; then
import sys
lines = sys.argv[1].split("\n")
head = lines[0]
assert head.split() == ["INPUT", "IPV4", "IPV6", "RULE", "NOTE"], head
cols = [head.index(c) for c in ("IPV4", "IPV6", "RULE")]
rows = {l.split()[0]: l for l in lines[1:]}
for name in ("198.51.100.0/24", "8.8.8.8", "64:ff9b::808:808"):
    l = rows[name]
    assert [l[c - 1] for c in cols] == [" "] * 3 and " " not in [l[c] for c in cols], l
    assert l[cols[1]:].split()[0] in ("64:ff9b::c633:6400/120", "64:ff9b::808:808"), l
assert "warning: not globally reachable" in rows["198.51.100.0/24"]
assert "error: not an IPv4 or IPv6 address or prefix" in rows["bogus"]
assert rows["64:ff9b::808:808"][cols[0]:].startswith("8.8.8.8 ")
EOF
	pass
else
	fail "--text: exit $RC, got:
$OUT"
fi

# --- -c: a config's translation prefix, explicit mappings and next-hop rules
cat >"$T/c.json" <<'EOF'
{
  "router-id": "192.0.2.1",
  "local-as": 64500,
  "translation": {
    "prefix": "2001:db8:64::/96",
    "next-hops": [
      {"ipv4": "192.0.2.0/24", "ipv6": "2001:db8:ffff::1"},
      {"ipv4": "192.0.2.128/25", "ipv6": "2001:db8:ffff::2"}
    ],
    "unknown-next-hop": "default",
    "default-next-hop": {"ipv6": "2001:db8:ffff::99"},
    "explicit-mappings": [
      {"ipv4": "203.0.113.0/24", "ipv6": "2001:db8:1234:64:ffff:ffff:ffff:ff00/120"},
      {"ipv4": "192.0.2.128/26", "ipv6": "2001:db8:dddd::/64"}
    ]
  },
  "neighbors": []
}
EOF
expect_json '[{"input":"192.0.2.1","ipv4":"192.0.2.1","ipv6":"2001:db8:64::c000:201","rule":"rfc6052","next_hop":"2001:db8:ffff::1","next_hop_rule":"192.0.2.0/24"}]' \
	translate -c "$T/c.json" 192.0.2.1
expect_json '[{"input":"8.8.8.8","ipv4":"8.8.8.8","ipv6":"2001:db8:64::808:808","rule":"rfc6052","next_hop":"2001:db8:ffff::99","next_hop_rule":"default"}]' \
	translate -c "$T/c.json" 8.8.8.8
expect_json '[{"input":"192.0.2.129","ipv4":"192.0.2.129","ipv6":"2001:db8:dddd:0:400::","rule":"eam","next_hop":"2001:db8:ffff::2","next_hop_rule":"192.0.2.128/25"}]' \
	translate -c "$T/c.json" 192.0.2.129
# EAM examples (left-aligned suffix), both directions
while read -r v4 v6; do
	expect_json "[{\"input\":\"$v4\",\"ipv4\":\"$v4\",\"ipv6\":\"$v6\",\"rule\":\"eam\"}]" \
		translate -c "$T/c.json" "$v4"
	expect_json "[{\"input\":\"$v6\",\"ipv4\":\"$v4\",\"ipv6\":\"$v6\",\"rule\":\"eam\"}]" \
		translate -c "$T/c.json" "$v6"
done <<'EOF'
203.0.113.128/25 2001:db8:1234:64:ffff:ffff:ffff:ff80/121
203.0.113.7/32 2001:db8:1234:64:ffff:ffff:ffff:ff07/128
192.0.2.160/27 2001:db8:dddd:0:8000::/65
192.0.2.129/32 2001:db8:dddd:0:400::/70
EOF
# A prefix covering an explicit mapping also announces the mapping's own IPv6 prefix.
expect_json '[{"input":"203.0.0.0/16","ipv4":"203.0.0.0/16","ipv6":"2001:db8:64::cb00:0/112","rule":"rfc6052","covered_mappings":[{"ipv4":"203.0.113.0/24","ipv6":"2001:db8:1234:64:ffff:ffff:ffff:ff00/120","rule":"eam"}]}]' \
	translate -c "$T/c.json" 203.0.0.0/16
# --prefix overrides the config's prefix, its mappings stay.
expect_json '[{"input":"10.0.0.0/8","ipv4":"10.0.0.0/8","ipv6":"2001:db8:a00::/40","rule":"rfc6052"},{"input":"203.0.113.0/24","ipv4":"203.0.113.0/24","ipv6":"2001:db8:1234:64:ffff:ffff:ffff:ff00/120","rule":"eam"}]' \
	translate -c "$T/c.json" --prefix 2001:db8::/32 10.0.0.0/8 203.0.113.0/24
run --text translate -c "$T/c.json" 192.0.2.1
[ "$RC" -eq 0 ] && grep -q "as next hop: 2001:db8:ffff::1 (rule 192.0.2.0/24)" <<<"$OUT" && pass ||
	fail "--text -c: $OUT"
echo '{"router-id": "192.0.2.1"' >"$T/broken.json"
run translate -c "$T/broken.json" 8.8.8.8
[ "$RC" -eq 1 ] && grep -q broken.json <<<"$ERR" && pass || fail "broken config: exit $RC ($ERR)"

# --- -c with the example configuration: expectations computed from the file itself
EX=$SRC/etc/bgp64d.json
if [ -f "$EX" ]; then
	run translate -c "$EX" 8.8.8.8 9.9.9.0/24
	if [ "$RC" -eq 0 ] && python3 - "$EX" "$OUT" <<'EOF'; then
import ipaddress, json, sys
cfg = json.load(open(sys.argv[1]))["translation"]
out = json.loads(sys.argv[2])
t = ipaddress.ip_network(cfg["prefix"])
assert t.prefixlen == 96, "this check knows the /96 layout only"
def embed(a):
    return ipaddress.ip_address(int(t.network_address) | int(ipaddress.ip_address(a)))
assert out[0]["ipv6"] == str(embed("8.8.8.8")), out[0]
assert out[1]["ipv6"] == "%s/120" % embed("9.9.9.0"), out[1]
assert all(o["rule"] == "rfc6052" for o in out)
EOF
		pass
	else
		fail "example config: exit $RC, $OUT ($ERR)"
	fi
	# Its explicit mappings map both ways; its next-hop rules apply (longest match).
	python3 - "$EX" >"$T/ex.args" <<'EOF'
import json, sys
cfg = json.load(open(sys.argv[1]))["translation"]
for m in cfg.get("explicit-mappings", []):
    print(m["ipv4"], m["ipv6"])
EOF
	while read -r v4 v6; do
		expect_json "[{\"input\":\"$v4\",\"ipv4\":\"$v4\",\"ipv6\":\"$v6\",\"rule\":\"eam\"}]" \
			translate -c "$EX" "$v4"
		expect_json "[{\"input\":\"$v6\",\"ipv4\":\"$v4\",\"ipv6\":\"$v6\",\"rule\":\"eam\"}]" \
			translate -c "$EX" "$v6"
	done <"$T/ex.args"
	python3 - "$EX" >"$T/nh.args" <<'EOF'
import ipaddress, json, sys
rules = [(ipaddress.ip_network(r["ipv4"]), r["ipv6"])
         for r in json.load(open(sys.argv[1]))["translation"].get("next-hops", [])]
for net, v6 in rules:
    a = net.network_address
    best = max((r for r in rules if a in r[0]), key=lambda r: r[0].prefixlen)
    print(a, best[1], best[0])
EOF
	while read -r a v6 rule; do
		run translate -c "$EX" "$a"
		python3 -c '
import json, sys
o = json.loads(sys.argv[1])[0]
assert o["next_hop"] == sys.argv[2] and o["next_hop_rule"] == sys.argv[3], o
' "$OUT" "$v6" "$rule" && pass || fail "example next hop $a: $OUT, want $v6 by $rule"
	done <"$T/nh.args"
else
	fail "$EX missing"
fi

echo "translate CLI: $CHECKS checks passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
