"""The one history type: what a training loop measured, one list of numbers per name."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["History"]


@dataclass
class History:
    """Values recorded during training, e.g. ``loss``, ``val_loss``, ``val_accuracy``, ``lr``.

    ``record(loss=0.3, val_loss=0.4)`` appends one value to each named list; ``history["loss"]``
    returns that list as an array (a series of arrays, e.g. ``theta``, stacks to one row per record). Every NumPy training loop in the book returns one of these.
    """

    records: dict[str, list] = field(default_factory=dict)

    def record(self, **values) -> None:
        """Append one value to each named series (a number, or a copy of an array such as the parameters)."""
        for name, value in values.items():
            self.records.setdefault(name, []).append(
                float(value) if np.ndim(value) == 0 else np.array(value, dtype=float)
            )

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self.records:
            raise KeyError(f"no series {name!r} was recorded; recorded: {sorted(self.records)}")
        return np.asarray(self.records[name], dtype=float)

    def __contains__(self, name: object) -> bool:
        return name in self.records

    def __len__(self) -> int:
        """The length of the longest series (the number of recorded steps or epochs)."""
        return max((len(v) for v in self.records.values()), default=0)

    def to_frame(self):
        """A pandas DataFrame with one column per series of numbers (shorter series padded with NaN)."""
        import pandas as pd

        scalar = {k: v for k, v in self.records.items() if not v or np.ndim(v[0]) == 0}  # array series stay out
        return pd.DataFrame({k: pd.Series(v, dtype=float) for k, v in scalar.items()})
