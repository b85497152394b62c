// Nettle's (GnuTLS's crypto library) ECDSA P-384 verification, behind three small functions so
// Swift never touches GMP's macro-named API or `mpz_t` array types.
//
// Why Nettle and not OpenSSL for this one operation: Debian's OpenSSL 3.0 verifies P-384 with
// its generic prime-field code (~1.3 ms here); Nettle has a dedicated secp384r1 reduction and
// does the same full verification in about half the time. Everything else (PEM/DER parsing,
// hashing, signing) stays in OpenSSL.
#ifndef SEPAL_CNETTLE_SHIM_H
#define SEPAL_CNETTLE_SHIM_H

#include <stdint.h>
#include <stdlib.h>
#include <gmp.h>
#include <nettle/ecc.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecdsa.h>
#include <nettle/dsa.h>

/// A validated secp384r1 public point from 48-byte big-endian affine coordinates, or NULL if
/// (x, y) is not a point of the curve. Free with `sepal_p384_point_free`.
static inline struct ecc_point *sepal_p384_point_new(const uint8_t *x, const uint8_t *y) {
    struct ecc_point *point = malloc(sizeof(struct ecc_point));
    if (point == NULL) return NULL;
    ecc_point_init(point, nettle_get_secp_384r1());
    mpz_t mx, my;
    mpz_init(mx);
    mpz_init(my);
    mpz_import(mx, 48, 1, 1, 1, 0, x);
    mpz_import(my, 48, 1, 1, 1, 0, y);
    int on_curve = ecc_point_set(point, mx, my);
    mpz_clear(mx);
    mpz_clear(my);
    if (!on_curve) {
        ecc_point_clear(point);
        free(point);
        return NULL;
    }
    return point;
}

static inline void sepal_p384_point_free(struct ecc_point *point) {
    if (point == NULL) return;
    ecc_point_clear(point);
    free(point);
}

/// 1 iff (r, s) — each `length` big-endian bytes — is a valid ECDSA signature of `digest` under
/// `point`. Nettle rejects r or s outside [1, q-1]. `point` is only read, so many threads may
/// verify against one point at once.
static inline int sepal_p384_verify(const struct ecc_point *point, const uint8_t *digest, size_t digest_length,
                                    const uint8_t *r, size_t r_length, const uint8_t *s, size_t s_length) {
    struct dsa_signature signature;
    dsa_signature_init(&signature);
    mpz_import(signature.r, r_length, 1, 1, 1, 0, r);
    mpz_import(signature.s, s_length, 1, 1, 1, 0, s);
    int ok = ecdsa_verify(point, digest_length, digest, &signature);
    dsa_signature_clear(&signature);
    return ok;
}

#endif
