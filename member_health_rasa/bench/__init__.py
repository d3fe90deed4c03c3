"""Latency/throughput benchmark of the running servers against a stock-Rasa baseline.

``python -m member_health_rasa.bench`` (``make bench``): see ``__main__.py``. Pure helpers live
in ``conversations`` (what the simulated members say), ``stats`` (percentiles, ratios),
``procs`` (resident memory of a server's processes), ``load`` (the aiohttp load generator),
``baseline`` (the ``rasa init`` model on our data) and ``report`` (JSON, PNG, table).
"""
