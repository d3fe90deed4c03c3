"""Operations: store profiles, pre-flight checks, retention purge and the Rasa server's guards.

``input_policy``, ``stores``, ``preflight`` and ``purge`` import no Rasa code (fast CLIs, pure
tests); ``tracker_store``, ``action_guard``, ``server_hooks`` and ``speedups`` run inside the Rasa
server, the last three installed at its start by ``extensions`` (and only there).
"""
