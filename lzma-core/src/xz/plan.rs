//! Where blocks end and which filter chain each uses: xz's rules for `--block-size` and
//! `--block-list` (with a chain number per list entry, `--filters1..9`), shared by the
//! single-threaded [`XzEncoder`](super::XzEncoder) and the threaded
//! [`XzEncoderMt`](crate::mt::XzEncoderMt).

use crate::filter::Filter;
use crate::{Error, Result};

/// The block layout in progress: the size limit of the current block and its filter chain.
#[derive(Debug)]
pub(crate) struct BlockPlan {
    /// Filter chains by number (0..=9); only the used ones are set.
    chains: Vec<Option<Vec<Filter>>>,
    /// The chain number of each `block_list` entry.
    list_chains: Vec<usize>,
    /// `--block-list` sizes, 0 ("the rest") stored as `u64::MAX`.
    block_list: Vec<u64>,
    /// `--block-size` (or the threaded layout's size): no block is larger.
    block_size: Option<u64>,
    list_pos: usize,
    /// What is left of the current list entry after the current block, when the entry is
    /// larger than `block_size`.
    next_remaining: u64,
    /// Bytes the current block may still take (`u64::MAX`: no limit).
    pub(crate) remaining: u64,
    /// The filter chain of the current block.
    pub(crate) filters: Vec<Filter>,
}

impl BlockPlan {
    /// The plan at the start of a stream: `list_chains[i]` names the chain of
    /// `block_list[i]` (chain 0 without a list).
    pub(crate) fn new(
        chains: Vec<Option<Vec<Filter>>>,
        list_chains: Vec<usize>,
        block_list: &[u64],
        block_size: Option<u64>,
    ) -> Result<Self> {
        let first = list_chains.first().copied().unwrap_or(0);
        let filters = chains
            .get(first)
            .cloned()
            .flatten()
            .ok_or(Error::Misuse("first chain missing"))?;
        let mut plan = BlockPlan {
            chains,
            list_chains,
            block_list: block_list.iter().map(|&s| if s == 0 { u64::MAX } else { s }).collect(),
            block_size,
            list_pos: 0,
            next_remaining: 0,
            remaining: block_size.unwrap_or(u64::MAX),
            filters,
        };
        if let Some(&first) = plan.block_list.first() {
            if plan.remaining < first {
                plan.next_remaining = first - plan.remaining;
            } else {
                plan.remaining = first;
            }
        }
        Ok(plan)
    }

    /// After a block ended at its limit, the limit (and chain) of the next one (xz's
    /// `split_block`).
    pub(crate) fn next_block(&mut self) {
        if self.block_list.is_empty() {
            if let Some(bs) = self.block_size {
                self.remaining = bs;
            }
            return;
        }
        let bs = self.block_size.unwrap_or(u64::MAX);
        if self.next_remaining > 0 {
            self.remaining = self.next_remaining.min(bs);
            self.next_remaining -= self.remaining;
            return;
        }
        if self.list_pos + 1 < self.block_list.len() {
            self.list_pos += 1;
            let n = self.list_chains.get(self.list_pos).copied().unwrap_or(0);
            if let Some(Some(c)) = self.chains.get(n) {
                self.filters = c.clone();
            }
        }
        self.remaining = self.block_list[self.list_pos];
        if self.remaining > bs {
            self.next_remaining = self.remaining - bs;
            self.remaining = bs;
        }
    }

    /// A block ended before its limit after `used` bytes (flush or finish). With a block
    /// list the next block gets what is left of the current entry, so the list stays
    /// aligned with the input; otherwise it starts a fresh `block_size`.
    pub(crate) fn early_end(&mut self, used: u64) {
        if self.remaining == u64::MAX {
            return;
        }
        if self.block_list.is_empty() {
            self.remaining = self.block_size.unwrap_or(u64::MAX);
        } else {
            self.remaining -= used;
            if self.remaining == 0 {
                self.next_block();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LzmaOptions;

    #[test]
    fn list_entries_split_at_the_block_size_and_switch_chains() {
        let lz = |l| vec![Filter::Lzma2(LzmaOptions::preset(l, false).unwrap())];
        let mut chains = vec![None; 10];
        chains[0] = Some(lz(0));
        chains[1] = Some(lz(1));
        let mut p = BlockPlan::new(chains, vec![1, 0, 1], &[250, 30, 0], Some(100)).unwrap();
        let mut seen = vec![(p.remaining, p.filters == lz(1))];
        for _ in 0..5 {
            p.next_block();
            seen.push((p.remaining, p.filters == lz(1)));
        }
        assert_eq!(
            seen,
            [(100, true), (100, true), (50, true), (30, false), (100, true), (100, true)]
        );
        // A flush 10 bytes into an entry leaves the rest of it to the next block.
        p.early_end(10);
        assert_eq!(p.remaining, 90);
    }
}
