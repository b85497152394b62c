/// TOML reading for `pyproject.toml`.
public enum TOML {
    /// Parses a document into its root table. Any syntax or redefinition error is
    /// `FABError.invalidTOML` (Flower reports them all as one message).
    public static func parse(_ text: String) throws(FABError) -> TOMLValue {
        do {
            return try TOMLParser.parse(text)
        } catch {
            throw .invalidTOML(reason: "line \(error.line): \(error.message)")
        }
    }
}
