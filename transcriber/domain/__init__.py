"""Pure domain: errors, names, options, records, audio sniffing, formats, subtitles, redaction.

Imports nothing of the app's other layers and no Azure SDK (`make lint` holds it).
"""
