/// Validation of public keys handed in through the Control API (`RegisterNode`).
public enum PublicKeyValidation {
    /// OpenSSL group names of the NIST prime curves P-192, P-224, P-256, P-384, P-521.
    static let nistCurves: Set<String> = ["prime192v1", "secp224r1", "prime256v1", "secp384r1", "secp521r1"]

    /// True iff `pem` is a PEM SubjectPublicKeyInfo of an EC key on a NIST prime curve.
    public static func isValidNISTCurvePEM(_ pem: [UInt8]) -> Bool {
        guard let key = ECPublicKey(pem: pem), let group = key.groupName else { return false }
        return nistCurves.contains(group)
    }
}
