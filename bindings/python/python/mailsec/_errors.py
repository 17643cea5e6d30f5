"""The root of mailsec's exception hierarchy."""


class MailsecError(Exception):
    """Base class of every exception raised by mailsec."""
