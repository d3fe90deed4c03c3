"""Custom NLU components and the emergency-first policy (loaded by class path from config.yml)."""
