"""The RSA key that signs the CloudTrail digests of synthetic bundles (the sample organization, ``trustmap
synth``): a published TEST key, never a secret, committed so that the signatures, hence the bundles, are
byte-for-byte deterministic. Its public key goes into the bundle's ``list-public-keys.json``; a digest signed
with it verifies offline exactly as one signed by CloudTrail's own key of the region.
"""

from __future__ import annotations

from functools import cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

TEST_KEY_PEM = b"""\
-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDkWikng+4w6GB6
+zmB24ZxFsRAQ7WDVmHsERwmOLG5z6JOoqG7zkTfVsuyZQ8IDih7ZHh9lrO1oM7j
9RcmyzRRxSMKl+e/+ZJpKRhIazKn5TuC/txpcyLDp+oPhooNpMi/IXwskmilD8Te
Mg7wuZpbiLE9SNM9aA7/Pmu0IXkr1M3eLPjZPaealx4ByJnllgTwYLOYeAhcOQBq
eLahNnPMHejJOjWsRwOBo9YIeJuETtMq7I0crXGWH89uD9rz1a5xH6ho2wQpWsty
Vez44gG/W5fFAcaJXllwAfTyFkbkOKzkcOkH9pLSMkMhp4xgVe7Sh3anqlk+GpRu
ZAbqgSfhAgMBAAECggEAH7jftTfYb85kUslSIpZMvaqYPkY5scJfDZSN6Mhg9itg
RJTGq4ia3DzaRNDRrwCKgqPBMk8sbWumuhe67N53SPG+LbNPFEX3HylAkJTlv1my
s/60P2jpeC08MIZz6LPO2HBuJ+H57A49/tEM7seV6Cfb2WPjxojNZot1Glu5Ecu1
0ikHOzV2u2BrqAL2k8pyDfUogRjMT0lHBlw5ALhjYWs8xjZHz5smhF61M+Yl+V9k
U4LYHrgldE16j47G8efCnyZAaW/RaWI+asoSJ0arnezK3he4l6HUqmjIMDV2FGIU
lkOW0k9uN99yjKPeUus5rn4iauAKKtQPpCDd33q0jQKBgQD2mOOJAidQHh8FUPY7
9BeyMvOuqe7Ddc649/JbFCI7wikwm/hVrhLXISod9hFec9J0Jdn+OxwTXvKoIM5s
1/viaMSdtIEMFJMYhPwC9ipkGPGUYKrDlE7Uvgl6g7j1GSdTu0tcGIMUBAEFpmKu
x+jM0Wyi02J8jMOW23pGttr+1QKBgQDtDy01bk+2cM12yPG7HVnbiIWBNZyjd9CP
LKSPnVITyQMsj8ipVyMt3AtApgt9nED2+eeRY5E8kqmeL9ATjebQsiPfAnyoZN82
ODmHq212cynJ8tfYrYdaHd7myXNyp4OfqKVpOjY3fqzIMiCg69FsKU5CV7V5iSUJ
16YspV+C3QKBgQC1zaAq+ZB8S8i5BaiUKPBza4cmpZgnOKqQyhQ+u8hFYG83rDXZ
DT5MpuHDNxA1H5TwFpvyCCg5y82A0Lb/nfjRQkZ6soJVorGT6S9XC5/TLmSk7OPY
z3WS+QxJ6+UnpkTNQY9ctaGl1xHd1X55t17V6ix6mvfINYtZpDQxAEzShQKBgCaL
cS5e4VcowD+wLJ3gB9xKNmrr7KwnryGYgKlZSx8sb/eu6VGfeXjbbnj0hqnF3kpK
F/zr05Glxy6RV6PWTtFgJbT9EofO3vxR6AjHNuUrlH/hnHb+wCNG+BdOahcaZaxw
H3UcofQkBLQIcoW30jVkAfWHjVpVklAnYD2iJgWBAoGBALrQc7EVSteSAFA5jK9O
oHT4LWx08fo+colgjQbXSDNVhJ0lEm7wpDcIegz6BJsbVGGa13nWcIXEzJW45WAt
gDrRrEqFou2LNO8RRr4YKVrjvLy0UQtyIsYWoov60VQl1l6kD6n+y3mFF5jSz6c2
xf5z3MpYa9lWo9LpoVJDBoo1
-----END PRIVATE KEY-----
"""


@cache
def synthetic_signing_key() -> rsa.RSAPrivateKey:
    loaded = serialization.load_pem_private_key(TEST_KEY_PEM, password=None)
    assert isinstance(loaded, rsa.RSAPrivateKey)
    return loaded
