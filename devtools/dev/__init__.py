"""`make dev`: the whole app on a laptop, as `func start` would run it, without Core Tools.

settings.py    local.settings.json (made from the sample), pointed at what dev started
services.py    Azurite (data in .azurite/) and the Speech emulator on fixed ports
host.py        the one seam to the Functions host (routes, blob events, the host's queue listeners)
front_end.py   http://127.0.0.1:7071: every request to the host's HTTP invocation
watcher.py     audio-in polled like the blob trigger's container scan, receipts kept
__main__.py    start everything, print the URLs, one log line per invocation, Ctrl-C stops
"""
