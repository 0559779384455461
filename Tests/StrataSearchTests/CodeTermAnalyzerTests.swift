import Testing

@testable import StrataSearch

@Suite("Code-aware terms")
struct CodeTermAnalyzerTests {
    let analyzer = CodeTermAnalyzer()

    @Test func camelCaseSplitsAndKeepsTheJoinedIdentifier() {
        #expect(analyzer.terms("parseRequest") == ["parse", "request", "parserequest"])
    }

    @Test func capitalRunsSplitBeforeTheLastCapital() {
        #expect(analyzer.terms("parseHTTPRequest") == ["parse", "http", "request", "parsehttprequest"])
        #expect(analyzer.terms("XMLParser") == ["xml", "parser", "xmlparser"])
    }

    @Test func snakeAndKebabCaseSplitAtSeparators() {
        #expect(analyzer.terms("read_file") == ["read", "file", "read_file"])
        #expect(analyzer.terms("max-height") == ["max", "height", "max-height"])
        #expect(analyzer.terms("__init__") == ["init", "__init__"])
    }

    @Test func digitsSplitFromLetters() {
        #expect(analyzer.terms("utf8Decode") == ["utf", "8", "decode", "utf8decode"])
        #expect(analyzer.terms("2024") == ["2024"])
    }

    @Test func plainWordsAreLowercasedOnce() {
        #expect(analyzer.terms("The quick Fox, the end.") == ["the", "quick", "fox", "the", "end"])
    }

    @Test func unicodeLettersAreTermsAndLowercased() {
        #expect(analyzer.terms("größeZahl") == ["größe", "zahl", "größezahl"])
        #expect(analyzer.terms("Ἀθῆναι δῆμος") == ["ἀθῆναι", "δῆμος"])
        #expect(analyzer.terms("東京 タワー") == ["東京", "タワー"])
        #expect(analyzer.terms("東京Tower") == ["東京", "tower", "東京tower"])
    }

    @Test func punctuationAndOperatorsSeparateTerms() {
        #expect(analyzer.terms("a.b->c(d) - e") == ["a", "b", "c", "d", "e"])
        #expect(analyzer.terms("") == [])
        #expect(analyzer.terms("  ();  ") == [])
    }

    @Test func overlongTermsAreDropped() {
        let blob = String(repeating: "a", count: 65)
        #expect(analyzer.terms("\(blob) ok") == ["ok"])
        #expect(CodeTermAnalyzer(maximumTermBytes: 100).terms(blob) == [blob])
    }
}
