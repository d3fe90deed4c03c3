"""The assistant's Rasa side: what runs inside the Rasa server, and the tools around it.

- ``channels``: custom input channels (credentials*.yml name them by class path);
- ``nlu``: custom NLU components and the emergency-first policy (config.yml);
- ``ops``: tracker store, response generator, the server's guards, store checks and purge
  (endpoints*.yml name the first two);
- ``tools``: the developers' and editors' commands behind make (``python -m
  member_health_rasa.tools.<name>``: serve, preview, content_lint, safety_report ...);
- ``bench``: the latency/throughput benchmark (``python -m member_health_rasa.bench``).

The pure domain logic is ``member_health`` (no Rasa); the custom actions are ``actions`` (the
action server's convention). The three are installed together: ``make setup`` (``pip install
-e .``).
"""
