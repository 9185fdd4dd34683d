//! The SMTP conversation as a pure state machine: fed one line at a time, it answers with the
//! reply to send, whether to close, and a message once its DATA ends. No I/O, so it is easy to
//! follow and to test; the server in `smtp` does the reading and writing.

use super::{CapturedMail, MAX_MESSAGE};

/// What the server does after one line.
#[derive(Debug, Default)]
pub(super) struct Step {
    pub(super) reply: Option<String>,
    pub(super) close: bool,
    pub(super) delivered: Option<CapturedMail>,
}

impl Step {
    pub(super) fn reply(text: &str) -> Step {
        Step {
            reply: Some(format!("{text}\r\n")),
            ..Step::default()
        }
    }
}

/// The SMTP conversation's state, fed one line at a time; no I/O, so it is easy to follow.
#[derive(Debug, Default)]
pub(super) struct Session {
    from: Option<String>,
    to: Vec<String>,
    data: Option<Vec<u8>>,
    /// Lines still expected by `AUTH LOGIN` (user, then password).
    auth_lines: u8,
}

impl Session {
    pub(super) fn in_data(&self) -> bool {
        self.data.is_some()
    }

    pub(super) fn handle(&mut self, line: &[u8], rejects: &dyn Fn(&str) -> bool) -> Step {
        if let Some(data) = &mut self.data {
            return match line {
                b".\r\n" | b".\n" => self.finish_data(),
                _ => {
                    // Dot-stuffing: a leading "." was doubled by the client.
                    let line = line.strip_prefix(b".").unwrap_or(line);
                    if data.len() + line.len() <= MAX_MESSAGE {
                        data.extend_from_slice(line);
                    }
                    Step::default()
                }
            };
        }
        let text = String::from_utf8_lossy(line);
        let text = text.trim_end_matches(['\r', '\n']);
        if self.auth_lines > 0 {
            self.auth_lines -= 1;
            return match self.auth_lines {
                0 => Step::reply("235 2.7.0 accepted"),
                _ => Step::reply("334 UGFzc3dvcmQ6"),
            };
        }
        let (verb, arg) = text.split_once(' ').unwrap_or((text, ""));
        match verb.to_ascii_uppercase().as_str() {
            "EHLO" => {
                self.reset();
                Step::reply(
                    "250-microwish-capture\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-AUTH PLAIN LOGIN\r\n250 SIZE 10485760",
                )
            }
            "HELO" => {
                self.reset();
                Step::reply("250 microwish-capture")
            }
            "AUTH" if arg.to_ascii_uppercase().starts_with("LOGIN") => {
                // With an initial response the user name came already; only the password is left.
                if arg.trim().contains(' ') {
                    self.auth_lines = 1;
                    Step::reply("334 UGFzc3dvcmQ6")
                } else {
                    self.auth_lines = 2;
                    Step::reply("334 VXNlcm5hbWU6")
                }
            }
            "AUTH" if !arg.trim().contains(' ') => {
                // PLAIN without an initial response: the credentials come on the next line.
                self.auth_lines = 1;
                Step::reply("334 ")
            }
            "AUTH" => Step::reply("235 2.7.0 accepted"),
            "MAIL" => match path(arg, "FROM:") {
                Some(from) => {
                    self.reset();
                    self.from = Some(from);
                    Step::reply("250 2.1.0 ok")
                }
                None => Step::reply("501 5.5.4 syntax: MAIL FROM:<address>"),
            },
            "RCPT" => match (path(arg, "TO:"), &self.from) {
                (_, None) => Step::reply("503 5.5.1 MAIL first"),
                (None, _) => Step::reply("501 5.5.4 syntax: RCPT TO:<address>"),
                (Some(to), _) if rejects(&to) => Step::reply("550 5.1.1 recipient rejected"),
                (Some(to), _) => {
                    self.to.push(to);
                    Step::reply("250 2.1.5 ok")
                }
            },
            "DATA" if self.to.is_empty() => Step::reply("503 5.5.1 RCPT first"),
            "DATA" => {
                self.data = Some(Vec::new());
                Step::reply("354 end data with <CR><LF>.<CR><LF>")
            }
            "RSET" => {
                self.reset();
                Step::reply("250 2.0.0 ok")
            }
            "NOOP" => Step::reply("250 2.0.0 ok"),
            "VRFY" => Step::reply("252 2.1.5 cannot verify"),
            "QUIT" => Step {
                close: true,
                ..Step::reply("221 2.0.0 bye")
            },
            _ => Step::reply("502 5.5.2 command not implemented"),
        }
    }

