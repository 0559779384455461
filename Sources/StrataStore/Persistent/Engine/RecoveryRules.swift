/// The persistent tier's recovery rules, applied by `PersistentTier.open` in this order.
///
/// | found on open | what it means | what is done | what must never happen |
/// |---|---|---|---|
/// | no MANIFEST, directory empty | new store | create manifest (new random epoch) and WAL 1 | — |
/// | no MANIFEST, but WAL or segment files | the root was lost | open fails: `dataLoss` | guessing which files are live |
/// | MANIFEST with another format version | written by another build | open fails: `failedPrecondition`, both versions named | reading it with the wrong layout |
/// | MANIFEST checksum mismatch | damaged root | open fails: `dataLoss` | serving from a damaged root |
/// | `*.tmp` files | interrupted atomic write | removed | adopting a half-written file |
/// | segment not listed in MANIFEST | flush/compaction crashed before the manifest switch | removed | serving it (its data is still in the WAL or older segments) |
/// | WAL numbered below `walFirst` | crash after the manifest switch, before the delete | removed | replaying it twice |
/// | segment fails a check (header, footer, index, meta or any block checksum) | bit rot, torn file | moved to `quarantine/`, dropped from MANIFEST, epoch changed, listed in the report | serving any byte of it |
/// | segment with another format version | written by another build | open fails: `failedPrecondition` | quarantining good data of a newer build |
/// | only zeros after the last valid WAL frame, from inside the file's last 4 KiB block to its end | the padding of a direct-I/O append (the process stopped without `close`, which cuts it) | cut, counted in `walPaddingTrimmedBytes`; no copy, epoch kept | treating it as damage (it holds no frame) |
/// | WAL tail that is not a valid frame, and no valid frame after it | write torn by a crash; never acknowledged, because acknowledgement waits for fsync | whole file copied to `quarantine/`, WAL truncated at the last valid frame, epoch changed | keeping a half frame, or dropping an acknowledged frame |
/// | invalid WAL frame followed by a valid one | acknowledged data was damaged | open fails: `dataLoss` naming file and offsets | silently skipping acknowledged records |
/// | forget record (slot, sequence 0) in the WAL or a segment's meta | the slot was dropped (DROP) | replayed in order: the slot's documents, tombstones and sequence are removed; later records of the slot apply from empty | keeping any document of the slot written before the record |
/// | WAL file header bad | cannot happen by a crash (WAL files are created complete and renamed) | open fails: `dataLoss` | — |
///
/// At run time every read from disk verifies its checksum; a mismatch is `dataLoss` to the
/// caller, counted in `corruptReads`, and the bytes are never returned. The "torn tail"
/// rule assumes a crash keeps a prefix of the unsynced appends (true for a process crash,
/// where the page cache survives); a disk that reorders unsynced writes across a power cut
/// can make a torn tail look like mid-log corruption, which fails safe (open refuses).
/// Conversely, bit rot inside the very last frame is indistinguishable from a torn tail and
/// is cut like one (the copy in `quarantine/` keeps the bytes); telling them apart needs a
/// redundant frame header, which this format does not have yet.
public enum RecoveryRules {}
