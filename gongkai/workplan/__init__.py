"""Yearly openness work plans (工作要点): extracting their tasks."""
