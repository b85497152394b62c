/// Vectors made with Python `cryptography` 46.0.7 (the one in the flwr 1.28 venv).
enum PythonVectors {
    /// A SECP384R1 public key, a timestamp from `datetime.now(timezone.utc).isoformat()`,
    /// and `key.sign(ts.encode("ascii"), ec.ECDSA(hashes.SHA256()))`.
    static let p384PublicPEM = """
        -----BEGIN PUBLIC KEY-----
        MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEMtkidzPkt5363On9dC2YWDhGTHxnqivd
        kuJttMN37yzxend8OFfKOoWtUiv7ABH99Xd+1u4LwkQjA8IwUus51IC5zEts8LON
        eTjusafhS88i9HJNBHibsI7IdH+gksoh
        -----END PUBLIC KEY-----

        """
    static let timestamp = "2026-12-03T21:28:00.233341+00:00"
    /// `datetime.fromisoformat(timestamp).timestamp()`
    static let timestampUnix = 1796333280.233341
    static let signatureHex =
        "30650231008f2656a295affc63a9a15902fa47c0ab4d5d8ea09710c46eda5b07236d06fef20a441c859a2927a161cab8b19b5831120230168ec9c922892793a4b76df7798fb7f803a6118d4cfadc837d4d6163a0b35b8ec45b0a69911aa974e1950f6cf01ca248"

    /// A P-384 private key (PKCS#8 and SEC1 forms) and `public_bytes(PEM, SubjectPublicKeyInfo)`.
    static let p384PrivatePKCS8 = """
        -----BEGIN PRIVATE KEY-----
        MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDCvN70CIXCT6SeJ6DQx
        v1ZEHaHafWLCxKUV/XOu1BUU0tWVo1swDok7aDrEANetjBWhZANiAAS5/phSPeyh
        ETDtFYYdY+6/RT8gN8kuVM0Iz104Qth5XQlHbvIKh/qeJAHA/s3cmlVEFMvN1gUz
        oJeIFUX8kC5MCOTSup4nQe8SD3PZ2cUksMY3YgX6+wGU+IUUe/nDbZI=
        -----END PRIVATE KEY-----

        """
    static let p384PrivateSEC1 = """
        -----BEGIN EC PRIVATE KEY-----
        MIGkAgEBBDCvN70CIXCT6SeJ6DQxv1ZEHaHafWLCxKUV/XOu1BUU0tWVo1swDok7
        aDrEANetjBWgBwYFK4EEACKhZANiAAS5/phSPeyhETDtFYYdY+6/RT8gN8kuVM0I
        z104Qth5XQlHbvIKh/qeJAHA/s3cmlVEFMvN1gUzoJeIFUX8kC5MCOTSup4nQe8S
        D3PZ2cUksMY3YgX6+wGU+IUUe/nDbZI=
        -----END EC PRIVATE KEY-----

        """
    static let p384PrivatePublicPEM = """
        -----BEGIN PUBLIC KEY-----
        MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEuf6YUj3soREw7RWGHWPuv0U/IDfJLlTN
        CM9dOELYeV0JR27yCof6niQBwP7N3JpVRBTLzdYFM6CXiBVF/JAuTAjk0rqeJ0Hv
        Eg9z2dnFJLDGN2IF+vsBlPiFFHv5w22S
        -----END PUBLIC KEY-----

        """
    /// P-256: the base64 ends in "==", so the last line is short and padded.
    static let p256PrivatePKCS8 = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgWRAsvOVleP8Epdtv
        An3doejUfIo7123gZC8socWaKW6hRANCAAREdHR0ZsJKYTu6o6VXwblvNfsRxnhY
        1wl6osMcOGVTQulSvq9KnysXwm33ok/2opjIEUpvv+CVINJHNzETU3U6
        -----END PRIVATE KEY-----

