import CLibSSL
import NIOCore

/// Terminates TLS on one connection with OpenSSL over two memory BIOs: bytes from the peer go into the read
/// BIO, `SSL_do_handshake`/`SSL_read` turn them into plaintext passed up the pipeline; plaintext written down
/// goes through `SSL_write`, and whatever OpenSSL put in the write BIO is sent. A handshake that fails (a
/// plaintext client, an old protocol) closes the connection after OpenSSL's alert; closing sends close_notify.
final class OpenSSLServerHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let ssl: OpaquePointer
    private let readBIO: OpaquePointer
    private let writeBIO: OpaquePointer
    private var handshakeDone = false
    private var closed = false
    /// Plaintext written before the handshake finished (HTTP answers only after a request, but be safe).
    private var pendingWrites: [(ByteBuffer, EventLoopPromise<Void>?)] = []

    init(context tls: TLSServerContext) throws {
        guard let ssl = SSL_new(tls.context), let rbio = BIO_new(BIO_s_mem()), let wbio = BIO_new(BIO_s_mem())
        else {
            throw ServerSettingsError("TLS: OpenSSL could not set up a connection: \(TLSServerContext.openSSLError())")
        }
        // SSL_set_bio hands both BIOs to the SSL: SSL_free frees them.
        SSL_set_bio(ssl, rbio, wbio)
        SSL_set_accept_state(ssl)
        self.ssl = ssl
        readBIO = rbio
        writeBIO = wbio
    }

    deinit { SSL_free(ssl) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        while bytes.readableBytes > 0 {
            let written = bytes.withUnsafeReadableBytes { raw in
                BIO_write(readBIO, raw.baseAddress, Int32(min(raw.count, Int(Int32.max))))
            }
            guard written > 0 else { return fail(context, "OpenSSL did not take the bytes read") }
            bytes.moveReaderIndex(forwardBy: Int(written))
        }
        if !handshakeDone {
            ERR_clear_error()
            let r = SSL_do_handshake(ssl)
            if r != 1 {
                let code = SSL_get_error(ssl, r)
                sendPending(context, flush: true)
                if code != SSL_ERROR_WANT_READ && code != SSL_ERROR_WANT_WRITE {
                    return fail(context, "TLS handshake failed: \(TLSServerContext.openSSLError())")
                }
                return
            }
            handshakeDone = true
            sendPending(context, flush: false)
            let writes = pendingWrites
            pendingWrites = []
            for (buffer, promise) in writes { encrypt(context, buffer, promise) }
            context.flush()
        }
        readPlaintext(context)
    }

    /// Everything OpenSSL can decrypt from what was read so far, passed up in pieces of up to 16 KiB.
    private func readPlaintext(_ context: ChannelHandlerContext) {
        while !closed {
            var buffer = context.channel.allocator.buffer(capacity: 16384)
            ERR_clear_error()
            let n = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 16384) { raw in
                Int(max(0, SSL_read(ssl, raw.baseAddress, Int32(raw.count))))
            }
            if n > 0 {
                context.fireChannelRead(wrapInboundOut(buffer))
                continue
            }
            let code = SSL_get_error(ssl, 0)
            sendPending(context, flush: true)  // TLS 1.3 session tickets, key updates
            if code == SSL_ERROR_ZERO_RETURN {
                // The peer's close_notify: answer it and close.
                closeConnection(context)
            } else if code != SSL_ERROR_WANT_READ && code != SSL_ERROR_WANT_WRITE {
                fail(context, "TLS read failed: \(TLSServerContext.openSSLError())")
            }
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Passed on even when a read only advanced the handshake: what is above may wait for it to read again.
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = unwrapOutboundIn(data)
        guard handshakeDone else {
            pendingWrites.append((buffer, promise))
            return
        }
        encrypt(context, buffer, promise)
    }

    private func encrypt(_ context: ChannelHandlerContext, _ buffer: ByteBuffer, _ promise: EventLoopPromise<Void>?) {
        guard !closed else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        var rest = buffer
        while rest.readableBytes > 0 {
            ERR_clear_error()
            // A memory BIO grows as needed, so SSL_write takes everything unless the connection is broken.
            let n = rest.withUnsafeReadableBytes { raw in
                SSL_write(ssl, raw.baseAddress, Int32(min(raw.count, Int(Int32.max))))
            }
            guard n > 0 else {
                promise?.fail(TLSConnectionError("TLS write failed: \(TLSServerContext.openSSLError())"))
                return
            }
            rest.moveReaderIndex(forwardBy: Int(n))
        }
        sendEncrypted(context, promise: promise)
    }

    func flush(context: ChannelHandlerContext) {
        context.flush()
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if handshakeDone && !closed && mode != .input {
            ERR_clear_error()
            _ = SSL_shutdown(ssl)  // queues close_notify; the peer's answer is not awaited
            sendPending(context, flush: true)
        }
        if mode != .input { closed = true }
        for (_, pending) in pendingWrites { pending?.fail(ChannelError.ioOnClosedChannel) }
        pendingWrites = []
        context.close(mode: mode, promise: promise)
    }

    private func closeConnection(_ context: ChannelHandlerContext) {
        context.close(promise: nil)
    }

    private func fail(_ context: ChannelHandlerContext, _ message: String) {
        closed = true
        context.fireErrorCaught(TLSConnectionError(message))
        context.close(promise: nil)
    }

    /// Sends whatever OpenSSL queued in the write BIO (handshake records, alerts).
    private func sendPending(_ context: ChannelHandlerContext, flush: Bool) {
        sendEncrypted(context, promise: nil)
        if flush { context.flush() }
    }

    private func sendEncrypted(_ context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        let pending = Int(BIO_ctrl_pending(writeBIO))
        guard pending > 0 else {
            promise?.succeed()
            return
        }
        var out = context.channel.allocator.buffer(capacity: pending)
        _ = out.writeWithUnsafeMutableBytes(minimumWritableBytes: pending) { raw in
            Int(max(0, BIO_read(writeBIO, raw.baseAddress, Int32(pending))))
        }
        context.write(wrapOutboundOut(out), promise: promise)
    }
}

struct TLSConnectionError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
