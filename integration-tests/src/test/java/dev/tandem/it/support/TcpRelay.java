package dev.tandem.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A byte-for-byte TCP relay in the test JVM: it accepts on 127.0.0.1 and opens, for each connection, one to
 * {@code target} bound to {@code source}, so the target sees {@code source} as its peer. Linux routes all of
 * 127.0.0.0/8 to loopback, so {@code 127.0.0.2} is a second local peer address that the apps do not trust.
 * Threads are daemons; {@link #close} closes every socket, which ends them.
 */
public final class TcpRelay implements AutoCloseable {

    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final InetAddress source;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    private TcpRelay(InetSocketAddress target, InetAddress source) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.target = target;
        this.source = source;
        this.acceptor = daemon("tcp-relay-accept-" + server.getLocalPort(), this::acceptLoop);
        acceptor.start();
    }

    /** Relays {@code http://127.0.0.1:<port>} to {@code target} (an {@code http://host:port} URL) from {@code source}. */
    public static TcpRelay to(URI target, InetAddress source) {
        try {
            return new TcpRelay(new InetSocketAddress(target.getHost(), target.getPort()), source);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a relay to " + target, e);
        }
    }

    /** Where to connect to reach the target through the relay. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            sockets.add(client);
            Socket upstream = new Socket();
            sockets.add(upstream);
            try {
                upstream.bind(new InetSocketAddress(source, 0));
                upstream.connect(target, CONNECT_TIMEOUT_MILLIS);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            String name = "tcp-relay-" + client.getPort();
            daemon(name + "-up", () -> pump(client, upstream)).start();
            daemon(name + "-down", () -> pump(upstream, client)).start();
        }
    }

    /** Copies until end of stream, then half-closes the other side; closes both once neither direction is open. */
    private void pump(Socket from, Socket to) {
        // Not try-with-resources: closing a socket's stream closes the socket, and the other direction may
        // still be answering.
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[16 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // a reset or our own close: the connection is over in both directions
            closeQuietly(from);
            closeQuietly(to);
            sockets.remove(from);
            sockets.remove(to);
            return;
        }
        // The other direction's pump shuts down from's output when it ends; whichever pump ends last sees it.
        if (from.isOutputShutdown()) {
            closeQuietly(from);
            closeQuietly(to);
            sockets.remove(from);
            sockets.remove(to);
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        for (Socket socket : sockets) {
            closeQuietly(socket);
        }
        sockets.clear();
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}
