//! Reading an event email the way a mail client does: the `text/calendar` part found and decoded
//! (base64 or quoted-printable, as the sender chose), then parsed by the `icalendar` crate's parser.

use microwish_testkit::smtp::CapturedMail;

/// The `text/calendar` part of a captured message, decoded.
pub fn calendar_part(mail: &CapturedMail) -> String {
    let data = &mail.data;
    let start = data.find("Content-Type: text/calendar").expect("a text/calendar part");
    let headers_end = start + data[start..].find("\r\n\r\n").unwrap();
    let headers = data[start..headers_end].to_ascii_lowercase();
    let body_start = headers_end + 4;
    let body_end = body_start + data[body_start..].find("\r\n--").unwrap();
    let body = &data[body_start..body_end];
    if headers.contains("base64") {
        String::from_utf8(base64(body)).unwrap()
    } else if headers.contains("quoted-printable") {
        String::from_utf8(quoted_printable(body)).unwrap()
    } else {
        body.to_string()
    }
}

fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let clean: Vec<u8> = text
        .bytes()
        .filter(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
        .collect();
    let mut out = Vec::new();
    for chunk in clean.chunks(4) {
        let n = chunk.iter().fold(0u32, |acc, &c| (acc << 6) | u32::from(value(c))) << (6 * (4 - chunk.len()));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len() - 1]);
    }
    out
}

fn quoted_printable(text: &str) -> Vec<u8> {
    let text = text.replace("=\r\n", "");
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() + 1 {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// What a calendar client reads from an invitation, through the `icalendar` crate's parser.
#[derive(Debug)]
pub struct Invitation {
    pub method: String,
    pub prodid: String,
    pub uid: String,
    pub sequence: u32,
    pub dtstart: String,
    pub organizer: String,
    pub attendee: String,
    pub rsvp: Option<String>,
}

pub fn parse(ics: &str) -> Invitation {
    let unfolded = icalendar::parser::unfold(ics);
    let cal = icalendar::parser::read_calendar(&unfolded).expect("a valid iCalendar object");
    let prop = |name: &str| {
        cal.properties
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.val.as_str().to_string())
            .unwrap_or_default()
    };
    let events: Vec<_> = cal.components.iter().filter(|c| c.name == "VEVENT").collect();
    assert_eq!(events.len(), 1, "one VEVENT");
    let ev = events[0];
    let val = |name: &str| {
        ev.find_prop(name)
            .map(|p| p.val.as_str().to_string())
            .unwrap_or_default()
    };
    let attendee = ev.find_prop("ATTENDEE").expect("an ATTENDEE");
    Invitation {
        method: prop("METHOD"),
        prodid: prop("PRODID"),
        uid: val("UID"),
        sequence: val("SEQUENCE").parse().unwrap(),
        dtstart: val("DTSTART"),
        organizer: val("ORGANIZER"),
        attendee: attendee.val.as_str().to_string(),
        rsvp: attendee
            .params
            .iter()
            .find(|p| p.key == "RSVP")
            .and_then(|p| p.val.as_ref().map(|v| v.as_str().to_string())),
    }
}
