//! The compiled script: compile once, evaluate many times from any thread.

use std::sync::Arc;

use crate::action::Outcome;
use crate::context::Context;
use crate::error::{CompileError, Error};
use crate::limits::Limits;

/// A compiled Sieve script. Cheap to clone (the program is shared) and `Send + Sync`.
#[derive(Debug, Clone)]
pub struct Script {
    program: Arc<crate::compile::Program>,
}

impl Script {
    /// Compiles a script with the default [`Limits`].
    pub fn compile(source: &str) -> Result<Script, CompileError> {
        Self::compile_with(source, &Limits::default())
    }

    /// Compiles a script under the given limits (script size, nesting, string length,
    /// variables).
    pub fn compile_with(source: &str, limits: &Limits) -> Result<Script, CompileError> {
        let program = crate::compile::compile(source, limits)?;
        Ok(Script {
            program: Arc::new(program),
        })
    }

    #[cfg(test)]
    pub(crate) fn from_program(program: crate::compile::Program) -> Self {
        Script {
            program: Arc::new(program),
        }
    }

    /// The capabilities the script requires, in the order it names them.
    pub fn required(&self) -> &[String] {
        &self.program.required
    }

    /// Evaluates the script on one message (RFC 5322 bytes) in the given context.
    ///
    /// On [`Error::Defer`] the host should defer the delivery; on any other error it should
    /// file the message as if by an implicit keep (RFC 5228 §2.10.6).
    pub fn evaluate(&self, message: &[u8], context: &Context<'_>) -> Result<Outcome, Error> {
        crate::eval::evaluate(&self.program, message, context)
    }
}