    fn finish_data(&mut self) -> Step {
        let data = self.data.take().unwrap_or_default();
        let mail = CapturedMail {
            from: self.from.take().unwrap_or_default(),
            to: std::mem::take(&mut self.to),
            data: String::from_utf8_lossy(&data).into_owned(),
        };
        Step {
            delivered: Some(mail),
            ..Step::reply("250 2.0.0 queued")
        }
    }

    fn reset(&mut self) {
        self.from = None;
        self.to.clear();
        self.data = None;
    }
}

/// The address in `FROM:<a@b> BODY=8BITMIME`; `<>` (the null sender) is the empty string.
pub(super) fn path(arg: &str, keyword: &str) -> Option<String> {
    let head = arg.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = arg[keyword.len()..].trim_start();
    let inner = rest.strip_prefix('<')?;
    let end = inner.find('>')?;
    Some(inner[..end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(session: &mut Session, lines: &[&str]) -> Vec<Step> {
        lines
            .iter()
            .map(|l| session.handle(l.as_bytes(), &|to| to == "no@example.com"))
            .collect()
    }

    #[test]
    fn a_conversation_delivers_a_dot_unstuffed_message() {
        let mut s = Session::default();
        let steps = feed(
            &mut s,
            &[
                "EHLO me\r\n",
                "MAIL FROM:<a@example.com> BODY=8BITMIME\r\n",
                "RCPT TO:<b@example.com>\r\n",
                "DATA\r\n",
                "Subject: hi\r\n",
                "\r\n",
                "..leading dot\r\n",
                ".\r\n",
            ],
        );
        let codes: Vec<_> = steps
            .iter()
            .filter_map(|s| s.reply.as_deref())
            .map(|r| &r[..3])
            .collect();
        assert_eq!(codes, ["250", "250", "250", "354", "250"]);
        let mail = steps.last().and_then(|s| s.delivered.clone()).expect("delivered");
        assert_eq!(mail.from, "a@example.com");
        assert_eq!(mail.to, ["b@example.com"]);
        assert_eq!(mail.data, "Subject: hi\r\n\r\n.leading dot\r\n");
    }

    #[test]
    fn refuses_rejected_recipients_and_out_of_order_commands() {
        let mut s = Session::default();
        let steps = feed(
            &mut s,
            &[
                "RCPT TO:<b@example.com>\r\n",
                "MAIL FROM:<>\r\n",
                "RCPT TO:<no@example.com>\r\n",
                "DATA\r\n",
                "QUIT\r\n",
            ],
        );
        let codes: Vec<_> = steps
            .iter()
            .filter_map(|s| s.reply.as_deref())
            .map(|r| &r[..3])
            .collect();
        assert_eq!(codes, ["503", "250", "550", "503", "221"]);
        assert!(steps.last().is_some_and(|s| s.close));
    }

    #[test]
    fn auth_login_is_accepted_and_ignored() {
        let mut s = Session::default();
        let steps = feed(
            &mut s,
            &[
                "AUTH LOGIN\r\n",
                "dXNlcg==\r\n",
                "cGFzcw==\r\n",
                "AUTH PLAIN AHUAcA==\r\n",
            ],
        );
        let codes: Vec<_> = steps
            .iter()
            .filter_map(|s| s.reply.as_deref())
            .map(|r| &r[..3])
            .collect();
        assert_eq!(codes, ["334", "334", "235", "235"]);
    }
}
