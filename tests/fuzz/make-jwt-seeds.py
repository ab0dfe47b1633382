#!/usr/bin/env python3
"""Writes the seed corpus of the jwt target (tests/fuzz/jwt/seed-*): tokens signed with the
target's fixed key, clock and policy, valid ones and each kind of near miss. Run it from anywhere;
existing seeds are overwritten."""
import base64, hashlib, hmac, json, os

KEY = b"fuzz-jwt-key-0123456789abcdefghi"  # the key in jwt.c
NOW = 1700000000                            # FUZZ_NOW in jwt.c
MAX_TTL = 86400                             # FUZZ_MAX_TTL in jwt.c
JTI = "0123456789abcdef0123456789abcdef"
HS256 = '{"alg":"HS256","typ":"JWT"}'
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "jwt")


def b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def token(header, payload, key=KEY, sig=None):
    h = b64(header.encode() if isinstance(header, str) else header)
    p = b64(payload.encode() if isinstance(payload, str) else payload)
    s = sig if sig is not None else b64(hmac.new(key, f"{h}.{p}".encode(), hashlib.sha256).digest())
    return f"{h}.{p}.{s}"


def claims(**kw):
    c = {"iss": "popd-rest", "sub": "admin", "jti": JTI, "iat": NOW - 10, "exp": NOW + 3600}
    for k, v in kw.items():
        if v is None:
            c.pop(k, None)
        else:
            c[k] = v
    return json.dumps(c, separators=(",", ":"))


seeds = {
    "valid": token(HS256, claims()),
    "valid-alg-only-header": token('{"alg":"HS256"}', claims()),
    "valid-typ-first": token('{"typ":"JWT","alg":"HS256"}', claims()),
    "expired": token(HS256, claims(exp=NOW)),
    "issued-in-future": token(HS256, claims(iat=NOW + 3600, exp=NOW + 7200)),
    "nbf-in-future": token(HS256, claims(nbf=NOW + 3600)),
    "exp-int64-max": token(HS256, claims(exp=2**63 - 1)),
    "lifetime-over-policy": token(HS256, claims(iat=NOW - 10, exp=NOW - 10 + MAX_TTL + 1)),
    "lifetime-at-policy": token(HS256, claims(iat=NOW - 10, exp=NOW - 10 + MAX_TTL)),
    "nbf-now": token(HS256, claims(nbf=NOW)),
    "nbf-string": token(HS256, claims(nbf="0")),
    "exp-overflow": token(HS256, claims(exp=2**64)),
    "exp-string": token(HS256, claims(exp=str(NOW + 3600))),
    "exp-float": token(HS256, claims(exp=NOW + 3600.5)),
    "iat-negative": token(HS256, claims(iat=-1)),
    "missing-sub": token(HS256, claims(sub=None)),
    "sub-newline": token(HS256, claims(sub="admin\ninfo forged line")),
    "sub-control-bytes": token(HS256, claims(sub="a\u001b[31mb\u0000c")),
    "sub-long": token(HS256, claims(sub="u" * 65)),
    "sub-not-string": token(HS256, claims(sub=["admin"])),
    "wrong-issuer": token(HS256, claims(iss="someone-else")),
    "jti-short": token(HS256, claims(jti="abc")),
    "jti-uppercase": token(HS256, claims(jti=JTI.upper())),
    "duplicate-claims": token(HS256, claims()[:-1] + ',"sub":"root"}'),
    "payload-not-json": token(HS256, "not json"),
    "payload-array": token(HS256, "[1,2]"),
    "alg-none": token('{"alg":"none","typ":"JWT"}', claims(), sig=""),
    "alg-none-signed": token('{"alg":"none"}', claims()),
    "alg-hs512": token('{"alg":"HS512","typ":"JWT"}', claims()),
    "alg-rs256": token('{"alg":"RS256","typ":"JWT"}', claims()),
    "alg-hs256-lowercase": token('{"alg":"hs256","typ":"JWT"}', claims()),
    "header-extra-field": token('{"alg":"HS256","typ":"JWT","kid":"../../etc/passwd"}', claims()),
    "header-spaces": token('{ "alg" : "HS256" }', claims()),
    "bad-signature": token(HS256, claims(), key=b"another-key-of-thirty-two-bytes!"),
    "signature-truncated": token(HS256, claims())[:-4],
    "signature-padded": token(HS256, claims()) + "=",
    "two-segments": ".".join(token(HS256, claims()).split(".")[:2]),
    "four-segments": token(HS256, claims()) + ".x",
    "empty-segments": "..",
    "too-large": b64(HS256.encode()) + "." + "A" * 4500 + ".sig",
    "base64-standard-alphabet": token(HS256, claims()).replace("-", "+").replace("_", "/"),
}

os.makedirs(OUT, exist_ok=True)
for name, value in seeds.items():
    with open(os.path.join(OUT, "seed-" + name), "w") as f:
        f.write(value)
print(f"wrote {len(seeds)} seeds to {OUT}")
