//! A kind's WeChat subscribe-message mapping: the template's id, which of our values fill which of
//! the template's keywords, and the page a tap opens. WeChat templates are picked from its library
//! in the WeChat console, each with its own keywords (`thing1`, `time2`, `phrase3`, …); this says
//! how a notification fills them. The values themselves are worked out by the notifier.

use std::fmt;

/// One of our values a keyword can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageValue {
    /// What it is about: the wish's or event's title, the resident's name for care, the digest's name.
    Title,
    /// A status word of at most five Chinese characters (`已认领`): `phrase` keywords take no other.
    Status,
    /// When: an event's start, a visit's due date, otherwise when it happened.
    Time,
    /// One line saying what happened, in the reader's language.
    Note,
    /// The reason given (a rejection, a release, a cancellation), else the note.
    Reason,
    /// Where: an event's place, else the community.
    Location,
    /// How many: a digest's count of wishes, else 1.
    Count,
    /// The community's name.
    Community,
}

impl MessageValue {
    /// Every value.
    pub const ALL: [MessageValue; 8] = [
        Self::Title,
        Self::Status,
        Self::Time,
        Self::Note,
        Self::Reason,
        Self::Location,
        Self::Count,
        Self::Community,
    ];

    /// The name in the configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Title => "title",
            Self::Status => "status",
            Self::Time => "time",
            Self::Note => "note",
            Self::Reason => "reason",
            Self::Location => "location",
            Self::Count => "count",
            Self::Community => "community",
        }
    }

    /// The value of that name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == name)
    }

    /// Whether WeChat accepts this value in a keyword of `prefix` (`thing`, `time`, …): text goes
    /// in `thing`, times in `time` and `date`, counts in `number`, the status in `phrase`.
    pub fn fits(self, prefix: &str) -> bool {
        match prefix {
            "thing" => true,
            "phrase" => self == Self::Status,
            "time" | "date" => self == Self::Time,
            "number" | "character_string" => self == Self::Count,
            _ => false,
        }
    }
}

impl fmt::Display for MessageValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The keyword prefixes WeChat's library uses (`reference/wechat-protocol.md`).
pub const KEYWORD_PREFIXES: [&str; 13] = [
    "thing",
    "number",
    "letter",
    "symbol",
    "character_string",
    "time",
    "date",
    "amount",
    "phone_number",
    "car_number",
    "name",
    "phrase",
    "enum",
];

/// `thing1` → `Some("thing")`: a known prefix followed by at least one digit.
pub fn keyword_prefix(keyword: &str) -> Option<&'static str> {
    let prefix = keyword.trim_end_matches(|c: char| c.is_ascii_digit());
    let numbered = prefix.len() < keyword.len();
    KEYWORD_PREFIXES.into_iter().find(|p| *p == prefix).filter(|_| numbered)
}

/// The keywords of a template made before mappings existed (and of a mapping given as a bare
/// id): what, status, when, a note.
pub const CLASSIC_KEYWORDS: [(&str, MessageValue); 4] = [
    ("thing1", MessageValue::Title),
    ("phrase2", MessageValue::Status),
    ("time3", MessageValue::Time),
    ("thing4", MessageValue::Note),
];

/// One kind's subscribe-message template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateMapping {
    /// The template id from the WeChat console; empty = no WeChat for this kind.
    pub id: String,
    /// Keyword → the value it carries, in keyword order.
    pub data: Vec<(String, MessageValue)>,
    /// The page a tap opens, with `{id}` (the subject's id) and payload keys (`{grid_id}`) filled
    /// in; `None` opens the subject's own page.
    pub page: Option<String>,
}

impl TemplateMapping {
    /// A template with the classic keywords.
    pub fn classic(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            data: CLASSIC_KEYWORDS.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            page: None,
        }
    }

    /// The keywords, as a WeChat console lists them.
    pub fn keywords(&self) -> Vec<&str> {
        self.data.iter().map(|(k, _)| k.as_str()).collect()
    }
}

impl From<&str> for TemplateMapping {
    fn from(id: &str) -> Self {
        Self::classic(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_need_a_known_prefix_and_a_number() {
        assert_eq!(keyword_prefix("thing12"), Some("thing"));
        assert_eq!(keyword_prefix("character_string3"), Some("character_string"));
        assert_eq!(keyword_prefix("thing"), None);
        assert_eq!(keyword_prefix("colour1"), None);
        assert_eq!(keyword_prefix("1"), None);
    }

    #[test]
    fn values_fit_only_where_wechat_takes_them() {
        assert!(MessageValue::Title.fits("thing"));
        assert!(
            !MessageValue::Title.fits("phrase"),
            "phrase takes five Chinese characters only"
        );
        assert!(MessageValue::Status.fits("phrase"));
        assert!(MessageValue::Time.fits("date") && !MessageValue::Note.fits("time"));
        assert!(MessageValue::Count.fits("number") && !MessageValue::Title.fits("number"));
        assert!(MessageValue::ALL.iter().all(|v| !v.fits("amount") && !v.fits("enum")));
        for v in MessageValue::ALL {
            assert_eq!(MessageValue::parse(v.as_str()), Some(v));
        }
    }

    #[test]
    fn a_bare_id_is_the_classic_template() {
        let t = TemplateMapping::from("T1");
        assert_eq!(t.keywords(), ["thing1", "phrase2", "time3", "thing4"]);
        assert_eq!(t.page, None);
    }
}
