//! The real `mlcat` binary as a child process, and a minimal HTTP client for it: for tests of
//! what only a process shows (a kill, start-up, the command line, its output, its memory).

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// A running `mlcat serve`, on a port it chose itself. (tokio's `process` feature is off in
/// this crate, so the child is a `std::process::Child`.)
pub struct Server {
    pub child: std::process::Child,
    pub addr: SocketAddr,
}

impl Server {
    pub async fn start(database_url: &str) -> Server {
        Server::start_with(database_url, &[]).await
    }

    /// `mlcat serve` on `database_url` with more arguments; its log (warnings and errors) goes
    /// to the test's stderr.
    pub async fn start_with(database_url: &str, args: &[&str]) -> Server {
        let child = serve_command(database_url, "127.0.0.1:0", args)
            .env("RUST_LOG", "warn")
            .spawn()
            .expect("start mlcat");
        Server::run(child).await
    }

    /// Waits until `child` (an `mlcat serve` with its stdout piped) is healthy at the address
    /// its banner names (`Health: http://127.0.0.1:PORT/health`).
    async fn run(mut child: std::process::Child) -> Server {
        let stdout = child.stdout.take().expect("stdout");
        // Owned by a `Server` from here on, so that a panic while waiting (a server that does
        // not start, or the other of two started together failing) kills it rather than
        // leaving it running after the test.
        let mut server = Server {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        let (found, bound) = tokio::sync::oneshot::channel();
        // The rest of stdout is read on, or a full pipe would stall the server.
        std::thread::spawn(move || {
            let mut found = Some(found);
            for line in std::io::BufRead::lines(std::io::BufReader::new(stdout)) {
                let Ok(line) = line else { break };
                let addr = line
                    .trim()
                    .strip_prefix("Health:")
                    .and_then(|url| url.trim().strip_prefix("http://"))
                    .and_then(|url| url.strip_suffix("/health"))
                    .and_then(|a| a.parse::<SocketAddr>().ok());
                if let Some(addr) = addr {
                    if let Some(found) = found.take() {
                        let _ = found.send(addr);
                    }
                }
            }
        });
        let addr = tokio::time::timeout(Duration::from_secs(60), bound)
            .await
            .expect("mlcat started within a minute")
            .expect("mlcat exited before serving");
        server.addr = addr;
        server.wait_healthy().await;
        server
    }

    pub async fn wait_healthy(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok((200, _)) = Http::new(self.addr).send("GET", "/health", b"").await {
                return;
            }
            assert!(Instant::now() < deadline, "mlcat is not healthy");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGKILL: no graceful shutdown, nothing flushed, as in a crash.
    pub fn kill(&mut self) {
        self.child.kill().expect("kill mlcat");
        let status = self.child.wait().expect("reap mlcat");
        assert!(!status.success(), "mlcat ended by itself: {status}");
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(status.signal(), Some(9), "mlcat was not killed: {status}");
        }
    }
}

/// `mlcat serve` on `database_url`, listening on `bind`, with more arguments; stdout piped.
fn serve_command(database_url: &str, bind: &str, args: &[&str]) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_mlcat"));
    command
        .args(["serve", "--database-url", database_url])
        .args(["--bind", bind])
        .args(args)
        .stdout(Stdio::piped());
    command
}

impl Drop for Server {
    /// A failed test leaves no server behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 client on one kept-alive connection: the dev-dependencies have no HTTP
/// client, and these tests need only JSON POSTs and GETs answered with a length or in chunks.
pub struct Http {
    addr: SocketAddr,
    conn: Option<BufReader<TcpStream>>,
}

impl Http {
    pub fn new(addr: SocketAddr) -> Http {
        Http { addr, conn: None }
    }

    /// Sends one request and answers the status and body; an error drops the connection.
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> std::io::Result<(u16, Vec<u8>)> {
        self.send_with(method, path, "content-type: application/json\r\n", body)
            .await
    }

