"""mailsec: mail security for MTAs, gateways and mail clients.

Submodules:

- :mod:`mailsec.clientid` -- the SMTP CLIENTID extension (draft-storey-smtp-client-id-13).
- :mod:`mailsec.headers` -- secure header fields, the SecureHeaderFields signed attribute
  (RFC 7508).

Every exception mailsec raises derives from :class:`MailsecError`.
"""

from mailsec._errors import MailsecError
from mailsec import clientid, headers

__all__ = ["MailsecError", "clientid", "headers"]
