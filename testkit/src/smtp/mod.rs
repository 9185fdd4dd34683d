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

mod session;

use session::Session;

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

    /// The decoded plain-text body (whatever its transfer encoding), as a mail client shows it.
    pub fn text(&self) -> Option<String> {
        let parsed = mail_parser::MessageParser::default().parse(self.data.as_bytes())?;
        parsed.body_text(0).map(|t| t.into_owned())
    }

    /// The decoded HTML body.
    pub fn html(&self) -> Option<String> {
        let parsed = mail_parser::MessageParser::default().parse(self.data.as_bytes())?;
        parsed.body_html(0).map(|t| t.into_owned())
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
