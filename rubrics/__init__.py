"""Package data: rubrics (shipped inside the wheel as interviewer.rubrics)."""
