"""The interview engine: a LangGraph state machine (plan, ask, wait for the answer, grade, follow up,
report) with checkpoints per session. `Interview` in session.py is the API terminals and UIs use."""

from .report import ScoreCard
from .session import Interview, Reply, Status
from .state import InterviewConfig

__all__ = ["Interview", "InterviewConfig", "Reply", "ScoreCard", "Status"]
