"""The loss/accuracy plot the CNN examples write: training loss per step on
the left, training-batch accuracy per step on the right with the final test
accuracy drawn across it; both curves also smoothed over a sliding window.
"""

import numpy as np


def _smooth(values, window):
    values = np.asarray(values, np.float64)
    if len(values) < window:
        return values
    kernel = np.ones(window) / window
    return np.convolve(values, kernel, mode="valid")


def plot_training(path, title, losses, batch_accuracy, test_accuracy):
    """Writes the PNG at `path`; prints a line and returns False when
    matplotlib is not installed."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot written")
        return False
    window = max(1, len(losses) // 20)
    steps = np.arange(1, len(losses) + 1)
    smooth_steps = steps[window - 1:] if len(losses) >= window else steps
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss.plot(steps, losses, lw=0.6, alpha=0.4, color="C0")
    ax_loss.plot(smooth_steps, _smooth(losses, window), lw=1.5, color="C0",
                 label="mean of %d steps" % window)
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("training loss")
    ax_loss.set_yscale("log")
    ax_loss.legend()
    ax_acc.plot(steps, batch_accuracy, lw=0.6, alpha=0.4, color="C1")
    ax_acc.plot(smooth_steps, _smooth(batch_accuracy, window), lw=1.5, color="C1",
                label="training batches")
    ax_acc.axhline(test_accuracy, color="C2", ls="--", label="test: %.4f" % test_accuracy)
    ax_acc.set_xlabel("step")
    ax_acc.set_ylabel("accuracy")
    ax_acc.set_ylim(0, 1.02)
    ax_acc.legend(loc="lower right")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print("wrote", path)
    return True
