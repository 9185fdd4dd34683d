//! The email channel end to end: templates rendered, sent over a real SMTP conversation to
//! [`SmtpCapture`], and the captured MIME taken apart again (with a tiny decoder below, so the
//! assertions read what a mail client would show).

use microwish_core::NotificationKind::{self, *};
use microwish_notifier::channel::email::{CalendarPart, EmailChannel, EmailMessage, message_id};
use microwish_notifier::delivery::FailureClass;
use microwish_notifier::render::{Lang, Rendered, render, short_text};
use microwish_testkit::smtp::SmtpCapture;
use serde_json::json;

const COMMUNITY: &str = "幸福里社区";
const FROM: &str = "微心愿 <noreply@microwish.test>";

fn claimed_payload() -> serde_json::Value {
    json!({ "wish_id": 42, "title": "帮忙买菜", "status": "claimed", "grid_id": 3, "urgency": "normal", "category": "errand" })
}

fn email_to(to: &str, rendered: Rendered, calendar: Option<CalendarPart>) -> EmailMessage {
    EmailMessage {
        to: to.into(),
        to_name: Some("李阿姨".into()),
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        message_id: message_id(42),
        calendar,
    }
}

// ---- rendering ----

#[test]
fn chinese_is_the_default_and_names_the_wish() {
    let r = render(WishClaimed, Lang::default(), &claimed_payload(), COMMUNITY).unwrap();
    assert_eq!(r.subject, "【幸福里社区】您的心愿「帮忙买菜」已被认领");
    let expected = ["已有志愿者认领", "状态：已认领", "#42"];
    assert!(expected.iter().all(|e| r.text.contains(e)), "{}", r.text);
    assert!(r.html.contains("<strong>帮忙买菜</strong>") && r.html.contains("lang=\"zh-CN\""));
}

#[test]
fn english_is_available() {
    let r = render(WishFulfilled, Lang::En, &claimed_payload(), "Sunny Lane").unwrap();
    assert_eq!(r.subject, "[Sunny Lane] Your wish “帮忙买菜” is done, please confirm");
    assert!(
        r.text.contains("Please confirm") && r.text.starts_with("Hello,"),
        "{}",
        r.text
    );
    assert!(r.html.contains("lang=\"en\""));
    assert_eq!(Lang::from_tag("en-US"), Lang::En);
    assert_eq!(Lang::from_tag("zh-Hans"), Lang::ZhCn);
}

#[test]
fn html_escapes_user_text_and_text_keeps_it() {
    let payload = json!({ "title": "<script>alert(1)</script> & \"x\"", "category": "<b>" });
    let r = render(WishApproved, Lang::ZhCn, &payload, "A&B <社区>").unwrap();
    assert!(!r.html.contains("<script>") && !r.html.contains("<b>"), "{}", r.html);
    assert!(
        r.html
            .contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt; &amp; &quot;x&quot;"),
        "{}",
        r.html
    );
    assert!(r.html.contains("A&amp;B &lt;社区&gt;"));
    assert!(r.text.contains("<script>alert(1)</script>"));
}

#[test]
fn every_kind_renders_in_both_languages_even_with_an_empty_payload() {
    for lang in [Lang::ZhCn, Lang::En] {
        for kind in NotificationKind::ALL {
            for payload in [claimed_payload(), json!({}), json!({ "title": null, "wish_id": null })] {
                let r = render(kind, lang, &payload, COMMUNITY).unwrap_or_else(|e| panic!("{kind}: {e}"));
                assert!(
                    !r.subject.is_empty() && !r.subject.contains('\n'),
                    "{kind}: {:?}",
                    r.subject
                );
                for part in [&r.subject, &r.text, &r.html] {
                    assert!(
                        !part.contains("none") && !part.contains("{{"),
                        "{kind} {lang:?}: {part}"
                    );
                }
                assert!(r.html.contains(COMMUNITY) && r.text.contains(COMMUNITY));
            }
        }
    }
}

#[test]
fn kinds_without_wording_fall_back_and_titles_cannot_break_the_subject() {
    let broken = json!({ "title": "第一行\r\nBcc: x@y" });
    let r = render(GridAlert, Lang::ZhCn, &broken, COMMUNITY).unwrap();
    assert_eq!(r.subject, "【幸福里社区】心愿「第一行 Bcc: x@y」有新动态");
    let overdue = render(WishOverdue, Lang::ZhCn, &broken, COMMUNITY).unwrap();
    assert_eq!(
        overdue.subject,
        "【幸福里社区】您认领的心愿「第一行 Bcc: x@y」已超时，请尽快完成"
    );
}

#[test]
fn alerts_say_whether_the_wish_is_urgent() {
    let urgent = json!({ "title": "独居老人没开门", "urgency": "urgent", "grid_id": 7 });
    let r = render(Alert, Lang::ZhCn, &urgent, COMMUNITY).unwrap();
    assert!(r.subject.contains("紧急心愿") && r.text.contains("网格 7"), "{r:?}");
    let low = render(
        Alert,
        Lang::ZhCn,
        &json!({ "title": "修灯", "urgency": "normal" }),
        COMMUNITY,
    )
    .unwrap();
    assert!(low.subject.contains("需要关注"));
}

