import Testing
@testable import StrataStore

@Suite("Slab allocator")
struct SlabAllocatorTests {
    @Test("Size classes grow by at most 25 % (plus alignment) and end at the page size")
    func sizeClasses() {
        let sizes = SlabAllocator.sizeClasses(pageSize: 64 << 10)
        #expect(sizes.first == 64)
        #expect(sizes.last == 64 << 10)
        for (small, large) in zip(sizes, sizes.dropFirst()) {
            #expect(large > small)
            #expect(large <= Int(Double(small) * 1.25) + 32)
        }
    }

    @Test("An entry takes the smallest class that holds it; larger than a page is refused")
    func classChoice() {
        let slab = SlabAllocator(pageSize: 64 << 10, pageCount: 4)
        for size in [1, 64, 65, 100, 1000, 5000, 64 << 10] {
            let index = slab.classIndex(for: size)!
            #expect(slab.classSizes[index] >= size)
            if index > 0 { #expect(slab.classSizes[index - 1] < size) }
        }
        #expect(slab.classIndex(for: (64 << 10) + 1) == nil)
    }

    @Test("A freed slot is the next one handed out for its class")
    func reuseFreedSlot() {
        var slab = SlabAllocator(pageSize: 64 << 10, pageCount: 4)
        let addresses = (0..<10).map { _ in slab.allocate(byteCount: 200)!.address }
        slab.free(addresses[4])
        let reused = slab.allocate(byteCount: 200)!
        #expect(reused.address == addresses[4])
        #expect(slab.pagesInUse == 1)
    }

    @Test("An emptied page returns to the pool and can serve another class")
    func pageReturnsToPool() {
        var slab = SlabAllocator(pageSize: 64 << 10, pageCount: 1)
        let small = slab.allocate(byteCount: 100)!
        #expect(small.assignedPage)
        let noRoom = slab.allocate(byteCount: 10_000)
        #expect(noRoom == nil)
        let released = slab.free(small.address)
        #expect(released)
        let large = slab.allocate(byteCount: 10_000)!
        #expect(large.assignedPage)
        #expect(large.address.page == small.address.page)
    }

    @Test("Long runs of mixed sizes stay within the pages and reuse slots")
    func mixedChurn() {
        var slab = SlabAllocator(pageSize: 64 << 10, pageCount: 64)
        var rng = SeededGenerator(seed: 9)
        var live: [SlabAllocator.Address] = []
        var peakSlots = 0
        for _ in 0..<20_000 {
            if live.count > 300 || (Bool.random(using: &rng) && !live.isEmpty) {
                slab.free(live.remove(at: Int.random(in: 0..<live.count, using: &rng)))
            } else if let allocation = slab.allocate(byteCount: Int.random(in: 48...8000, using: &rng)) {
                live.append(allocation.address)
            }
            peakSlots = max(peakSlots, slab.slotsInUse)
        }
        #expect(slab.slotsInUse == live.count)
        #expect(peakSlots <= 301)
        #expect(slab.pagesInUse <= 64)
        for address in live { slab.free(address) }
        #expect(slab.pagesInUse == 0)
    }

    @Test("Rebuilding from a page table keeps the used slots and frees the rest")
    func rebuild() {
        var slab = SlabAllocator(
            pageSize: 64 << 10, pageCount: 3, pageClasses: [0: 5, 2: 0], usedSlots: [0: [0, 2], 2: []])
        #expect(slab.pagesInUse == 1)
        #expect(slab.classOfPage(2) == nil)
        let next = slab.allocate(byteCount: slab.classSizes[5])!
        #expect(next.address.page == 0 && next.address.slot == 1)
    }
}
