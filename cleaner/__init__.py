"""cleaner: remove boilerplate from scraped web pages, with a label for every line."""
from .caches import clear_caches
from .config import Config
from .model import CleanerError, Label, LineResult, Result
from .pipeline import Cleaner, clean
from .ruleset import RuleError

__all__ = ["Cleaner", "Config", "CleanerError", "Label", "LineResult", "Result", "RuleError", "clean", "clear_caches"]
__version__ = "0.1.0"
