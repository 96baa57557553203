"""The scale bench's report: the side-by-side table, loads and harvests, memory, and issue 10's targets.

Targets are printed pass / FAIL, or n/a with the reason (an engine not run, a run smaller than the size
the target names). Nothing here asserts: the figures are for people to read.
"""

from __future__ import annotations

import os
from typing import Any

GB4 = 4096.0
#: engine → (the size a target names, minimum objects, minimum museums)
TARGET_SIZES = {"virtuoso": ("Virtuoso at 400k over 40 museums", 400_000, 40),
                "oxigraph": ("Oxigraph at 100k", 100_000, 1)}


WIDTH = 44


def _short(name: str) -> str:
    name = name.replace("journey-from-changan-to-the-west", "journey...")
    return name if len(name) <= WIDTH else name[: WIDTH - 3] + "..."


def _ms(value: float | None) -> str:
    return "-" if value is None else (f"{value:,.0f}" if value >= 100 else f"{value:.1f}")


def _cell(result: dict[str, Any] | None) -> tuple[str, str, str]:
    if result is None:
        return "-", "-", "-"
    if result["status"] != "ok":
        return result["status"], "", ""
    return _ms(result["p50"]), _ms(result["p95"]), str(result["rows"])


def identical(results: dict[str, Any], case: str) -> str:
    """"yes" / "NO" when both engines answered the case, else "-"."""
    answers = [e["cases"].get(case) for e in results["engines"].values()]
    digests = [a.get("digest") for a in answers if a and a.get("status") == "ok"]
    if len(answers) < 2 or len(digests) < len(answers):
        return "-"
    return "yes" if len(set(digests)) == 1 else "NO"


def table(results: dict[str, Any]) -> None:
    names = list(results["engines"])
    if not names:
        return
    case_names = list(dict.fromkeys(c for e in results["engines"].values() for c in e["cases"]))
    head = f"  {'case (median / p95 ms, rows)':<{WIDTH}}"
    for name in names:
        head += f" | {name + ' p50':>14} {'p95':>8} {'rows':>5}"
    if len(names) > 1:
        head += f" | {names[1][:4] + '/' + names[0][:4]:>9} {'same':>4}"
    print(head)
    print("  " + "-" * (len(head) - 2))
    for case in case_names:
        line = f"  {_short(case):<{WIDTH}}"
        cells = [results["engines"][n]["cases"].get(case) for n in names]
        for cell in cells:
            p50, p95, rows = _cell(cell)
            line += f" | {p50:>14} {p95:>8} {rows:>5}"
        if len(names) > 1:
            a, b = cells[0], cells[1]
            ratio = (f"{b['p50'] / a['p50']:.2f}x" if a and b and a["status"] == b["status"] == "ok" and a["p50"]
                     else "-")
            line += f" | {ratio:>9} {identical(results, case):>4}"
        print(line)


def memory(results: dict[str, Any]) -> dict[str, float]:
    """Every process measured, label → peak RSS (MB), printed."""
    peaks: dict[str, float] = {}
    for name, e in results["engines"].items():
        if e["load"].get("peak_rss_mb"):
            peaks[f"{name}: bulk loader"] = e["load"]["peak_rss_mb"]
        for label, value in (e.get("peak_rss_mb") or {}).items():
            if value is not None:
                peaks[f"{name}: {label} (queries)"] = value
    harvest = results.get("harvest") or {}
    for name, h in harvest.get("engines", {}).items():
        for key, label in (("peak_rss_mb", "harvest process"),
                           ("worker_peak_rss_mb", "harvest's largest child (mapping worker)"),
                           ("server_peak_rss_mb", "server during the harvest")):
            if h.get(key) is not None:
                peaks[f"{name}: {label}"] = h[key]
        for label, value in (h.get("serve_peak_rss_mb") or {}).items():
            if value is not None:
                peaks[f"{name}: {label} (harvested store)"] = value
    if harvest.get("oai_server_peak_rss_mb"):
        peaks["OAI-PMH feed server"] = harvest["oai_server_peak_rss_mb"]
    if results.get("bench_peak_rss_mb"):
        peaks["the bench itself (Flask app, clients)"] = results["bench_peak_rss_mb"]
    print("\npeak memory (each process's own VmHWM, MB)")
    for label, value in peaks.items():
        print(f"  {label:<58} {value:>9,.0f}")
    return peaks


