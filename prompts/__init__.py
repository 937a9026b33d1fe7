"""Package data: prompts (shipped inside the wheel as interviewer.prompts)."""
