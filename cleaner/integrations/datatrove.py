"""cleaner as a datatrove pipeline step, for LocalPipelineExecutor and SlurmPipelineExecutor alike.

In: datatrove Documents whose `text` is a page's text (or HTML, with `html=True`). Out: the
same Documents with the clean text as `text` and cleaner's language and counts in
`metadata["cleaner"]` (or, with `annotate=True`, the text left alone and the clean text and
spans added to the metadata). Needs `pip install 'cleaner[datatrove]'`.
"""
from __future__ import annotations

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.utils.logging import logger
from datatrove.utils.typeshelper import StatHints

from ..config import Config
from ..pipeline import Cleaner, shared_cleaner
from ..records import added_fields, clean_value

METADATA_KEY = "cleaner"


class CleanerStep(PipelineStep):
    """Remove boilerplate from every document; rules are compiled once per worker process.

    annotate: keep `text` and add clean_text, spans and counts to the metadata (dolma style).
    drop_empty: without annotate, drop documents left with no text (as datatrove's extractors do).
    A document that cannot be cleaned is counted (stat `clean_error`) and logged; it is dropped,
    or with annotate kept with `metadata["cleaner"]["error"]`.
    """

    name = "🧹 cleaner"
    type = "✂️ - FORMAT"

    def __init__(self, cleaner: Cleaner | None = None, *, html: bool = False, annotate: bool = False,
                 drop_empty: bool = True):
        super().__init__()
        self.cleaner = cleaner or shared_cleaner(Config())  # pickled by its Config: one per worker
        self.html = html
        self.annotate = annotate
        self.drop_empty = drop_empty

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        """Clean each document in turn and pass it on."""
        cleaner = self.cleaner
        for doc in data:
            self.stat_update(StatHints.total)
            with self.track_time():
                try:
                    result, text, offsets = clean_value(cleaner, doc.text, self.html)
                    fields = added_fields(result, text, offsets, cleaner.config.keep)
                except Exception as exc:  # one bad document must not end the task
                    self.stat_update("clean_error")
                    logger.warning(f"cleaner: document {doc.id}: {type(exc).__name__}: {exc}")
                    if self.annotate:
                        doc.metadata[METADATA_KEY] = {"error": f"{type(exc).__name__}: {exc}"}
                        yield doc
                    continue
            self.stat_update("lines", value=fields["lines"], unit="doc")
            self.stat_update("kept_lines", value=fields["kept_lines"], unit="doc")
            if self.annotate:
                if self.html:
                    fields["text"] = text
                doc.metadata[METADATA_KEY] = fields
            else:
                doc.text = fields.pop("clean_text")
                del fields["spans"]  # they point into the text just replaced
                doc.metadata[METADATA_KEY] = fields
                if not doc.text and self.drop_empty:
                    self.stat_update(StatHints.dropped)
                    continue
            self.stat_update(StatHints.forwarded)
            self.update_doc_stats(doc)
            yield doc
