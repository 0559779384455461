import StrataCore
import StrataWire

/// Document metadata between the wire's repeated `KeyValue` and the store's validated form.
extension DocumentMetadata {
    /// Validates wire pairs (limits, repeated keys); errors name `field` and the pair.
    /// The strings are valid UTF-8 already: the wire decoder refuses anything else.
    init(wire pairs: [KeyValue], field: String) throws(StrataError) {
        try self.init(validating: pairs.map { (key: $0.key, value: $0.value) }, field: field)
    }

    /// The pairs as the wire carries them (sorted by key).
    var wire: [KeyValue] { pairs.map { KeyValue(key: $0.key, value: $0.value) } }
}
