"""Custom actions, one module per feature; each action is a thin adapter over ``member_health``."""
