"""Rasa training: the same content fingerprints as Rasa's, computed faster.

While `rasa train` runs, its training cache fingerprints every node's inputs and
output (`rasa.engine.training.hooks.TrainingHook`), so that a later training can
reuse what did not change. The fingerprints come from
`rasa.shared.utils.io.deep_container_fingerprint`: an md5 per leaf (every token's
text, start, end and lemma, every event's fields), and a JSON list or object of
those for every container, recursively. On our data that is about 6 million md5s
per training: the training examples after each featurizer (every message's tokens
again), and the story trackers once after they are made and once more before each
of the three policies. Measured without a profiler, the training hook took 27 s of
a 208 s training from scratch.

The three functions here (`deep_container_fingerprint` and the list and dictionary
functions it calls) return exactly the same string for every input
(tests/rasa/test_training_fingerprints.py compares them on our training data,
trackers and odd values), so the cache, and models trained before, stay valid.
It is faster because
- the md5 of a short leaf text is computed once and kept (texts like "0", "hej",
  "intent" recur millions of times; a leaf's hash depends on its text alone; at most
  131,072 texts of up to 200 characters),
- the JSON of a list or object of fingerprints is joined directly: they are
  hexadecimal strings, which JSON writes unchanged, so `json.dumps` with its
  default separators gives the same text,
- plain strings and numbers skip the container and `fingerprint()` checks.

`install()` puts them in `rasa.shared.utils.io`, where every caller looks them up.
It is idempotent; bot/serving_models.py calls it, as config.yml makes every
training import that module before the graph runs.
"""
from __future__ import annotations

from functools import lru_cache
from hashlib import md5
from typing import Any, Callable, Dict, List, Text

import rasa.shared.utils.io as rasa_io
from rasa.shared.utils.io import DEFAULT_ENCODING

_ORIGINAL = {name: getattr(rasa_io, name) for name in
             ("deep_container_fingerprint", "get_dictionary_fingerprint", "get_list_fingerprint")}
# Leaf texts longer than this are hashed each time rather than kept.
_KEPT_TEXT_LENGTH = 200
_PLAIN_SCALARS = frozenset((str, int, float, bool, type(None)))


@lru_cache(maxsize=1 << 17)
def _short_text_hash(text: Text) -> Text:
    return md5(text.encode(DEFAULT_ENCODING)).hexdigest()  # nosec: a fingerprint


def _text_hash(text: Text) -> Text:
    if len(text) <= _KEPT_TEXT_LENGTH:
        return _short_text_hash(text)
    return md5(text.encode(DEFAULT_ENCODING)).hexdigest()  # nosec: a fingerprint


class _NotHex(Exception):
    """An object's own fingerprint() returned more than a hex digest, which JSON
    might escape: that container is fingerprinted by Rasa's functions instead."""


_HEX = frozenset("0123456789abcdef")


def _fingerprint(obj: Any) -> Text:
    """Always a hex digest, or _NotHex."""
    if type(obj) in _PLAIN_SCALARS:  # exact types: a subclass might have a fingerprint()
        return _text_hash(str(obj))
    if isinstance(obj, dict):
        return _dictionary_fingerprint(obj)
    if isinstance(obj, list):
        return _list_fingerprint(obj)
    fingerprint = getattr(obj, "fingerprint", None)
    if fingerprint is not None and callable(fingerprint):
        text = fingerprint()
        if type(text) is not str or not _HEX.issuperset(text):
            raise _NotHex
        return text
    return _text_hash(str(obj))


def _dictionary_fingerprint(dictionary: Dict[Any, Any]) -> Text:
    # Built as Rasa builds it (a later key with the same fingerprint wins), then
    # written as json.dumps(..., sort_keys=True) writes an object of hex strings.
    fingerprints = {_fingerprint(key): _fingerprint(value) for key, value in dictionary.items()}
    return _text_hash("{" + ", ".join(
        f'"{key}": "{fingerprints[key]}"' for key in sorted(fingerprints)) + "}")


def _list_fingerprint(elements: List[Any]) -> Text:
    return _text_hash("[" + ", ".join(['"' + _fingerprint(element) + '"'
                                       for element in elements]) + "]")


def _rasas_function_sooner(name: str, fast: Callable[[Any], Text]) -> Callable[..., Text]:
    """Rasa's function `name`, computed by `fast`; Rasa's own computes what `fast`
    does not cover (another encoding, a fingerprint() that is not a hex digest)."""

    def fingerprint(obj: Any, encoding: Text = DEFAULT_ENCODING) -> Text:
        if encoding == DEFAULT_ENCODING:
            try:
                return fast(obj)
            except _NotHex:
                pass
        return _ORIGINAL[name](obj, encoding)

    fingerprint.__name__ = fingerprint.__qualname__ = name
    fingerprint.__doc__ = f"Rasa's `{name}`: the same result, sooner."
    return fingerprint


deep_container_fingerprint = _rasas_function_sooner("deep_container_fingerprint", _fingerprint)
get_dictionary_fingerprint = _rasas_function_sooner("get_dictionary_fingerprint",
                                                    _dictionary_fingerprint)
get_list_fingerprint = _rasas_function_sooner("get_list_fingerprint", _list_fingerprint)

_FAST = {"deep_container_fingerprint": deep_container_fingerprint,
         "get_dictionary_fingerprint": get_dictionary_fingerprint,
         "get_list_fingerprint": get_list_fingerprint}


def install() -> None:
    """Make Rasa fingerprint with the functions above (idempotent)."""
    for name, function in _FAST.items():
        setattr(rasa_io, name, function)
