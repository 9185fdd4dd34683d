//! The value rules of subscribe-message keywords, by prefix (`thing` ≤ 20 characters, `phrase` ≤ 5
//! Chinese characters only, `time` a 24-hour time, `number` digits, …): [`value_fits`] says whether
//! WeChat would take a value (the stub answers 47003 when not), [`shape_value`] makes a value fit.
//! Cutting keeps whole characters as a reader sees them (an emoji with its modifiers, a letter
//! with its accent), so no half-glyph is ever shown, and Latin text is cut between words.

use unicode_segmentation::UnicodeSegmentation;

/// The longest value a key accepts, in characters, or `None` when the key has no length rule
/// we enforce (time, date, amount, enum).
fn max_chars(key: &str, value: &str) -> Option<usize> {
    match prefix(key) {
        "thing" => Some(20),
        "number" | "letter" | "character_string" => Some(32),
        "symbol" | "phrase" => Some(5),
        "phone_number" => Some(17),
        "car_number" => Some(8),
        // Latin names get 20 letters, anything with Chinese gets 10 characters.
        "name" if value.is_ascii() => Some(20),
        "name" => Some(10),
        _ => None,
    }
}

fn prefix(key: &str) -> &str {
    key.trim_end_matches(|c: char| c.is_ascii_digit())
}

