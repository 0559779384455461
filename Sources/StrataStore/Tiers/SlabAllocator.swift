/// A slab allocator over a fixed number of equal pages: pure bookkeeping, no memory access.
///
/// Each page, when first needed, is given to one size class and cut into equal slots of that
/// class's size; an entry takes the smallest class that holds it. Because every slot of a class
/// is the same size, freeing never leaves holes that a later entry cannot use, so long runs of
/// mixed sizes do not fragment: the waste is bounded by the class spacing (25 %) plus at most
/// one partly used page per class. A page whose last slot is freed goes back to the common pool
/// and can serve any class, which is what stops memory from staying pinned to one class after
/// the size mix changes (memcached's "slab calcification").
///
/// Freed slots are reused last-in first-out, so a freed slot is the next one handed out.
struct SlabAllocator {
    /// Where an allocation lives: page, slot within the page, its class and its byte offset
    /// from the start of the page area.
    struct Address: Equatable {
        var page: Int
        var slot: Int
        var classIndex: Int
        var offset: Int
    }

    let pageSize: Int
    let pageCount: Int
    let classSizes: [Int]

    private var pageClass: [Int]
    private var pageFreeSlots: [[Int32]]
    private var pageLive: [Int]
    private var freePages: [Int]
    /// Per class, the pages that have at least one free slot.
    private var partialPages: [[Int]]
    /// Where each page sits in its class's `partialPages`, or -1.
    private var partialPosition: [Int]

    /// The smallest slot size; it must hold the warm tier's 48-byte entry header.
    static let minimumSlotSize = 64
    /// Slot sizes grow by this factor, which bounds the space lost to rounding up.
    static let growthFactor = 1.25
    static let alignment = 16

    /// The class sizes for a page size: 64, 80, 112, ... (×1.25, rounded to 16), then the page.
    static func sizeClasses(pageSize: Int) -> [Int] {
        var sizes: [Int] = []
        var size = minimumSlotSize
        while size < pageSize {
            sizes.append(size)
            let grown = Int((Double(size) * growthFactor).rounded(.up))
            size = max(size + alignment, (grown + alignment - 1) / alignment * alignment)
        }
        sizes.append(pageSize)
        return sizes
    }

    init(pageSize: Int, pageCount: Int) {
        self.pageSize = pageSize
        self.pageCount = pageCount
        self.classSizes = Self.sizeClasses(pageSize: pageSize)
        pageClass = Array(repeating: -1, count: pageCount)
        pageFreeSlots = Array(repeating: [], count: pageCount)
        pageLive = Array(repeating: 0, count: pageCount)
        freePages = Array((0..<pageCount).reversed())
        partialPages = Array(repeating: [], count: classSizes.count)
        partialPosition = Array(repeating: -1, count: pageCount)
    }

    /// The class for an entry of `byteCount` bytes; nil when larger than a page.
    func classIndex(for byteCount: Int) -> Int? {
        guard byteCount <= pageSize else { return nil }
        var low = 0
        var high = classSizes.count - 1
        while low < high {
            let mid = (low + high) / 2
            if classSizes[mid] >= byteCount { high = mid } else { low = mid + 1 }
        }
        return low
    }

    func slotsPerPage(classIndex: Int) -> Int { pageSize / classSizes[classIndex] }

    /// The class a page serves, or nil when the page is free.
    func classOfPage(_ page: Int) -> Int? { pageClass[page] >= 0 ? pageClass[page] : nil }

    var pagesInUse: Int { pageCount - freePages.count }
    var slotsInUse: Int { pageLive.reduce(0, +) }

    func address(page: Int, slot: Int) -> Address {
        let classIndex = pageClass[page]
        return Address(page: page, slot: slot, classIndex: classIndex, offset: page * pageSize + slot * classSizes[classIndex])
    }

    /// A slot for `byteCount` bytes, and whether a free page had to be given to its class (the
    /// caller then initializes that page). Nil when the class has no free slot and no page is free.
    mutating func allocate(byteCount: Int) -> (address: Address, assignedPage: Bool)? {
        guard let classIndex = classIndex(for: byteCount) else { return nil }
        var assigned = false
        if partialPages[classIndex].isEmpty {
            guard let page = freePages.popLast() else { return nil }
            assign(page: page, classIndex: classIndex)
            assigned = true
        }
        let page = partialPages[classIndex].last!
        let slot = Int(pageFreeSlots[page].removeLast())
        pageLive[page] += 1
        if pageFreeSlots[page].isEmpty { removeFromPartial(page) }
        return (address(page: page, slot: slot), assigned)
    }

    /// Frees a slot; returns true when its page became empty and went back to the common pool.
    @discardableResult
    mutating func free(_ address: Address) -> Bool {
        let page = address.page
        precondition(pageClass[page] == address.classIndex && pageLive[page] > 0, "SlabAllocator.free: slot not allocated")
        pageFreeSlots[page].append(Int32(address.slot))
        pageLive[page] -= 1
        if partialPosition[page] < 0 { addToPartial(page) }
        if pageLive[page] == 0 {
            release(page)
            return true
        }
        return false
    }

    // MARK: Rebuilding after a restart

    /// An allocator whose pages already hold entries (found valid on reopen): `usedSlots[page]`
    /// lists the live slots of each page given to `pageClasses[page]`. Pages with no live slot
    /// stay free.
    init(pageSize: Int, pageCount: Int, pageClasses: [Int: Int], usedSlots: [Int: [Int]]) {
        self.init(pageSize: pageSize, pageCount: pageCount)
        var taken = [Bool](repeating: false, count: pageCount)
        for (page, used) in usedSlots where !used.isEmpty {
            guard page >= 0, page < pageCount, let classIndex = pageClasses[page], classSizes.indices.contains(classIndex)
            else { continue }
            let slots = slotsPerPage(classIndex: classIndex)
            var live = [Bool](repeating: false, count: slots)
            for slot in used where slot >= 0 && slot < slots { live[slot] = true }
            pageClass[page] = classIndex
            pageFreeSlots[page] = (0..<Int32(slots)).reversed().filter { !live[Int($0)] }
            pageLive[page] = live.lazy.filter { $0 }.count
            taken[page] = true
            if !pageFreeSlots[page].isEmpty { addToPartial(page) }
        }
        freePages = (0..<pageCount).reversed().filter { !taken[$0] }
    }

    // MARK: Private

    private mutating func assign(page: Int, classIndex: Int) {
        pageClass[page] = classIndex
        // Reversed so that slot 0 is handed out first.
        pageFreeSlots[page] = (0..<Int32(slotsPerPage(classIndex: classIndex))).reversed()
        pageLive[page] = 0
        addToPartial(page)
    }

    private mutating func release(_ page: Int) {
        if partialPosition[page] >= 0 { removeFromPartial(page) }
        pageClass[page] = -1
        pageFreeSlots[page] = []
        pageLive[page] = 0
        freePages.append(page)
    }

    private mutating func addToPartial(_ page: Int) {
        let classIndex = pageClass[page]
        partialPosition[page] = partialPages[classIndex].count
        partialPages[classIndex].append(page)
    }

    private mutating func removeFromPartial(_ page: Int) {
        let classIndex = pageClass[page]
        let position = partialPosition[page]
        let last = partialPages[classIndex].removeLast()
        if last != page {
            partialPages[classIndex][position] = last
            partialPosition[last] = position
        }
        partialPosition[page] = -1
    }
}