#[test]
fn short_texts_are_short() {
    assert_eq!(
        short_text(WishClaimed, Lang::ZhCn, &claimed_payload()),
        "您的心愿已被认领"
    );
    assert_eq!(
        short_text(WishClaimed, Lang::En, &claimed_payload()),
        "Your wish is claimed"
    );
    assert_eq!(
        short_text(Alert, Lang::ZhCn, &json!({ "urgency": "urgent" })),
        "紧急心愿，请尽快处理"
    );
    assert_eq!(
        short_text(WishOverdue, Lang::ZhCn, &json!(null)),
        "您认领的心愿已超时，请尽快完成"
    );
    for kind in NotificationKind::ALL {
        assert!(short_text(kind, Lang::ZhCn, &json!({})).chars().count() <= 20);
        assert!(short_text(kind, Lang::En, &json!({})).chars().count() <= 20);
    }
}

// ---- sending over SMTP ----

#[tokio::test]
async fn a_chinese_email_arrives_as_text_and_html_alternatives() {
    let capture = SmtpCapture::start().await.unwrap();
    let channel = EmailChannel::new(&capture.url(), FROM).unwrap();
    let rendered = render(WishClaimed, Lang::ZhCn, &claimed_payload(), COMMUNITY).unwrap();

    channel
        .send(&email_to("lily@example.com", rendered, None))
        .await
        .unwrap();

    let mails = capture.messages();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].from, "noreply@microwish.test");
    assert_eq!(mails[0].to, ["lily@example.com"]);
    let mail = mime::parse(&mails[0].data);
    assert!(
        mails[0].data.contains("=?utf-8?b?"),
        "the subject travels as an encoded-word"
    );
    assert_eq!(
        mime::decode_words(mail.header("Subject")),
        "【幸福里社区】您的心愿「帮忙买菜」已被认领"
    );
    assert_eq!(mail.header("Message-ID"), "<n42.email@microwish>");
    assert!(!mail.header("Date").is_empty());
    assert_eq!(
        mime::decode_words(mail.header("From")),
        "微心愿 <noreply@microwish.test>"
    );
    assert!(mime::decode_words(mail.header("To")).contains("<lily@example.com>"));
    assert!(mail.header("Content-Type").starts_with("multipart/alternative"));
    let parts = mail.parts();
    let types: Vec<_> = parts.iter().map(|p| p.header("Content-Type").to_string()).collect();
    assert_eq!(types, ["text/plain; charset=utf-8", "text/html; charset=utf-8"]);
    assert!(
        parts[0].text().contains("您的心愿「帮忙买菜」已有志愿者认领"),
        "{}",
        parts[0].text()
    );
    assert!(parts[1].text().contains("<strong>帮忙买菜</strong>"));
}

#[tokio::test]
async fn a_calendar_invitation_rides_beside_text_and_html() {
    let capture = SmtpCapture::start().await.unwrap();
    let channel = EmailChannel::new(&capture.url(), FROM).unwrap();
    let rendered = render(WishOverdue, Lang::ZhCn, &claimed_payload(), COMMUNITY).unwrap();
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:义诊活动\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    channel
        .send(&email_to(
            "lily@example.com",
            rendered,
            Some(CalendarPart::request(ics)),
        ))
        .await
        .unwrap();

    let mail = mime::parse(&capture.messages()[0].data);
    let parts = mail.parts();
    assert_eq!(parts.len(), 3);
    assert!(
        parts[2]
            .header("Content-Type")
            .eq_ignore_ascii_case("text/calendar; method=REQUEST; charset=UTF-8")
    );
    assert!(parts[2].text().contains("SUMMARY:义诊活动"), "{}", parts[2].text());
}

#[tokio::test]
async fn a_server_that_is_down_is_worth_retrying() {
    let capture = SmtpCapture::start().await.unwrap();
    let channel = EmailChannel::new(&capture.url(), FROM).unwrap();
    let msg = email_to(
        "lily@example.com",
        render(WishClaimed, Lang::ZhCn, &claimed_payload(), COMMUNITY).unwrap(),
        None,
    );
    channel.send(&msg).await.unwrap();

    capture.set_down(true);
    let failure = channel.send(&msg).await.unwrap_err();
    assert_eq!(failure.class, FailureClass::Retryable, "{failure:?}");
    assert!(failure.reason.contains("421"), "{}", failure.reason);

    capture.set_down(false);
    channel.send(&msg).await.unwrap();
    assert_eq!(capture.messages().len(), 2);
}