        """
    static let p256PrivatePublicPEM = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAERHR0dGbCSmE7uqOlV8G5bzX7EcZ4
        WNcJeqLDHDhlU0LpUr6vSp8rF8Jt96JP9qKYyBFKb7/glSDSRzcxE1N1Og==
        -----END PUBLIC KEY-----

        """

    static let p256PublicPEM = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEnMihI3Q3P1JABTgUNZvzJvas4JBZ
        8kMhhOYbSiTAz2Qa9FXvOB5ukfO84PlChzuSNmhrUVX2JVjLFLQQ7evKQg==
        -----END PUBLIC KEY-----

        """
    static let p521PublicPEM = """
        -----BEGIN PUBLIC KEY-----
        MIGbMBAGByqGSM49AgEGBSuBBAAjA4GGAAQAepYFesnwxBY8LdRQpyd4T+qLbFjT
        pDQuVoBEA9WpyesInqYX+u+iBisBsoDsakdAaY5tOvvmnn7vhyYdwEfJPU0BZFlu
        jcpcT3oxLOA2dvlIWM+oRbvNzCZgNqyj0V0ZdpMK7qwqjrUhVBVUmurNS22FCuNe
        S55uy3A5sim+lUVyIf4=
        -----END PUBLIC KEY-----

        """
    static let p224PublicPEM = """
        -----BEGIN PUBLIC KEY-----
        ME4wEAYHKoZIzj0CAQYFK4EEACEDOgAEh0vO0T4OtwEnN8ri+J3N4GuE35nPNHcZ
        gQaA9dQg5UgZ9KWXQLjH7J2NkPn69uaLzkkGXrieiIg=
        -----END PUBLIC KEY-----

        """
    static let p192PublicPEM = """
        -----BEGIN PUBLIC KEY-----
        MEkwEwYHKoZIzj0CAQYIKoZIzj0DAQEDMgAEGKuZYdtU4nKkJxLwZZ9dBoIqsGOS
        W8C3Dcm8ld5tnZjzObu89tsEwRZyQRsDvp9n
        -----END PUBLIC KEY-----

        """
    static let secp256k1PublicPEM = """
        -----BEGIN PUBLIC KEY-----
        MFYwEAYHKoZIzj0CAQYFK4EEAAoDQgAErRCV5AYKoStxsxgwTTHjxnbLK/j82dlQ
        AbDMsjZJtGjF0hu+VkfAdHTZjvykVwep+MALZ9NpEMM5xvU+56NUYg==
        -----END PUBLIC KEY-----

        """
    static let brainpoolP256r1PublicPEM = """
        -----BEGIN PUBLIC KEY-----
        MFowFAYHKoZIzj0CAQYJKyQDAwIIAQEHA0IABI/d/4vB3jznH6vZKrBn7CpIMaC+
        tR6Yqe8tYKbNQ1IfYr522WGGWlQLmvzV67OXMgpGMuxJtCnZpGOrItjzCMc=
        -----END PUBLIC KEY-----

        """
    static let ed25519PublicPEM = """
        -----BEGIN PUBLIC KEY-----
        MCowBQYDK2VwAyEANHh6AdcRxjPapvYdLYyImbQbm4OLoM0kPP7q+/cvUfY=
        -----END PUBLIC KEY-----

        """
    static let rsaPublicPEM = """
        -----BEGIN PUBLIC KEY-----
        MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDawcfY44TVBS02oU6D79LLf7mV
        Duy6hXhnXFwzs4xPwkX7yJAtp9PpfC/iH2ZroYxw13j+yHLBN63v+6cSFWXwF3PN
        mbWDYIMuqXc11q+roIQB7bsodYBN84Xgpw9xRGe5cDNQWQux3IPibAT7eMIh2wnn
        0efYQgYkLEtxAn8W+QIDAQAB
        -----END PUBLIC KEY-----

        """
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

func fromHex(_ hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var iterator = hex.utf8.makeIterator()
    while let high = iterator.next(), let low = iterator.next() {
        out.append(UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)!)
    }
    return out
}
