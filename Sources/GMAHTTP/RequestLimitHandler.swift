import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Refuses an oversized request inside the channel pipeline, before any handler runs or any body is
/// buffered: a head over the decoder's limit gets 431, a declared body over `maxBodyBytes` gets 413, an
/// undeclared (chunked) body that grows past it closes the connection.
///
/// After a refusal the connection stops answering and drains what the client still sends for a moment
/// (closing with unread input would reset the connection before the client reads the answer), then closes.
final class RequestLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    private let limits: HTTPServerLimits
    private var bodyBytes = 0
    private var refused = false

    init(limits: HTTPServerLimits) {
        self.limits = limits
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            bodyBytes = 0
            if let declared = head.headerFields[.contentLength].flatMap({ Int($0) }), declared > limits.maxBodyBytes {
                refuse(context, status: 413, reason: "Content Too Large", "request body larger than \(limits.maxBodyBytes) bytes")
                return
            }
        case .body(let buffer):
            bodyBytes += buffer.readableBytes
            if bodyBytes > limits.maxBodyBytes {
                refused = true
                context.close(promise: nil)
                return
            }
        case .end:
            break
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let parserError = error as? HTTPParserError, parserError == .headerOverflow, !refused {
            refuse(
                context, status: 431, reason: "Request Header Fields Too Large",
                "request header larger than \(limits.maxHeaderBytes) bytes")
            return
        }
        if refused { return }  // the decoder's follow-up errors after a refusal
        context.fireErrorCaught(error)
    }

    private func refuse(_ context: ChannelHandlerContext, status: Int, reason: String, _ message: String) {
        refused = true
        let body = context.channel.allocator.buffer(string: #"{"error":"\#(message)"}"# + "\n")
        let head = HTTPResponse(
            status: .init(code: status, reasonPhrase: reason),
            headerFields: [
                .contentType: "application/json", .contentLength: String(body.readableBytes), .connection: "close",
            ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            channel.close(mode: .output, promise: nil)
            channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
        }
    }
}
