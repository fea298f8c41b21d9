"""The day simulator (`queue-app simulate`): a day of visitors replayed through the real engine
with a simulated clock, and the figures SPEC §8 asks of it."""
from .kpis import Kpis, Outcome, kpis
from .plan import DayPlan, read_plan
from .runner import Result, simulate

__all__ = ["DayPlan", "Kpis", "Outcome", "Result", "kpis", "read_plan", "simulate"]
