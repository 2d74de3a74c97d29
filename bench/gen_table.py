#!/usr/bin/env python3
"""gen_table.py - seeded generator of a DFZ-like IPv4 BGP table for the bench tools.

The table is a text file read by feeder.c (to build UPDATEs) and sink.c (to build
the expected set).  One header line, then one line per attribute set, six fields
separated by one TAB:

    # bgp64d-table v1 n=<prefixes> sets=<sets> seed=<seed> nexthops=<k>
    <next-hop>  <as-path>  <communities>  <med>  <large-communities>  <prefixes>

    next-hop           dotted quad
    as-path            ASNs separated by spaces (one AS_SEQUENCE, leftmost = neighbour)
    communities        "asn:value" separated by spaces, or "-"
    med                decimal MULTI_EXIT_DISC, or "-" (absent)
    large-communities  "global:local1:local2" separated by spaces, or "-"
    prefixes           "a.b.c.d/len" separated by spaces (host bits zero)

Lines starting with '#' are comments.  The readers also accept the 4-field form
"next-hop as-path communities prefixes" (no MED, no large communities).

Every prefix appears once (a prefix may be covered by a shorter one, as in the
real DFZ); all of them lie in public unicast space (RFC 6890 special-purpose
blocks, multicast and class E excluded); lengths /8-/24 with the DFZ mix
(about 62 % /24, 10 % /23, 12 % /22, 5 % /21, 5 % /20, 6 % /16-/19, 0.2 %
shorter).  ORIGIN is IGP for all routes.  About N/8 distinct attribute sets
(--sets): AS_PATH of 1-8 public ASNs (mostly 3-4; never 64500, private,
reserved or 23456), a next hop from --nexthops, 0-3 communities, MED and large
communities on the share of sets given by --med-share / --large-share (0 by
default).  The order of the prefixes in the file is the order the feeder sends
and withdraws them ("the first F of the prefixes").  Same arguments => byte
identical file.

Usage: gen_table.py -n 1000000 [-s 6052] [-o FILE] [--sets S]
                    [--nexthops 4 | --nexthops ADDR,ADDR,...]
                    [--med-share 0.2] [--large-share 0.1]
"""
import argparse
import ipaddress
import random
import sys
import time

# Prefix-length mix as fractions of N; /24 takes the rest (~61.8 %).
LEN_SHARE = {
    23: 0.100, 22: 0.120, 21: 0.050, 20: 0.050,
    19: 0.024, 18: 0.016, 17: 0.011, 16: 0.009,
    15: 0.0008, 14: 0.0005, 13: 0.0003, 12: 0.0002,
    11: 0.0001, 10: 0.00005, 9: 0.00003, 8: 0.00002,
}
# No length takes more than this share of its address space (keeps rejection
# sampling fast and the table plausible).
MAX_SPACE_SHARE = 0.25

# Special-purpose / non-unicast IPv4 blocks (RFC 6890 registry, multicast, class E).
SPECIAL = [
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.31.196.0/24",
    "192.52.193.0/24", "192.88.99.0/24", "192.168.0.0/16", "192.175.48.0/24",
    "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/3",
]

# Well-known transit networks, used as upstreams and in the middle of paths.
TRANSIT = [174, 209, 286, 701, 1239, 1273, 1299, 2828, 2914, 3257, 3320, 3356, 3491,
           3549, 4134, 4637, 4826, 5511, 6453, 6461, 6762, 6830, 6939, 7018, 7473,
           7922, 9002, 9498, 12956, 20485, 31133, 37100]
UPSTREAMS = 6   # first TRANSIT entries shuffled: the feeder's "neighbours"

PATH_LEN_WEIGHTS = [(1, 3), (2, 15), (3, 32), (4, 27), (5, 12), (6, 6), (7, 3), (8, 2)]


def special_blocks():
    return [(int(n.network_address), n.prefixlen)
            for n in (ipaddress.IPv4Network(s) for s in SPECIAL)]


def octet_class(blocks):
    """Per first octet: 0 = all public, 1 = all special, 2 = needs a full check."""
    cls = [0] * 256
    for net, plen in blocks:
        lo = net >> 24
        if plen <= 8:
            for o in range(lo, lo + (1 << (8 - plen))):
                cls[o] = 1
        elif cls[lo] == 0:
            cls[lo] = 2
    return cls


def is_special(net, plen, blocks):
    for bnet, blen in blocks:
        m = min(plen, blen)
        if (net ^ bnet) >> (32 - m) == 0:
            return True
    return False


def gen_prefixes(rng, n):
    """Return n distinct (net, len) in public unicast space, random order."""
    counts = {}
    for plen, share in LEN_SHARE.items():
        counts[plen] = min(int(round(n * share)), int((1 << plen) * MAX_SPACE_SHARE))
    counts[24] = n - sum(counts.values())
    if counts[24] > (1 << 24) * MAX_SPACE_SHARE:
        sys.exit("gen_table: N too large (at most about 6.5M prefixes)")
    blocks = special_blocks()
    cls = octet_class(blocks)
    out = []
    for plen in sorted(counts):
        need = counts[plen]
        shift = 32 - plen
        seen = set()
        getbits = rng.getrandbits
        while len(seen) < need:
            net = getbits(plen) << shift
            c = cls[net >> 24]
            if c == 1 or (c == 2 and is_special(net, plen, blocks)):
                continue
            seen.add(net)
        out.extend((net, plen) for net in sorted(seen))
    rng.shuffle(out)
    return out


