"""A small FAQ topic classifier for one question cut out of a longer message.

Rasa's graph cannot run DIET and the ResponseSelector again on a part of a message, so the
second-question component (``second_question.py``) fits this one on the same FAQ training
examples (``faq/<key>`` in data/nlu/faq_*.yml): TF-IDF over character n-grams (typos) and word
uni- and bigrams, then a logistic regression. Fitting takes well under a second on the FAQ
examples, so the model stores the examples (JSON) and fits again when it is loaded: no pickle.
"""
from __future__ import annotations

from collections.abc import Sequence

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline, make_union

# C=10: on the dev set's FAQ questions (tests/nlu_dev/faq.yml) the top topic is right for
# 0.986 of them, and for every one whose probability is at least 0.5 (2026-11-30).
REGULARISATION_C = 10.0


class SegmentTopics:
    """Ranks the FAQ topics of a short question; empty rankings until fitted."""

    def __init__(self, examples: Sequence[tuple[str, str]]) -> None:
        """Fits on ``(text, topic key)`` examples; needs at least two topics to rank."""
        self.examples = list(examples)
        self._model: Pipeline | None = None
        if len({topic for _, topic in self.examples}) >= 2:
            self._model = make_pipeline(
                make_union(
                    TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True),
                    TfidfVectorizer(
                        ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b"
                    ),
                ),
                LogisticRegression(C=REGULARISATION_C, max_iter=2000),
            )
            self._model.fit([text for text, _ in self.examples], [t for _, t in self.examples])

    def rank(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Per text, each topic's probability (all empty when not fitted)."""
        if self._model is None or not texts:
            return [{} for _ in texts]
        topics = [str(topic) for topic in self._model.classes_]
        return [
            dict(zip(topics, (float(p) for p in row), strict=True))
            for row in self._model.predict_proba(list(texts))
        ]
