package io.llmopt.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * One HTTP request/response on Jetty's core API, used blockingly from the request's virtual thread: read the
 * body (bounded), answer with JSON, or stream server-sent events. Tracks the status for metrics.
 */
final class HttpExchange {
    private final Request request;
    private final Response response;
    private final Callback callback;
    private int status = 200;
    private boolean committed;
    private boolean completed;
    private boolean probing = true;

    HttpExchange(Request request, Response response, Callback callback) {
        this.request = request;
        this.response = response;
        this.callback = callback;
    }

    String method() {
        return request.getMethod();
    }

    String path() {
        return Request.getPathInContext(request);
    }

    String header(String name) {
        return request.getHeaders().get(name);
    }

    /**
     * For a generation: a silent connection (a long non-streamed answer) is not an idle one, so Jetty's idle
     * timeout must not fail the request (--request-timeout bounds it instead); and if Jetty does report the
     * connection failed, {@code onFailure} runs (cancelling the engine requests).
     */
    void guardGeneration(Runnable onFailure) {
        request.addIdleTimeoutListener(timeout -> false);
        request.addFailureListener(t -> onFailure.run());
    }

    /**
     * Whether the client has closed the connection, checked without blocking and without losing data: while a
     * request is handled, Jetty's HTTP/1.1 connection does not read (it reads the next request only after this
     * response), so a closed socket goes unnoticed until a write fails. Here one byte is read from the endpoint
     * when nobody else is reading: end of stream or a reset means the client has gone; a byte means the client
     * is sending its next (pipelined) request — the byte is handed back to the connection, which parses it once
     * this response is done, and probing stops for this request (it cannot be done again without consuming).
     * Only for HTTP/1.x connections that accept handed-back bytes; other connections answer false.
     */
    boolean clientGone() {
        if (!probing) {
            return false;
        }
        var meta = request.getConnectionMetaData();
        Connection connection = meta.getConnection();
        EndPoint endPoint = connection.getEndPoint();
        if (meta.getHttpVersion() == null || meta.getHttpVersion().getVersion() >= 20
                || !(connection instanceof Connection.UpgradeTo upgradeTo) || endPoint.isFillInterested()) {
            probing = false;
            return false;
        }
        ByteBuffer one = BufferUtil.allocate(1);
        int read;
        try {
            read = endPoint.fill(one);
        } catch (IOException e) {
            return true; // reset by the peer
        }
        if (read < 0) {
            return true;
        }
        if (read > 0) {
            probing = false;
            upgradeTo.onUpgradeTo(one);
        }
        return false;
    }

    int status() {
        return status;
    }

    boolean committed() {
        return committed;
    }

    /**
     * The body, or 413 when it is larger than {@code maxBytes} (checked before reading when the length is
     * declared). A too-large body of up to {@link #DRAIN_LIMIT} bytes is read and dropped before the 413 goes
     * out: a server that answers and closes while the client is still sending makes the client's TCP stack
     * reset the connection, and the client then sees no response at all instead of the 413.
     */
    byte[] body(int maxBytes) throws IOException {
        long declared = request.getLength();
        try (InputStream in = Content.Source.asInputStream(request)) {
            if (declared > maxBytes) {
                if (declared <= DRAIN_LIMIT) {
                    drain(in, declared);
                }
                throw tooLarge(maxBytes);
            }
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                drain(in, DRAIN_LIMIT);
                throw tooLarge(maxBytes);
            }
            return bytes;
        }
    }

    /** Reads and drops up to {@code limit} bytes (less at the end of the body). */
    private static void drain(InputStream in, long limit) throws IOException {
        byte[] buf = new byte[8192];
        for (long left = limit; left > 0; ) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                return;
            }
            left -= n;
        }
    }

    /** Bytes of a too-large body read and dropped before answering 413 (larger bodies: answer and close). */
    static final long DRAIN_LIMIT = 8L << 20;

    private static ApiException tooLarge(int maxBytes) {
        return new ApiException(413, "invalid_request_error", null, "request_too_large",
                "the request body is larger than the limit of " + maxBytes + " bytes", -1);
    }

    void sendJson(int statusCode, JsonNode body) {
        sendJson(statusCode, body, null);
    }

    void sendJson(int statusCode, JsonNode body, String[] extraHeader) {
        byte[] bytes = write(body);
        status = statusCode;
        committed = true;
        completed = true;
        response.setStatus(statusCode);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        if (extraHeader != null) {
            response.getHeaders().put(extraHeader[0], extraHeader[1]);
        }
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    void sendText(int statusCode, String contentType, String text) {
        status = statusCode;
        committed = true;
        completed = true;
        response.setStatus(statusCode);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.write(true, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), callback);
    }

    /** Sends the headers of an event stream. */
    void startEvents() throws IOException {
        status = 200;
        committed = true;
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        writeBlocking(new byte[0]);
    }

    /** One {@code data: {json}\n\n} event, flushed; IOException when the client has gone. */
    void sendEvent(ObjectNode data) throws IOException {
        writeBlocking(("data: " + new String(write(data), StandardCharsets.UTF_8) + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    /** An SSE comment line (ignored by clients; detects a closed connection). */
    void sendComment(String text) throws IOException {
        writeBlocking((": " + text + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    /** {@code data: [DONE]} and the end of the response. */
    void endEvents() {
        completed = true;
        response.write(true, ByteBuffer.wrap("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8)), callback);
    }

    /** Ends a response whose stream broke (client gone) or that already sent everything. */
    void abort(Throwable cause) {
        if (!completed) {
            completed = true;
            callback.failed(cause);
        }
    }

    boolean completed() {
        return completed;
    }

    private void writeBlocking(byte[] bytes) throws IOException {
        try (Blocker.Callback cb = Blocker.callback()) {
            response.write(false, ByteBuffer.wrap(bytes), cb);
            cb.block();
        }
    }

    static byte[] write(JsonNode node) {
        try {
            return Fields.MAPPER.writeValueAsBytes(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a response: " + e.getMessage(), e);
        }
    }
}
