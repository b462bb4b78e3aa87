"""The optimizer race: 2–8 optimizers trained side by side from the same initial weights, data order, dropout
masks and seed; per-epoch metrics and weight trajectories kept as plain records; a ranking."""

from core.race.errors import RaceError
from core.race.race import OptimizerRace, RaceUpdate, race_optimizers
from core.race.racer import RACER_PATH_PREFIXES, RacerResult, RacerSetup
from core.race.ranking import RankedRacer, rank_racers

__all__ = ["OptimizerRace", "RACER_PATH_PREFIXES", "RaceError", "RaceUpdate", "RacerResult", "RacerSetup",
           "RankedRacer", "race_optimizers", "rank_racers"]
