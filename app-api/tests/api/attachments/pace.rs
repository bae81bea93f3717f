//! Uploads are held to a pace, not to the request timeout: a file that keeps coming is taken
//! however long it takes, one that trickles below `UPLOAD_MIN_BYTES_PER_SECOND` is cut off.

use std::time::Duration;

use super::{BOUNDARY, post_form, ticket_of};
use crate::tickets::Desk;

/// A multipart body with one text file of `chunks` parts of `chunk` bytes, one part every
/// `every`: a client on a slow line.
fn slow_body(chunks: usize, chunk: usize, every: Duration) -> reqwest::Body {
    let head = format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.txt\"\r\n\r\n")
        .into_bytes();
    let tail = format!("\r\n--{BOUNDARY}--\r\n").into_bytes();
    let mut line = vec![b'a'; chunk - 1];
    line.push(b'\n');
    let pieces = std::iter::once(head).chain(std::iter::repeat_n(line, chunks)).chain(std::iter::once(tail));
    let paced = futures_util::stream::unfold((pieces, tokio::time::interval(every)), |(mut pieces, mut ticks)| async {
        let piece = pieces.next()?;
        ticks.tick().await;
        Some((Ok::<_, std::io::Error>(piece), (pieces, ticks)))
    });
    reqwest::Body::wrap_stream(paced)
}

async fn desk(request_timeout_seconds: u64) -> Desk {
    Desk::open_with(|c| {
        c.http.request_timeout = Duration::from_secs(request_timeout_seconds);
        c.http.body_timeout = Duration::from_secs(1);
        c.attachments.min_bytes_per_second = 1000;
    })
    .await
}

/// 2.5 s of upload at 4,000 bytes a second, on a replica whose requests time out after 1 s.
#[tokio::test]
async fn an_upload_that_keeps_its_pace_outlasts_the_request_timeout() {
    let desk = desk(1).await;
    let customer = desk.member("customer").await;
    let ticket = ticket_of(&desk, &customer).await;

    let stored = post_form(&desk, &customer, ticket, slow_body(25, 400, Duration::from_millis(100))).await;
    assert_eq!(stored.status, 201, "{}", stored.body);
    assert_eq!(stored.json()["file_size"], 25 * 400);
    assert_eq!(desk.db.count("ticket_attachments").await, 1);
}

/// 500 bytes a second where 1,000 are required: 408 after the first window, nothing stored.
#[tokio::test]
async fn an_upload_that_trickles_below_its_pace_is_cut_off() {
    let desk = desk(30).await;
    let customer = desk.member("customer").await;
    let ticket = ticket_of(&desk, &customer).await;

    let cut = post_form(&desk, &customer, ticket, slow_body(30, 50, Duration::from_millis(100))).await;
    let problem = cut.assert_problem(408, "body_timeout");
    assert_eq!(problem["min_bytes"], 1000, "{problem}");
    assert_eq!(problem["window_seconds"], 1.0, "{problem}");
    assert!(problem["detail"].as_str().is_some_and(|d| d.contains("less than 1000 bytes in 1 s")), "{problem}");
    assert_eq!(desk.db.count("ticket_attachments").await, 0);
}
