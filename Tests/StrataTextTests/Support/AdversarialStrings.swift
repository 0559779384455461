/// Inputs where the pre-tokenization alternatives interact: every script, category and
/// whitespace rule the patterns distinguish.
enum AdversarialStrings {
    static let all: [String] = [
        "",
        " ",
        "\n",
        "hello world",
        "I'm you're we've they'll he'd she's it't 'S 'LL 'Re 'vE 'D 'M 'T",
        "x'sx 'ſ 'ſt don'ts",
        "Don't stop—'twas the night", // em dash, leading apostrophe
        "👍🏽 👨‍👩‍👧‍👦 🇫🇷🇩🇪 ❤️ a😀b",
        "日本語のテキストと中文文本，한국어 텍스트。",
        "e\u{301} a\u{300}\u{316} \u{301}start  \u{301}\u{301}x Ame\u{301}lie",
        String(repeating: " ", count: 300) + "x",
        String(repeating: " ", count: 5000),
        String(repeating: "\t", count: 17) + "\n" + String(repeating: " ", count: 9) + "\n\n\n  y",
        "  \n  \r\n\r\n \u{A0}\u{2003}x\u{3000}y \u{85}z \u{2028} \n",
        "a\n  ",
        "a \n\n ",
        "1234567890 12 1 ١٢٣٤٥ ½¾ Ⅻ 3.14159 1e-10 0x1F 100,000",
        String(repeating: "9", count: 1000),
        String(repeating: "=", count: 3000) + "\n",
        String(repeating: "ab", count: 2000),
        "HelloWorld HTTPServer getHTTPResponseCode snake_case_name CONSTANT_VALUE",
        "Привет мир Ελληνικά العربية עברית हिन्दी ไทย",
        "ǅungla ǈ ǋ Ǳ ʰʲ ꜰ ㅤ",
        "<|endoftext|> <|fim_prefix|><|fim_middle|><|fim_suffix|> <|endofprompt|>",
        "path/to/file.swift // comment /* block */ http://example.com/a/b?c=d&e=f",
        "x = {\"key\": [1, 2, 3]}\n\tif (a && b) { return; }\r\n",
        "\u{FEFF}BOM then text \u{200B}zero\u{200D}width",
        ".hello (world) !!!?? ...\n.../\n//\n",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟙𝟚𝟛 \u{10FFFD} \u{E000}",
        "mixed: Ünïcödé ÀÉÎÕÜ straße ǅ façade naïve",
    ]
}
