//! Validated register values: building names, units, rooms, people's names, relations and tags.
//! Each `parse` trims, bounds and names the field when it fails, like `crate::fields`.

use crate::error::{CoreError, CoreResult};

fn checked(field: &str, text: &str, min: usize, max: usize) -> CoreResult<String> {
    let text = text.trim();
    let count = text.chars().count();
    let why = if count < min {
        Some("must not be empty".to_string())
    } else if count > max {
        Some(format!("must be at most {max} characters, got {count}"))
    } else if text.chars().any(char::is_control) {
        Some("must not contain control characters".to_string())
    } else {
        None
    };
    match why {
        Some(why) => Err(CoreError::invalid("invalid_field", format!("{field}: {why}"))),
        None => Ok(text.to_string()),
    }
}

macro_rules! register_text {
    ($(#[$doc:meta])* $name:ident, $field:literal, $min:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            /// Trims and checks the value.
            pub fn parse(text: &str) -> CoreResult<Self> {
                checked($field, text, $min, $max).map(Self)
            }

            /// The validated text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
}

register_text!(/// A building's name, unique in the community, e.g. "3号楼": 1 to 40 characters.
    BuildingName, "building", 1, 40);
register_text!(/// A unit (单元) of a building, e.g. "2单元"; empty when the building has none.
    Unit, "unit", 0, 20);
register_text!(/// A room, e.g. "301": 1 to 20 characters.
    Room, "room", 1, 20);
register_text!(/// A person's name in the register: 1 to 32 characters.
    PersonName, "name", 1, 32);
register_text!(/// Relation to the household head (户主, 配偶, 子女…): up to 20 characters.
    Relation, "relation", 0, 20);

/// Tags on a person (独居, 低保…): up to 10, each up to 20 characters, kept sorted and
/// `;`-separated so that an unchanged sheet re-imports as unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tags(String);

impl Tags {
    /// Splits on `;`, `；`, `,`, `，`, `|` or whitespace, trims, drops empties and duplicates.
    pub fn parse(text: &str) -> CoreResult<Self> {
        let mut tags: Vec<String> = Vec::new();
        for part in text.split([';', '；', ',', '，', '|', ' ', '\t']) {
            let tag = checked("tags", part, 0, 20)?;
            if !tag.is_empty() && !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        if tags.len() > 10 {
            return Err(CoreError::invalid("invalid_field", "tags: at most 10"));
        }
        tags.sort();
        Ok(Self(tags.join(";")))
    }

    /// The normalised text, `;`-separated.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_normalised() {
        assert_eq!(Tags::parse(" 独居；低保, 独居 ").unwrap().as_str(), "低保;独居");
        assert_eq!(Tags::parse("").unwrap().as_str(), "");
        assert!(Tags::parse(&"x;".repeat(11)).is_ok());
        assert!(Tags::parse(&(0..11).map(|i| i.to_string()).collect::<Vec<_>>().join(";")).is_err());
    }

    #[test]
    fn rooms_and_names_are_bounded() {
        assert!(Room::parse(" ").is_err());
        assert_eq!(Room::parse(" 301 ").unwrap().as_str(), "301");
        assert!(PersonName::parse(&"王".repeat(33)).is_err());
        assert!(Unit::parse("").is_ok());
        assert!(BuildingName::parse("3号楼\u{0}").is_err());
    }
}
