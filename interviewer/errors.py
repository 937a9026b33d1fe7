"""Small, named exceptions. Library code raises these; the CLI turns them into messages."""


class InterviewerError(Exception):
    """Base class for every error this package raises on purpose."""


class BankError(InterviewerError):
    """A question bank file or document is malformed. The message names the file and question."""


class ModelError(InterviewerError):
    """A model could not be loaded or did not answer. The message names the model and what to do."""


class ModelNotFound(ModelError):
    """A model name or file that does not exist."""


class ModelBusy(ModelError):
    """Every local model this process may hold is in use: a new one cannot be loaded now."""


class NotOffered(InterviewerError):
    """A model or endpoint the UI server's owner does not offer its clients. The message says nothing more."""


class InputError(InterviewerError):
    """Bad user input: an empty or oversized answer, a malformed input file, an unknown id."""


class SessionNotFound(InterviewerError):
    """No interview session with that id."""


class SessionBusy(InterviewerError):
    """Another window, thread or process is changing this interview session right now."""


class StaleAnswer(InputError):
    """An answer meant for a question the session has already moved past (sent from a stale window)."""


class StoreCorrupt(InterviewerError):
    """The transcript database file is not a SQLite database, or is damaged. The message names the file."""


class UserDirError(InterviewerError):
    """The user directory (INTERVIEWER_HOME) or a folder in it cannot be created or written."""
