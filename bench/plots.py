"""The benchmark's figures: accuracy against SNR, and the latency distribution (matplotlib, Agg)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

DIAGNOSTIC_LINES = (
    ("fresh_listener", {"ls": ":", "markerfacecolor": "none"},
     "ours, fresh listener per answer (diagnostic)"),
    ("first_answer", {"ls": "-."}, "ours, first answer of a session"),
)
"""The extra lines of ours: results key, line style, legend text."""


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_accuracy(results: dict[str, Any], path: Path) -> Path:
    """Accuracy (%) at clean, 20, 10, 5, 0 dB: one line per engine (ours) and per naive peer."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.6), dpi=110)
    styles = ["o", "s", "^", "D"]
    for i, (label, run) in enumerate((results.get("understanding") or {}).items()):
        levels = run["levels"]
        xs = list(range(len(levels)))
        ours = [run["ours"][lv]["accuracy"] for lv in levels]
        naive = [run["naive"][lv]["accuracy"] for lv in levels]
        m = styles[i % len(styles)]
        ax.plot(xs, ours, marker=m, ls="-", color=f"C{i}", label=f"{label}: grammar (ours)", lw=2)
        ax.plot(
            xs,
            naive,
            marker=m,
            color=f"C{i}",
            ls="--",
            alpha=0.7,
            label=f"{label}: open vocabulary + keywords (naive)",
        )
        for key, style, what in DIAGNOSTIC_LINES:
            if run.get(key):
                ax.plot(
                    xs,
                    [run[key][lv]["accuracy"] for lv in levels],
                    marker=m,
                    color=f"C{i}",
                    lw=1,
                    alpha=0.6,
                    label=f"{label}: {what}",
                    **style,
                )
        ax.set_xticks(xs, levels)
    if not results.get("understanding"):
        ax.text(
            0.5, 0.5, "answer understanding not measured", ha="center", va="center", transform=ax.transAxes
        )
    ax.set_ylim(0, 100)
    ax.set_xlabel("babble noise (speech-to-noise ratio)")
    ax.set_ylabel("answers understood correctly (%)")
    ax.set_title("Spoken answers understood, clean and in waiting-room babble")
    ax.grid(alpha=0.3)
    if results.get("understanding"):
        ax.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(0.0, -0.14), ncol=1, frameon=False)
    fig.tight_layout()
    fig.savefig(path, bbox_inches="tight")  # the legend sits under the axes
    plt.close(fig)
    return path


def plot_latency(results: dict[str, Any], path: Path) -> Path:
    """Histogram of end-of-speech-to-reply latency (ms), with the median, p90 and the 600 ms target."""
    plt = _pyplot()
    lat = results.get("latency") or {}
    values = lat.get("latency_ms") or []
    fig, ax = plt.subplots(figsize=(7.5, 4.2), dpi=110)
    if values:
        ax.hist(values, bins=min(30, max(5, len(values) // 2)), color="C0", alpha=0.8, label="turns")
        if lat.get("median") is not None:
            ax.axvline(lat["median"], color="C1", lw=2, label=f"median {lat['median']:.0f} ms")
        if lat.get("p90") is not None:
            ax.axvline(lat["p90"], color="C2", lw=2, ls="--", label=f"p90 {lat['p90']:.0f} ms")
    else:
        ax.text(0.5, 0.5, "no latency measured", ha="center", va="center", transform=ax.transAxes)
    ax.axvline(lat.get("target_ms", 600), color="C3", lw=1.5, ls=":", label="target 600 ms")
    ax.set_xlabel("end of the person's speech to the first sample of the reply (ms)")
    ax.set_ylabel("turns")
    ax.set_title(f"Reply latency, real-time spoken sessions ({lat.get('engine', '?')}, {len(values)} turns)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
