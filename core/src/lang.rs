//! The languages people read: Simplified Chinese by default, English on request. Words live in
//! templates (the notifier's messages, the console's catalogs, the alert lines in
//! `core/templates/`); code only picks which language's template to render.

/// A language a reader reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Simplified Chinese, the default.
    #[default]
    ZhCn,
    /// English.
    En,
}

impl Lang {
    /// Both languages, for tests that check every template exists in each.
    pub const ALL: [Lang; 2] = [Lang::ZhCn, Lang::En];

    /// The BCP 47 tag, also the template folder's name.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The language of exactly this tag (`zh-CN` or `en`), as a profile stores it.
    pub fn parse(tag: &str) -> Option<Lang> {
        Self::ALL.into_iter().find(|l| l.tag() == tag)
    }

    /// Reads a language tag (or an `Accept-Language` header) leniently by its first tag: any
    /// `en…` is English, everything else Chinese.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::ZhCn
        }
    }
}

/// An empty template environment as every words-in-files template here expects it: a block
/// tag's own line leaves no blank line or indent behind. Callers add their embedded templates.
pub fn template_environment() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_only_when_asked_for_first() {
        assert_eq!(Lang::from_tag("en-US,en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_tag(" EN"), Lang::En);
        assert_eq!(Lang::from_tag("zh-CN,zh;q=0.9,en;q=0.8"), Lang::ZhCn);
        assert_eq!(Lang::from_tag(""), Lang::ZhCn);
        assert_eq!(Lang::En.tag(), "en");
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::ZhCn));
        assert_eq!(Lang::parse("en"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
    }
}
