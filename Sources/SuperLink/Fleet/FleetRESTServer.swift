import HTTP

/// Flower's REST Fleet API (protocol §7.5) over the `HTTP` server: `POST /api/v0/fleet/<name>`
/// with a serialised protobuf request, answered with the serialised response. Same handlers as
/// gRPC, no node signature auth (as in Flower). What each failure gets, as observed on
/// `flower-superlink --fleet-api-type rest` (Starlette):
///
/// - unknown path: 404 `Not Found`; a known path with a trailing `/`: 307 to the path without it;
/// - another method on a known path: 405 `Method Not Allowed`, `allow: POST`;
/// - `Content-Type` missing / not exactly `application/protobuf`: 400
///   ``Missing header `Content-Type` `` / ``Unsupported `Content-Type` ``, then the same for `Accept`;
/// - any handler failure: `SuperLinkError.restResponse` (500).
///
/// One deliberate difference: repeated slashes in the path are merged before routing. Flower
/// 1.28's REST SuperNode joins `http://host:port` + `/` + `/api/v0/fleet/register-node` and so
/// sends `//api/v0/fleet/...` for every call but the heartbeat; Flower's own REST SuperLink
/// answers those 404, so its SuperNode cannot register ("Failed to register node"). Sepal
/// serves them.
struct FleetRESTRouter: Sendable {
    static let prefix = "/api/v0/fleet/"
    static let protobuf = "application/protobuf"

    let fleet: FleetServicer
    /// For the Location of trailing-slash redirects.
    let scheme: String

    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let path = Self.mergingSlashes(request.path)
        guard let endpoint = endpoint(for: path) else {
            if path.hasSuffix("/"), endpoint(for: path.dropLast()) != nil {
                return redirect(request, to: path.dropLast())
            }
            return .text(404, "Not Found")
        }
        guard request.method == "POST" else {
            return .text(405, "Method Not Allowed", headers: HTTPHeaders([("allow", "POST")]))
        }
        for header in ["Content-Type", "Accept"] {
            guard let value = request.headers.first(header) else { return .text(400, "Missing header `\(header)`") }
            guard value == Self.protobuf else { return .text(400, "Unsupported `\(header)`") }
        }
        do throws(SuperLinkError) {
            let body = try await endpoint.serve(fleet, request.body)
            return HTTPResponse(status: 200, headers: HTTPHeaders([("content-type", Self.protobuf)]), body: body)
        } catch {
            let (status, text) = error.restResponse
            return .text(status, text)
        }
    }

    /// `//api//v0/x` → `/api/v0/x`.
    static func mergingSlashes(_ path: Substring) -> Substring {
        guard path.contains("//") else { return path }
        var merged = ""
        for c in path where !(c == "/" && merged.last == "/") { merged.append(c) }
        return merged[...]
    }

    private func endpoint(for path: Substring) -> FleetEndpoint? {
        guard path.hasPrefix(Self.prefix) else { return nil }
        return FleetEndpoint.byRESTName[String(path.dropFirst(Self.prefix.count))]
    }

    private func redirect(_ request: HTTPRequest, to path: Substring) -> HTTPResponse {
        let query = request.target[request.path.endIndex...]
        let host = request.headers.first("host") ?? ""
        return HTTPResponse(status: 307, headers: HTTPHeaders([("location", "\(scheme)://\(host)\(path)\(query)")]))
    }
}

/// The REST Fleet API server: an `HTTPServer` routing to `FleetRESTRouter`.
final class FleetRESTServer: Sendable {
    private let http: HTTPServer

    init(context: ServiceContext, tls: Bool, config: HTTPServerConfig) {
        let router = FleetRESTRouter(fleet: FleetServicer(context: context), scheme: tls ? "https" : "http")
        http = HTTPServer(config: config) { request in await router.handle(request) }
    }

    func bind(_ address: String, tls: HTTPTLSConfig?) throws(HTTPError) -> Int {
        try http.bind(address, tls: tls)
    }

    func start() throws(HTTPError) { try http.start() }

    func shutdown(grace: Duration) { http.shutdown(grace: grace) }

    func shutdown(grace: Duration) async { await http.shutdown(grace: grace) }
}
