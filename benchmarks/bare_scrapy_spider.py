"""Bare Scrapy fetching the same pages: the baseline for benchmarks/crawl.py."""
import scrapy


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls=None, **kwargs):
        super().__init__(**kwargs)
        self.urls_file = urls

    async def start(self):
        with open(self.urls_file) as fh:
            for line in fh:
                if line.strip():
                    yield scrapy.Request(line.strip())

    def parse(self, response):
        yield {"url": response.url, "status": response.status, "length": len(response.body)}
