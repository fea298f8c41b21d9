"""The simulated day as a picture (PNG, matplotlib): waits through the day against the target,
arrivals against counters on duty, and the estimates given at issue against the real waits."""
from __future__ import annotations

from pathlib import Path

from .runner import Result


def hhmm(minute: float, _pos=None) -> str:
    return f"{int(minute // 60) % 24:02d}:{int(minute % 60):02d}"


def save_chart(result: Result, path: str | Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")  # files only, no screen
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    k = result.kpis
    called = [o for o in result.outcomes if o.wait_min is not None]
    opens = min((o.waiting_from for o in result.outcomes), default=0.0) // 60 * 60
    fig, (waits, load, estimates) = plt.subplots(3, 1, figsize=(11, 12), constrained_layout=True)
    fig.suptitle(f"Simulated day, seed {result.seed}, {result.policy_name}: {len(result.outcomes)} tickets, "
                 f"mean wait {k.mean_wait_min or 0:.1f} min, {100 * (k.over_target_share or 0):.1f}% over "
                 f"{k.target_wait_min:g} min", fontsize=13)

    waits.scatter([o.waiting_from for o in called], [o.wait_min for o in called], s=8, alpha=0.45,
                  color="#1f6fb2", label="a visitor's wait")
    mids = [opens + 60 * r["hour"] + 30 for r in k.by_hour]
    waits.plot(mids, [r["mean_wait_min"] for r in k.by_hour], color="#0b3d66", lw=2, marker="o", label="hourly mean")
    waits.plot(mids, [r["p90_wait_min"] for r in k.by_hour], color="#b35900", lw=2, marker="s", label="hourly p90")
    waits.axhline(k.target_wait_min, color="#b00020", ls="--", lw=1.5, label=f"target {k.target_wait_min:g} min")
    waits.set(title="Waits through the day (by when the wait began)", ylabel="minutes waited")
    for axis in (waits, load):
        axis.xaxis.set_major_locator(MultipleLocator(60))
        axis.xaxis.set_major_formatter(FuncFormatter(hhmm))
    waits.legend(loc="upper left")

    hours = [opens + 60 * r["hour"] for r in k.by_hour]
    load.bar(hours, [r["arrivals"] for r in k.by_hour], width=50, align="edge", color="#8fb8de", label="visitors starting to wait")
    load.set(title="Arrivals and counters on duty per hour", ylabel="visitors")
    staff = load.twinx()
    shifts = result.staffing[: len(hours)]
    staff.step(hours[: len(shifts)] + [hours[len(shifts) - 1] + 60], shifts + shifts[-1:], where="post", color="#2e7d32", lw=2.5, label="counters on duty")
    staff.set_ylabel("counters")
    staff.set_ylim(bottom=0)
    bars, labels = load.get_legend_handles_labels()
    line, line_label = staff.get_legend_handles_labels()
    load.legend(bars + line, labels + line_label, loc="upper left")

    pairs = [(o.called_min - o.issued_min, o.estimate_min, o.naive_min) for o in called]
    real = [p[0] for p in pairs]
    estimates.scatter(real, [p[2] if p[2] is not None else float("nan") for p in pairs], s=8, alpha=0.35,
                      color="#999999", label=f"naive (MAE {k.naive.mae_min or 0:.1f} min)")
    estimates.scatter(real, [p[1] if p[1] is not None else float("nan") for p in pairs], s=8, alpha=0.5,
                      color="#1f6fb2", label=f"OneDoor (MAE {k.estimate.mae_min or 0:.1f} min)")
    top = max(real + [1.0])
    estimates.plot([0, top], [0, top], color="black", lw=1, label="exact")
    estimates.set(title="Estimated wait at issue against the real wait", xlabel="real wait, minutes",
                  ylabel="estimated wait, minutes")
    estimates.legend(loc="upper left")

    path = Path(path)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
