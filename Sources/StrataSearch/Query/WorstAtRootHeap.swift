/// The two sift steps of a binary heap kept in an array with its worst element at the root,
/// as `worse` orders them: the bounded top-k heaps (`TopKSelector`, `LexicalCandidateHeap`)
/// compare a newcomer with the root only, and replace it when the newcomer is better.
enum WorstAtRootHeap {
    /// Restores the order after an element was appended at `start`.
    @inline(__always)
    static func siftUp<Element>(_ heap: inout [Element], _ start: Int, worse: (Element, Element) -> Bool) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard worse(heap[child], heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Restores the order after the element at `start` was replaced by a better one.
    @inline(__always)
    static func siftDown<Element>(_ heap: inout [Element], _ start: Int, worse: (Element, Element) -> Bool) {
        var parent = start
        let n = heap.count
        while true {
            let left = 2 * parent + 1
            guard left < n else { return }
            var target = left
            if left + 1 < n, worse(heap[left + 1], heap[left]) { target = left + 1 }
            guard worse(heap[target], heap[parent]) else { return }
            heap.swapAt(target, parent)
            parent = target
        }
    }
}
