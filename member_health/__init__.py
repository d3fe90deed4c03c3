"""Pure domain logic for the member health assistant.

Nothing in this package imports Rasa or rasa-sdk: the Rasa server (NLU components) and the
action server both use it, and it is unit-tested on its own.
"""
