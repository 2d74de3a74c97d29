#!/usr/bin/env python3
"""Query routing JSON from the interop tests with one Python expression (stdlib only).

    bgp64ctl -s SOCK show rib ipv4 | jcheck.py 'best("10.1.0.0/24")["as_path"]'
    birdc -s SOCK show route all    | jcheck.py --from-bird 'prefixes()'
    vtysh ... 'show bgp ipv6 unicast json detail' | jcheck.py --from-frr 'summ("64:ff9b::a01:0/120")'

The document read from stdin is bound to `j`. With --from-bird (birdc "show route all" text) or
--from-frr (FRR "show bgp AFI unicast json detail", or the plain table "json") it is first
converted to the shape bgp64ctl prints:

    {"rib": [{"prefix": P, "paths": [{"best": bool, "as_path": "a b", "next_hop": "x",
              "med": n|None, "local_pref": n|None, "origin": "igp|egp|incomplete",
              "communities": ["a:b"], "large_communities": ["a:b:c"], ...}]}]}

so that one set of helpers checks all three. The value of the expression is printed: strings
as they are, None as "null", booleans as "true"/"false", anything else as compact JSON. The
exit status is 0 unless the expression raised (then the error is printed, status 2), so a
missing key or prefix makes a polling check retry rather than pass. --print prints the
(converted) document instead.

Helpers:
    routes()          the list of route entries ({"prefix", "paths"})
    prefixes()        the prefixes, sorted, space separated
    paths(p)          the paths of prefix p ([] if absent)
    best(p)           the best path of p (None if p is absent or has no best path)
    has(p)            "yes" if p is present, "no" if not
    route(p)          the route entry of p (None if absent)
    path(p, nbr)      the path of p learned from neighbor address nbr (None if none)
    summ(p, *keys, nbr=None)
                      "key=value ..." of the best path of p (or of its path from neighbor nbr)
                      for the given keys (default: the usual attributes), "-" where a key is
                      absent, null or empty; "absent" if p (or its path from nbr) is absent
    nbr(addr)         the neighbor entry of bgp64ctl show neighbors/summary with that address
    words(xs)         sorted, space separated
    count()           number of prefixes
"""

import ipaddress
import json
import re
import sys

DEFAULT_KEYS = ("as_path", "next_hop", "med", "local_pref", "communities",
                "large_communities")


# ----------------------------------------------------------------- converters

def _norm_prefix(p):
    try:
        return str(ipaddress.ip_network(p, strict=False))
    except ValueError:
        return p


def from_bird(text):
    """birdc 'show route all' text -> rib document."""
    rib = {}
    order = []
    cur = None
    prefix = None
    head = re.compile(r"^(\S+)?\s+(unicast|unreachable|blackhole|prohibited|\S+)\s+\[(\S+)"
                      r"(?:\s+[^\]]*)?\](\s+\*)?\s*(?:\((\d+)(?:/\S+)?\))?\s*(.*)$")
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("Table ") or line.startswith("BIRD ") or line.startswith("Network"):
            continue
        if line.startswith("\t"):
            if cur is None:
                continue
            s = line.strip()
            if s.startswith("via "):
                m = re.match(r"via (\S+)(?: on (\S+))?", s)
                cur.setdefault("gateways", []).append(m.group(1))
                if m.group(2):
                    cur["interface"] = m.group(2)
                continue
            if s.startswith("dev "):
                cur["interface"] = s.split()[1]
                continue
            if ":" not in s:
                continue
            k, v = s.split(":", 1)
            k, v = k.strip(), v.strip()
            _bird_attr(cur, k, v)
            continue
        m = head.match(line)
        if not m:
            continue
        if m.group(1):
            prefix = _norm_prefix(m.group(1))
        if prefix is None:
            continue
        cur = {"best": bool(m.group(4)), "type": m.group(2), "protocol": m.group(3),
               "preference": int(m.group(5)) if m.group(5) else None,
               "next_hop": None, "as_path": None, "med": None, "local_pref": None,
               "origin": None, "communities": [], "large_communities": [],
               "extended_communities": []}
        if prefix not in rib:
            rib[prefix] = []
            order.append(prefix)
        rib[prefix].append(cur)
    return {"rib": [{"prefix": p, "paths": rib[p]} for p in order]}


