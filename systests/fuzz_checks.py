"""The fuzz run's own check, loaded by Schemathesis (SCHEMATHESIS_HOOKS) beside its built-in ones:
every error answer (4xx, 5xx) is an RFC 9457 problem, `application/problem+json` with the fields
API.md promises (`type`, `title`, `status` equal to the answer's, a stable `code`). The built-in
checks only compare an answer with what its operation documents; this one holds for answers no
operation documents as well (a 405 or a 404 from the router).
"""

import json

import schemathesis


@schemathesis.check
def problem_json(ctx, response, case):
    """An error answer is a problem+json document whose `status` is the answer's."""
    if response.status_code < 400:
        return None
    content_type = (response.headers.get("content-type") or [""])[0]
    if content_type.split(";")[0].strip().lower() != "application/problem+json":
        raise AssertionError(f"a {response.status_code} answered as {content_type or 'no content type'!r}, "
                             "not application/problem+json")
    try:
        problem = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"a {response.status_code} whose problem+json body is not JSON")
    missing = [field for field in ("type", "title", "status", "code") if field not in problem]
    if missing:
        raise AssertionError(f"a {response.status_code} problem without {', '.join(missing)}")
    if problem["status"] != response.status_code:
        raise AssertionError(f"a {response.status_code} problem that says status {problem['status']}")
    return None


@schemathesis.serializer("message/rfc822")
def raw_mail(ctx, value):
    """Mail posted to email in (`POST /v1/inbound/email`): the generated value sent as its bytes;
    the service takes any bytes and says what became of them."""
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8", "replace")
