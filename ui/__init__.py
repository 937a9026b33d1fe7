"""Package data: ui (shipped inside the wheel as interviewer.ui)."""
