import CCurl
import Synchronization

/// One libcurl easy handle, reused across requests so its connections stay open (keep-alive). A handle is
/// used by one thread at a time: `CurlHandlePool` hands it out and takes it back.
final class CurlEasy {
    let handle: UnsafeMutableRawPointer
    private var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

    init?() {
        CurlGlobal.ensureInitialized()
        guard let h = curl_easy_init() else { return nil }
        handle = h
    }

    deinit { curl_easy_cleanup(handle) }

    /// Sends one request and collects the whole answer. `unixSocket` routes the connection through a unix
    /// socket (the URL's host is then only a name).
    func perform(
        _ request: HTTPRequest, unixSocket: String?, connectTimeoutMilliseconds: Int, timeoutMilliseconds: Int,
        caInfo: String?, clientCertificate: String? = nil, clientKey: String? = nil
    ) -> Result<HTTPResponse, CurlFailure> {
        curl_easy_reset(handle)  // keeps live connections, drops every option
        let collected = Collected()
        let box = Unmanaged.passRetained(collected)
        defer { box.release() }
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headerList) }
        var hasContentType = false
        for h in request.headers {
            if h.name.lowercased() == "content-type" { hasContentType = true }
            headerList = curl_slist_append(headerList, "\(h.name): \(h.value)")
        }
        // libcurl would add its own: an Expect for larger bodies (a round trip) and a form content type.
        headerList = curl_slist_append(headerList, "Expect:")
        if !hasContentType { headerList = curl_slist_append(headerList, "Content-Type:") }

        aloft_curl_set_string(handle, ALOFT_CURLOPT_URL, request.url)
        aloft_curl_set_long(handle, ALOFT_CURLOPT_NOSIGNAL, 1)
        aloft_curl_set_string(handle, ALOFT_CURLOPT_PROTOCOLS_STR, "http,https")
        aloft_curl_set_long(handle, ALOFT_CURLOPT_CONNECTTIMEOUT_MS, connectTimeoutMilliseconds)
        aloft_curl_set_long(handle, ALOFT_CURLOPT_TIMEOUT_MS, timeoutMilliseconds)
        aloft_curl_set_slist(handle, ALOFT_CURLOPT_HTTPHEADER, headerList)
        aloft_curl_set_string(handle, ALOFT_CURLOPT_ACCEPT_ENCODING, "")  // whatever libcurl can decode
        if let unixSocket { aloft_curl_set_string(handle, ALOFT_CURLOPT_UNIX_SOCKET_PATH, unixSocket) }
        if let caInfo { aloft_curl_set_string(handle, ALOFT_CURLOPT_CAINFO, caInfo) }
        if let clientCertificate { aloft_curl_set_string(handle, ALOFT_CURLOPT_SSLCERT, clientCertificate) }
        if let clientKey { aloft_curl_set_string(handle, ALOFT_CURLOPT_SSLKEY, clientKey) }
        aloft_curl_set_data_fn(
            handle, ALOFT_CURLOPT_WRITEFUNCTION,
            { data, size, count, user in
                let n = size * count
                guard let data, let user else { return n }
                Unmanaged<Collected>.fromOpaque(user).takeUnretainedValue().body.append(
                    contentsOf: UnsafeRawBufferPointer(start: data, count: n))
                return n
            })
        aloft_curl_set_pointer(handle, ALOFT_CURLOPT_WRITEDATA, box.toOpaque())
        aloft_curl_set_data_fn(
            handle, ALOFT_CURLOPT_HEADERFUNCTION,
            { data, size, count, user in
                let n = size * count
                guard let data, let user else { return n }
                Unmanaged<Collected>.fromOpaque(user).takeUnretainedValue().headerLine(
                    UnsafeRawBufferPointer(start: data, count: n))
                return n
            })
        aloft_curl_set_pointer(handle, ALOFT_CURLOPT_HEADERDATA, box.toOpaque())
        errorBuffer[0] = 0
        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errors in
            aloft_curl_set_pointer(handle, ALOFT_CURLOPT_ERRORBUFFER, errors.baseAddress)
            return request.body.withUnsafeBufferPointer { body in
                switch request.method {
                case "GET": aloft_curl_set_long(handle, ALOFT_CURLOPT_HTTPGET, 1)
                case "HEAD": aloft_curl_set_long(handle, ALOFT_CURLOPT_NOBODY, 1)
                default:
                    if request.method != "POST" {
                        aloft_curl_set_string(handle, ALOFT_CURLOPT_CUSTOMREQUEST, request.method)
                    }
                    if request.method == "POST" || !request.body.isEmpty {
                        // POSTFIELDS with an explicit size: the bytes are not copied and may contain NULs.
                        aloft_curl_set_large(handle, ALOFT_CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                        aloft_curl_set_pointer(
                            handle, ALOFT_CURLOPT_POSTFIELDS,
                            UnsafeMutableRawPointer(mutating: body.baseAddress) ?? emptyBody)
                    }
                }
                let rc = curl_easy_perform(handle)
                aloft_curl_set_pointer(handle, ALOFT_CURLOPT_ERRORBUFFER, nil)
                return rc
            }
        }
        guard code == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .failure(
                CurlFailure(
                    code: Int(code.rawValue),
                    message: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail))
        }
        return .success(
            HTTPResponse(status: aloft_curl_response_code(handle), headers: collected.headers, body: collected.body))
    }

    /// What the callbacks collect while a request runs.
    private final class Collected {
        var body: [UInt8] = []
        var headers: [(name: String, value: String)] = []

        func headerLine(_ bytes: UnsafeRawBufferPointer) {
            let line = String(decoding: bytes, as: UTF8.self).trimmingTrailingNewline()
            if line.hasPrefix("HTTP/") {
                headers = []  // a new response (after 100 Continue or a redirect)
            } else if let colon = line.firstIndex(of: ":") {
                headers.append(
                    (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingLeadingSpaces()))
            }
        }
    }
}

/// What POSTFIELDS points at for an empty body (libcurl needs a valid pointer; size 0 says it is empty).
nonisolated(unsafe) private let emptyBody = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

struct CurlFailure: Error {
    let code: Int
    let message: String
}

/// curl_global_init must run once before any handle is made.
enum CurlGlobal {
    private static let initialized: Bool = { curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK }()
    static func ensureInitialized() { _ = initialized }
}

/// Idle handles of one client, so connections are reused across calls from any thread.
final class CurlHandlePool: Sendable {
    private let idle = Mutex<[UnsafeSendableHandle]>([])
    private let limit: Int

    init(limit: Int = 16) { self.limit = limit }

    func withHandle<T>(_ body: (CurlEasy) -> T) -> T? {
        let taken = idle.withLock { $0.popLast() }
        guard let easy = taken?.easy ?? CurlEasy() else { return nil }
        let result = body(easy)
        idle.withLock { if $0.count < limit { $0.append(UnsafeSendableHandle(easy: easy)) } }
        return result
    }
}

/// A handle parked in the pool; only one thread holds it at a time.
struct UnsafeSendableHandle: @unchecked Sendable {
    let easy: CurlEasy
}

extension String {
    fileprivate func trimmingTrailingNewline() -> String {
        var s = Substring(self)
        while let last = s.unicodeScalars.last, last == "\n" || last == "\r" { s.unicodeScalars.removeLast() }
        return String(s)
    }

    fileprivate func trimmingLeadingSpaces() -> String { String(drop { $0 == " " || $0 == "\t" }) }
}
