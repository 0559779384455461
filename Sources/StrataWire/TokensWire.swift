import CStrataProto
import StrataRPC

/// `strata.v1.TokenInfo`: one issued token, without its secret.
public struct TokenInfo: RPCMessage, Equatable {
    public var name: String
    public var scopes: [String]
    public var createdUnix: Int64
    /// 0 while the token is active.
    public var revokedUnix: Int64

    public init(name: String, scopes: [String], createdUnix: Int64, revokedUnix: Int64 = 0) {
        self.name = name
        self.scopes = scopes
        self.createdUnix = createdUnix
        self.revokedUnix = revokedUnix
    }

    static var codec: WireCodec<Strata__V1__TokenInfo> {
        WireCodec(name: "strata.v1.TokenInfo",
                  unpack: { strata__v1__token_info__unpack(nil, $0, $1) },
                  free: { strata__v1__token_info__free_unpacked($0, nil) },
                  size: { strata__v1__token_info__get_packed_size($0) },
                  pack: { strata__v1__token_info__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws { self = try Self.codec.decode(bytes, Self.read) }

    public func serializedBytes() -> [UInt8] { Self.codec.encode { Self.build(self, in: $0) } }

    static func build(_ info: TokenInfo, in arena: WireArena) -> Strata__V1__TokenInfo {
        var message = Strata__V1__TokenInfo()
        strata__v1__token_info__init(&message)
        message.name = arena.string(info.name)
        message.n_scopes = info.scopes.count
        message.scopes = arena.strings(info.scopes)
        message.created_unix = info.createdUnix
        message.revoked_unix = info.revokedUnix
        return message
    }

    static func read(_ message: Strata__V1__TokenInfo, at path: () -> String) throws -> TokenInfo {
        TokenInfo(name: try WireReader.string(message.name, at: WireReader.join(path, "name")),
                  scopes: try WireReader.strings(message.scopes, message.n_scopes, at: path, "scopes"),
                  createdUnix: message.created_unix, revokedUnix: message.revoked_unix)
    }
}

/// `strata.v1.CreateTokenRequest`.
public struct CreateTokenRequest: RPCMessage, Equatable {
    public var name: String
    public var scopes: [String]

    public init(name: String, scopes: [String]) {
        self.name = name
        self.scopes = scopes
    }

    static var codec: WireCodec<Strata__V1__CreateTokenRequest> {
        WireCodec(name: "strata.v1.CreateTokenRequest",
                  unpack: { strata__v1__create_token_request__unpack(nil, $0, $1) },
                  free: { strata__v1__create_token_request__free_unpacked($0, nil) },
                  size: { strata__v1__create_token_request__get_packed_size($0) },
                  pack: { strata__v1__create_token_request__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            CreateTokenRequest(name: try WireReader.string(message.name, at: WireReader.join(path, "name")),
                               scopes: try WireReader.strings(message.scopes, message.n_scopes, at: path, "scopes"))
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__CreateTokenRequest()
            strata__v1__create_token_request__init(&message)
            message.name = arena.string(name)
            message.n_scopes = scopes.count
            message.scopes = arena.strings(scopes)
            return message
        }
    }
}

/// `strata.v1.CreateTokenResponse`: the token's record and, once, its secret.
public struct CreateTokenResponse: RPCMessage, Equatable {
    public var token: TokenInfo
    public var secret: String

    public init(token: TokenInfo, secret: String) {
        self.token = token
        self.secret = secret
    }

    static var codec: WireCodec<Strata__V1__CreateTokenResponse> {
        WireCodec(name: "strata.v1.CreateTokenResponse",
                  unpack: { strata__v1__create_token_response__unpack(nil, $0, $1) },
                  free: { strata__v1__create_token_response__free_unpacked($0, nil) },
                  size: { strata__v1__create_token_response__get_packed_size($0) },
                  pack: { strata__v1__create_token_response__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            CreateTokenResponse(token: try WireReader.required(message.token, at: path, "token", TokenInfo.read),
                                secret: try WireReader.string(message.secret, at: WireReader.join(path, "secret")))
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__CreateTokenResponse()
            strata__v1__create_token_response__init(&message)
            message.token = arena.message(TokenInfo.build(token, in: arena))
            message.secret = arena.string(secret)
            return message
        }
    }
}

/// `strata.v1.RevokeTokenRequest`.
public struct RevokeTokenRequest: RPCMessage, Equatable {
    public var name: String

    public init(name: String) { self.name = name }

    static var codec: WireCodec<Strata__V1__RevokeTokenRequest> {
        WireCodec(name: "strata.v1.RevokeTokenRequest",
                  unpack: { strata__v1__revoke_token_request__unpack(nil, $0, $1) },
                  free: { strata__v1__revoke_token_request__free_unpacked($0, nil) },
                  size: { strata__v1__revoke_token_request__get_packed_size($0) },
                  pack: { strata__v1__revoke_token_request__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        name = try Self.codec.decode(bytes) { message, path in
            try WireReader.string(message.name, at: WireReader.join(path, "name"))
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__RevokeTokenRequest()
            strata__v1__revoke_token_request__init(&message)
            message.name = arena.string(name)
            return message
        }
    }
}

/// `strata.v1.ListTokensRequest` (no fields).
public struct ListTokensRequest: RPCMessage, Equatable {
    public init() {}

    static var codec: WireCodec<Strata__V1__ListTokensRequest> {
        WireCodec(name: "strata.v1.ListTokensRequest",
                  unpack: { strata__v1__list_tokens_request__unpack(nil, $0, $1) },
                  free: { strata__v1__list_tokens_request__free_unpacked($0, nil) },
                  size: { strata__v1__list_tokens_request__get_packed_size($0) },
                  pack: { strata__v1__list_tokens_request__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws { try Self.codec.decode(bytes) { _, _ in () } }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { _ in
            var message = Strata__V1__ListTokensRequest()
            strata__v1__list_tokens_request__init(&message)
            return message
        }
    }
}

/// `strata.v1.ListTokensResponse`.
public struct ListTokensResponse: RPCMessage, Equatable {
    public var tokens: [TokenInfo]

    public init(tokens: [TokenInfo]) { self.tokens = tokens }

    static var codec: WireCodec<Strata__V1__ListTokensResponse> {
        WireCodec(name: "strata.v1.ListTokensResponse",
                  unpack: { strata__v1__list_tokens_response__unpack(nil, $0, $1) },
                  free: { strata__v1__list_tokens_response__free_unpacked($0, nil) },
                  size: { strata__v1__list_tokens_response__get_packed_size($0) },
                  pack: { strata__v1__list_tokens_response__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        tokens = try Self.codec.decode(bytes) { message, path in
            try WireReader.messages(message.tokens, message.n_tokens, at: path, "tokens", TokenInfo.read)
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__ListTokensResponse()
            strata__v1__list_tokens_response__init(&message)
            message.n_tokens = tokens.count
            message.tokens = arena.messages(tokens.map { TokenInfo.build($0, in: arena) })
            return message
        }
    }
}