/// A CJK ideograph (the only thing a `phrase` value may hold).
fn is_chinese(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

/// Whether the characters of `value` are what the key's prefix allows.
fn well_formed(key: &str, value: &str) -> bool {
    let all = |ok: fn(char) -> bool| value.chars().all(ok);
    match prefix(key) {
        "phrase" => all(is_chinese),
        "number" => all(|c| c.is_ascii_digit() || c == '.') && value.chars().any(|c| c.is_ascii_digit()),
        "letter" => all(|c| c.is_ascii_alphabetic()),
        "character_string" => all(|c| c.is_ascii_graphic()),
        "phone_number" => all(|c| c.is_ascii_digit() || "+- ".contains(c)),
        // A 24-hour time, optionally with a date, `~` for a range: 2026-11-27 15:01, 15:01~17:00.
        "time" | "date" => {
            all(|c| c.is_ascii_digit() || "-:/ ~年月日".contains(c)) && value.chars().any(|c| c.is_ascii_digit())
        }
        _ => !value.chars().any(char::is_control),
    }
}

/// Whether WeChat would accept `value` for `key`: non-empty, made of what the prefix allows, and
/// within its length.
pub fn value_fits(key: &str, value: &str) -> bool {
    !value.trim().is_empty()
        && well_formed(key, value)
        && max_chars(key, value).is_none_or(|max| value.chars().count() <= max)
}

/// Makes `value` fit the rule of the template key's prefix: line breaks and other control
/// characters become spaces, runs of spaces one, a `phrase` keeps only its Chinese characters and
/// a `number` its digits; then it is cut to length, counting characters, never splitting one as
/// read (a `thing` that was cut ends in "…"). What is left may be empty — the caller supplies a
/// fallback then (see [`shape_value_or`]).
pub fn shape_value(key: &str, value: &str) -> String {
    let flat: String = value
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let kept: String = match prefix(key) {
        "phrase" => flat.chars().filter(|c| is_chinese(*c)).collect(),
        "number" => flat.chars().filter(|c| c.is_ascii_digit()).collect(),
        _ => flat,
    };
    let Some(max) = max_chars(key, &kept) else {
        return kept;
    };
    if kept.chars().count() <= max {
        return kept;
    }
    let ellipsis = prefix(key) == "thing";
    let room = if ellipsis { max - 1 } else { max };
    let mut cut = String::new();
    let mut next = None;
    for grapheme in kept.graphemes(true) {
        if cut.chars().count() + grapheme.chars().count() > room {
            next = grapheme.chars().next();
            break;
        }
        cut.push_str(grapheme);
    }
    // A `thing` of Latin text cut inside a word goes back to its start, when that keeps half the room.
    let in_word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let space = cut.rfind(' ').filter(|at| cut[..*at].chars().count() >= room / 2);
    if let (true, Some(space)) = (ellipsis && in_word(cut.chars().last()) && in_word(next), space) {
        cut.truncate(space);
    }
    let mut cut = cut.trim_end().to_string();
    if ellipsis {
        cut.push('…');
    }
    cut
}

/// [`shape_value`], or `fallback` shaped the same way when nothing of `value` is left (an empty
/// title, a phrase in another script): WeChat refuses empty values.
pub fn shape_value_or(key: &str, value: &str, fallback: &str) -> String {
    let shaped = shape_value(key, value);
    if value_fits(key, &shaped) {
        shaped
    } else {
        shape_value(key, fallback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_thing_is_cut_with_ellipsis_within_twenty_chars() {
        let long = "社区志愿者帮助独居老人买菜并送到家门口的心愿已经被认领了";
        let shaped = shape_value("thing1", long);
        assert_eq!(shaped.chars().count(), 20);
        assert!(shaped.ends_with('…'));
        assert!(value_fits("thing1", &shaped));
        assert!(!value_fits("thing1", long));
    }

    #[test]
    fn short_values_are_untouched() {
        assert_eq!(shape_value("thing3", "买菜"), "买菜");
        assert_eq!(shape_value("time2", "2026-11-27 15:01"), "2026-11-27 15:01");
    }

    #[test]
    fn limits_follow_the_key_prefix() {
        let long = "x".repeat(50);
        assert_eq!(shape_value("character_string4", &long).len(), 32);
        assert_eq!(shape_value("number1", &"7".repeat(50)).len(), 32);
        assert_eq!(shape_value("symbol1", &long).len(), 5);
        assert_eq!(shape_value("phone_number2", &long).len(), 17);
        assert_eq!(shape_value("car_number1", &long).len(), 8);
        assert_eq!(shape_value("phrase5", "一二三四五六七").chars().count(), 5);
    }

    #[test]
    fn names_count_chinese_and_latin_differently() {
        assert_eq!(shape_value("name1", "欧阳张王李赵钱孙周吴郑王").chars().count(), 10);
        let latin = "Alexandria Montgomery-Smith";
        assert_eq!(shape_value("name1", latin).chars().count(), 20);
    }

    #[test]
    fn cutting_never_splits_a_character_as_read() {
        assert_eq!(shape_value("symbol1", "¥¥¥¥¥¥¥"), "¥¥¥¥¥");
        // A family emoji is five chars joined: it goes whole or not at all.
        let family = "👨\u{200d}👩\u{200d}👧";
        let shaped = shape_value("thing1", &format!("{}{family}{family}", "买".repeat(15)));
        assert_eq!(shaped, format!("{}…", "买".repeat(15)));
        // An accent is a char of its own, kept with its letter.
        let accented = format!("{}e\u{301}tude", "a".repeat(18));
        assert_eq!(shape_value("thing1", &accented), format!("{}…", "a".repeat(18)));
    }

    #[test]
    fn what_wechat_refuses_is_reshaped_or_replaced() {
        assert!(!value_fits("time2", ""));
        assert!(!value_fits("thing1", "   "));
        assert!(!value_fits("phrase2", "Done"), "phrase takes Chinese only");
        assert!(!value_fits("number2", "12 wishes"));
        assert!(!value_fits("time3", "tomorrow"));
        assert!(value_fits("time3", "2026-11-27 15:01~17:00"));
        assert_eq!(shape_value("thing1", "买药\n快点\t\t谢谢"), "买药 快点 谢谢");
        assert_eq!(
            shape_value("thing1", "Help me carry the groceries upstairs"),
            "Help me carry the…"
        );
        assert_eq!(
            shape_value("thing1", "Supercalifragilisticexpialidocious"),
            "Supercalifragilisti…"
        );
        assert_eq!(shape_value("number2", "12 wishes"), "12");
        assert_eq!(shape_value_or("phrase2", "Done", "通知"), "通知");
        assert_eq!(shape_value_or("thing1", "\n \t", "社区通知"), "社区通知");
        assert_eq!(shape_value_or("thing1", "买药", "社区通知"), "买药");
    }
}
