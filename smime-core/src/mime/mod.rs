//! The S/MIME MIME layer (RFC 8551 §3): preparing the entity to sign, wrapping the signature
//! around it, and finding the signed content of a received message.

pub(crate) mod entity;
pub(crate) mod received;
pub(crate) mod wrap;

/// The two forms of a signed S/MIME message (RFC 8551 §3.5).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignedForm {
    /// `multipart/signed` with a detached signature (RFC 8551 §3.5.3): readable by clients
    /// without S/MIME. The default.
    #[default]
    Detached,
    /// `application/pkcs7-mime; smime-type=signed-data` (RFC 8551 §3.5.2): the content is
    /// inside the CMS object.
    Opaque,
}

impl SignedForm {
    /// `detached` or `opaque`.
    pub fn name(self) -> &'static str {
        match self {
            SignedForm::Detached => "detached",
            SignedForm::Opaque => "opaque",
        }
    }
}
