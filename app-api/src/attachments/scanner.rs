//! The optional virus scan (`CLAMAV_ADDR`): each upload goes to clamd over its INSTREAM protocol
//! before anything is stored. It fails closed: when clamd cannot answer, uploads are refused.

use std::path::Path;
use std::time::Duration;

use clamav_client::tokio::Tcp;

/// How long one scan may take (a 20 MB archive takes well under a second on a loaded clamd).
const SCAN_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a readiness ping may take.
const PING_TIMEOUT: Duration = Duration::from_secs(2);

/// What clamd said of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    /// The signature clamd found.
    Infected(String),
}

/// clamd could not give a verdict.
#[derive(Debug, thiserror::Error)]
#[error("the virus scanner is unavailable: {0}")]
pub struct ScannerDown(pub String);

#[derive(Debug, Clone)]
pub struct Scanner {
    address: String,
}

impl Scanner {
    pub fn new(address: String) -> Self {
        Self { address }
    }

    fn connection(&self) -> Tcp<&str> {
        Tcp { host_address: self.address.as_str() }
    }

    pub async fn scan(&self, file: &Path) -> Result<Verdict, ScannerDown> {
        let answer = tokio::time::timeout(SCAN_TIMEOUT, clamav_client::tokio::scan_file(file, self.connection(), None))
            .await
            .map_err(|_| ScannerDown("the scan timed out".into()))?
            .map_err(|e| ScannerDown(e.to_string()))?;
        verdict(&answer)
    }

    /// Whether clamd answers `PING`.
    pub async fn ping(&self) -> Result<(), ScannerDown> {
        let answer = tokio::time::timeout(PING_TIMEOUT, clamav_client::tokio::ping(self.connection()))
            .await
            .map_err(|_| ScannerDown("no answer to PING".into()))?
            .map_err(|e| ScannerDown(e.to_string()))?;
        if answer == clamav_client::PONG { Ok(()) } else { Err(ScannerDown("an unexpected answer to PING".into())) }
    }
}

/// clamd's answer to INSTREAM: `stream: OK`, `stream: <signature> FOUND`, or an error (a stream
/// over its `StreamMaxLength`, a broken database), which is no verdict.
fn verdict(answer: &[u8]) -> Result<Verdict, ScannerDown> {
    let text = String::from_utf8_lossy(answer);
    let text = text.trim_end_matches(['\0', '\n']).trim();
    let result = text.strip_prefix("stream:").map_or(text, str::trim);
    if result == "OK" {
        Ok(Verdict::Clean)
    } else if let Some(signature) = result.strip_suffix(" FOUND") {
        Ok(Verdict::Infected(signature.trim().to_owned()))
    } else {
        Err(ScannerDown(format!("clamd answered {result:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamd_answers_are_read_strictly() {
        assert_eq!(verdict(b"stream: OK\0").unwrap(), Verdict::Clean);
        assert_eq!(
            verdict(b"stream: Eicar-Test-Signature FOUND\0").unwrap(),
            Verdict::Infected("Eicar-Test-Signature".into())
        );
        assert!(verdict(b"INSTREAM size limit exceeded. ERROR\0").is_err());
        assert!(verdict(b"").is_err());
        // An error that mentions OK is still an error.
        assert!(verdict(b"stream: lstat() failed: OK? ERROR\0").is_err());
    }
}
