"""What the archive knows, apart from its WARCs: no Scrapy here.

  archive.py   the archive folder and the paths inside it
  seeds.py     seed URLs from lists, files and stdin, read lazily; bad lines named
  state.py     the SQLite state store: per URL what was fetched when, validators, digests
  batch.py     a crawl's state writes, a batch at a time
  schedule.py  when each URL is due again
  versions.py  what a capture means for a URL's versions; history and diff
  items.py     the article item's fields, in the contract's order
  lock.py      one crawl at a time per archive
"""
