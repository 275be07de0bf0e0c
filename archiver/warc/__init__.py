"""WARC 1.1 writing and checking. Nothing in this package knows what an article is."""
