"""Loss curves of llmopt train/distill runs from their OUT_DIR/train_log.json files.

usage: python3 plot_runs.py OUT.png LABEL=RUN_DIR [LABEL=RUN_DIR ...]   (needs matplotlib)
Left: training loss per step (for distillation runs this is the distillation loss, not comparable);
right: validation cross-entropy (nats/token) at each evaluation.
"""
import json
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

out, runs = sys.argv[1], [a.rsplit("=", 1) for a in sys.argv[2:]]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
for label, path in runs:
    log = json.load(open(path + "/train_log.json"))
    ax1.plot(range(1, len(log["train_loss"]) + 1), log["train_loss"], label=label, lw=0.8)
    ax2.plot(log["valid_steps"], log["valid_loss"], marker="o", ms=3, label=label)
ax1.set_xlabel("optimizer step"); ax1.set_ylabel("training objective"); ax1.set_title("training loss (KD runs: α·τ²·KL + (1−α)·CE)")
ax2.set_xlabel("optimizer step"); ax2.set_ylabel("validation cross-entropy (nats/token)"); ax2.set_title("validation loss")
ax2.set_ylim(top=min(6.5, ax2.get_ylim()[1]))
for ax in (ax1, ax2):
    ax.grid(alpha=0.3); ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(out, dpi=110)
