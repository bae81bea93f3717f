//! The frame ids a stream has sent (or its replay read), so that a frame handed over again is
//! sent once. Frames reach a stream in the order the relay numbered them, except an event the
//! relay published again (it could not record it sent: its process died, a confirm was lost),
//! which comes again under the same number, possibly after a whole batch. A window of the last
//! `WINDOW` numbers below the highest one seen holds one bit each (128 bytes a stream, however
//! many frames pass): a number in it is sent once; a number older than it is sent (a duplicate
//! is better than a loss, and the relay's batches are shorter than the window).

/// How far below the highest number seen a number is still remembered.
pub const WINDOW: i64 = 1024;
/// The window's bits, 64 a word.
const WORDS: usize = 16;
const _: () = assert!(64 * WORDS as u64 == WINDOW.unsigned_abs());
const _: () = assert!(crate::config::OUTBOX_BATCH_MAX as i64 <= WINDOW);

/// The numbers seen, as a ring of bits indexed by the number modulo `WINDOW`.
#[derive(Debug, Default)]
pub struct Sent {
    highest: Option<i64>,
    bits: [u64; WORDS],
}

impl Sent {
    fn slot(id: i64) -> (usize, u64) {
        let at = usize::try_from(id.rem_euclid(WINDOW)).expect("below WINDOW");
        (at / 64, 1 << (at % 64))
    }

    /// Records `id`; false when it was recorded before (the frame was sent: drop it).
    pub fn first_time(&mut self, id: i64) -> bool {
        let Some(highest) = self.highest.filter(|h| id <= *h) else {
            self.advance(id);
            return true;
        };
        if highest - id >= WINDOW {
            return true;
        }
        let (word, bit) = Self::slot(id);
        let fresh = self.bits[word] & bit == 0;
        self.bits[word] |= bit;
        fresh
    }

    /// Moves the window's top to `id` (above the highest seen), forgetting the numbers it
    /// leaves behind and recording `id`.
    fn advance(&mut self, id: i64) {
        match self.highest {
            Some(highest) if id - highest < WINDOW => {
                for skipped in highest + 1..id {
                    let (word, bit) = Self::slot(skipped);
                    self.bits[word] &= !bit;
                }
            }
            _ => self.bits = [0; WORDS],
        }
        let (word, bit) = Self::slot(id);
        self.bits[word] |= bit;
        self.highest = Some(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_number_passes_once_in_order_or_out_of_it() {
        let mut sent = Sent::default();
        assert!((1..=10).all(|id| sent.first_time(id)));
        assert!((1..=10).all(|id| !sent.first_time(id)), "a batch published again is dropped");
        // A number the stream never had (a frame refused by the broker, published again after
        // later ones) passes once.
        assert!(sent.first_time(20));
        assert!(sent.first_time(15));
        assert!(!sent.first_time(15));
        assert!(!sent.first_time(20));
        assert!(sent.first_time(16), "the numbers skipped by a jump are not taken for seen");
    }

    #[test]
    fn a_whole_batch_within_the_window_is_dropped_and_older_numbers_pass() {
        let mut sent = Sent::default();
        assert!((1..=WINDOW).all(|id| sent.first_time(id)));
        assert!((1..=WINDOW).all(|id| !sent.first_time(id)), "the window holds every number below the top");
        assert!(sent.first_time(WINDOW + 1));
        assert!(sent.first_time(1), "older than the window: sent rather than lost");
        // A jump wider than the window forgets everything before it.
        assert!(sent.first_time(10 * WINDOW));
        assert!(sent.first_time(10 * WINDOW - 1));
        assert!(!sent.first_time(10 * WINDOW - 1));
        assert!(sent.first_time(10 * WINDOW - 2));
    }

    #[test]
    fn a_slot_reused_by_a_later_number_is_cleared_first() {
        let mut sent = Sent::default();
        assert!(sent.first_time(5));
        // 5 + WINDOW takes 5's slot: 5 is now older than the window, and 5 + WINDOW is fresh.
        assert!(sent.first_time(5 + WINDOW));
        assert!(!sent.first_time(5 + WINDOW));
        assert!(sent.first_time(6), "6 falls in the window again, never seen");
        assert!(!sent.first_time(6));
    }
}
