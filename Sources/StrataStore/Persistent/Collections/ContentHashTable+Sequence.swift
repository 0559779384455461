import StrataCore

extension ContentHashTable: Sequence {
    typealias Element = (key: ContentHash, value: Value)

    /// Entries in slot order (unspecified, like `Dictionary`).
    struct Iterator: IteratorProtocol {
        fileprivate let table: ContentHashTable
        fileprivate var slot = 0

        mutating func next() -> Element? {
            while slot < table.capacity {
                defer { slot += 1 }
                if let entry = table.entry(at: slot) { return entry }
            }
            return nil
        }
    }

    func makeIterator() -> Iterator { Iterator(table: self) }

    var underestimatedCount: Int { count }

    /// The values, in the same order as the entries.
    var values: LazyMapSequence<ContentHashTable, Value> { lazy.map(\.value) }

    /// The keys, in the same order as the entries.
    var keys: LazyMapSequence<ContentHashTable, ContentHash> { lazy.map(\.key) }
}

extension ContentHashTable where Value == Void {
    /// Set use: adds `key`; returns false when it was already there.
    @discardableResult
    mutating func insert(_ key: ContentHash) -> Bool {
        if contains(key) { return false }
        updateValue((), forKey: key)
        return true
    }
}
