"""Satisfaction survey rounds, questionnaire templates and F10 survey forms (R-5.6)."""
