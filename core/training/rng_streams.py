"""Independent random streams for one training run, all derived from the spec's seed.

`np.random.SeedSequence(seed).spawn` gives statistically independent children, so the shuffle order does not
depend on whether any layer uses dropout (and changing dropout leaves the order alone). Streams are consumed in
a fixed order, so the same seed replays a run bit for bit.
"""

from __future__ import annotations

import numpy as np

STREAMS = ("shuffle", "dropout")


def training_streams(seed: int) -> dict[str, np.random.Generator]:
    children = np.random.SeedSequence(int(seed)).spawn(len(STREAMS))
    return {name: np.random.Generator(np.random.PCG64(child)) for name, child in zip(STREAMS, children)}
