import StrataCore

/// The byte layout of the warm tier's shared-memory object (format version 2). Pure geometry:
/// where things are, no memory access.
///
/// ```
/// [0, 4096)            header: magic "STRWARM1", version, header CRC32C, epoch, page size,
///                      page count, precision, class count, then the owner: the node id and
///                      the data directory of the store that attached it last
/// [4096, pagesOffset)  page table: one UInt32 per page, 0 = free, c + 1 = size class c
/// [pagesOffset, end)   pageCount pages of pageSize bytes, each cut into equal slots
/// ```
/// Header bytes: 0 magic UInt64, 8 version UInt32, 12 CRC32C UInt32 of [16, 4096), 16 epoch
/// UInt64, 24 page size UInt64, 32 page count UInt64, 40 precision UInt32, 44 class count
/// UInt32, 48 owner node length UInt32, 52 owner directory length UInt32, [64, 128) owner node
/// (UTF-8), [128, 4096) owner directory (UTF-8, absolute). Version 1 had no owner and a CRC
/// over [16, 48) only.
///
/// Memory follows data: the object has its full size but only the header, the page table and
/// the pages in use hold memory. A page is reserved (`posix_fallocate`) before its first use,
/// so a full tmpfs shows as a failed reservation instead of a SIGBUS on a later write, and its
/// memory is given back (a punched hole) when its last entry leaves.
/// A slot that holds an entry starts with a 48-byte header:
/// ```
/// 0 magic UInt32 ("WRME", written last)   4 CRC32C UInt32      8 access stamp UInt64
/// 16 key.high UInt64    24 key.low UInt64  32 tokens UInt32     36 text length UInt32
/// 40 dimension UInt32   44 precision UInt8 45 flags UInt8 (bit 0: has vector)
/// 48 text bytes, then the vector at the tier's precision (see TierVectorCodec)
/// ```
/// The CRC covers the epoch (as 8 little-endian bytes) followed by bytes [16, end of vector):
/// an entry written under another epoch never validates. The access stamp is left out so that
/// a hit (which rewrites it) does not have to recompute the checksum; a damaged stamp can only
/// misorder the LRU, never serve wrong content. Integers are native little-endian (x86-64,
/// arm64).
struct WarmRegionLayout: Equatable {
    /// "STRWARM1" read as a little-endian UInt64.
    static let magic: UInt64 = 0x314D_5241_5752_5453
    static let formatVersion: UInt32 = 2
    static let headerSize = 4096
    /// "WRME" read as a little-endian UInt32.
    static let entryMagic: UInt32 = 0x454D_5257

    enum Header {
        static let magic = 0
        static let version = 8
        static let checksum = 12
        static let epoch = 16
        static let pageSize = 24
        static let pageCount = 32
        static let precision = 40
        static let classCount = 44
        static let ownerNodeLength = 48
        static let ownerDirectoryLength = 52
        static let ownerNode = 64
        static let ownerNodeCapacity = 64
        static let ownerDirectory = 128
        static let ownerDirectoryCapacity = WarmRegionLayout.headerSize - 128
        /// The header CRC covers [epoch, checkedEnd): the geometry and the owner.
        static let checkedEnd = WarmRegionLayout.headerSize
    }

    enum Slot {
        static let magic = 0
        static let checksum = 4
        static let stamp = 8
        static let keyHigh = 16
        static let keyLow = 24
        static let tokens = 32
        static let textLength = 36
        static let dimension = 40
        static let precision = 44
        static let flags = 45
        static let headerSize = 48
        static let checkedStart = 16
        static let hasVectorFlag: UInt8 = 1
    }

    let pageSize: Int
    let pageCount: Int
    let classSizes: [Int]
    let pageTableOffset: Int
    let pagesOffset: Int
    let totalSize: Int

    /// The geometry for a tier's settings. Pages are 1/64 of the capacity rounded up to a power
    /// of two, between 64 KiB and 1 MiB, so that a page holds a large chunk (the largest entry
    /// the warm tier takes is one page) and a small tier still has many pages. The page count
    /// adds 1/8 of slack plus one page per size class over the byte capacity, so the slab's
    /// physical rounding rarely binds before the logical capacity does.
    init(settings: TierSettings) {
        var page = 64 << 10
        while page < (1 << 20) && page < settings.capacityBytes / 64 { page <<= 1 }
        pageSize = page
        classSizes = SlabAllocator.sizeClasses(pageSize: page)
        let capacity = max(settings.capacityBytes, 0)
        pageCount = (capacity + capacity / 8 + page - 1) / page + classSizes.count
        pageTableOffset = Self.headerSize
        pagesOffset = (Self.headerSize + 4 * pageCount + 4095) / 4096 * 4096
        totalSize = pagesOffset + pageCount * page
    }

    /// Byte offset in the region of page `page`.
    func pageOffset(_ page: Int) -> Int { pagesOffset + page * pageSize }

    /// Byte offset in the region of a slot at `offset` from the start of the page area.
    func slotOffset(_ pageAreaOffset: Int) -> Int { pagesOffset + pageAreaOffset }

    func pageTableEntry(_ page: Int) -> Int { pageTableOffset + 4 * page }

    static func precisionCode(_ precision: VectorPrecision) -> UInt32 {
        switch precision {
        case .float32: 0
        case .float16: 1
        case .int8: 2
        }
    }
}
