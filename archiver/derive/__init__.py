"""From captures to article items, apart from the crawl: no Scrapy here.

  item.py       one capture's article fields (the live crawl and `archiver extract` both call it)
  rederive.py   items from WARC files, for `archiver extract`
"""
