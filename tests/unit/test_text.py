"""member_health/text.py: one looks_like_question for the red-flag screen and the stage form."""
from __future__ import annotations

import pytest

from member_health.text import looks_like_question


@pytest.mark.parametrize(
    ("text", "question"),
    [
        # the red-flag screen's cases
        ("wait, what is chordoma?", True),
        ("wait what is chordoma", True),
        ("is numbness a bad sign", True),
        ("how long does the program take?", True),
        ("where does it hurt most", True),
        ("no", False),
        ("not sure", False),
        ("I had cancer", False),
        ("my legs keep going numb", False),
        # the stage form's cases
        ("what does high grade mean?", True),
        ("What’s a skip lesion", True),
        ("whats stage 2", True),
        ("tell me about grades", True),
        ("explain the stages", True),
        ('high grade?"', True),
        ("more than one spot in the bone", False),
        ("it went to his lungs", False),
        # a statement that starts like a question word is still a statement
        ("can't feel my legs since this morning", False),
        ("isn't spread", False),
        ("done", False),
    ],
)
def test_looks_like_question(text: str, question: bool) -> None:
    assert looks_like_question(text) is question
