"""WeChat's message XML: parsed with defusedxml (no DTD, so no external entity and no entity expansion),
and the passive reply built as WeChat expects it (CDATA sections)."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

MAX_XML_BYTES = 64 * 1024
FIELDS = ("ToUserName", "FromUserName", "CreateTime", "MsgType", "Content", "MsgId", "Event", "EventKey",
          "Encrypt", "MsgDataId", "Ticket",
          "MsgID", "Status")  # a TEMPLATESENDJOBFINISH event: the template message's id and how it ended


class BadXml(ValueError):
    pass


def parse(body: bytes) -> dict[str, str]:
    """The message's top-level fields as text. Any DTD (hence any entity) is refused before expansion."""
    if len(body) > MAX_XML_BYTES:
        raise BadXml("too large")
    try:
        root: Element = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError, ValueError) as exc:
        raise BadXml(str(exc)[:200]) from None
    if root.tag != "xml":
        raise BadXml("root is not <xml>")
    fields: dict[str, str] = {}
    for child in root:
        if child.tag in FIELDS and len(child) == 0:
            fields[child.tag] = (child.text or "").strip()
    return fields


def cdata(text: str) -> str:
    # "]]>" cannot stand inside a CDATA section: close it and open another between "]]" and ">".
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(*, to_user: str, from_user: str, content: str, create_time: int) -> str:
    return (
        f"<xml><ToUserName>{cdata(to_user)}</ToUserName><FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{int(create_time)}</CreateTime><MsgType>{cdata('text')}</MsgType>"
        f"<Content>{cdata(content)}</Content></xml>"
    )


def encrypted_reply(*, encrypt: str, signature: str, timestamp: str, nonce: str) -> str:
    return (
        f"<xml><Encrypt>{cdata(encrypt)}</Encrypt><MsgSignature>{cdata(signature)}</MsgSignature>"
        f"<TimeStamp>{timestamp}</TimeStamp><Nonce>{cdata(nonce)}</Nonce></xml>"
    )
