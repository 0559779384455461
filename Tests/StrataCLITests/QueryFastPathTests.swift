import ArgumentParser
import Foundation
import StrataCLIOptions
import Testing
@testable import strata

/// `QueryFastPath` must read a command line exactly as ArgumentParser's `QueryCommand` does,
/// or leave it to ArgumentParser (nil), so that `strata query` behaves the same either way.
@Suite struct QueryFastPathTests {
    /// What ArgumentParser makes of `arguments` (after "query"): the invocation, or nil when
    /// it refuses them or asks for help.
    private func argumentParser(_ arguments: [String]) -> QueryInvocation? {
        guard let command = try? StrataCLI.parseAsRoot(arguments) as? QueryCommand else { return nil }
        return command.invocation
    }

    static let readByBoth: [[String]] = [
        ["query", "-n", "docs", "cache eviction"],
        ["query", "cache eviction", "--namespace", "docs"],
        ["query", "-n", "docs", "--budget", "512", "--coordinator", "127.0.0.1:7400", "cache eviction tier"],
        ["query", "--namespace=docs", "--budget=512", "--top-k=20", "--mode=hybrid", "x"],
        ["query", "-n", "docs", "--mode", "lexical", "--json", "--prefix", "notes/", "x"],
        ["query", "-n", "docs", "--where", "team=search", "--where", "lang=en=us", "--where=kind=a", "x"],
        ["query", "-n", "docs", "--timeout", "2.5", "--token", "secret", "--token-file", "/tmp/t", "x"],
        ["query", "-n", "docs", "--ca", "ca.pem", "--cert", "c.pem", "--key", "k.pem", "--coordinator", "a:1,b:2", "x"],
        ["query", "-n", "docs", "--timeout", "1e1", "--budget", "+7", "--mode", "vector", "x"],
        ["query", "-n", "", "--prefix", "", "x"],
        ["query", "-n", "docs", "x y z", "--json"],
    ]

    static let leftToArgumentParser: [[String]] = [
        ["query", "-n", "docs", "--help"],
        ["query", "-h"],
        ["query", "--help"],
        ["query", "-n", "docs"],
        ["query", "cache"],
        ["query", "-n", "docs", "a", "b"],
        ["query", "-n", "docs", "--mode", "bogus", "x"],
        ["query", "-n", "docs", " ", ],
        ["query", "-n", "docs", "--budget", "-1", "x"],
        ["query", "-n", "docs", "--budget", "lots", "x"],
        ["query", "-n", "docs", "--top-k", "99999999999", "x"],
        ["query", "-n", "docs", "--timeout", "soon", "x"],
        ["query", "-n", "docs", "--where", "novalue", "x"],
        ["query", "-n", "docs", "--where", "=v", "x"],
        ["query", "-n", "docs", "--where", "k=1", "--where", "k=2", "x"],
        ["query", "-n", "docs", "--unknown", "x"],
        ["query", "-n", "docs", "--budget", "1", "--budget", "2", "x"],
        ["query", "-n", "docs", "--json", "--json", "x"],
        ["query", "-n", "docs", "--json=true", "x"],
        ["query", "-n", "docs", "--", "-x"],
        ["query", "-n", "docs", "-"],
        ["query", "-ndocs", "x"],
        ["query", "-n=docs", "x"],
        ["query", "-n", "docs", "--prefix", "-p", "x"],
        ["query", "-n", "docs", "--prefix=", "x"],
        ["query", "-n", "docs", "--budget"],
        ["query", "-n", "docs", "x", "--version"],
        ["query", "-n", "docs", "x", "--generate-completion-script", "bash"],
        ["query", "-n", "docs", "x", "--experimental-dump-help"],
        ["status", "-n", "docs", "x"],
        ["--coordinator", "a:1", "query", "-n", "docs", "x"],
        [],
    ]

    @Test(arguments: readByBoth)
    func readsWhatArgumentParserReads(arguments: [String]) throws {
        let expected = try #require(argumentParser(arguments), "ArgumentParser refuses \(arguments)")
        #expect(QueryFastPath.parse(arguments) == expected)
    }

    @Test(arguments: leftToArgumentParser)
    func leavesTheRestToArgumentParser(arguments: [String]) {
        #expect(QueryFastPath.parse(arguments) == nil)
    }

    /// Every option `QueryCommand` declares is one the fast path knows, with the same
    /// arity: a new option added to the command (or a renamed one) fails here until the fast
    /// path learns it.
    @Test func knowsEveryOptionOfTheCommand() throws {
        let dump = try JSONSerialization.jsonObject(with: Data(QueryCommand._dumpHelp().utf8)) as? [String: Any]
        let command = try #require(dump?["command"] as? [String: Any])
        let arguments = try #require(command["arguments"] as? [[String: Any]])
        var valueOptions: Set<String> = []
        var flags: Set<String> = []
        for argument in arguments where argument["kind"] as? String != "positional" {
            let names = (argument["names"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "long" }.compactMap { $0["name"] as? String }
            guard let long = names.first, long != "help" else { continue }
            if argument["kind"] as? String == "flag" { flags.insert(long) } else { valueOptions.insert(long) }
        }
        #expect(valueOptions == Set(QueryFastPath.valueOptions))
        #expect(flags == Set(QueryFastPath.flags))
    }
}

/// `QueryInvocation.isBlank` answers what `trimmingCharacters(in: .whitespaces).isEmpty`
/// answered before it, for every Unicode scalar.
@Suite struct QueryTextBlankTests {
    @Test func agreesWithFoundationsWhitespaceForEveryScalar() {
        var disagreeing: [UInt32] = []
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = String(Character(scalar))
            if QueryInvocation.isBlank(text) != text.trimmingCharacters(in: .whitespaces).isEmpty { disagreeing.append(value) }
        }
        #expect(disagreeing.isEmpty, "\(disagreeing.prefix(10).map { String($0, radix: 16) })")
    }

    @Test func textsOfSeveralCharacters() {
        for text in ["", " ", "\t \u{3000}\u{a0}", " a ", "\n", " \r\n"] {
            #expect(QueryInvocation.isBlank(text) == text.trimmingCharacters(in: .whitespaces).isEmpty, "\(Array(text.unicodeScalars))")
        }
    }
}
