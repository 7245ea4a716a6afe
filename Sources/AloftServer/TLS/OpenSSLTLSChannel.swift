import HummingbirdCore
import Logging
import NIOCore

/// A Hummingbird child channel that puts `OpenSSLServerHandler` first in each connection's pipeline, then
/// sets up the wrapped (HTTP/1) channel: HummingbirdTLS's `TLSChannel`, with OpenSSL instead of NIOSSL.
struct OpenSSLTLSChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let tls: TLSServerContext

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(OpenSSLServerHandler(context: tls))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Base.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 (Hummingbird's `HTTP1Channel`, as `.http1()` makes) over TLS terminated by OpenSSL with `tls`.
    static func http1OverOpenSSL(_ tls: TLSServerContext) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            OpenSSLTLSChannel(base: HTTP1Channel(responder: responder), tls: tls)
        }
    }
}