def asn_pool(rng, size, exclude):
    """Public ASNs: about 70 % 16-bit, 30 % 32-bit (as allocated by the RIRs)."""
    pool = set()
    while len(pool) < size:
        if rng.random() < 0.7:
            a = rng.randint(1, 64495)       # 64496-65535: documentation/private/reserved
            if a == 23456:                  # AS_TRANS
                continue
        else:
            a = rng.randint(131072, 401308)  # 65536-131071 reserved
        if a not in exclude:
            pool.add(a)
    return sorted(pool)


def parse_nexthops(spec):
    if spec.isdigit():
        k = int(spec)
        if not 1 <= k <= 254:
            sys.exit("gen_table: --nexthops COUNT must be 1..254")
        return ["198.51.100.%d" % (i + 1) for i in range(k)]
    nhs = [s.strip() for s in spec.split(",") if s.strip()]
    for s in nhs:
        ipaddress.IPv4Address(s)
    return nhs


def gen_sets(rng, nsets, nexthops, med_share, large_share):
    """Return nsets distinct attribute sets (nh, path, comms, med, large)."""
    transit = TRANSIT[:]
    rng.shuffle(transit)
    upstreams = transit[:UPSTREAMS]
    middle = asn_pool(rng, max(100, nsets // 60), set(TRANSIT))
    origins = asn_pool(rng, max(200, (nsets * 3) // 5), set(TRANSIT))
    comm_pool = sorted({(a, rng.choice((rng.randint(1, 999), rng.randint(1000, 65535))))
                        for a in transit for _ in range(16)})
    lens = [l for l, _ in PATH_LEN_WEIGHTS]
    lweights = [w for _, w in PATH_LEN_WEIGHTS]
    sets = []
    seen = set()
    while len(sets) < nsets:
        plen = rng.choices(lens, lweights)[0]
        path = [rng.choice(upstreams)]
        if plen >= 3:
            t = rng.choice(transit)
            if t not in path:
                path.append(t)
        while len(path) < plen - 1:
            a = rng.choice(middle)
            if a not in path:
                path.append(a)
        if len(path) < plen:
            o = rng.choice(origins)
            if o not in path:
                path.append(o)
                while len(path) < plen and rng.random() < 0.3:   # origin prepends
                    path.append(o)
        nc = rng.choices((0, 1, 2, 3), (40, 30, 20, 10))[0]
        comms = tuple(sorted({rng.choice(comm_pool) for _ in range(nc)}))
        med = rng.randint(0, 1000) if rng.random() < med_share else None
        large = ()
        if rng.random() < large_share:
            large = tuple(sorted({(path[-1], rng.randint(1, 20), rng.randint(0, 999))
                                  for _ in range(rng.randint(1, 2))}))
        nh = rng.choice(nexthops)
        key = (nh, tuple(path), comms, med, large)
        if key in seen:
            continue
        seen.add(key)
        sets.append(key)
    return sets


def assign(rng, prefixes, nsets):
    """Bucket the prefixes over the sets: every set gets one, then a skewed share."""
    buckets = [[p] for p in prefixes[:nsets]]
    rnd = rng.random
    for p in prefixes[nsets:]:
        buckets[int(nsets * rnd() ** 2.2)].append(p)
    for b in buckets:
        b.sort()
    return buckets


def ntoa(v):
    return "%d.%d.%d.%d" % (v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255)


def write(out, sets, buckets):
    for (nh, path, comms, med, large), b in zip(sets, buckets):
        out.write("%s\t%s\t%s\t%s\t%s\t%s\n" % (
            nh, " ".join(map(str, path)),
            " ".join("%d:%d" % c for c in comms) or "-",
            "-" if med is None else str(med),
            " ".join("%d:%d:%d" % c for c in large) or "-",
            " ".join("%s/%d" % (ntoa(net), plen) for net, plen in b)))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, required=True, help="number of prefixes")
    ap.add_argument("-s", "--seed", type=int, default=6052)
    ap.add_argument("-o", "--output", default="-", help="output file (default stdout)")
    ap.add_argument("--sets", type=int, default=0, help="attribute sets (default N/8)")
    ap.add_argument("--nexthops", default="4",
                    help="COUNT (198.51.100.1..COUNT) or comma-separated IPv4 addresses")
    ap.add_argument("--med-share", type=float, default=0.0,
                    help="share of attribute sets carrying a MED (0..1)")
    ap.add_argument("--large-share", type=float, default=0.0,
                    help="share of attribute sets carrying large communities (0..1)")
    a = ap.parse_args()
    if a.n < 1:
        sys.exit("gen_table: -n must be >= 1")
    nsets = min(a.n, a.sets or max(1, a.n // 8))
    nexthops = parse_nexthops(a.nexthops)
    t0 = time.monotonic()
    rng = random.Random(a.seed)
    prefixes = gen_prefixes(rng, a.n)
    sets = gen_sets(rng, nsets, nexthops, a.med_share, a.large_share)
    buckets = assign(rng, prefixes, nsets)
    out = sys.stdout if a.output == "-" else open(a.output, "w")
    out.write("# bgp64d-table v1 n=%d sets=%d seed=%d nexthops=%s\n"
              % (a.n, nsets, a.seed, ",".join(nexthops)))
    write(out, sets, buckets)
    if out is not sys.stdout:
        out.close()
    hist = {}
    for _, plen in prefixes:
        hist[plen] = hist.get(plen, 0) + 1
    mix = " ".join("/%d=%.1f%%" % (l, 100.0 * hist[l] / a.n)
                   for l in sorted(hist, reverse=True) if l >= 16)
    print("gen_table: %d prefixes, %d sets, %.1fs; %s" % (a.n, nsets, time.monotonic() - t0, mix),
          file=sys.stderr)


if __name__ == "__main__":
    main()
