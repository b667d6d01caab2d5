"""A person's place in the survey, kept on their own device in one sealed cookie.

Nothing readable is stored on the server before Finish: the unfinished answers live
in a cookie scoped to the survey link's path, sealed with AES-256-GCM (see
`survey.domain.sealing.seal_for_device`) under a key derived from the app's secret,
never the key-encryption key. It lasts `MAX_AGE` seconds after the last page, which
is what lets a person carry on after a locked phone, a call or a closed tab.

It also holds whether the person chose easy-read words (`easy`), so every page keeps to
the version they chose. After Finish the cookie holds no answers, only the result's
figures (`Outcome`) and that choice, so a refresh shows the result again and Back says
the answers are saved; leaving (the quick exit or "Close") deletes it.

The sealed payload is padded to whole blocks, so its length does not show which
questions were answered or skipped (free text aside, as in the form itself).
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
import zlib
from dataclasses import dataclass, field, replace

from survey.domain.feedback import Outcome
from survey.domain.questionnaire_model import Answers, Questionnaire
from survey.domain.sealing import OpenFailed, device_key, open_from_device, seal_for_device

COOKIE = "lantern_answers"
MAX_AGE = 30 * 60  # seconds after the last page; said on the welcome page
MINUTES = MAX_AGE // 60
_VERSION = 1
_ZLIB = b"z"  # a JSON payload starts with "{"; a compressed one with this
_COMPRESS_OVER = 1024
_MAX_PAYLOAD = 64 * 1024  # never inflate more than this from a cookie


@dataclass(frozen=True)
class Draft:
    """Where one person is: their answers so far, or (after Finish) their result only."""

    link_id: int
    nonce: str  # spent when the answers are stored, so they are stored exactly once
    page: int = 1
    code: str = ""
    answers: Answers = field(default_factory=dict)
    result: tuple[Outcome, ...] | None = None  # set at Finish; answers are then dropped
    easy: bool = False  # the person chose the easy-read words (kept after Finish too)

    @property
    def finished(self) -> bool:
        """Whether the answers have been stored."""
        return self.result is not None

    def with_page(self, page: int, answers: Answers) -> Draft:
        """This draft at `page`, with `answers` in place of the current ones."""
        return replace(self, page=page, answers=answers)

    def finish(self, result: tuple[Outcome, ...]) -> Draft:
        """Answers stored: keep only the result's figures."""
        return Draft(self.link_id, "", self.page, "", {}, result, self.easy)

    def worded(self, easy: bool) -> Draft:
        """This draft with the easy-read words chosen (or not)."""
        return replace(self, easy=easy)


def begin(link_id: int, nonce: str | None = None, code: str = "", *, easy: bool = False) -> Draft:
    """A fresh draft for one pass through the survey on this link."""
    return Draft(link_id, nonce or secrets.token_urlsafe(16), 1, code, easy=easy)


def _scale_string(q: Questionnaire, answers: Answers) -> str:
    """Scale answers as one digit per item in question order ("-" for a skip)."""
    out = []
    for scale in q.scales:
        for item in scale.items:
            value = answers.get(item.id)
            out.append("-" if not isinstance(value, int) else str(value))
    return "".join(out)


def encode(q: Questionnaire, draft: Draft, secret: str, label: str) -> str:
    """The cookie value for `draft`: sealed, padded, bound to the link (`label`)."""
    doc: dict[str, object] = {"v": _VERSION, "l": draft.link_id, "t": int(time.time())}
    if draft.easy:
        doc["w"] = 1
    if draft.result is not None:
        doc["r"] = [outcome.to_list() for outcome in draft.result]
    else:
        doc |= {
            "n": draft.nonce,
            "p": draft.page,
            "c": draft.code,
            "s": _scale_string(q, draft.answers),
            "x": {c.id: draft.answers[c.id] for c in q.context if c.id in draft.answers},
        }
    payload = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()
    if len(payload) > _COMPRESS_OVER:
        # Only long free text gets here; escapes (a control character is 6 bytes of JSON)
        # could push the cookie past the 4,096 bytes browsers keep, so it is compressed.
        payload = _ZLIB + zlib.compress(payload, 9)
    sealed = seal_for_device(device_key(secret), payload, label.encode())
    return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode("ascii")


def decode(q: Questionnaire, value: str, secret: str, label: str, link_id: int) -> Draft | None:
    """The draft in a cookie value, or None if it is not ours, not this link's, or too old."""
    try:
        sealed = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        payload = open_from_device(device_key(secret), sealed, label.encode())
        if payload.startswith(_ZLIB):
            payload = zlib.decompressobj().decompress(payload[len(_ZLIB) :], _MAX_PAYLOAD)
        doc = json.loads(payload)
    except (binascii.Error, ValueError, OpenFailed, zlib.error):
        return None
    if not isinstance(doc, dict) or doc.get("v") != _VERSION or doc.get("l") != link_id:
        return None
    issued = doc.get("t")
    if not isinstance(issued, int) or time.time() - issued > MAX_AGE:
        return None
    try:
        easy = doc.get("w") == 1
        if "r" in doc:
            outcomes = tuple(Outcome.from_list(o) for o in doc["r"])
            return Draft(link_id, "", result=outcomes, easy=easy)
        answers = _answers(q, doc["s"], doc["x"])
        return Draft(link_id, str(doc["n"]), int(doc["p"]), str(doc["c"]), answers, easy=easy)
    except (KeyError, TypeError, ValueError):
        return None


def _answers(q: Questionnaire, scale_string: object, context: object) -> Answers:
    """Answers back from the cookie, checked again by the questionnaire itself."""
    items = [item for scale in q.scales for item in scale.items]
    if not isinstance(scale_string, str) or len(scale_string) != len(items):
        raise ValueError("answers do not fit this questionnaire")
    if not isinstance(context, dict):
        raise ValueError("answers do not fit this questionnaire")
    raw: dict[str, str] = {
        item.id: char for item, char in zip(items, scale_string, strict=True) if char != "-"
    }
    raw |= {str(k): str(v) for k, v in context.items()}
    answers, errors = q.parse_known(raw)
    if errors:
        raise ValueError("answers do not fit this questionnaire")
    return answers
