#!/usr/bin/env python3
"""Helpers of bench/run.sh (standard library only).

  report.py snap FILE [name=PID ...]   CPU counters: machine, each process (+ its children),
                                       and the finished children of this script (the clients)
  report.py case RAWDIR NAME k=v ...   wrk output + CPU snapshots -> RAWDIR/NAME.json
  report.py pgbench RAWDIR NAME        pgbench output + sampled latency log -> RAWDIR/NAME.json
  report.py final RAWDIR OUTDIR        RAWDIR/*.json -> OUTDIR/results.json + results.md;
                                       exits 1 when something is broken (never on speed)
"""
import glob
import json
import os
import re
import sys

TICK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- snapshots

def proc_stat(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return None
    rest = data[data.rindex(")") + 2:].split()
    # rest[0] is field 3 (state); utime=14, stime=15, cutime=16, cstime=17, ppid=4
    return {"ppid": int(rest[1]), "self": int(rest[11]) + int(rest[12]),
            "children": int(rest[13]) + int(rest[14])}


def tree_ticks(root):
    """CPU ticks of root and its direct children, live or exited (postgres backends, nginx workers)."""
    me = proc_stat(root)
    if me is None:
        return 0
    # children that already exited (pgbench's backends) are in the root's cutime/cstime
    total = me["self"] + me["children"]
    for d in os.listdir("/proc"):
        if d.isdigit():
            st = proc_stat(int(d))
            if st and st["ppid"] == root:
                total += st["self"]
    return total


def cmd_snap(args):
    out = args[0]
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    idle = cpu[3] + cpu[4]
    # irq + softirq (loopback TCP work the kernel does not charge to a process) and steal
    snap = {"total": sum(cpu[:8]), "idle": idle, "kernel": cpu[5] + cpu[6], "steal": cpu[7],
            "procs": {}}
    for kv in args[1:]:
        name, _, pid = kv.partition("=")
        if pid and pid.isdigit():
            snap["procs"][name] = tree_ticks(int(pid))
    shell = proc_stat(os.getppid())
    snap["clients"] = shell["children"] if shell else 0
    with open(out, "w") as f:
        json.dump(snap, f)


def cpu_delta(pairs):
    """pairs: [(before, after, wall)] of one case's slices -> cores used, averaged over them."""
    ncpu = os.cpu_count() or 1
    d_total = sum(a["total"] - b["total"] for b, a, _ in pairs)
    wall = sum(w for _, _, w in pairs)
    res = {}
    if d_total > 0:
        idle = sum(a["idle"] - b["idle"] for b, a, _ in pairs)
        res["machine_busy_cores"] = round((1.0 - idle / d_total) * ncpu, 2)
        for k in ("kernel", "steal"):
            res[k + "_cores"] = round(sum(a.get(k, 0) - b.get(k, 0) for b, a, _ in pairs)
                                      / d_total * ncpu, 2)
    if wall > 0:
        for name in pairs[0][1]["procs"]:
            if all(name in b["procs"] and name in a["procs"] for b, a, _ in pairs):
                t = sum(a["procs"][name] - b["procs"][name] for b, a, _ in pairs)
                res[name + "_cores"] = round(t / TICK / wall, 2)
        res["clients_cores"] = round(sum(a["clients"] - b["clients"] for b, a, _ in pairs)
                                     / TICK / wall, 2)
        if "machine_busy_cores" in res:
            ours = sum(v for k, v in res.items() if k.endswith("_cores") and k != "machine_busy_cores")
            res["other_cores"] = round(max(0.0, res["machine_busy_cores"] - ours), 2)
    return res


def merged_quantile(slices, q):
    """Quantile q (0-100) of the mixture of the slices' latency distributions, each given
    by wrk's quantiles at 0.5 % steps to 95 % and 0.1 % steps to 99.9 %."""
    points = []
    for w in slices:
        qs = w.get("q") or []
        if len(qs) != 239 or w["requests"] <= 0:
            continue
        ps = [i * 0.5 for i in range(1, 191)] + [i * 0.1 for i in range(951, 1000)]
        prev = 0.0
        for p, v in zip(ps, qs):
            points.append((v, (p - prev) / 100.0 * w["requests"]))
            prev = p
        points.append((w["max_us"], (100.0 - prev) / 100.0 * w["requests"]))
    if not points:
        return 0
    points.sort()
    total = sum(m for _, m in points)
    cum = 0.0
    for v, m in points:
        cum += m
        if cum >= q / 100.0 * total - 1e-9:
            return v
    return points[-1][0]


def merge_wrk(slices):
    if len(slices) == 1:
        w = dict(slices[0])
        w.pop("q", None)
        w["slices"] = 1
        return w
    m = {"slices": len(slices)}
    for k in ("requests", "bytes", "non2xx", "connect_errors", "read_errors", "write_errors",
              "timeouts"):
        m[k] = sum(w[k] for w in slices)
    m["duration_s"] = round(sum(w["duration_s"] for w in slices), 3)
    m["rps"] = m["requests"] / m["duration_s"] if m["duration_s"] > 0 else 0
    m["max_us"] = max(w["max_us"] for w in slices)
    m["mean_us"] = (sum(w["mean_us"] * w["requests"] for w in slices) / m["requests"]
                    if m["requests"] else 0)
    for p in (50, 90, 99):
        m[f"p{p}_us"] = merged_quantile(slices, p)
    m["slice_rps"] = [round(w["rps"], 1) for w in slices]
    return m


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def kv_args(args):
    meta = {}
    for kv in args:
        k, _, v = kv.partition("=")
        try:
            meta[k] = int(v)
        except ValueError:
            meta[k] = v
    return meta


def slice_files(raw, name, ext):
    """NAME.EXT alone, or the slices NAME.1.EXT, NAME.2.EXT, ... in order."""
    plain = os.path.join(raw, f"{name}.{ext}")
    if os.path.exists(plain):
        return [os.path.join(raw, name)]
    found = glob.glob(os.path.join(raw, f"{name}.[0-9]*.{ext}"))
    return sorted((p[: -len(ext) - 1] for p in found), key=lambda p: int(p.rsplit(".", 1)[1]))


def read_wrk(path):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith("WRK_JSON "):
                    return json.loads(line[len("WRK_JSON "):])
    except (OSError, ValueError):
        pass
    return None


def cmd_case(args):
    raw, name = args[0], args[1]
    meta = kv_args(args[2:])
    meta["name"] = name
    slices, pairs = [], []
    for base in slice_files(raw, name, "wrk"):
        w = read_wrk(base + ".wrk")
        if w is None:
            continue
        slices.append(w)
        b, a = load_json(base + ".before"), load_json(base + ".after")
        if b and a:
            pairs.append((b, a, w["duration_s"]))
    meta["wrk"] = merge_wrk(slices) if slices else None
    if pairs:
        meta["cpu"] = cpu_delta(pairs)
    with open(os.path.join(raw, name + ".json"), "w") as f:
        json.dump(meta, f, indent=1)


def percentile(sorted_vals, p):
    if not sorted_vals:
        return 0
    i = min(len(sorted_vals) - 1, max(0, int(round(p / 100.0 * len(sorted_vals) + 0.5)) - 1))
    return sorted_vals[i]


def cmd_pgbench(args):
    raw, name = args[0], args[1]
    meta = kv_args(args[2:])
    meta["name"] = name
    res = {"requests": 0, "errors": 0, "seconds": 0.0, "slice_rps": []}
    pairs = []
    for base in slice_files(raw, name, "out"):
        try:
            with open(base + ".out") as f:
                text = f.read()
        except OSError:
            continue
        m = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", text)
        n = re.search(r"number of transactions actually processed: (\d+)", text)
        d = re.search(r"duration: (\d+) s", text)
        if not (m and n and d):
            continue
        tps, secs = float(m.group(1)), float(d.group(1))
        res["requests"] += int(n.group(1))
        res["seconds"] += secs
        res["tps_x_s"] = res.get("tps_x_s", 0.0) + tps * secs
        res["slice_rps"].append(round(tps, 1))
        e = re.search(r"number of failed transactions: (\d+)", text)
        res["errors"] += int(e.group(1)) if e else 0
        b, a = load_json(base + ".before"), load_json(base + ".after")
        if b and a:
            pairs.append((b, a, secs))
    if res["seconds"] > 0:
        res["rps"] = res.pop("tps_x_s") / res["seconds"]
        lat = []
        for lf in glob.glob(os.path.join(raw, name + "_log*")):
            with open(lf) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) >= 3:
                        lat.append(int(parts[2]))
            os.unlink(lf)
        lat.sort()
        res["latency_samples"] = len(lat)
        res["p50_us"] = percentile(lat, 50)
        res["p99_us"] = percentile(lat, 99)
    else:
        res = None
    meta["pgbench"] = res
    if res and pairs:
        meta["cpu"] = cpu_delta(pairs)
    with open(os.path.join(raw, name + ".json"), "w") as f:
        json.dump(meta, f, indent=1)


