//! The actions an evaluation collects, with RFC 5228's rules: the implicit keep (§2.10.2),
//! duplicate deliveries collapsed (§2.10.3), and the incompatibilities of reject (RFC 5429
//! §2.4).

use crate::action::Action;

#[derive(Default)]
pub(crate) struct Actions {
    pub(crate) list: Vec<Action>,
    /// Cancelled by keep, fileinto and redirect without :copy, discard, reject.
    pub(crate) implicit_keep_cancelled: bool,
    pub(crate) redirects: usize,
}

/// Why an action cannot be added.
pub(crate) enum Refused {
    Limit(&'static str),
    Conflict(String),
}

impl Actions {
    fn rejected(&self) -> bool {
        self.list
            .iter()
            .any(|a| matches!(a, Action::Reject { .. } | Action::Ereject { .. }))
    }

    fn delivers(&self) -> bool {
        self.list.iter().any(|a| {
            matches!(
                a,
                Action::Keep { .. } | Action::Fileinto { .. } | Action::Redirect { .. }
            )
        })
    }

    fn push(&mut self, action: Action, max: usize) -> Result<(), Refused> {
        if self.list.len() >= max {
            return Err(Refused::Limit("max_actions"));
        }
        self.list.push(action);
        Ok(())
    }

    fn no_reject(&self, what: &str) -> Result<(), Refused> {
        if self.rejected() {
            // RFC 5429 §2.4: delivering and bouncing the same message is not permitted.
            return Err(Refused::Conflict(format!(
                "{what} after reject (RFC 5429 §2.4)"
            )));
        }
        Ok(())
    }

    pub(crate) fn keep(&mut self, flags: Vec<String>, max: usize) -> Result<(), Refused> {
        self.no_reject("keep")?;
        self.implicit_keep_cancelled = true;
        for action in &mut self.list {
            if let Action::Keep {
                flags: existing, ..
            } = action
            {
                merge_flags(existing, flags);
                return Ok(());
            }
        }
        self.push(
            Action::Keep {
                flags,
                implicit: false,
            },
            max,
        )
    }

    pub(crate) fn fileinto(
        &mut self,
        mailbox: String,
        flags: Vec<String>,
        copy: bool,
        max: usize,
    ) -> Result<(), Refused> {
        self.no_reject("fileinto")?;
        if !copy {
            self.implicit_keep_cancelled = true;
        }
        for action in &mut self.list {
            if let Action::Fileinto {
                mailbox: existing,
                flags: existing_flags,
                copy: existing_copy,
            } = action
                && *existing == mailbox
            {
                merge_flags(existing_flags, flags);
                *existing_copy &= copy;
                return Ok(());
            }
        }
        self.push(
            Action::Fileinto {
                mailbox,
                flags,
                copy,
            },
            max,
        )
    }

    pub(crate) fn redirect(
        &mut self,
        address: Option<String>,
        list: Option<String>,
        copy: bool,
        max: usize,
        max_redirects: usize,
    ) -> Result<(), Refused> {
        self.no_reject("redirect")?;
        if !copy {
            self.implicit_keep_cancelled = true;
        }
        for action in &mut self.list {
            if let Action::Redirect {
                address: a,
                list: l,
                copy: c,
            } = action
                && match (&address, a.as_deref()) {
                    (Some(new), Some(old)) => new.eq_ignore_ascii_case(old),
                    (None, None) => *l == list,
                    _ => false,
                }
            {
                *c &= copy;
                return Ok(());
            }
        }
        if self.redirects >= max_redirects {
            return Err(Refused::Limit("max_redirects"));
        }
        self.redirects += 1;
        self.push(
            Action::Redirect {
                address,
                list,
                copy,
            },
            max,
        )
    }

    pub(crate) fn discard(&mut self, max: usize) -> Result<(), Refused> {
        self.implicit_keep_cancelled = true;
        if self.list.iter().any(|a| matches!(a, Action::Discard)) {
            return Ok(());
        }
        self.push(Action::Discard, max)
    }

    pub(crate) fn reject(
        &mut self,
        reason: String,
        extended: bool,
        max: usize,
    ) -> Result<(), Refused> {
        if self.rejected() {
            return Err(Refused::Conflict("a second reject (RFC 5429 §2.4)".into()));
        }
        if self.delivers() {
            return Err(Refused::Conflict(
                "reject after keep, fileinto or redirect (RFC 5429 §2.4)".into(),
            ));
        }
        self.implicit_keep_cancelled = true;
        self.push(
            if extended {
                Action::Ereject { reason }
            } else {
                Action::Reject { reason }
            },
            max,
        )
    }

    pub(crate) fn other(&mut self, action: Action, max: usize) -> Result<(), Refused> {
        if self.list.contains(&action) {
            return Ok(());
        }
        self.push(action, max)
    }

    /// The final list: the implicit keep appended when nothing cancelled it (RFC 5228 §2.10.2).
    pub(crate) fn finish(mut self, flags: Vec<String>) -> Vec<Action> {
        if !self.implicit_keep_cancelled {
            self.list.push(Action::Keep {
                flags,
                implicit: true,
            });
        }
        self.list
    }
}

fn merge_flags(existing: &mut Vec<String>, new: Vec<String>) {
    for flag in new {
        if !existing.iter().any(|f| f.eq_ignore_ascii_case(&flag)) {
            existing.push(flag);
        }
    }
}
