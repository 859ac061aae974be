"""The conditions a test set is evaluated under, by name (light: no image library).

A condition is `clean`; an attack at the paper's parameters (BLR, NSE, RSC, TRN, and CMB: the
four in that order) or JPEG re-compression (JPG, this project's addition); or one level of an
attack's severity sweep, named `<attack>@<level>` (`NSE@0.05`: noise of sigma 0.05), which
fixes the parameter the paper draws. The attacks themselves are depthfake.evaluation.attacks.
"""

from __future__ import annotations

from depthfake.settings import SweepSettings

CLEAN = "clean"
SEPARATOR = "@"
ATTACK_NAMES = ("BLR", "NSE", "RSC", "TRN", "CMB", "JPG")
# The attacks of the paper's tables; the others are this project's additions.
PAPER_ATTACKS = ("BLR", "NSE", "RSC", "TRN", "CMB")
SWEPT = {"BLR": "sigma", "NSE": "sigma", "RSC": "factor", "TRN": "largest shift",
         "JPG": "quality"}
# The level at which a swept attack leaves the image as it is (JPEG always changes it).
UNCHANGED_AT = {"BLR": 0.0, "NSE": 0.0, "RSC": 1.0, "TRN": 0.0}


def sweep_condition(attack: str, level: float) -> str:
    return f"{attack}{SEPARATOR}{level:g}"


def conditions(sweeps: SweepSettings) -> list[str]:
    """clean, every attack at its standard parameters, then each sweep's levels."""
    levels = [sweep_condition(attack, level) for attack, values in sweeps.model_dump().items()
              for level in values]
    return [CLEAN, *ATTACK_NAMES, *levels]


def parse_condition(condition: str) -> tuple[str, float | None]:
    """(attack, level): ("NSE", 0.05) for "NSE@0.05", ("BLR", None) for "BLR"."""
    attack, _, level = condition.partition(SEPARATOR)
    if attack not in ATTACK_NAMES and condition != CLEAN:
        raise ValueError(f"unknown condition {condition!r}; attacks: {list(ATTACK_NAMES)}")
    return attack, float(level) if level else None
