"""The progress bar of ``nnbook.fit``: one line per training run, with the latest losses."""

from __future__ import annotations

import time
from collections.abc import Mapping

__all__ = ["ProgressBar"]


class ProgressBar:
    """The epochs of one ``fit`` as a progress bar with the latest losses (tqdm, in a notebook or a
    terminal). An early stop is a success, not an interrupted run: the bar ends complete and says so."""

    def __init__(self, epochs: int, enabled: bool = True) -> None:
        from tqdm.auto import tqdm

        self.started = time.perf_counter()
        self.bar = tqdm(
            total=epochs,
            desc="epochs",
            unit="epoch",
            disable=not enabled,
            leave=True,
            bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{postfix}]",
        )

    def _postfix(self, values: Mapping[str, float]) -> str:
        shown = ", ".join(f"{k}={v:.4f}" for k, v in values.items() if k in ("loss", "val_loss"))
        return f"{shown}, {time.perf_counter() - self.started:.1f} s"

    def epoch_end(self, values: Mapping[str, float]) -> None:
        self.bar.set_postfix_str(self._postfix(values), refresh=False)
        self.bar.update(1)

    def stopped_early(self, epochs_run: int) -> None:
        postfix = self.bar.postfix
        self.bar.reset(total=epochs_run)  # also resizes the notebook widget
        self.bar.set_description(f"epochs (stopped early at {epochs_run})", refresh=False)
        self.bar.set_postfix_str(postfix or "", refresh=False)
        self.bar.update(epochs_run)

    def close(self) -> None:
        self.bar.close()
