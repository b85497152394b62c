import CCrypto

/// OpenSSL queues an error record per failing call in a thread-local list; failures on
/// hostile input are routine here, so drop them instead of letting them pile up.
@inline(__always)
func discardOpenSSLErrors() {
    ERR_clear_error()
}
