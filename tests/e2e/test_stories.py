"""Every test story (tests/stories/) played against the session's real servers: the REST
webhook, NLU, the policies and the action server, each custom action's outcome computed
(tests/e2e/stories_live.py says what is compared and why ``rasa test core`` cannot)."""
from __future__ import annotations

import pytest
from stories_live import Story, duplicate_stories, load_stories, play

pytestmark = pytest.mark.e2e

STORIES = load_stories()


def test_no_test_story_is_a_duplicate() -> None:
    assert duplicate_stories() == []


def test_every_story_file_has_stories() -> None:
    files = {story.path.name for story in STORIES}
    assert len(files) >= 6 and len(STORIES) >= 60, (files, len(STORIES))


@pytest.mark.parametrize("story", STORIES, ids=[story.id for story in STORIES])
def test_story_holds_against_the_real_servers(servers, story: Story) -> None:  # type: ignore[no-untyped-def]
    problems = play(servers, story)
    assert not problems, f"{story.id}:\n  " + "\n  ".join(problems)
