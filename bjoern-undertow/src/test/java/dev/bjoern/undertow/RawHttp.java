package dev.bjoern.undertow;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A raw socket client for tests where the exact bytes matter. Reads time out after 10 s. */
final class RawHttp implements AutoCloseable {
    final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawHttp(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    RawHttp send(String request) throws IOException {
        return send(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawHttp send(byte[] request) throws IOException {
        out.write(request);
        out.flush();
        return this;
    }

    /** One response, framed as its headers say; {@code head} for a response to HEAD (no body). */
    Response read(boolean head) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        String statusLine = line(raw);
        List<String[]> headers = new ArrayList<>();
        for (String line = line(raw); !line.isEmpty(); line = line(raw)) {
            int colon = line.indexOf(':');
            headers.add(new String[] {line.substring(0, colon), line.substring(colon + 1).trim()});
        }
        Response response = new Response(statusLine, headers);
        int code = response.status();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (head || code / 100 == 1 || code == 204 || code == 304) {
            // no body
        } else if ("chunked".equalsIgnoreCase(response.header("Transfer-Encoding"))) {
            response.chunked = true;
            while (true) {
                String size = line(raw);
                int length = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (length == 0) {
                    line(raw);
                    break;
                }
                body.write(bytes(raw, length));
                line(raw);
            }
        } else if (response.header("Content-Length") != null) {
            body.write(bytes(raw, Integer.parseInt(response.header("Content-Length"))));
        } else {
            response.closeDelimited = true;
            body.write(in.readAllBytes());
            raw.write(body.toByteArray());
        }
        response.body = body.toByteArray();
        response.raw = raw.toByteArray();
        return response;
    }

    Response read() throws IOException {
        return read(false);
    }

    /** True if the server closed the connection: the next read sees end of stream (or a reset). */
    boolean closedByServer() throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    /** Everything until the server closes the connection. */
    byte[] readAll() throws IOException {
        return in.readAllBytes();
    }

    /** The next {@code length} bytes as they come, fewer only if the server closes the connection first. */
    byte[] readBytes(int length) throws IOException {
        return in.readNBytes(length);
    }

    private String line(ByteArrayOutputStream raw) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("connection closed mid-line after \"" + line.toString(StandardCharsets.ISO_8859_1) + "\"");
            }
            raw.write(b);
            if (b != '\r') {
                line.write(b);
            }
        }
        raw.write(b);
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private byte[] bytes(ByteArrayOutputStream raw, int length) throws IOException {
        byte[] data = in.readNBytes(length);
        if (data.length < length) {
            throw new IOException("connection closed after " + data.length + " of " + length + " body bytes");
        }
        raw.write(data);
        return data;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    static final class Response {
        final String statusLine;
        final List<String[]> headers;
        byte[] body;
        byte[] raw;
        boolean chunked;
        boolean closeDelimited;

        Response(String statusLine, List<String[]> headers) {
            this.statusLine = statusLine;
            this.headers = headers;
        }

        int status() {
            return Integer.parseInt(statusLine.split(" ")[1]);
        }

        /** The first value of a header, or null. */
        String header(String name) {
            for (String[] header : headers) {
                if (header[0].equalsIgnoreCase(name)) {
                    return header[1];
                }
            }
            return null;
        }

        List<String> headers(String name) {
            List<String> values = new ArrayList<>();
            for (String[] header : headers) {
                if (header[0].toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                    values.add(header[1]);
                }
            }
            return values;
        }

        String text() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }
    }
}