# ---------------------------------------------------------------- the report

def ms(us):
    return round(us / 1000.0, 2)


def bound_text(cpu, kind):
    """One sentence on what held a case back, from where the CPU went."""
    if not cpu:
        return "no CPU figures"
    srv = cpu.get("server_cores", cpu.get("nginx_cores", 0))
    cl = cpu.get("clients_cores", 0)
    pg = cpu.get("pg_cores", 0)
    other = cpu.get("other_cores", 0)
    busy = cpu.get("machine_busy_cores", 0)
    parts = []
    if "server_cores" in cpu or "nginx_cores" in cpu:
        parts.append(f"server {srv:.2f}")
    if "pg_cores" in cpu:
        parts.append(f"postgres {pg:.2f}")
    parts.append(f"load generator {cl:.2f}")
    parts.append(f"kernel irq/softirq {cpu.get('kernel_cores', 0):.2f}")
    parts.append(f"hypervisor steal {cpu.get('steal_cores', 0):.2f}")
    parts.append(f"other users {other:.2f}")
    who = "; ".join(parts)
    ncpu = os.cpu_count() or 1
    if kind == "bcrypt":
        lead = "bcrypt on every core"
    elif busy >= 0.9 * ncpu:
        biggest = max([("the server", srv), ("postgres", pg), ("the load generator", cl),
                       ("other users' jobs", other), ("hypervisor steal", cpu.get("steal_cores", 0))],
                      key=lambda x: x[1])
        lead = f"CPU: all {ncpu} cores busy, the largest share {biggest[0]}"
    else:
        lead = (f"not CPU ({busy:.2f} of {ncpu} cores busy): waiting "
                + ("on the database round trips" if pg else "(latency or locking)"))
    return f"{lead} (cores used: {who})"


