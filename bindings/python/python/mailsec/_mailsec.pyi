# Type stubs for the native module mailsec._mailsec. The public API is in mailsec.clientid etc.
from typing import List, Union, final

@final
class ClientIdCommand:
    """A well-formed CLIENTID command: a client-id-type and a client-id-token."""

    def __new__(
        cls, client_type: Union[str, bytes], token: Union[str, bytes], *, lenient: bool = False
    ) -> ClientIdCommand: ...
    @property
    def type(self) -> str:
        """The client-id-type as the client spelled it (compared without regard to case)."""
    @property
    def token(self) -> str:
        """The client-id-token."""
    def to_line(self) -> bytes:
        """The command as sent on the wire, ending in CRLF."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

def clientid_parse(line: Union[str, bytes], lenient: bool) -> ClientIdCommand: ...
def clientid_ehlo_advertises(reply: Union[str, bytes]) -> bool: ...
def clientid_ehlo_keywords(reply: Union[str, bytes]) -> List[str]: ...