def _bird_attr(cur, k, v):
    if k == "Type":
        cur["source"] = v
    elif k == "BGP.origin":
        cur["origin"] = v.lower()
    elif k == "BGP.as_path":
        cur["as_path"] = " ".join(v.split())
    elif k == "BGP.next_hop":
        parts = v.split()
        cur["next_hop"] = parts[0] if parts else None
        if len(parts) > 1:
            cur["next_hop_link_local"] = parts[1]
    elif k == "BGP.med":
        cur["med"] = int(v)
    elif k == "BGP.local_pref":
        cur["local_pref"] = int(v)
    elif k == "BGP.community":
        cur["communities"] = [a + ":" + b for a, b in re.findall(r"\((\d+),\s*(\d+)\)", v)]
    elif k == "BGP.large_community":
        cur["large_communities"] = [":".join(t) for t in
                                    re.findall(r"\((\d+),\s*(\d+),\s*(\d+)\)", v)]
    elif k == "BGP.ext_community":
        cur["extended_communities"] = re.findall(r"\(([^)]*)\)", v)
    elif k == "BGP.originator_id":
        cur["originator_id"] = v
    elif k == "BGP.cluster_list":
        cur["cluster_list"] = v.split()
    else:
        cur[k] = v


def _frr_path(p):
    out = {"best": False, "next_hop": None, "as_path": None, "med": None, "local_pref": None,
           "origin": None, "communities": [], "large_communities": [],
           "extended_communities": []}
    b = p.get("bestpath")
    out["best"] = bool(b.get("overall")) if isinstance(b, dict) else bool(b)
    out["valid"] = bool(p.get("valid", False))
    ap = p.get("aspath", p.get("path"))
    if isinstance(ap, dict):
        ap = ap.get("string")
    out["as_path"] = "" if ap == "Local" else ap
    if p.get("origin"):
        out["origin"] = p["origin"].lower()
    if "metric" in p:
        out["med"] = p["metric"]
    if "med" in p:
        out["med"] = p["med"]
    for k in ("locPrf", "localpref", "localPref"):
        if k in p:
            out["local_pref"] = p[k]
    c = p.get("community")
    if isinstance(c, dict):
        out["communities"] = c.get("list") or c.get("string", "").split()
    lc = p.get("largeCommunity")
    if isinstance(lc, dict):
        out["large_communities"] = lc.get("list") or lc.get("string", "").split()
    ec = p.get("extendedCommunity")
    if isinstance(ec, dict):
        out["extended_communities"] = ec.get("string", "").split()
    nhs = p.get("nexthops") or []
    glob = [n for n in nhs if n.get("scope", "global") == "global"]
    if glob:
        out["next_hop"] = glob[0].get("ip")
        out["next_hop_accessible"] = glob[0].get("accessible")
    ll = [n for n in nhs if n.get("scope") == "link-local"]
    if ll:
        out["next_hop_link_local"] = ll[0].get("ip")
    peer = p.get("peer") or {}
    out["neighbor"] = peer.get("peerId", p.get("peerId"))
    out["stale"] = bool(p.get("stale", False))
    return out


def from_frr(doc):
    """FRR 'show bgp AFI unicast json [detail]' -> rib document."""
    routes = doc.get("routes", doc)
    entries = []
    if isinstance(routes, dict):
        for prefix, v in routes.items():
            if isinstance(v, dict):  # detail form: {"prefix":..,"paths":[..]}
                paths = v.get("paths", [])
            else:
                paths = v
            if not isinstance(paths, list):
                continue
            # "json detail" puts a header object ({"prefix", "advertisedTo", ...}) first.
            paths = [p for p in paths if isinstance(p, dict) and "nexthops" in p]
            entries.append({"prefix": _norm_prefix(prefix), "paths": [_frr_path(p) for p in paths]})
    return {"rib": entries}


# ----------------------------------------------------------------- helpers

