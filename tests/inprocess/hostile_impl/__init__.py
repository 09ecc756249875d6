"""A hostile Python implementation, audited in process (tests/test_inprocess_hostile.py).

It raises wherever the suite touches it: ``hostile_impl.types`` at attribute
access (names starting with M), by handing out classes whose every method and
attribute raises (most names), or by sending the lookup on to
``hostile_impl.unimportable``, which raises at import (names starting with S);
``hostile_impl.broken`` (a type map's target) and ``hostile_impl._client``
(the client an endpoint call builds) raise at import too.
"""
