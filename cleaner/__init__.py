"""cleaner: remove boilerplate from scraped web pages, with a label for every line."""