def loads_and_harvests(results: dict[str, Any]) -> None:
    data = results.get("data", {})
    print("\nloading and harvesting")
    for name, e in results["engines"].items():
        seconds = e["load"]["seconds"]
        print(f"  {name}: bulk load of {data.get('quads', 0):,} quads in {seconds:,.1f} s "
              f"({data.get('quads', 0) / seconds:,.0f} quads/s); store holds {e.get('quads', 0):,} quads")
    harvest = results.get("harvest") or {}
    rates = {}
    for name, h in harvest.get("engines", {}).items():
        if h.get("outcome") != "ok":
            print(f"  {name}: harvest {h.get('outcome')}: {str(h.get('error'))[:300]}")
            continue
        rates[name] = h["records"] / h["seconds"]
        print(f"  {name}: harvest of {h['records']:,} records over OAI-PMH in {h['seconds']:,.1f} s "
              f"({rates[name]:,.0f} records/s, {h['quads'] / h['seconds']:,.0f} quads/s)")
    if len(rates) == 2 and "oxigraph" in rates and "virtuoso" in rates:
        print(f"  harvest time virtuoso / oxigraph: {rates['oxigraph'] / rates['virtuoso']:.2f}x")


def _check(label: str, ok: bool | None, figure: str, why: str = "") -> dict[str, Any]:
    status = "n/a" if ok is None else ("pass" if ok else "FAIL")
    print(f"  [{status:>4}] {label}: {figure}" + (f"  ({why})" if why else ""))
    return {"target": label, "status": status, "figure": figure, "note": why}


def _applies(results: dict[str, Any], engine: str) -> str:
    """'' when the run is as big as the target for ``engine`` names, else why not."""
    label, objects, museums = TARGET_SIZES[engine]
    data = results.get("data", {})
    if engine not in results["engines"]:
        return f"{engine} not run"
    if data.get("objects", 0) < objects or data.get("museums", 0) < museums:
        return f"set for {label}; this run: {data.get('objects', 0):,} over {data.get('museums', 0)}"
    return ""


def _worst(cases: dict[str, Any], groups: tuple[str, ...], key: str) -> tuple[float | None, str, list[str]]:
    """The largest ``key`` over cases of ``groups`` (None when one did not finish), its case, the unfinished."""
    chosen = {n: c for n, c in cases.items() if c["group"] in groups}
    unfinished = [n for n, c in chosen.items() if c["status"] != "ok"]
    finished = {n: c[key] for n, c in chosen.items() if c["status"] == "ok"}
    if not finished:
        return None, "", unfinished
    name = max(finished, key=lambda n: finished[n])
    return finished[name], name, unfinished


def _figure(key: str, worst: float | None, name: str, unfinished: list[str]) -> str:
    return f"worst {key} {_ms(worst)} ms ({name})" + (f"; unfinished: {', '.join(unfinished)}" if unfinished else "")


