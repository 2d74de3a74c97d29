#!/usr/bin/env bash
# Operator experience (issue 11) and least privilege (issue 8 items 2 and 3), against a running
# bgp64d on the loopback of one namespace (bgp64d 127.0.0.1, speaker.py 127.0.0.2):
#   errors and wording: bgp64ctl names what is wrong in a command (exit 1, not the usage);
#       bgp64d --help; --text show translation of an untranslated address in words; --text
#       show rib keeps its columns aligned for a /121 explicit mapping
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
    $(nbr_json 127.0.0.2 64501 9 "ipv4-import ipv6-export")
  ],
  "fib": {"enabled": false},
  "control": {"socket": "$(b64_sock d)"}${2:+,
  $2}
}
JSON
}

write_conf "$(b64_conf d)"
b64_start d d
speaker_start s d --connect 127.0.0.1 --bind 127.0.0.2 --as 64501 --peer-as 64500 \
	--id 127.0.0.2 --nexthop 192.0.2.2
wait_eq 20 "neighbor 127.0.0.2 state" Established nbr_state d 127.0.0.2
speaker_cmd s "announce 198.51.100.0/24,203.0.113.128/25 aspath=64501,64999"
wait_eq 10 "IPv4 routes" 2 rib d ipv4 "len(routes())"

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

