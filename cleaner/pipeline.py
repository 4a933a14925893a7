"""The Cleaner: composes the stages, in order, in one short method.

In: a page's text (or HTML). Out: a Result. Rule sets are loaded and compiled once per
language and kept; a Cleaner is cheap to call many times and safe to pickle.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Iterator

from .config import Config
from .evidence import weigh_evidence
from .features import measure_lines
from .html import layout_html
from .label import label_lines
from .language import detect_language
from .model import Label, Result
from .normalize import normalize_text
from .rules import match_lines
from .ruleset import RuleSet, load_ruleset, rules_dir
from .score import score_lines
from .segment import split_lines
from .smooth import smooth_scores
from .write import render_text


class Cleaner:
    """Label every line of a page and keep the article; rules are compiled once and reused."""

    def __init__(self, language: str = "auto", rules: Iterable[str] = (), keep: Iterable[Label | str] | None = None,
                 config: Config | None = None, stable: bool = False):
        if config is None:
            config = Config(language=language, rules=tuple(str(r) for r in rules), stable=stable,
                            **({"keep": frozenset(Label(k) for k in keep)} if keep is not None else {}))
        self.config = config
        self._rulesets: dict[str | None, RuleSet] = {}
        self.base = self.ruleset(None)

    def ruleset(self, language: str | None) -> RuleSet:
        """Return the compiled rule set of a language (None: base and user rules only)."""
        if language not in self._rulesets:
            self._rulesets[language] = load_ruleset(language, self.config.rules)
        return self._rulesets[language]

    def clean(self, text: str) -> Result:
        """Clean one page of text: every input line gets a label, score and reasons."""
        result = self.clean_once(text)
        return self.settle(result) if self.config.stable else result

    def settle(self, result: Result) -> Result:
        """Clean the clean text again until it stays the same (Config.stable: idempotent output).

        Each pass can only drop kept lines, so this ends; a line dropped by a later pass takes
        that pass's label with the reason `context.second_pass`.
        """
        keep = self.config.keep
        while result.text:
            again = self.clean_once(result.text)
            if again.text == result.text:
                return result
            lines = list(result.lines)
            kept = [i for i, line in enumerate(lines) if line.label in keep]
            for k, i in enumerate(kept):  # the clean text's line 2k is kept line k
                later = again.lines[2 * k]
                if later.label not in keep:
                    lines[i] = lines[i]._replace(label=later.label, score=later.score,
                                                 reasons=("context.second_pass",) + later.reasons)
            result = replace(result, text=render_text(lines, keep), lines=tuple(lines))
        return result

    def clean_once(self, text: str) -> Result:
        """Run the stages once over a page of text."""
        normalized = normalize_text(text)
        lines = split_lines(normalized.text)
        language = self.detect(lines)
        rules = self.ruleset(language)
        features = measure_lines(lines, rules.stopwords, rules.settings)
        hits = match_lines(rules, lines, features)
        scored = score_lines(features, hits, rules.settings)
        contexts = smooth_scores([logit for logit, _ in scored], features, hits, rules.settings)
        labelled = label_lines(lines, features, hits, scored, contexts, rules.settings, rules.stopwords)
        return Result(render_text(labelled, self.config.keep), language, labelled,
                      newline=normalized.newline, bom=normalized.bom)

    def clean_html(self, html: bytes | str, url: str | None = None) -> Result:
        """Clean one page of HTML: its lines as a browser lays them out, the DOM as evidence."""
        page = layout_html(html)
        lines = page.lines
        language = self.detect(lines)
        rules = self.ruleset(language)
        features = measure_lines(lines, rules.stopwords, rules.settings)
        hits = match_lines(rules, lines, features)
        scored = score_lines(features, hits, rules.settings)
        scored, dom_hits = weigh_evidence(scored, features, page.evidence, rules, rules.settings)
        hits = tuple(text + dom for text, dom in zip(hits, dom_hits))
        contexts = smooth_scores([logit for logit, _ in scored], features, hits, rules.settings)
        labelled = label_lines(lines, features, hits, scored, contexts, rules.settings, rules.stopwords)
        return Result(render_text(labelled, self.config.keep), language, labelled)

    def detect(self, lines) -> str | None:
        """Return the page's language: the configured one, or the detected one."""
        if self.config.language != "auto":
            return self.config.language
        s = self.base.settings
        return detect_language(lines, max_chars=s["language.sample_max_chars"],
                               min_chars=s["language.sample_min_line_chars"],
                               min_probability=s["language.min_probability"],
                               letters=self.base.distinctive_letters, min_letters=s["language.min_distinctive_letters"])

    def clean_records(self, records: Iterable[dict], text_field: str = "text",
                      html_field: str | None = None) -> Iterator[dict]:
        """Yield each record with clean_text, language, spans and counts added (records.py)."""
        from .records import clean_records
        return clean_records(records, self, text_field=text_field, html_field=html_field)

    def __reduce__(self):
        # Pickled by its Config; unpickling returns the receiving process's shared Cleaner,
        # so that workers (multiprocessing, Dask, Spark, datatrove) compile rules only once.
        return (shared_cleaner, (self.config,))


_SHARED: dict[tuple[Config, str], Cleaner] = {}


def shared_cleaner(config: Config) -> Cleaner:
    """Return this process's Cleaner for a config, building it (and compiling rules) once."""
    key = (config, str(rules_dir()))
    cleaner = _SHARED.get(key)
    if cleaner is None:
        cleaner = _SHARED[key] = Cleaner(config=config)
    return cleaner


def clean(text: str, **options) -> Result:
    """Clean one page of text with a Cleaner built from the options."""
    return Cleaner(**options).clean(text)
