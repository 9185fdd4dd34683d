//! An in-process SMTP server that keeps what it receives: the far end of a real SMTP
//! conversation for tests and for `microwish demo`. Written here rather than taken from
//! `mailin-embedded`: that crate does not build without its TLS feature, which brings a second
//! crypto backend (aws-lc) beside our ring, and it serves from threads it cannot stop.
//! Plain SMTP only (no TLS); AUTH is accepted and ignored. It can play an outage (`set_down`) and bounce one address (`reject_recipient`).

use std::collections::HashSet;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// Longest line we read; RFC 5321 allows 1000 octets, the slack is for sloppy clients.
const MAX_LINE: u64 = 64 * 1024;
/// Largest message we keep, so a runaway client cannot eat the process's memory.
const MAX_MESSAGE: usize = 10 * 1024 * 1024;

/// One message as it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedMail {
    /// The envelope sender (`MAIL FROM`).
    pub from: String,
    /// The envelope recipients (`RCPT TO`).
    pub to: Vec<String>,
    /// The message, headers and body, CRLF line ends, dot-unstuffed, without the final `.`.
    pub data: String,
}

impl CapturedMail {
    /// The decoded `Subject` header, as a mail client shows it.
    pub fn subject(&self) -> Option<String> {
        let parsed = mail_parser::MessageParser::default().parse(self.data.as_bytes())?;
        parsed.subject().map(str::to_string)
    }
}

#[derive(Default)]
struct Shared {
    messages: Vec<CapturedMail>,
    down: bool,
    rejected: HashSet<String>,
}

/// A running capture server; it stops when dropped.
pub struct SmtpCapture {
    addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    accept: JoinHandle<()>,
}

impl SmtpCapture {
    /// Starts a server on a free port of 127.0.0.1.
    pub async fn start() -> io::Result<SmtpCapture> {
        Self::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts a server on `addr` (the demo picks a fixed port).
    pub async fn bind(addr: SocketAddr) -> io::Result<SmtpCapture> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Mutex::new(Shared::default()));
        let accept = tokio::spawn(accept_loop(listener, shared.clone()));
        Ok(SmtpCapture { addr, shared, accept })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL to give an SMTP client, `smtp://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Everything received so far, oldest first.
    pub fn messages(&self) -> Vec<CapturedMail> {
        self.lock().messages.clone()
    }

    /// While down, new connections are greeted with 421 and closed, and open ones answer their
    /// next command with 421 and close — what a client sees from a server going away.
    pub fn set_down(&self, down: bool) {
        self.lock().down = down;
    }

    /// Answers `RCPT TO` for `addr` (case-insensitive) with 550 from now on.
    pub fn reject_recipient(&self, addr: &str) {
        self.lock().rejected.insert(addr.to_ascii_lowercase());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for SmtpCapture {
    fn drop(&mut self) {
        // Aborting the accept task drops its JoinSet, which aborts every open conversation.
        self.accept.abort();
    }
}

impl std::fmt::Debug for SmtpCapture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpCapture")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Mutex<Shared>>) {
    let mut conversations = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    conversations.spawn(converse(stream, shared.clone()));
                }
                Err(e) => tracing::warn!(error = %e, "smtp capture: accept failed"),
            },
            Some(_) = conversations.join_next(), if !conversations.is_empty() => {}
        }
    }
}

fn is_down(shared: &Mutex<Shared>) -> bool {
    shared.lock().unwrap_or_else(PoisonError::into_inner).down
}

/// One client connection, until QUIT, EOF or an error.
async fn converse(stream: TcpStream, shared: Arc<Mutex<Shared>>) -> io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    if is_down(&shared) {
        return write.write_all(b"421 4.3.2 service not available\r\n").await;
    }
    write.write_all(b"220 microwish-capture ESMTP ready\r\n").await?;
    let mut session = Session::default();
    let mut line = Vec::new();
    loop {
        line.clear();
        if (&mut read).take(MAX_LINE).read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        if !session.in_data() && is_down(&shared) {
            return write.write_all(b"421 4.3.2 service not available, closing\r\n").await;
        }
        let step = {
            let mut guard = shared.lock().unwrap_or_else(PoisonError::into_inner);
            let mut step = session.handle(&line, &|rcpt| guard.rejected.contains(&rcpt.to_ascii_lowercase()));
            // Kept before the 250 goes out, so a client that saw success finds its message here.
            guard.messages.extend(step.delivered.take());
            step
        };
        if let Some(reply) = step.reply {
            write.write_all(reply.as_bytes()).await?;
        }
        if step.close {
            return Ok(());
        }
    }
}

/// What the server does after one line.
#[derive(Debug, Default)]
struct Step {
    reply: Option<String>,
    close: bool,
    delivered: Option<CapturedMail>,
}

impl Step {
    fn reply(text: &str) -> Step {
        Step {
            reply: Some(format!("{text}\r\n")),
            ..Step::default()
        }
    }
}

/// The SMTP conversation's state, fed one line at a time; no I/O, so it is easy to follow.
#[derive(Debug, Default)]
struct Session {
    from: Option<String>,
    to: Vec<String>,
    data: Option<Vec<u8>>,
    /// Lines still expected by `AUTH LOGIN` (user, then password).
    auth_lines: u8,
}

impl Session {
    fn in_data(&self) -> bool {
        self.data.is_some()
    }

    fn handle(&mut self, line: &[u8], rejects: &dyn Fn(&str) -> bool) -> Step {
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
fn path(arg: &str, keyword: &str) -> Option<String> {
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
