"""Local-only tools (Speech emulator, Azurite launcher, token and ingestion servers, demo).

Never deployed: .funcignore keeps this folder out of the package.
"""
