"""Shared pieces of the bgp64d benchmarks (Python 3 stdlib only).

Topology, all on loopback in the current network namespace (run as root or in a private
namespace; nothing leaves the host):

    feeder 127.0.0.1  --iBGP-->  DUT 127.0.0.2:PORT  --iBGP-->  sink 127.0.0.3
                                                     (bench/fanout: sink sessions from
                                                      127.0.1.1, 127.0.1.2, ...)

The feeder and the sink are bench/feeder and bench/sink (C); the DUT is bgp64d, or BIRD as a
plain IPv4 route reflector for the comparison. Times are CLOCK_MONOTONIC, which the C tools
print and time.monotonic() reads here.
"""

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def die(msg):
    print(f"bench: {msg}", file=sys.stderr)
    sys.exit(1)


def find_build(arg):
    """The build directory holding bgp64d, bgp64ctl and bench/feeder, bench/sink."""
    cands = [arg] if arg else [os.path.join(HERE, "..", "build")]
    for c in cands:
        c = os.path.abspath(c)
        if os.path.exists(os.path.join(c, "bgp64d")) and os.path.exists(
            os.path.join(c, "bench", "feeder")
        ):
            return c
    die(f"no build found in {cands}: build first (cmake -S . -B build && cmake --build build)")


def table(n, seed=6052, datadir=None):
    """Generates (once) the N-prefix table and returns its path."""
    datadir = datadir or os.path.join(tempfile.gettempdir(), "bgp64-bench-data")
    os.makedirs(datadir, exist_ok=True)
    path = os.path.join(datadir, f"table-{n}-s{seed}.txt")
    if not os.path.exists(path):
        rc = subprocess.run(
            [sys.executable, os.path.join(HERE, "gen_table.py"), "-n", str(n), "-s", str(seed),
             "-o", path + ".tmp"]
        ).returncode
        if rc != 0:
            die("gen_table.py failed")
        os.rename(path + ".tmp", path)
    return path


