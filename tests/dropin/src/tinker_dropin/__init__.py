"""A fake drop-in of the Tinker client's types (tinker-conformance's test fixture).

Its types live in :mod:`tinker_dropin.types`, re-exported from the vendor
SDK it wraps; ``LoraConfig`` is renamed (``tinker_dropin.adapters.LoraAdapterConfig``)
and ``Checkpoint`` moved (``tinker_dropin.storage.Checkpoint``). It has no
HTTP client of its own.
"""
