"""Custom Rasa input channels (loaded by class path from credentials.yml, in the Rasa server)."""
