"""Custom Rasa input channels (loaded by class path from credentials.yml and
credentials.channels.yml, in the Rasa server)."""