    /// Sends one request with the given header lines (each ending in CRLF; the host and the
    /// length are added) and answers the status and body; an error drops the connection.
    pub async fn send_with(
        &mut self,
        method: &str,
        path: &str,
        headers: &str,
        body: &[u8],
    ) -> std::io::Result<(u16, Vec<u8>)> {
        let conn = match &mut self.conn {
            Some(conn) => conn,
            None => {
                let stream = TcpStream::connect(self.addr).await?;
                stream.set_nodelay(true)?;
                self.conn.insert(BufReader::new(stream))
            }
        };
        // One write for head and body: two small writes would wait on Nagle's algorithm.
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nhost: {}\r\n{headers}content-length: {}\r\n\r\n",
            self.addr,
            body.len()
        )
        .into_bytes();
        request.extend_from_slice(body);
        let exchange = async {
            conn.get_mut().write_all(&request).await?;
            read_response(conn).await
        };
        match tokio::time::timeout(Duration::from_secs(60), exchange).await {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(e)) => {
                self.conn = None;
                Err(e)
            }
            Err(_) => {
                self.conn = None;
                Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "no answer within 60 s",
                ))
            }
        }
    }
}

fn malformed(what: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string())
}

/// Reads one line of the head; the connection closing is an error.
async fn read_head_line(conn: &mut BufReader<TcpStream>) -> std::io::Result<String> {
    let mut line = String::new();
    if conn.read_line(&mut line).await? == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    Ok(line.trim_end().to_string())
}

async fn read_response(conn: &mut BufReader<TcpStream>) -> std::io::Result<(u16, Vec<u8>)> {
    let status_line = read_head_line(conn).await?;
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| malformed("status line"))?;
    let (mut length, mut chunked) = (None, false);
    loop {
        let line = read_head_line(conn).await?;
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(malformed("header"));
        };
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => {
                length = Some(value.trim().parse().map_err(|_| malformed("length"))?)
            }
            "transfer-encoding" => chunked = value.to_ascii_lowercase().contains("chunked"),
            _ => {}
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            let size_line = read_head_line(conn).await?;
            let size = usize::from_str_radix(size_line.split(';').next().unwrap_or("").trim(), 16)
                .map_err(|_| malformed("chunk size"))?;
            if size == 0 {
                while !read_head_line(conn).await?.is_empty() {}
                break;
            }
            let start = body.len();
            body.resize(start + size, 0);
            conn.read_exact(&mut body[start..]).await?;
            read_head_line(conn).await?;
        }
    } else {
        body.resize(length.unwrap_or(0), 0);
        conn.read_exact(&mut body).await?;
    }
    Ok((status, body))
}

/// What a finished `mlcat` command printed, and how it ended.
pub struct Finished {
    pub status: std::process::ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `mlcat ARGS` to the end (killed after 60 s) with the given environment added, and
/// answers its exit status, stdout and stderr.
pub fn run_mlcat(args: &[&str], env: &[(&str, &str)]) -> Finished {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mlcat"))
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start mlcat");
    let read = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = read(Box::new(child.stdout.take().expect("stdout")));
    let stderr = read(Box::new(child.stderr.take().expect("stderr")));
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for mlcat") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("mlcat {args:?} ran longer than 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Finished {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

/// A running `mlcat serve` whose stderr (its log, at the default level unless `RUST_LOG` is
/// given in `env`) is collected line by line.
pub struct LoggedServer {
    pub server: Server,
    lines: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl LoggedServer {
    pub async fn start(database_url: &str, args: &[&str], env: &[(&str, &str)]) -> LoggedServer {
        LoggedServer::start_bound(database_url, "127.0.0.1:0", args, env).await
    }

    /// The same, listening on `bind`.
    pub async fn start_bound(
        database_url: &str,
        bind: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> LoggedServer {
        let mut child = serve_command(database_url, bind, args)
            .env_remove("RUST_LOG")
            .envs(env.iter().copied())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start mlcat");
        let stderr = child.stderr.take().expect("stderr");
        let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)) {
                let Ok(line) = line else { break };
                sink.lock().expect("log lines").push(line);
            }
        });
        let server = Server::run(child).await;
        LoggedServer { server, lines }
    }

    /// The log lines so far.
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().expect("log lines").clone()
    }

    /// Waits (up to 10 s) for a log line that satisfies `wanted`, and answers it.
    pub async fn wait_for(&self, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(line) = self.lines().into_iter().find(|l| wanted(l)) {
                return line;
            }
            assert!(
                Instant::now() < deadline,
                "no such log line; the log:\n{}",
                self.lines().join("\n")
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
