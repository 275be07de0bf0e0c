"""Scrapy components that capture what crosses the wire and hand it to the WARC writer."""
