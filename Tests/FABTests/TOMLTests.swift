import FAB
import XCTest

final class TOMLTests: XCTestCase {
    private func parse(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> TOMLValue? {
        do { return try TOML.parse(text) } catch {
            XCTFail("\(error): \(text)", file: file, line: line)
            return nil
        }
    }

    private func value(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> TOMLValue? {
        parse("v = " + text, file: file, line: line)?["v"]
    }

    func testScalars() {
        XCTAssertEqual(value("1_000"), .integer(1000))
        XCTAssertEqual(value("-17"), .integer(-17))
        XCTAssertEqual(value("+0"), .integer(0))
        XCTAssertEqual(value("0xDEAD_beef"), .integer(0xDEAD_BEEF))
        XCTAssertEqual(value("0o755"), .integer(0o755))
        XCTAssertEqual(value("0b1101"), .integer(13))
        XCTAssertEqual(value("9223372036854775807"), .integer(.max))
        XCTAssertEqual(value("3.14"), .float(3.14))
        XCTAssertEqual(value("-0.0"), .float(-0.0))
        XCTAssertEqual(value("1e5"), .float(100_000))
        XCTAssertEqual(value("6.626e-34"), .float(6.626e-34))
        XCTAssertEqual(value("1_0.5E+0_2"), .float(1050))
        XCTAssertEqual(value("inf"), .float(.infinity))
        XCTAssertEqual(value("-inf"), .float(-.infinity))
        guard case .float(let nan) = value("nan") else { return XCTFail() }
        XCTAssertTrue(nan.isNaN)
        XCTAssertEqual(value("true"), .boolean(true))
        XCTAssertEqual(value("false"), .boolean(false))
        XCTAssertEqual(value("1979-05-27T07:32:00Z"), .datetime("1979-05-27T07:32:00Z"))
        XCTAssertEqual(value("1979-05-27 07:32:00.999-07:00"), .datetime("1979-05-27 07:32:00.999-07:00"))
        XCTAssertEqual(value("1979-05-27"), .datetime("1979-05-27"))
        XCTAssertEqual(value("07:32:00"), .datetime("07:32:00"))
        XCTAssertEqual(value("1979-05-27 07:32"), .datetime("1979-05-27 07:32"), "TOML 1.1: seconds optional")
    }

    func testStrings() {
        XCTAssertEqual(value(#""tab\there \"q\" \\ \u00E9 \U0001F600 \e \x41""#), .string("tab\there \"q\" \\ é 😀 \u{1B} A"))
        XCTAssertEqual(value(#"'C:\Users\nodejs'"#), .string(#"C:\Users\nodejs"#))
        XCTAssertEqual(value("\"\"\"\nline1\nline2\"\"\""), .string("line1\nline2"))
        XCTAssertEqual(value("\"\"\"\\\n    The quick \\\n\n   brown\"\"\""), .string("The quick brown"))
        XCTAssertEqual(value("\"\"\"a \"\"quoted\"\" b\"\"\"\"\""), .string("a \"\"quoted\"\" b\"\""))
        XCTAssertEqual(value("'''\nraw \\n text\n'''"), .string("raw \\n text\n"))
        XCTAssertEqual(value("''''one quote''''"), .string("'one quote'"))
        XCTAssertEqual(value("\"\"\"crlf\r\nok\"\"\""), .string("crlf\nok"))
    }

    func testArraysAndInlineTables() {
        XCTAssertEqual(value("[ 1, 2, 3 ]"), .array([.integer(1), .integer(2), .integer(3)]))
        XCTAssertEqual(value("[\n  \"a\", # comment\n  'b',\n]"), .array([.string("a"), .string("b")]))
        XCTAssertEqual(value("[[1, 2], ['x'], []]"), .array([.array([.integer(1), .integer(2)]), .array([.string("x")]), .array([])]))
        XCTAssertEqual(value("[1, 'mixed', 2.5]"), .array([.integer(1), .string("mixed"), .float(2.5)]))
        XCTAssertEqual(value("{ x = 1, y.z = 'a' }"), .table([("x", .integer(1)), ("y", .table([("z", .string("a"))]))]))
        XCTAssertEqual(value("{}"), .table([]))
        XCTAssertEqual(value("{ a = 1,\n b = 2, }"), .table([("a", .integer(1)), ("b", .integer(2))]), "TOML 1.1")
        XCTAssertEqual(value("[{a=1}, {a=2}]"), .array([.table([("a", .integer(1))]), .table([("a", .integer(2))])]))
    }

    func testTablesKeysAndOrder() {
        let doc = parse("""
            # leading comment
            title = "t"  # trailing
            "quoted key" = 1
            'lit.key' = 2
            a.b.c = 3
            a.b.d = 4
            3.14 = "pi"

            [server]
            port = 8080

            [server.tls]
            on = true

            [[fruit]]
            name = "apple"
            [fruit.color]
            hue = "red"
            [[fruit]]
            name = "banana"

            [x.y.z]
            w = 1
            [x]
            v = 2
            """)
        XCTAssertEqual(doc?.tableEntries?.map(\.0), ["title", "quoted key", "lit.key", "a", "3", "server", "fruit", "x"])
        XCTAssertEqual(doc?["a"]?["b"], .table([("c", .integer(3)), ("d", .integer(4))]))
        XCTAssertEqual(doc?["3"]?["14"], .string("pi"))
        XCTAssertEqual(doc?["server"]?["tls"]?["on"], .boolean(true))
        XCTAssertEqual(doc?["fruit"], .array([
            .table([("name", .string("apple")), ("color", .table([("hue", .string("red"))]))]),
            .table([("name", .string("banana"))]),
        ]))
        XCTAssertEqual(doc?["x"], .table([("y", .table([("z", .table([("w", .integer(1))]))])), ("v", .integer(2))]))
        // Sub-tables may be added under a table made by dotted keys.
        XCTAssertEqual(parse("[fruit]\napple.color = 'red'\n[fruit.apple.texture]\nsmooth = true\n")?["fruit"]?["apple"]?["texture"]?["smooth"],
                       .boolean(true))
    }

    func testInvalidDocuments() {
        let invalid = [
            "a = 1\na = 2", "[a]\n[a]", "[a]\nb=1\n[a.b]", "a.b=1\n[a]", "[a.b]\n[a]\nb.c=1", "[[a]]\n[a]", "a=[]\n[[a]]",
            "a = {b=1}\n[a]", "a = {b=1}\na.c = 2", "a = 01", "a = 1.", "a = .5", "a = 1__0", "a = _1", "a = 0x", "a = 1e",
            "a = +0x10", "a = 9223372036854775808", "a = \"unterminated", "a = 'bad\nnewline'", "a = \"\\q\"", "a = \"\\uD800\"",
            "a = tru", "a = 1979-13-01", "a = 1979-02-30", "a = 24:00:00", "a =", "= 1", "a = 1 b = 2", "[a", "[[a]", "a = [1 2]",
            "a = {b=1 c=2}", "a.= 1", "a = \"bell\u{7}\"", "# comment \u{1}", "a = 1\rb = 2", "a\n= 1", "[ a .. b ]",
            "a = \"\"\"x", "a = '''x", "a = { b = 1, b = 2 }", "a = [1,,2]",
        ]
        for text in invalid {
            XCTAssertThrowsError(try TOML.parse(text), text) { error in
                XCTAssertEqual((error as? FABError)?.description, "Invalid TOML content in pyproject.toml")
            }
        }
    }

    /// The pyproject.toml `flwr build` wrote into a real FAB (tomli_w output).
    func testRealFlwrBuiltPyproject() throws {
        let zip = try ZipArchive(bytes: Fixtures.load(Fixtures.flwrBuiltFABName))
        let text = String(decoding: try XCTUnwrap(zip.data(for: "pyproject.toml")), as: UTF8.self)
        let doc = try TOML.parse(text)
        XCTAssertEqual(doc["build-system"]?["requires"], .array([.string("hatchling")]))
        XCTAssertEqual(doc["project"]?["dependencies"], .array([.string("flwr>=1.28.0")]))
        XCTAssertEqual(doc["tool"]?["flwr"]?["app"]?["components"]?["serverapp"], .string("tinyapp.server_app:app"))
        XCTAssertEqual(doc["tool"]?["flwr"]?["app"]?["config"]?["nested"]?["depth"], .integer(3))
    }

    /// A pyproject.toml in the style of Flower's `flwr new` templates (which the 1.28
    /// wheel no longer ships): comments, arrays, legacy federations table, [tool.hatch].
    func testTemplateStylePyproject() throws {
        let text = """
            # =====================================================================
            # For a full TOML configuration guide, check the Flower docs:
            # https://flower.ai/docs/framework/how-to-configure-pyproject-toml.html
            # =====================================================================

            [build-system]
            requires = ["hatchling"]
            build-backend = "hatchling.build"

            [project]
            name = "quickstart-pytorch"
            version = "1.0.0"
            description = "Federated Learning with PyTorch and Flower (Quickstart Example)"
            license = "Apache-2.0"
            # Dependencies for your Flower App
            dependencies = [
                "flwr[simulation]>=1.28.0",
                "flwr-datasets[vision]>=0.5.0",
                "torch==2.8.0",
                "torchvision==0.23.0",
            ]

            [tool.hatch.build.targets.wheel]
            packages = ["."]

            [tool.flwr.app]
            publisher = "flwrlabs"

            # Point to your ServerApp and ClientApp objects
            # Format: "<module>:<object>"
            [tool.flwr.app.components]
            serverapp = "pytorchexample.server_app:app"
            clientapp = "pytorchexample.client_app:app"

            # Custom config values accessible via `context.run_config`
            [tool.flwr.app.config]
            num-server-rounds = 3
            fraction-evaluate = 0.5
            local-epochs = 1
            learning-rate = 0.1
            batch-size = 32
            use-wandb = false
            model.name = "cnn"
            model.hidden = [64]

            # Default federation to use when running the app
            [tool.flwr.federations]
            default = "local-simulation"

            # Local simulation federation with 10 virtual SuperNodes
            [tool.flwr.federations.local-simulation]
            options.num-supernodes = 10
            options.backend.client-resources.num-cpus = 2 # each ClientApp assumes to use 2CPUs
            options.backend.client-resources.num-gpus = 0.0 # ratio of VRAM a ClientApp has access to

            # Remote federation example for use with SuperLink
            [tool.flwr.federations.remote-federation]
            address = "<SUPERLINK-ADDRESS>:<PORT>"
            insecure = true  # Remove this line to enable TLS
            # root-certificates = "<PATH/TO/ca.crt>"  # For TLS setup

            """
        let doc = try TOML.parse(text)
        let options = doc["tool"]?["flwr"]?["federations"]?["local-simulation"]?["options"]
        XCTAssertEqual(options?["backend"]?["client-resources"]?["num-gpus"], .float(0))
        XCTAssertEqual(options?["num-supernodes"], .integer(10))
        // model.hidden is an array: Flower rejects it as a config value.
        XCTAssertThrowsError(try FlowerAppConfig(pyprojectTOML: text)) { error in
            XCTAssertEqual(error as? FABError, .invalidConfigValue(key: "hidden"))
        }
        let app = try FlowerAppConfig(pyprojectTOML: text.replacingOccurrences(of: "model.hidden = [64]\n", with: ""))
        XCTAssertEqual(app.fabID, "flwrlabs/quickstart-pytorch")
        XCTAssertEqual(app.config.map(\.key), [
            "num-server-rounds", "fraction-evaluate", "local-epochs", "learning-rate", "batch-size", "use-wandb", "model.name",
        ])
        XCTAssertEqual(app.config.first?.value, .int(3))
        XCTAssertEqual(app.config[1].value, .double(0.5))
        XCTAssertEqual(app.config[5].value, .bool(false))
        XCTAssertEqual(app.config[6].value, .string("cnn"))
    }
}