class Ctx:
    def __init__(self, j):
        self.j = j

    def routes(self):
        j = self.j
        if isinstance(j, dict):
            for k in ("rib", "routes", "prefixes"):
                if k in j and isinstance(j[k], list):
                    return j[k]
        if isinstance(j, list):
            return j
        raise KeyError("no route list in document")

    def _find(self, p):
        want = _norm_prefix(p)
        for r in self.routes():
            if _norm_prefix(r.get("prefix", "")) == want:
                return r
        return None

    def paths(self, p):
        r = self._find(p)
        return [] if r is None else r.get("paths", [])

    def route(self, p):
        return self._find(p)

    def path(self, p, nbr):
        want = ipaddress.ip_address(nbr)
        for x in self.paths(p):
            v = x.get("neighbor")
            try:
                if v is not None and ipaddress.ip_address(v.split("%")[0]) == want:
                    return x
            except ValueError:
                pass
        return None

    def best(self, p):
        for x in self.paths(p):
            if x.get("best"):
                return x
        return None

    def has(self, p):
        return "yes" if self._find(p) is not None else "no"

    def prefixes(self):
        return " ".join(sorted((_norm_prefix(r["prefix"]) for r in self.routes()),
                               key=_sort_key))

    def count(self):
        return len(self.routes())

    def summ(self, p, *keys, nbr=None):
        keys = keys or DEFAULT_KEYS
        b = self.best(p) if nbr is None else self.path(p, nbr)
        if b is None:
            return "absent" if self._find(p) is None or nbr is not None else "no-best"
        out = []
        for k in keys:
            v = b.get(k, "-")
            if v is None or v == "":
                v = "-"
            elif isinstance(v, bool):
                v = "true" if v else "false"
            elif isinstance(v, list):
                v = ",".join(str(x) for x in v) if v else "-"
            out.append("%s=%s" % (k, v))
        return " ".join(out)

    def nbr(self, addr):
        want = ipaddress.ip_address(addr)
        for lst in _lists_of_dicts(self.j):
            for n in lst:
                for k in ("address", "neighbor", "remote_address", "peer", "remote_addr"):
                    v = n.get(k)
                    if isinstance(v, str):
                        try:
                            if ipaddress.ip_address(v.split("%")[0]) == want:
                                return n
                        except ValueError:
                            pass
        raise KeyError("no neighbor %s" % addr)


def _lists_of_dicts(j):
    if isinstance(j, list):
        if j and all(isinstance(x, dict) for x in j):
            yield j
        for x in j:
            yield from _lists_of_dicts(x)
    elif isinstance(j, dict):
        for v in j.values():
            yield from _lists_of_dicts(v)


def _sort_key(p):
    try:
        n = ipaddress.ip_network(p)
        return (n.version, int(n.network_address), n.prefixlen)
    except ValueError:
        return (9, 0, 0)


def words(xs):
    return " ".join(sorted(str(x) for x in xs))


def render(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return v
    return json.dumps(v, sort_keys=True, separators=(",", ":"))


def main(argv):
    args = argv[1:]
    mode = None
    show = False
    while args and args[0].startswith("--"):
        a = args.pop(0)
        if a == "--from-bird":
            mode = "bird"
        elif a == "--from-frr":
            mode = "frr"
        elif a == "--print":
            show = True
        else:
            print("jcheck: unknown option " + a, file=sys.stderr)
            return 2
    data = sys.stdin.read()
    try:
        if mode == "bird":
            j = from_bird(data)
        elif mode == "frr":
            j = from_frr(json.loads(data))
        else:
            j = json.loads(data)
    except (ValueError, AttributeError) as e:
        print("<bad input: %s: %r>" % (e, data[:200]))
        return 2
    if show:
        print(json.dumps(j, sort_keys=True))
        return 0
    if not args:
        print("usage: jcheck.py [--from-bird|--from-frr] [--print] EXPR", file=sys.stderr)
        return 2
    c = Ctx(j)
    env = {"j": j, "routes": c.routes, "prefixes": c.prefixes, "paths": c.paths,
           "best": c.best, "has": c.has, "route": c.route, "path": c.path, "summ": c.summ, "nbr": c.nbr, "count": c.count,
           "words": words, "len": len, "sorted": sorted, "set": set, "any": any, "all": all}
    try:
        v = eval(args[0], env)  # noqa: S307 (a test helper evaluating the test's own text)
    except Exception as e:  # the check simply has not come true (yet)
        print("<%s: %s>" % (type(e).__name__, e))
        return 2
    print(render(v))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
