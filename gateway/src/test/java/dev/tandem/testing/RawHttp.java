package dev.tandem.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A raw socket to the gateway, for the framing, keep-alive and smuggling cases no HTTP client will send. */
public final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawHttp(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(5000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    public RawHttp send(String request) throws IOException {
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    /** Reads one response: head, then a Content-Length or chunked body. */
    public String readResponse() throws IOException {
        String head = readHead();
        String lower = head.toLowerCase();
        StringBuilder response = new StringBuilder(head);
        int cl = lower.indexOf("\r\ncontent-length:");
        if (lower.contains("\r\ntransfer-encoding: chunked")) {
            while (true) {
                String sizeLine = readLine();
                response.append(sizeLine).append("\r\n");
                int size = Integer.parseInt(sizeLine.trim(), 16);
                if (size == 0) {
                    response.append(readLine()).append("\r\n");
                    break;
                }
                response.append(new String(in.readNBytes(size), StandardCharsets.ISO_8859_1));
                readLine();
            }
        } else if (cl >= 0) {
            int end = lower.indexOf("\r\n", cl + 2);
            int length = Integer.parseInt(head.substring(cl + 17, end).trim());
            response.append(new String(in.readNBytes(length), StandardCharsets.ISO_8859_1));
        }
        return response.toString();
    }

    /** Whether the gateway closed the connection: EOF within the socket timeout. */
    public boolean isClosedByPeer() throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + head.size() + " bytes: " + head);
            }
            head.write(b);
            matched = (b == '\r' || b == '\n') && "\r\n\r\n".charAt(matched) == b ? matched + 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("connection closed mid-line");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    public void setTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    public InputStream input() {
        return in;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