def merge_bcrypt(raw, backend):
    """The bcrypt runs before (and after) a login case -> one rate, weighted by time."""
    runs = []
    for p in sorted(glob.glob(os.path.join(raw, f"bcrypt_{backend}.*.out"))):
        j = load_json(p)
        if j and j.get("seconds", 0) > 0:
            runs.append(j)
    if not runs:
        return None
    secs = sum(r["seconds"] for r in runs)
    hashes = sum(r["hashes"] for r in runs)
    cpu = sum(r.get("cpu_s", 0) for r in runs)
    n = runs[0]["threads"]
    return {"threads": n, "cost": runs[0]["cost"], "hashes": hashes, "seconds": round(secs, 3),
            # the reference: every core hashing all the time (CPU time per hash x cores), so the
            # share of the cores other people's jobs take during the run does not move it
            "hashes_per_s": round(hashes / cpu * n, 3) if cpu > 0 else 0,
            "cpu_ms_per_hash": round(1000 * cpu / hashes, 1) if hashes else 0,
            "wall_hashes_per_s": round(sum(r["hashes_per_s"] * r["seconds"] for r in runs) / secs, 3),
            "runs_wall_hashes_per_s": [r["hashes_per_s"] for r in runs]}


def cmd_final(args):
    raw, outdir = args[0], args[1]
    meta = load_json(os.path.join(raw, "meta.json")) or {}
    cases = {}
    for p in sorted(glob.glob(os.path.join(raw, "*.json"))):
        n = os.path.basename(p)[:-5]
        if n != "meta":
            cases[n] = load_json(p)
    problems = []

    def wrk_of(name):
        c = cases.get(name)
        w = c.get("wrk") if c else None
        if not w or w.get("requests", 0) <= 0:
            problems.append(f"{name}: produced no numbers")
            return None
        return w

    def errors_of(w):
        return w["non2xx"] + w["connect_errors"] + w["read_errors"] + w["write_errors"] + w["timeouts"]

    rows = []  # one per measured case
    ref_nginx = wrk_of("ping_nginx")
    pgb = (cases.get("pgbench") or {}).get("pgbench")
    if not pgb or pgb.get("requests", 0) <= 0:
        problems.append("pgbench: produced no numbers")
    bcrypt = {b: merge_bcrypt(raw, b) for b in ("sqlite", "postgres")}

    def row(case_no, name, label, ref_name, ref_rps, strict=True, note=""):
        w = wrk_of(name)
        if w is None:
            return None
        c = cases[name]
        errs = errors_of(w)
        if strict and errs > 0:
            problems.append(f"{name}: {errs} errors (non-2xx or socket)")
        r = {
            "case": case_no, "name": name, "label": label, "backend": c.get("backend", "-"),
            "connections": c.get("conns"), "rps": round(w["rps"], 1), "p50_ms": ms(w["p50_us"]),
            "p99_ms": ms(w["p99_us"]), "requests": w["requests"], "non2xx": w["non2xx"],
            "socket_errors": w["connect_errors"] + w["read_errors"] + w["write_errors"] + w["timeouts"],
            "reference": ref_name, "reference_rps": round(ref_rps, 1) if ref_rps else None,
            "ratio": round(w["rps"] / ref_rps, 3) if ref_rps else None, "cpu": c.get("cpu", {}),
            "note": note,
        }
        rows.append(r)
        return r

    nginx_rps = ref_nginx["rps"] if ref_nginx else 0
    pg_rps = pgb["rps"] if pgb else 0
    if ref_nginx:
        rows.append({
            "case": "1 ref", "name": "ping_nginx", "label": "nginx `return 200` (reference)",
            "backend": "-", "connections": cases["ping_nginx"].get("conns"),
            "rps": round(nginx_rps, 1), "p50_ms": ms(ref_nginx["p50_us"]),
            "p99_ms": ms(ref_nginx["p99_us"]), "requests": ref_nginx["requests"],
            "non2xx": ref_nginx["non2xx"],
            "socket_errors": errors_of(ref_nginx) - ref_nginx["non2xx"], "reference": None,
            "reference_rps": None, "ratio": None, "cpu": cases["ping_nginx"].get("cpu", {}),
            "note": "",
        })
    r1 = row("1", "ping", "GET /ping", "nginx /ping", nginx_rps)
    if pgb:
        rows.append({
            "case": "2 ref", "name": "pgbench", "label": "pgbench -S -M prepared (reference)",
            "backend": "postgres", "connections": cases["pgbench"].get("conns"),
            "rps": round(pg_rps, 1), "p50_ms": ms(pgb["p50_us"]), "p99_ms": ms(pgb["p99_us"]),
            "requests": pgb["requests"], "non2xx": 0, "socket_errors": pgb.get("errors", 0),
            "reference": None, "reference_rps": None, "ratio": None,
            "cpu": cases["pgbench"].get("cpu", {}),
            "note": "p50/p99 from a 10 % sample of pgbench's per-transaction log",
        })
    def read_ahead_note(name):
        c = cases.get(name, {})
        q, r = c.get("preload_queries"), c.get("preload_requests")
        if not isinstance(q, int) or not isinstance(r, int) or q <= 0:
            return ""
        return (f"read ahead (PRELOAD_THREADS): {r} requests in {q} queries, {r / q:.1f} per "
                "`WHERE id = ANY($1)` query, where pgbench sends one query per transaction")

    r2 = {}
    for case_no, key, label in (("2", "user_get", "GET /users/<id>"),
                                ("3", "auth_status", "GET /auth/status"),
                                ("4", "users_list", "GET /users?limit=100")):
        r2[key] = row(case_no, key + "_postgres", label, "pgbench -S", pg_rps,
                      note="the reference is a one-row SELECT; the list reads 100 rows and writes a ~17 KB JSON body"
                      if key == "users_list" else read_ahead_note(key + "_postgres"))
        row(case_no, key + "_sqlite", label, "nginx /ping (HTTP limit)", nginx_rps,
            note="SQLite runs in-process; the HTTP limit is its ceiling")
    r5 = {}
    for b in ("postgres", "sqlite"):
        lim = bcrypt[b] or {}
        if not lim.get("hashes_per_s"):
            problems.append(f"bcrypt_{b}: produced no numbers")
        ref = lim.get("hashes_per_s", 0)
        r5[b] = row("5", "login_" + b, "POST /auth/login (bcrypt cost 12)",
                    f"bcrypt limit ({lim.get('threads', '?')} cores × 1000/{lim.get('cpu_ms_per_hash', '?')} ms)",
                    ref, strict=False,
                    note=(f"bcrypt limit = cores / CPU time per hash; on the wall clock the bench's "
                          f"own {lim.get('threads', '?')} threads did {lim.get('wall_hashes_per_s', 0):.2f} "
                          "hashes/s, less when other jobs share the cores"))
        if r5[b] is not None:
            r5[b]["bcrypt_limit"] = lim
            w = cases["login_" + b]["wrk"]
            if w["requests"] > 0 and errors_of(w) > w["requests"] // 2:
                problems.append(f"login_{b}: most requests failed ({errors_of(w)})")
    r6 = row("6", "storm_ping", "GET /ping during the login storm", "nginx /ping", nginx_rps,
             strict=True)
    storm_login = cases.get("storm_login", {}).get("wrk")

    # memory, cold start
    mem = cases.get("memory") or {}
    idle = cases.get("idle") or {}
    cold = {b: (cases.get("coldstart_" + b) or {}).get("result") for b in ("sqlite", "postgres")}
    for b, c in cold.items():
        if not c or not c.get("median_ms"):
            problems.append(f"coldstart_{b}: produced no numbers")
    if not idle.get("result") or idle["result"].get("still_open", 0) <= 0:
        problems.append("idle connections: produced no numbers")
    hwm = [v for k, v in mem.items() if k.startswith("hwm_kb_") and isinstance(v, int) and v > 0]
    load_hwm = [v for k, v in mem.items() if k.startswith("hwm_kb_sqlite") or k.startswith("load_hwm_kb_")]
    load_hwm = [v for v in load_hwm if isinstance(v, int) and v > 0]
    if not hwm:
        problems.append("memory: produced no numbers")

    # targets
    targets = []

    def target(label, value, goal, ok, fmt):
        targets.append({"target": label, "value": value, "goal": goal,
                        "result": ("PASS" if ok else "MISS") if value is not None else "NO DATA",
                        "shown": fmt})

    v = r1["ratio"] if r1 else None
    target("1. GET /ping vs nginx", v, ">= 0.7", v is not None and v >= 0.7,
           f"{v:.2f}×" if v is not None else "-")
    v = r2["user_get"]["ratio"] if r2.get("user_get") else None
    target("2. GET /users/<id> (PostgreSQL) vs pgbench -S", v, ">= 0.7",
           v is not None and v >= 0.7, f"{v:.2f}×" if v is not None else "-")
    v = r5["postgres"]["ratio"] if r5.get("postgres") else None
    target("5. POST /auth/login (PostgreSQL) vs bcrypt limit", v, ">= 0.9",
           v is not None and v >= 0.9, f"{v:.2f}×" if v is not None else "-")
    v = r6["p99_ms"] if r6 else None
    target("6. GET /ping p99 during the login storm", v, "< 10 ms", v is not None and v < 10,
           f"{v:.1f} ms" if v is not None else "-")
    v = round(max(hwm) / 1024.0, 1) if hwm else None
    lv = round(max(load_hwm) / 1024.0, 1) if load_hwm else None
    target("7. peak RSS (VmHWM) over the run, 1000 idle connections included", v, "< 30 MB",
           v is not None and v < 30,
           (f"{v:.1f} MiB ({lv:.1f} MiB under load, before the 1000 connections)"
            if v is not None and lv is not None else "-"))
    cm = [c["median_ms"] for c in cold.values() if c and c.get("median_ms")]
    v = max(cm) if cm else None
    target("8. cold start to first 200 /ping (median, worst backend)", v, "< 100 ms",
           v is not None and v < 100, f"{v:.0f} ms" if v is not None else "-")

    notes = []
    pi, si = (cases.get("ping_info") or {}).get("wrk"), (cases.get("status_info") or {}).get("wrk")
    sw = (cases.get("auth_status_sqlite") or {}).get("wrk")
    if pi and r1:
        notes.append(f"LOG_LEVEL=info: GET /ping {pi['rps']:.0f} req/s, p99 {ms(pi['p99_us']):.2f} ms "
                     f"({pi['rps'] / r1['rps']:.2f}× the LOG_LEVEL=warn run; a successful /ping is "
                     "logged at debug level, so info writes no line for it).")
    if si and sw:
        notes.append(f"LOG_LEVEL=info: GET /auth/status (SQLite) {si['rps']:.0f} req/s, p99 "
                     f"{ms(si['p99_us']):.2f} ms ({si['rps'] / sw['rps']:.2f}× the warn run; one JSON "
                     "line per request to stdout, redirected to a file).")
    c4 = (cases.get("coldstart4_sqlite") or {}).get("result")
    if c4 and cold.get("sqlite"):
        d = cold["sqlite"]["median_ms"] - c4["median_ms"]
        notes.append(f"Cold start with BCRYPT_LOG_ROUNDS=4 (APP_ENV=development, SQLite): median "
                     f"{c4['median_ms']:.0f} ms vs {cold['sqlite']['median_ms']:.0f} ms at cost 12: "
                     + ("the difference is a bcrypt hash at the configured cost before the server "
                        "listens (a dummy hash at start-up)." if d > 50 else
                        "start-up does no work that grows with the bcrypt cost."))
    for n in meta.get("notes", []):
        notes.append(n)

    for x in rows:
        cpu = x.get("cpu") or {}
        cores = cpu.get("server_cores") or cpu.get("nginx_cores") or (
            cpu.get("pg_cores") if x["name"] == "pgbench" else None)
        x["req_per_server_cpu_s"] = round(x["rps"] / cores, 1) if cores else None
    base = next((x for x in rows if x["name"] == "ping"), None)
    if r6 and base:
        r6["note"] = (f"the same /ping without the storm, in this run: p50 {base['p50_ms']:.2f} ms, "
                      f"p99 {base['p99_ms']:.2f} ms")

    result = {
        "mode": meta.get("mode"), "date": meta.get("date"), "machine": meta.get("machine"),
        "versions": meta.get("versions"), "settings": meta.get("settings"),
        "cases": rows, "storm_login": storm_login,
        "memory": {"peak_rss_kb": mem, "idle_connections": idle.get("result")},
        "cold_start": cold, "notes": notes,
        "targets": targets, "problems": problems,
    }
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    with open(os.path.join(outdir, "results.md"), "w") as f:
        f.write(markdown(result, cases))
    for p in problems:
        print("bench: BROKEN: " + p, file=sys.stderr)
    return 1 if problems else 0


