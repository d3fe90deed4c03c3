"""The commands behind make, run as ``python -m member_health_rasa.tools.<name>``.

``serve`` (make run) starts the action and Rasa servers; ``shell``, ``preview``,
``topic_feedback`` and ``select_stories`` are the editors' tools; ``content_lint`` (make
validate); ``nlu_eval``, ``nlu_report`` and ``safety_report`` measure the model; ``report`` is
the content report; ``local_actions`` and ``content_text`` are shared helpers.
"""
