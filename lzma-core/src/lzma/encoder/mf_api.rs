//! The view of the match finder that the LZMA encoder needs.
//!
//! The encoder is generic over this trait so that the match finder is called with static
//! dispatch and so that the parsers do not depend on how the window is stored.

pub(crate) use crate::lz::encoder::Match;

/// What the LZMA encoder asks of the match finder and its window (liblzma's `lzma_mf`).
pub(crate) trait MfView {
    /// Finds matches at the read position, stores them in increasing length, advances the
    /// read position and the read-ahead by one, and returns `(count, longest length)`.
    /// A longest match of `nice_len` is extended up to 273 bytes or the available data.
    fn find(&mut self, matches: &mut [Match]) -> (u32, u32);
    /// Runs `amount` positions through the match finder without searching, adding them to
    /// the read-ahead. Does nothing when `amount` is zero.
    fn skip(&mut self, amount: u32);
    /// Bytes from the read position to the end of the data in the window.
    fn avail(&self) -> u32;
    /// The read position, an index into [`MfView::buf`].
    fn read_pos(&self) -> u32;
    /// Bytes run through the match finder but not yet encoded.
    fn read_ahead(&self) -> u32;
    /// Sets the read-ahead.
    fn set_read_ahead(&mut self, n: u32);
    /// The position the match finder may read up to in this call.
    fn read_limit(&self) -> u32;
    /// The action in force for the data now in the window (`Run` until the caller flushes
    /// or finishes and all its input is in the window).
    fn action(&self) -> crate::Action;
    /// Whether the action in force is `Action::Run`.
    fn is_running(&self) -> bool {
        self.action() == crate::Action::Run
    }
    /// The window.
    fn buf(&self) -> &[u8];
    /// The nice length in force (at least the number of hashed bytes).
    fn nice_len(&self) -> u32;
    /// Bytes in the window not yet encoded (`avail + read_ahead`).
    fn unencoded(&self) -> u32 {
        self.avail() + self.read_ahead()
    }
    /// The position of the next byte to encode, as an index into [`MfView::buf`].
    fn position(&self) -> u32 {
        self.read_pos() - self.read_ahead()
    }
}
