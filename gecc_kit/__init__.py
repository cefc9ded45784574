"""gecc-kit: criteria, scoring, store and widgets for GECC self-assessment workshops."""
from .criteria import FACTORS, Criterion, Factor, Level, Standard, load_standard, sample_criteria_path
from .errors import CriteriaError, GeccError, Problem, StoreError, UnknownParticipant, UnknownWorkshop
from .scoring import Answer, Gap, Score, Status, score, score_all

__version__ = "0.1.0"

__all__ = [
    "FACTORS", "Criterion", "Factor", "Level", "Standard", "load_standard", "sample_criteria_path",
    "CriteriaError", "GeccError", "Problem", "StoreError", "UnknownParticipant", "UnknownWorkshop",
    "Answer", "Gap", "Score", "Status", "score", "score_all",
]
