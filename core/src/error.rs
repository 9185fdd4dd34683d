//! The one error type of the core: each variant says how the edge should answer
//! (not found, forbidden, conflict, invalid input) or that the store failed.

use std::borrow::Cow;

/// Result alias for core operations.
pub type CoreResult<T> = Result<T, CoreError>;

/// Why a core operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The subject does not exist (or the caller may not know that it does).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The caller may not do this.
    #[error("{message}")]
    Forbidden {
        /// Stable machine-readable code.
        code: &'static str,
        /// Human-readable explanation.
        message: Cow<'static, str>,
    },
    /// The subject's current state does not allow this (a lost claim, a wrong transition).
    #[error("{message}")]
    Conflict {
        /// Stable machine-readable code.
        code: &'static str,
        /// Human-readable explanation.
        message: Cow<'static, str>,
    },
    /// A field's value is not acceptable.
    #[error("{message}")]
    Invalid {
        /// Stable machine-readable code.
        code: &'static str,
        /// Human-readable explanation, naming the field.
        message: Cow<'static, str>,
    },
    /// The database failed; never caused by the caller's input.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The photo store failed (logged where it happened); never caused by the caller's input.
    #[error("{0}")]
    Storage(String),
}

impl CoreError {
    /// A forbidden error.
    pub fn forbidden(code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self::Forbidden {
            code,
            message: message.into(),
        }
    }

    /// A conflict error.
    pub fn conflict(code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    /// An invalid-field error.
    pub fn invalid(code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self::Invalid {
            code,
            message: message.into(),
        }
    }
}

/// Turns a violation of the named unique constraint or foreign key into a caller error;
/// anything else stays a database error.
pub fn on_constraint(err: sqlx::Error, map: impl FnOnce(&str) -> Option<CoreError>) -> CoreError {
    if let sqlx::Error::Database(db) = &err {
        let message = db.message().to_string();
        let constraint = db.constraint().map(str::to_string).unwrap_or(message);
        if let Some(mapped) = map(&constraint) {
            return mapped;
        }
    }
    CoreError::Database(err)
}

/// A guarded write's answer (`UPDATE … WHERE id = $1 AND status = …`): it matched its row, or the
/// state had already moved on and `refusal` says how.
pub fn guarded(done: sqlx::any::AnyQueryResult, refusal: impl FnOnce() -> CoreError) -> CoreResult<()> {
    if done.rows_affected() == 0 {
        Err(refusal())
    } else {
        Ok(())
    }
}
