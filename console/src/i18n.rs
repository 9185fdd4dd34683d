//! zh-CN first, English on request: the language comes from the `mw_lang` cookie the switch in
//! the header sets. Every word a page shows is in `i18n/{zh-CN,en}.json`; a test keeps the two
//! catalogs' keys identical, and templates fail loudly on a missing key.

use poem::Request;
use serde_json::Value;

use crate::cookies;

/// A language the console speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// 简体中文, the default.
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The language of this request.
    pub fn of(req: &Request) -> Lang {
        match cookies::get(req, cookies::LANG).as_deref() {
            Some("en") => Lang::En,
            _ => Lang::Zh,
        }
    }

    /// The code in cookies and in `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The same language as the core names it, for lines the core renders (an alert's).
    pub fn core(self) -> microwish_core::Lang {
        match self {
            Lang::Zh => microwish_core::Lang::ZhCn,
            Lang::En => microwish_core::Lang::En,
        }
    }

    /// The language a code names, if it is one we speak.
    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "zh-CN" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// Both catalogs, parsed once at start.
pub struct Catalogs {
    zh: Value,
    en: Value,
}

impl Catalogs {
    /// Parses the embedded catalogs (a broken catalog is a build mistake: the tests catch it).
    pub fn load() -> Catalogs {
        let parse = |text: &str| serde_json::from_str(text).expect("the console's i18n catalogs are valid JSON");
        Catalogs {
            zh: parse(include_str!("../i18n/zh-CN.json")),
            en: parse(include_str!("../i18n/en.json")),
        }
    }

    /// The catalog of `lang`.
    pub fn of(&self, lang: Lang) -> &Value {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogs_have_the_same_keys_and_no_empty_text() {
        let c = Catalogs::load();
        let keys = |v: &Value| {
            let map = v.as_object().expect("a catalog is an object");
            assert!(map.values().all(|t| t.as_str().is_some_and(|s| !s.is_empty())));
            map.keys().cloned().collect::<Vec<_>>()
        };
        assert_eq!(keys(c.of(Lang::Zh)), keys(c.of(Lang::En)));
    }
}
