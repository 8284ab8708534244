"""Plots the latency percentile curves of every benchmark report in a directory.

usage: plot.py REPORT_DIR OUT_PNG
"""
import glob
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

report_dir, out = sys.argv[1], sys.argv[2]
curves = []
for path in sorted(glob.glob(os.path.join(report_dir, "*.json"))):
    name = os.path.basename(path)[:-5]
    with open(path) as f:
        report = json.load(f)
    if name == "compare":
        # The Synapse side of the last comparison run.
        last = report["runs"][-1]
        for key in ("synapse_ingest", "synapse_delivery"):
            curves.append((key.replace("_", "-"), last[key]["latency"]["curve"]))
    elif name == "mix":
        for step in report["steps"]:
            curves.append((f"mix-{step['users']}u", step["latency"]["curve"]))
    elif isinstance(report.get("latency"), dict) and report["latency"].get("count"):
        curves.append((name, report["latency"]["curve"]))

fig, ax = plt.subplots(figsize=(10, 6), dpi=110)
for label, curve in curves:
    pts = [(q, ms) for q, ms in curve if q < 1.0]
    xs = [1.0 / (1.0 - q) for q, _ in pts]
    ys = [max(ms, 0.01) for _, ms in pts]
    ax.plot(xs, ys, marker="o", markersize=3, label=label)
ticks = [0.0, 0.5, 0.9, 0.99, 0.999, 0.9999]
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xticks([1.0 / (1.0 - q) for q in ticks])
ax.set_xticklabels([f"p{q * 100:g}" for q in ticks])
ax.set_xlabel("percentile")
ax.set_ylabel("latency (ms)")
ax.set_title("Conclave benchmark latencies (Synapse curves from the comparison)")
ax.grid(True, which="both", alpha=0.3)
ax.legend(fontsize=8, ncol=2)
fig.tight_layout()
fig.savefig(out)
print(f"wrote {out}")
