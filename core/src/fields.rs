//! Validated values: nothing below the HTTP edge sees a raw string for a phone, an email, a
//! title. Each type has one `parse` that trims, bounds and checks, and names the field when it fails.

use crate::error::CoreError;

fn invalid(field: &str, why: &str) -> CoreError {
    CoreError::invalid("invalid_field", format!("{field}: {why}"))
}

/// Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069): they make text display
/// in an order other than the one it is stored in (a "Trojan source" trick); never stored.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that show nothing: zero-width spaces and joiners, the word joiner, the BOM,
/// direction marks, the Hangul and Mongolian fillers — and the bidi controls above.
pub fn is_invisible(c: char) -> bool {
    is_bidi_control(c)
        || c.is_whitespace()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{180E}' | '\u{115F}' | '\u{1160}'
                | '\u{3164}' | '\u{FFA0}' | '\u{034F}' | '\u{00AD}'
        )
}

/// Text as it is stored: bidi controls removed, trimmed. `None` when something was written but
/// nothing visible remains (text made only of zero-width or direction characters).
pub fn clean_text(text: &str) -> Option<String> {
    let kept: String = text.chars().filter(|c| !is_bidi_control(*c)).collect();
    let kept = kept.trim();
    if !text.is_empty() && kept.chars().all(is_invisible) && !text.trim().is_empty() {
        return None;
    }
    Some(kept.to_string())
}

/// Trims `text` and checks it has between `min` and `max` characters (not bytes).
fn bounded(field: &str, text: &str, min: usize, max: usize) -> Result<String, CoreError> {
    let text = clean_text(text).ok_or_else(|| invalid(field, "must contain visible characters"))?;
    let text = text.as_str();
    let count = text.chars().count();
    if count < min {
        return Err(invalid(
            field,
            if min == 1 { "must not be empty" } else { "is too short" },
        ));
    }
    if count > max {
        return Err(invalid(
            field,
            &format!("must be at most {max} characters, got {count}"),
        ));
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(invalid(field, "must not contain control characters"));
    }
    Ok(text.to_string())
}

macro_rules! bounded_text {
    ($(#[$doc:meta])* $name:ident, $field:literal, $min:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// Maximum length in characters.
            pub const MAX_CHARS: usize = $max;

            /// Trims and checks the length.
            pub fn parse(text: &str) -> Result<Self, CoreError> {
                bounded($field, text, $min, $max).map(Self)
            }

            /// The validated text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The validated text, owned.
            pub fn into_inner(self) -> String {
                self.0
            }
        }
    };
}

bounded_text!(/// A wish title: 1 to 40 characters.
    Title, "title", 1, 40);
bounded_text!(/// A wish description: up to 1,000 characters.
    Description, "description", 0, 1000);
bounded_text!(/// A display name: 1 to 32 characters.
    DisplayName, "display_name", 1, 32);
bounded_text!(/// An exact home address: up to 120 characters.
    Address, "address", 1, 120);
bounded_text!(/// A building (the part of an address everyone may see): up to 40 characters.
    Building, "building", 1, 40);
bounded_text!(/// A reason, note or comment attached to a transition: up to 500 characters.
    Note, "note", 0, 500);
bounded_text!(/// A grid's name: 1 to 40 characters.
    GridName, "name", 1, 40);
bounded_text!(/// A co-building unit's name: 1 to 60 characters.
    UnitName, "name", 1, 60);
bounded_text!(/// The party organisation of a co-building unit: up to 60 characters.
    PartyOrg, "party_org", 0, 60);
bounded_text!(/// A contact person's name: 1 to 32 characters.
    ContactName, "contact_name", 1, 32);
bounded_text!(/// A resource's or project's title: 1 to 60 characters.
    ItemTitle, "title", 1, 60);
bounded_text!(/// The work unit a 双报到 member comes from: 1 to 60 characters.
    WorkUnit, "work_unit", 1, 60);
bounded_text!(/// The party organisation of a 双报到 member's work unit: 1 to 60 characters.
    UnitBranch, "unit_branch", 1, 60);
bounded_text!(/// The community's year-end comment on a party member: 1 to 2,000 characters.
    Comment, "comment", 1, 2000);
bounded_text!(/// A notice's text: 1 to 2,000 characters.
    NoticeBody, "body", 1, 2000);

/// A mainland China mobile number: 11 digits starting 13–19; `+86`/`86` prefixes and spaces
/// or dashes are accepted and removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// Normalises and checks a mobile number.
    pub fn parse(text: &str) -> Result<Self, CoreError> {
        let digits: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let digits = digits
            .strip_prefix("+86")
            .or_else(|| digits.strip_prefix("0086"))
            .unwrap_or(&digits);
        let digits = if digits.len() == 13 && digits.starts_with("86") {
            &digits[2..]
        } else {
            digits
        };
        let valid = digits.len() == 11
            && digits.bytes().all(|b| b.is_ascii_digit())
            && digits.starts_with('1')
            && (b'3'..=b'9').contains(&digits.as_bytes()[1]);
        if !valid {
            return Err(invalid("phone", "must be a mainland mobile number like 13812345678"));
        }
        Ok(Self(digits.to_string()))
    }

    /// The 11 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address: one `@`, a dotted domain, no spaces, at most 254 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Checks the shape of an address (delivery proves the rest).
    pub fn parse(text: &str) -> Result<Self, CoreError> {
        let text = text.trim();
        let ok = text.len() <= 254
            && !text.chars().any(|c| c.is_whitespace() || c.is_control())
            && match text.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && local.len() <= 64
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                }
                None => false,
            };
        if !ok {
            return Err(invalid("email", "must be an address like name@example.com"));
        }
        Ok(Self(text.to_string()))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_text_is_refused_and_bidi_overrides_are_not_stored() {
        for blank in [
            "\u{200B}",
            "\u{200B}\u{200C}\u{FEFF}",
            " \u{202E} ",
            "\u{2066}\u{2069}",
            "\u{3164}",
        ] {
            assert!(Title::parse(blank).is_err(), "{blank:?}");
            assert!(Description::parse(blank).is_err(), "{blank:?}");
        }
        let t = Title::parse("买药\u{202E}gpj.exe").unwrap();
        assert_eq!(t.as_str(), "买药gpj.exe");
        assert_eq!(
            Description::parse("").unwrap().as_str(),
            "",
            "empty stays allowed where it was"
        );
        assert_eq!(
            Title::parse("👩\u{200D}👧").unwrap().as_str(),
            "👩\u{200D}👧",
            "joiners inside text stay"
        );
    }

    #[test]
    fn phones_are_normalised_or_refused() {
        assert_eq!(Phone::parse("+86 138-1234-5678").unwrap().as_str(), "13812345678");
        assert_eq!(Phone::parse("8613812345678").unwrap().as_str(), "13812345678");
        for bad in ["12812345678", "1381234567", "138123456789", "abc", "", "010-12345678"] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails_are_checked_for_shape() {
        assert!(Email::parse("li.wei@example.com").is_ok());
        for bad in ["", "no-at", "a@b", "a @b.com", "@b.com", "a@b.com.", "a@@b.com"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_is_counted_in_characters() {
        assert!(Title::parse(&"修".repeat(40)).is_ok());
        assert!(Title::parse(&"修".repeat(41)).is_err());
        assert!(Title::parse("   ").is_err());
        assert!(Description::parse("").is_ok());
        assert!(Title::parse("a\u{0}b").is_err());
        assert_eq!(Title::parse("  换灯泡 💡 ").unwrap().as_str(), "换灯泡 💡");
    }
}
