//! Console sign-in grants as a pure decision: what kind a grant is, what of it is stored, and
//! whether it signs someone in now. The store side (issuing, approving, redeeming) is `signin`.

/// How a sign-in grant came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantKind {
    /// Shown as a QR code by the console, approved from the mini-program.
    Qr,
    /// Printed by `microwish admin console-link` for one person.
    Link,
}

impl GrantKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            GrantKind::Qr => "qr",
            GrantKind::Link => "link",
        }
    }
}

/// A grant as stored, as far as redeeming it is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrantState {
    /// Who it signs in (QR tickets: set on approval).
    pub user_id: Option<i64>,
    /// Expiry, epoch ms.
    pub expires_at: i64,
    /// When it was redeemed, if it was.
    pub used_at: Option<i64>,
}

/// Why a grant does not sign anyone in (yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No such grant (or a grant of the other kind).
    Unknown,
    /// Past its expiry.
    Expired,
    /// A QR ticket nobody has approved yet.
    Pending,
    /// Already redeemed.
    Used,
}

/// Decides whether a grant signs someone in now, and whom. Pure.
pub fn redeemable(grant: Option<GrantState>, now: i64) -> Result<i64, Refusal> {
    let grant = grant.ok_or(Refusal::Unknown)?;
    if grant.used_at.is_some() {
        return Err(Refusal::Used);
    }
    if now >= grant.expires_at {
        return Err(Refusal::Expired);
    }
    grant.user_id.ok_or(Refusal::Pending)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(user_id: Option<i64>, used_at: Option<i64>) -> Option<GrantState> {
        Some(GrantState {
            user_id,
            expires_at: 1_000,
            used_at,
        })
    }

    #[test]
    fn a_grant_signs_in_once_its_person_is_known_and_before_it_expires() {
        assert_eq!(redeemable(None, 0), Err(Refusal::Unknown));
        assert_eq!(redeemable(grant(None, None), 0), Err(Refusal::Pending));
        assert_eq!(redeemable(grant(Some(7), None), 999), Ok(7));
        assert_eq!(redeemable(grant(Some(7), None), 1_000), Err(Refusal::Expired));
        assert_eq!(redeemable(grant(Some(7), Some(500)), 600), Err(Refusal::Used));
        // Spent is spent, even after expiry.
        assert_eq!(redeemable(grant(Some(7), Some(500)), 5_000), Err(Refusal::Used));
    }
}
