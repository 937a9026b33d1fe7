"""interviewer: a mock interviewer for senior AI/ML engineering interviews."""

__version__ = "0.1.0"
