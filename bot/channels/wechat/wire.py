"""WeChat's XML on the wire: flat `<xml><Field>value</Field>...</xml>` documents."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

MAX_BODY = 64 * 1024  # a push is a few KB; anything larger is not WeChat

# WeChat never sends a DTD; refusing `<!DOCTYPE` / `<!ENTITY` up front rules out entity
# expansion attacks whatever the XML parser's own limits are.
_DECLARATION = re.compile(rb"<!(?!\[CDATA\[)")


class BadXml(ValueError):
    pass


def parse_xml(body: bytes | str) -> dict[str, str]:
    """The top-level fields of a WeChat document; nested ones (e.g. SendPicsInfo) are skipped."""
    data = body.encode() if isinstance(body, str) else body
    if len(data) > MAX_BODY:
        raise BadXml("too large")
    if _DECLARATION.search(data):
        raise BadXml("declarations are not allowed")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        raise BadXml(str(e)) from e
    if root.tag != "xml":
        raise BadXml(f"unexpected root <{root.tag}>")
    return {child.tag: (child.text or "").strip() for child in root if len(child) == 0}


def cdata(text: str) -> str:
    """A CDATA section holding any text, even one containing the end marker."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"
