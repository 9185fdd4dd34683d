//! The console's cookies, read from `Cookie` and written as `Set-Cookie` by hand: four cookies
//! with fixed names and hex or tag values do not justify a cookie-jar dependency.

use poem::Request;

use microwish_core::Settings;

/// The console session token.
pub const SESSION: &str = "mw_console";
/// The QR ticket this browser is showing (only the browser that showed it may redeem it).
pub const TICKET: &str = "mw_ticket";
/// The CSRF token of the sign-in forms, before there is a session to derive one from.
pub const PRESESSION: &str = "mw_pre";
/// The chosen language.
pub const LANG: &str = "mw_lang";

/// The value of cookie `name`, if the request carries it.
pub fn get(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get_all(poem::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Whether cookies for this request get the Secure flag: per `console.secure_cookies`, and in
/// `auto` when the request came over TLS (directly, or as the proxy says in X-Forwarded-Proto).
pub fn secure(req: &Request, settings: &Settings) -> bool {
    match settings.console.secure_cookies.as_str() {
        "always" => true,
        "never" => false,
        _ => {
            req.scheme().as_str() == "https"
                || req
                    .headers()
                    .get("x-forwarded-proto")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.eq_ignore_ascii_case("https"))
        }
    }
}

/// A `Set-Cookie` value: HttpOnly (scripts never read a console cookie), SameSite=Lax (other
/// sites' forms and fetches do not carry it), Path=/console, Secure when asked.
pub fn set(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/console; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{secure}")
}

/// A `Set-Cookie` value that removes the cookie.
pub fn clear(name: &str, secure: bool) -> String {
    set(name, "", 0, secure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others() {
        let req = Request::builder()
            .header("cookie", "a=1; mw_console=abc; mw_lang=en")
            .finish();
        assert_eq!(get(&req, SESSION).as_deref(), Some("abc"));
        assert_eq!(get(&req, LANG).as_deref(), Some("en"));
        assert_eq!(get(&req, TICKET), None);
    }

    #[test]
    fn every_cookie_is_http_only_and_same_site() {
        let c = set(SESSION, "abc", 60, true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.ends_with("; Secure"));
        assert!(!set(SESSION, "abc", 60, false).contains("Secure"));
    }
}
