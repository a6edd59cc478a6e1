"""The one JSON parser of the whole API (settings.REST_FRAMEWORK's DEFAULT_PARSER_CLASSES).

Python's json module recurses once per nesting level, so a body of 100,000 nested brackets raised
RecursionError (a 500) before any view ran; a body nested a few hundred levels parses but then
overflows the stack of whatever walks it next. No request of this API nests deeper than a few
levels, so a body deeper than MAX_DEPTH is refused as malformed JSON (400), like any other."""
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


def _depth(value) -> int:
    """The nesting depth of a parsed JSON value, walked without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                break
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - the body is nested too deeply.") from exc
        if _depth(data) > MAX_DEPTH:
            raise ParseError(f"JSON parse error - the body is nested deeper than {MAX_DEPTH} levels.")
        return data