#[tokio::test]
async fn a_refused_connection_is_worth_retrying() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let channel = EmailChannel::new(&format!("smtp://{closed}"), FROM).unwrap();
    let msg = email_to(
        "lily@example.com",
        render(WishClaimed, Lang::ZhCn, &claimed_payload(), COMMUNITY).unwrap(),
        None,
    );

    let failure = channel.send(&msg).await.unwrap_err();

    assert_eq!(failure.class, FailureClass::Retryable, "{failure:?}");
}

#[tokio::test]
async fn a_rejected_recipient_is_permanent_and_not_named_in_the_reason() {
    let capture = SmtpCapture::start().await.unwrap();
    capture.reject_recipient("Gone@Example.com");
    let channel = EmailChannel::new(&capture.url(), FROM).unwrap();
    let msg = email_to(
        "gone@example.com",
        render(WishClaimed, Lang::ZhCn, &claimed_payload(), COMMUNITY).unwrap(),
        None,
    );

    let failure = channel.send(&msg).await.unwrap_err();

    assert_eq!(failure.class, FailureClass::Permanent, "{failure:?}");
    assert!(
        failure.reason.contains("550") && !failure.reason.contains("gone@"),
        "{}",
        failure.reason
    );
    assert!(capture.messages().is_empty());
}

#[tokio::test]
async fn bad_settings_fail_at_construction() {
    assert!(EmailChannel::new("ftp://example.com", FROM).is_err());
    let err = EmailChannel::new("smtp://127.0.0.1:25", "not a mailbox").unwrap_err();
    assert!(err.to_string().contains("email.from"), "{err}");
    assert!(EmailChannel::new("smtps://smtp.example.com", FROM).is_ok());
    assert!(EmailChannel::new("smtp://smtp.example.com:587?tls=required", FROM).is_ok());
}

/// Just enough MIME to read back what lettre wrote: headers, one level of multipart, base64,
/// quoted-printable and RFC 2047 encoded-words.
mod mime {
    pub struct Entity {
        headers: Vec<(String, String)>,
        body: String,
    }

    pub fn parse(raw: &str) -> Entity {
        let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw, ""));
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.split("\r\n") {
            match (line.starts_with([' ', '\t']), headers.last_mut()) {
                (true, Some((_, value))) => value.push_str(line),
                _ => {
                    let (name, value) = line.split_once(':').expect("header line");
                    headers.push((name.to_string(), value.trim().to_string()));
                }
            }
        }
        let body = body.to_string();
        Entity { headers, body }
    }

    impl Entity {
        pub fn header(&self, name: &str) -> &str {
            self.headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map_or("", |(_, v)| v.as_str())
        }

        pub fn parts(&self) -> Vec<Entity> {
            let (_, boundary) = self.header("Content-Type").split_once("boundary=").expect("a boundary");
            let delimiter = format!("--{}", boundary.trim_matches('"'));
            self.body
                .split(&delimiter)
                .skip(1)
                .take_while(|chunk| !chunk.starts_with("--"))
                .map(|chunk| parse(chunk.trim_start_matches("\r\n")))
                .collect()
        }

        /// The body as text, transfer encoding undone.
        pub fn text(&self) -> String {
            let bytes = match self.header("Content-Transfer-Encoding").to_ascii_lowercase().as_str() {
                "base64" => base64(&self.body),
                "quoted-printable" => quoted_printable(&self.body),
                _ => self.body.clone().into_bytes(),
            };
            String::from_utf8(bytes).expect("utf-8 body")
        }
    }

    /// Replaces every `=?utf-8?b?…?=` / `=?utf-8?q?…?=` with its text; whitespace between two
    /// encoded-words is dropped, as RFC 2047 says.
    pub fn decode_words(value: &str) -> String {
        let mut out = String::new();
        let mut rest = value;
        let mut after_word = false;
        while let Some(start) = rest.find("=?") {
            let (before, word) = rest.split_at(start);
            if !(after_word && before.trim().is_empty()) {
                out.push_str(before);
            }
            let mut fields = word[2..].splitn(3, '?');
            let (_charset, encoding, tail) = (fields.next().unwrap(), fields.next().unwrap(), fields.next().unwrap());
            let end = tail.find("?=").expect("closed encoded-word");
            let bytes = match encoding {
                "b" | "B" => base64(&tail[..end]),
                _ => quoted_printable(&tail[..end].replace('_', " ")),
            };
            out.push_str(&String::from_utf8(bytes).expect("utf-8 word"));
            rest = &tail[end + 2..];
            after_word = true;
        }
        out.push_str(rest);
        out
    }

    fn base64(text: &str) -> Vec<u8> {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = Vec::new();
        let (mut acc, mut bits) = (0u32, 0);
        for c in text.bytes().filter(|c| ALPHABET.contains(c)) {
            let index = ALPHABET.iter().position(|&a| a == c).unwrap() as u32;
            acc = (acc << 6) | index;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
                acc &= (1 << bits) - 1;
            }
        }
        out
    }

    fn quoted_printable(text: &str) -> Vec<u8> {
        let text = text.replace("=\r\n", "");
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'=' && i + 2 < bytes.len() {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).expect("hex escape"));
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        out
    }
}
