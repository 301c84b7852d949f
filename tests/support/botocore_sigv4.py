#!/usr/bin/env python3
"""Signs requests with botocore's S3 signers, the reference for tests/store/aws_sigv4_botocore_test.cpp.

Reads JSON lines on stdin, one request each, and writes one JSON line per request on stdout:

  in:  {"kind": "header" | "presign", "method": "GET", "scheme": "https", "host": "b.s3.amazonaws.com",
        "path": "/raw path/ሴ", "query": [["k", "v"], ...], "headers": [["Name", "value"], ...],
        "payload_sha256": "<hex>" | "UNSIGNED-PAYLOAD", "access_key": "...", "secret_key": "...",
        "token": "" | "...", "region": "us-east-1", "time": "20150830T123600Z", "expires": 3600}
  out: {"authorization": "...", "canonical_request": "..."}   for "header" (S3SigV4Auth)
       {"url": "...", "signature": "...", "canonical_request": "..."}   for "presign" (S3SigV4QueryAuth)

Paths and query keys/values arrive raw; this script encodes them itself with urllib's quote (an
implementation independent of the C++ one) to build the URL botocore signs. Run with Debian's
/usr/bin/python3, which has python3-botocore.
"""
import datetime
import json
import sys
from urllib.parse import quote

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


class _FixedClock(datetime.datetime):
    """datetime whose utcnow() is the request's fixed signing time (botocore reads the clock)."""

    fixed = None

    @classmethod
    def utcnow(cls):
        return cls.fixed


class _Recording:
    """Keeps the canonical request the signer computed (for the C++ test's failure messages)."""

    last_canonical_request = None

    def canonical_request(self, request):
        self.last_canonical_request = super().canonical_request(request)
        return self.last_canonical_request


class _S3Auth(_Recording, botocore.auth.S3SigV4Auth):
    """S3SigV4Auth with the payload hash given by the test instead of computed from a body."""

    payload_sha256 = None

    def payload(self, request):
        return self.payload_sha256


class _S3QueryAuth(_Recording, botocore.auth.S3SigV4QueryAuth):
    pass


def _url(req):
    query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in req["query"])
    url = f"{req['scheme']}://{req['host']}{quote(req['path'], safe='/~')}"
    return url + ("?" + query if query else "")


def _sign(req):
    _FixedClock.fixed = datetime.datetime.strptime(req["time"], "%Y%m%dT%H%M%SZ")
    botocore.auth.datetime.datetime = _FixedClock
    credentials = Credentials(req["access_key"], req["secret_key"], req["token"] or None)
    request = AWSRequest(method=req["method"], url=_url(req))
    for name, value in req["headers"]:
        request.headers[name] = value  # HTTPHeaders appends: repeated names stay repeated
    if req["kind"] == "presign":
        signer = _S3QueryAuth(credentials, "s3", req["region"], expires=req["expires"])
        signer.add_auth(request)
        signature = request.url.rsplit("X-Amz-Signature=", 1)[1]
        return {"url": request.url, "signature": signature, "canonical_request": signer.last_canonical_request}
    signer = _S3Auth(credentials, "s3", req["region"])
    signer.payload_sha256 = req["payload_sha256"]
    signer.add_auth(request)
    return {"authorization": request.headers["Authorization"], "canonical_request": signer.last_canonical_request}


def main():
    for line in sys.stdin:
        if line.strip():
            sys.stdout.write(json.dumps(_sign(json.loads(line)), ensure_ascii=False) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
