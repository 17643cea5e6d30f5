"""mailsec: mail security for MTAs, gateways and mail clients.

Submodules:

- :mod:`mailsec.clientid` -- the SMTP CLIENTID extension (draft-storey-smtp-client-id-13).
- :mod:`mailsec.headers` -- secure header fields, the SecureHeaderFields signed attribute
  (RFC 7508).
- :mod:`mailsec.pgp` -- OpenPGP keys, signatures and encryption (RFC 9580), and PGP/MIME
  (RFC 3156) with protected header fields.
- :mod:`mailsec.sieve` -- Sieve scripts (RFC 5228) with externally stored lists (RFC 6134).
- :mod:`mailsec.smime` -- S/MIME signing and verification (RFC 8551) with secure header fields.

Every exception mailsec raises derives from :class:`MailsecError`.
"""

from mailsec._errors import MailsecError
from mailsec import clientid, headers, pgp, sieve, smime

__all__ = ["MailsecError", "clientid", "headers", "pgp", "sieve", "smime"]
