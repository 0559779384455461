import StrataCore
import StrataEmbed
import StrataWire

/// What makes a namespace name, a document id and a namespace's settings acceptable.
/// Names become file and shared-memory names on workers, so path tricks are refused here.
enum NamespaceRules {
    static let maximumDimension: UInt32 = 8192
    static let maximumDocumentIDBytes = 1024

    static func validateName(_ name: String, field: String = "name") throws(StrataError) {
        guard (1...128).contains(name.utf8.count) else {
            throw .invalidArgument("\(field) must be 1 to 128 characters, got \(name.utf8.count)")
        }
        guard !name.hasPrefix("."), name.utf8.allSatisfy({ byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }) else {
            throw .invalidArgument("\(field) \"\(name)\" may hold only letters, digits, '.', '_' and '-', and must not start with '.'")
        }
    }

    /// Checks the request; returns the namespace's vector dimension (an embedder's model fixes it).
    @discardableResult
    static func validate(_ request: CreateNamespaceRequest) throws(StrataError) -> UInt32 {
        try validateName(request.name)
        var dimension = request.dimension
        if !request.embedder.isEmpty {
            let model = try EmbedderModel.named(request.embedder)
            guard request.dimension == 0 || request.dimension == UInt32(model.dimension) else {
                throw .invalidArgument("dimension \(request.dimension) does not match embedder \(model.id), whose vectors have \(model.dimension) (leave dimension 0)")
            }
            dimension = UInt32(model.dimension)
        }
        guard request.dimension <= maximumDimension else {
            throw .invalidArgument("dimension \(request.dimension) is above the maximum \(maximumDimension)")
        }
        let chars = request.chunkChars == 0 ? 1024 : request.chunkChars
        guard (64...65536).contains(chars) else {
            throw .invalidArgument("chunk_chars must be 64 to 65536, got \(chars)")
        }
        guard request.chunkOverlap < chars / 2 else {
            throw .invalidArgument("chunk_overlap (\(request.chunkOverlap)) must be under half of chunk_chars (\(chars))")
        }
        // Workers index vectors normalized (cosine) and do not learn a namespace's metric yet;
        // accepting METRIC_DOT would rank by the wrong similarity without saying so.
        guard request.metric == .cosine else {
            throw StrataError(.unimplemented, "metric \(request.metric) is not served yet: workers rank vectors by cosine similarity; create the namespace with metric cosine (normalize vectors yourself for dot-product order)")
        }
        return dimension
    }

    /// A document id: a relative path or name; no "..", no leading "/", no NUL, bounded.
    static func validateDocumentID(_ id: String) throws(StrataError) {
        guard !id.isEmpty else { throw .invalidArgument("document id is empty") }
        guard id.utf8.count <= maximumDocumentIDBytes else {
            throw .invalidArgument("document id is \(id.utf8.count) bytes; the maximum is \(maximumDocumentIDBytes)")
        }
        guard !id.hasPrefix("/"), !id.split(separator: "/", omittingEmptySubsequences: false).contains(".."),
              !id.utf8.contains(0) else {
            throw .invalidArgument("document id \"\(id)\" must be relative, without \"..\" segments or NUL")
        }
    }
}