def wait_listen(addr, port, proc, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            die(f"DUT exited early with {proc.returncode}")
        try:
            with socket.create_connection((addr, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    die(f"DUT not listening on {addr}:{port}")


def peak_rss_mib(pid):
    """VmHWM of a live process, MiB."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


def cpu_s(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return float("nan")


def stop(proc, timeout=5.0):
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def enter_netns():
    """Re-executes this script in a network namespace of its own (unshare --net, as root), with
    its loopback up: nothing can collide with other speakers or benchmarks on the host. Returns
    in the namespace."""
    if os.environ.get("BGP64_BENCH_NETNS") == "1":
        if subprocess.run(["ip", "link", "set", "lo", "up"]).returncode != 0:
            die("cannot bring up lo in the network namespace")
        return
    if not shutil.which("unshare"):
        die("--netns needs unshare (util-linux)")
    env = dict(os.environ, BGP64_BENCH_NETNS="1")
    sys.stdout.flush()
    os.execvpe("unshare", ["unshare", "--net", "--", sys.executable,
                           os.path.abspath(sys.argv[0])] + sys.argv[1:], env)


def receiver_addr(i):
    """Local address of receiver i (0-based) of a multi-session sink: 127.0.1.1 + i."""
    if not 0 <= i < 65000:
        die("receiver index out of range")
    return socket.inet_ntoa(((127 << 24 | 1 << 8 | 1) + i).to_bytes(4, "big"))


def proc_alive(pid):
    """True while pid runs (a zombie does not count)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def parse_events(path):
    """Lines 'WORD <t> ...' of a feeder/sink log -> {WORD: [fields]} (first occurrence)."""
    ev = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0].isupper() and parts[0] not in ev:
                ev[parts[0]] = parts[1:]
    return ev


def policy_config(cfg):
    """The cost benchmark's policies (issue 9 item 9): an import policy of 5 rules with a
    1,000-entry prefix set on the feeder, and a translation policy adding one community. No
    prefix of a gen_table.py table is rejected (it has /8-/24 in 1.0.0.0-223.255.255.255
    without bogons), so every rule is evaluated for every prefix and the result can be
    verified as without policy."""
    bogons = [{"prefix": f"{240 + i // 256}.{i % 256}.0.0/16", "le": 32} for i in range(1000)]
    cfg["sets"] = {"prefix": {"default": ["0.0.0.0/0"], "bogons": bogons}}
    cfg["policies"] = {
        "import": {"rules": [
            {"name": "no-default", "match": {"prefix-set": "default"}, "action": "reject"},
            {"name": "no-bogons", "match": {"prefix-set": "bogons"}, "action": "reject"},
            {"name": "max-24", "match": {"prefix-length": {"min": 25}}, "action": "reject"},
            {"name": "long-path", "match": {"as-path-length": {"min": 64}},
             "action": "reject"},
            {"name": "rest", "action": "accept"}]},
        "translate": {"rules": [
            {"name": "tag", "action": "accept", "set": {"add-communities": ["64500:64"]}}]},
    }
    cfg["translation"]["policy"] = "translate"
    cfg["neighbors"][0]["families"]["ipv4"]["import-policy"] = "import"


def bgp64d_config(path, port, ctl_sock, xlat6, nexthop6, sink=True, receivers=(), policy=False):
    """sink: the one sink 127.0.0.3; receivers: (address, link-local next hop or None) of
    more IPv6-export neighbors (a link-local gives the neighbor an export policy of its own);
    policy: with policy_config()."""
    import json

    neighbors = [
        {"address": "127.0.0.1", "remote-as": 64500, "passive": True,
         "route-reflector-client": True, "hold-time": 180,
         "families": {"ipv4": {"import": True, "export": False},
                      "ipv6": {"import": False, "export": False}}},
    ]
    if sink:
        neighbors.append(
            {"address": "127.0.0.3", "remote-as": 64500, "passive": True,
             "route-reflector-client": True, "hold-time": 180,
             "families": {"ipv4": {"import": False, "export": False},
                          "ipv6": {"import": False, "export": True}}})
    for addr, ll in receivers:
        n = {"address": addr, "remote-as": 64500, "passive": True,
             "route-reflector-client": True, "hold-time": 180,
             "families": {"ipv4": {"import": False, "export": False},
                          "ipv6": {"import": False, "export": True}}}
        if ll:
            n["ipv6-link-local-next-hop"] = ll
        neighbors.append(n)
    cfg = {
        "router-id": "127.0.0.2",
        "local-as": 64500,
        "log-level": "warning",
        "listen": [{"address": "127.0.0.2", "port": port}],
        "translation": {"prefix": xlat6, "unknown-next-hop": "default",
                        "default-next-hop": {"ipv6": nexthop6}, "eor-wait": 5},
        "neighbors": neighbors,
        "control": {"socket": ctl_sock},
    }
    if policy:
        policy_config(cfg)
    with open(path, "w") as f:
        json.dump(cfg, f, indent=1)


def bird_config(path, port, receivers=None, policies=0):
    """BIRD 2 as an IPv4 route reflector: feeder 127.0.0.1 and sink 127.0.0.3 (all routes both
    ways); or, with receivers ((address, policy k) pairs), the feeder and those receivers,
    each exporting through filter fo_p<k> (adds community 64500:k; k in 1..policies)."""
    if receivers is not None:
        filters = "".join(f"filter fo_p{k} {{ bgp_community.add((64500, {k})); accept; }}\n"
                          for k in range(1, policies + 1))
        protos = "".join(
            f"protocol bgp r{i} from rrc {{ neighbor {a} as 64500; "
            f"ipv4 {{ import none; export filter fo_p{k}; }}; }}\n"
            for i, (a, k) in enumerate(receivers))
        with open(path, "w") as f:
            f.write(f"""router id 127.0.0.2;
log stderr {{ error, fatal }};
protocol device {{}}
{filters}template bgp rrc {{
	local 127.0.0.2 port {port} as 64500;
	rr client;
	rr cluster id 127.0.0.2;
	passive on;
	strict bind on;
	hold time 180;
}}
protocol bgp feeder from rrc {{ neighbor 127.0.0.1 as 64500; ipv4 {{ import all; export none; }}; }}
{protos}""")
        return
    with open(path, "w") as f:
        f.write(f"""router id 127.0.0.2;
log stderr {{ error, fatal }};
protocol device {{}}
template bgp rrc {{
	local 127.0.0.2 port {port} as 64500;
	rr client;
	rr cluster id 127.0.0.2;
	passive on;
	strict bind on;
	hold time 180;
	ipv4 {{ import all; export all; }};
}}
protocol bgp feeder from rrc {{ neighbor 127.0.0.1 as 64500; }}
protocol bgp sink from rrc {{ neighbor 127.0.0.3 as 64500; }}
""")


def median(xs):
    xs = [x for x in xs if x == x]
    return statistics.median(xs) if xs else float("nan")


def fmt_runs(xs):
    return ", ".join(f"{x:.3f}" for x in xs)