def markdown(r, cases):
    m, s, v = r["machine"] or {}, r["settings"] or {}, r["versions"] or {}
    out = []
    w = out.append
    w(f"# users-api benchmark ({r['mode']} run, {r['date']})\n")
    w("Every ratio compares two numbers measured in this same run on this same machine, "
      "one right after the other; the machine is shared, so absolute numbers move from run "
      "to run more than the ratios do. Regenerate with `make bench` (about 5 minutes).\n")
    w("## Targets\n")
    w("| target | measured | goal | result |\n|---|---|---|---|")
    for t in r["targets"]:
        w(f"| {t['target']} | {t['shown']} | {t['goal']} | **{t['result']}** |")
    w("")
    w("## Throughput and latency\n")
    w(f"wrk `-t2 -c{s.get('connections')}` for {s.get('duration_s')} s after a "
      f"{s.get('warmup_s')} s warm-up (login: `-c{s.get('login_connections')}`, see below). "
      "Errors = non-2xx responses + socket errors (connect, read, write, timeout).\n")
    w("| case | backend | conns | req/s | p50 ms | p99 ms | errors | reference | ref req/s | ratio | req per server CPU-s |")
    w("|---|---|---|---|---|---|---|---|---|---|---|")
    for x in r["cases"]:
        ratio = f"**{x['ratio']:.2f}**" if x["ratio"] is not None else ""
        ref = x["reference"] or ""
        refr = f"{x['reference_rps']:.1f}" if x["reference_rps"] else ""
        eff = x.get("req_per_server_cpu_s")
        w(f"| {x['case']}. {x['label']} | {x['backend']} | {x['connections']} | {x['rps']:.1f} | "
          f"{x['p50_ms']:.2f} | {x['p99_ms']:.2f} | {x['non2xx'] + x['socket_errors']} | {ref} | "
          f"{refr} | {ratio} | {f'{eff:.0f}' if eff else ''} |")
    w("\nreq per server CPU-s = requests / CPU seconds the server (users-api, nginx or postgres "
      "for pgbench) used: how much work each request costs, which moves less with the other load "
      "on the machine than req/s does.")
    sl = r.get("storm_login")
    if sl:
        w(f"\nDuring case 6 the login storm itself ran at {sl['rps']:.2f} logins/s "
          f"(p50 {ms(sl['p50_us']):.0f} ms, p99 {ms(sl['p99_us']):.0f} ms, "
          f"{sl['non2xx'] + sl['connect_errors'] + sl['read_errors'] + sl['write_errors'] + sl['timeouts']} errors).")
    w("\n## What bounds each case\n")
    w("Cores used during each measurement, from /proc (server = users-api or nginx; "
      "load generator = wrk or pgbench; other users = the rest of the machine's load, "
      f"which this run does not control). The machine has {m.get('cores')} cores.\n")
    for x in r["cases"]:
        kind = "bcrypt" if x["name"].startswith("login") else ""
        w(f"- **{x['case']}. {x['label']} ({x['backend']})**: {bound_text(x['cpu'], kind)}."
          + (f" {x['note']}." if x.get("note") else ""))
    w("")
    w("## Memory and cold start\n")
    mem = r["memory"]["peak_rss_kb"]
    idle = r["memory"]["idle_connections"] or {}
    for k, val in sorted(mem.items()):
        if k.startswith("hwm_kb_"):
            w(f"- Peak RSS (VmHWM) of the {k[7:]} server over its whole run: "
              f"{val / 1024:.1f} MiB.")
        elif k.startswith("load_hwm_kb_"):
            w(f"- Peak RSS (VmHWM) of the {k[12:]} server through cases 2-6, before the idle "
              f"connections: {val / 1024:.1f} MiB.")
    if idle:
        w(f"- {idle.get('still_open')} idle keep-alive connections open (of "
          f"{idle.get('requested')} asked, each after one GET /ping): RSS "
          f"{idle.get('rss_kb', 0) / 1024:.1f} MiB, up from {idle.get('rss_before_kb', 0) / 1024:.1f} MiB "
          f"({(idle.get('rss_kb', 0) - idle.get('rss_before_kb', 0)) / max(1, idle.get('still_open', 1)):.1f} KiB "
          "per connection).")
    for b, c in r["cold_start"].items():
        if c:
            w(f"- Cold start ({b}, existing database): median {c['median_ms']:.0f} ms to the "
              f"first 200 from /ping (runs: {', '.join(f'{x:.0f}' for x in c['runs_ms'])} ms).")
    notes = r.get("notes") or []
    if notes:
        w("\n## Notes\n")
        for n in notes:
            w(f"- {n}")
    w("\n## Machine, versions, settings\n")
    w(f"- CPU: {m.get('cpu_model')}, {m.get('cores')} cores; memory {m.get('mem_gib')} GiB; "
      f"kernel {m.get('kernel')}; load average at start {m.get('loadavg')}")
    for k, val in v.items():
        w(f"- {k}: {val}")
    w("- Server settings: " + ", ".join(f"`{k}={val}`" for k, val in s.get("server_env", {}).items()))
    for k, val in s.items():
        if k != "server_env":
            w(f"- {k}: {val}")
    if r["problems"]:
        w("\n## Problems\n")
        for p in r["problems"]:
            w(f"- {p}")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "snap":
        cmd_snap(args)
    elif cmd == "case":
        cmd_case(args)
    elif cmd == "pgbench":
        cmd_pgbench(args)
    elif cmd == "final":
        return cmd_final(args)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
