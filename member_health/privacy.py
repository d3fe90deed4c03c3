"""Forget me: the one name both servers use for the member's confirmed request.

The action server's ``action_forget_me`` (``actions/privacy.py``) sets this slot to True; the Rasa
server's tracker store (``member_health_rasa.ops.tracker_store``) deletes the conversation when it
saves a turn carrying that event. The slot is declared in ``domain.yml``.
"""
from __future__ import annotations

FORGET_SLOT = "forget_me_confirmed"
