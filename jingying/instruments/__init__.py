"""Scored screening instruments (issue 4, ../shared/reference/instruments.md): definitions as data
in ./data/*.json and an exact scoring engine. No Django models: the survey engine stores these
definitions and calls `score()`.
"""

from jingying.instruments.definitions import CODES, Instrument, Item, all_instruments, get
from jingying.instruments.errors import (
    InstrumentError,
    InvalidAnswersError,
    InvalidParameterError,
    UnknownInstrumentError,
)
from jingying.instruments.scoring import Result, score

__all__ = [
    "CODES",
    "Instrument",
    "InstrumentError",
    "InvalidAnswersError",
    "InvalidParameterError",
    "Item",
    "Result",
    "UnknownInstrumentError",
    "all_instruments",
    "get",
    "score",
]
