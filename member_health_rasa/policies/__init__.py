"""Dialogue policies of the assistant: Rasa's RulePolicy and MemoizationPolicy featurising only the
turns they use (``windowed``), so a turn costs the same however long the conversation (issue 20)."""