def targets(results: dict[str, Any], peaks: dict[str, float]) -> list[dict[str, Any]]:
    print("\ntargets (issue 10)")
    out = []
    why = _applies(results, "virtuoso")
    cases = results["engines"].get("virtuoso", {}).get("cases", {})
    for key, limit in (("p50", 500.0), ("p95", 1000.0)):
        worst, name, unfinished = _worst(cases, ("facet", "section", "aggregate"), key)
        ok = None if why or worst is None else (worst <= limit and not unfinished)
        figure = _figure(key, worst, name, unfinished)
        out.append(_check(f"Virtuoso 400k: every facet, section, aggregate {key} <= {limit:,.0f} ms", ok, figure, why))
    worst, name, unfinished = _worst(cases, ("keyword",), "p50")
    ok = None if why or worst is None else worst <= 100 and not unfinished
    out.append(_check("Virtuoso 400k: keyword search <= 100 ms", ok, f"{_ms(worst)} ms", why))
    page = cases.get("live exhibition page, cold", {})
    ok = None if why or page.get("status") != "ok" else page["p50"] <= 1500
    out.append(_check("Virtuoso 400k: live exhibition page cold <= 1,500 ms", ok, f"{_ms(page.get('p50'))} ms "
                      f"({page.get('status', 'not run')})", why))
    rates = {n: h["records"] / h["seconds"] for n, h in (results.get("harvest") or {}).get("engines", {}).items()
             if h.get("outcome") == "ok"}
    ok = rates["virtuoso"] >= rates["oxigraph"] if {"virtuoso", "oxigraph"} <= set(rates) else None
    out.append(_check("harvest into Virtuoso at least as fast as into Oxigraph", ok,
                      ", ".join(f"{n} {r:,.0f} records/s" for n, r in rates.items()) or "-",
                      "" if ok is not None else "needs both harvests"))
    biggest = max(peaks.items(), key=lambda kv: kv[1]) if peaks else ("-", 0.0)
    ok = None if why or not peaks else biggest[1] <= GB4
    out.append(_check("no process over 4 GB", ok, f"largest {biggest[0]} {biggest[1]:,.0f} MB", why))

    why = _applies(results, "oxigraph")
    cases = results["engines"].get("oxigraph", {}).get("cases", {})
    worst, name, unfinished = _worst(cases, ("facet", "keyword"), "p50")
    ok = None if why or worst is None else worst <= 2000 and not unfinished
    figure = _figure("p50", worst, name, unfinished)
    out.append(_check("Oxigraph 100k: every facet query p50 <= 2,000 ms", ok, figure, why))

    both = [e["cases"] for e in results["engines"].values()]
    if len(both) == 2:
        names = [c for c in both[0] if c in both[1]]
        verdicts = {c: identical(results, c) for c in names}
        differ = [c for c, v in verdicts.items() if v == "NO"]
        unknown = [c for c, v in verdicts.items() if v == "-"]
        ok = None if not verdicts else not differ
        out.append(_check("results identical on both engines (order included)", ok,
                          f"{len(verdicts) - len(differ) - len(unknown)} of {len(verdicts)} identical"
                          + (f"; differ: {', '.join(differ)}" if differ else "")
                          + (f"; not compared (unfinished): {', '.join(unknown)}" if unknown else "")))
    else:
        out.append(_check("results identical on both engines (order included)", None, "-", "needs both engines"))

    h = (results.get("harvest") or {}).get("engines", {}).get("oxigraph", {})
    page = h.get("live_page") or {}
    records = (results.get("harvest") or {}).get("records", 0)
    ok = None if page.get("status") != "ok" or records < 20_000 else page["p50"] <= 1000
    out.append(_check("Oxigraph 20k: live exhibition page cold <= 1,000 ms", ok,
                      f"{_ms(page.get('p50'))} ms on the harvested {records:,} ({page.get('status', 'not run')})",
                      "" if records >= 20_000 else "needs --harvest-objects 20000 or more"))
    return out


def report(results: dict[str, Any]) -> list[dict[str, Any]]:
    data = results.get("data", {})
    print(f"\nscale bench: {data.get('objects', 0):,} objects over {data.get('museums', 0)} museums "
          f"({data.get('quads', 0):,} quads); per case: warm-up, then median and p95 of the timed runs")
    for name, why in results.get("skipped", {}).items():
        print(f"  {name}: {why}")
    table(results)
    loads_and_harvests(results)
    peaks = memory(results)
    checks = targets(results, peaks)
    if results.get("seconds"):
        load = results.get("load_average") or {}
        busy = ", ".join(f"{k} {', '.join(f'{x:.1f}' for x in v)}" for k, v in load.items())
        print(f"\nthe bench took {results['seconds']:,.0f} s on {os.cpu_count()} cores; load average (1, 5, 15 min) "
              f"{busy}")
    return checks
