import ArgumentParser
import Foundation
import StrataCLIOptions
import StrataRPC
import StrataWire

/// `strata token create|revoke|list`: the coordinator's client tokens (scope `admin`;
/// docs/security.md). A new token's secret is printed once.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, revoke and list client tokens (needs an admin token).",
        subcommands: [Create.self, Revoke.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Issue a token and print it once.",
            discussion: "Scopes: admin, metrics, read:NS, write:NS, read:*, write:* (repeat --scope or separate with commas).")

        @Option(help: "Name of the token (1-64 letters, digits, '.', '_', '-').") var name: String
        @Option(help: "A scope; repeatable, or comma-separated.") var scope: [String]
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: CoordinatorOptions

        func run() async throws {
            let scopes = scope.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            do {
                let created = try CreateTokenResponse(serializedBytes: await options.channel().unary(
                    MethodPath.tokensCreate, CreateTokenRequest(name: name, scopes: scopes).serializedBytes(), options: options.callOptions))
                if json {
                    print(TokenCommand.json(["name": created.token.name, "scopes": created.token.scopes, "token": created.secret]))
                } else {
                    print(created.secret)
                    FileHandle.standardError.write(Data("token \(created.token.name) (\(created.token.scopes.joined(separator: ","))) created; it is shown only now\n".utf8))
                }
            } catch {
                throw CLIFailure.exit(error, context: "token create \(name)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token; it stops working at once.")

        @Argument(help: "Name of the token.") var name: String
        @OptionGroup var options: CoordinatorOptions

        func run() async throws {
            do {
                let revoked = try TokenInfo(serializedBytes: await options.channel().unary(
                    MethodPath.tokensRevoke, RevokeTokenRequest(name: name).serializedBytes(), options: options.callOptions))
                print("revoked \(revoked.name)")
            } catch {
                throw CLIFailure.exit(error, context: "token revoke \(name)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List tokens (names and scopes; never secrets).")

        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: CoordinatorOptions

        func run() async throws {
            do {
                let listed = try ListTokensResponse(serializedBytes: await options.channel().unary(
                    MethodPath.tokensList, ListTokensRequest().serializedBytes(), options: options.callOptions))
                if json {
                    print(TokenCommand.json(listed.tokens.map {
                        ["name": $0.name, "scopes": $0.scopes, "created_unix": $0.createdUnix, "revoked_unix": $0.revokedUnix] as [String: Any]
                    }))
                    return
                }
                let rows = listed.tokens.map { token in
                    [token.name, token.scopes.joined(separator: ","), TokenCommand.date(token.createdUnix),
                     token.revokedUnix == 0 ? "active" : "revoked " + TokenCommand.date(token.revokedUnix)]
                }
                print(Table.render(header: ["NAME", "SCOPES", "CREATED", "STATE"], rows: rows))
            } catch {
                throw CLIFailure.exit(error, context: "token list")
            }
        }
    }

    static func date(_ unix: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(unix)))
    }

    static func json(_ value: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
