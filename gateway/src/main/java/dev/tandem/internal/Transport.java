package dev.tandem.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.function.Supplier;

/**
 * The socket transport: Netty's io_uring where the kernel allows it, else native epoll, else NIO. io_uring submits
 * a loop turn's sends and receives together; in the benchmark it took about 12% less CPU per small request than
 * epoll, and more for 64 KiB responses (bench/results/IMPROVEMENTS.md). Kernels or sandboxes without
 * it (a container's seccomp profile often blocks it) get epoll. {@code -Dtandem.transport=epoll} or {@code nio}
 * forces one.
 */
public enum Transport {
    EPOLL(EpollServerSocketChannel.class, EpollSocketChannel.class, EpollIoHandler::newFactory),
    IO_URING(IoUringServerSocketChannel.class, IoUringSocketChannel.class, IoUringIoHandler::newFactory),
    NIO(NioServerSocketChannel.class, NioSocketChannel.class, NioIoHandler::newFactory);

    private final Class<? extends ServerChannel> serverChannel;
    private final Class<? extends SocketChannel> socketChannel;
    private final Supplier<IoHandlerFactory> ioHandlers;

    Transport(Class<? extends ServerChannel> serverChannel, Class<? extends SocketChannel> socketChannel,
              Supplier<IoHandlerFactory> ioHandlers) {
        this.serverChannel = serverChannel;
        this.socketChannel = socketChannel;
        this.ioHandlers = ioHandlers;
    }

    /** The transport {@code -Dtandem.transport} asks for (default: io_uring) or the next one available. */
    public static Transport best() {
        String wanted = System.getProperty("tandem.transport", "io_uring");
        if ("nio".equalsIgnoreCase(wanted)) {
            return NIO;
        }
        if ("io_uring".equalsIgnoreCase(wanted) && IoUring.isAvailable()) {
            return IO_URING;
        }
        return Epoll.isAvailable() ? EPOLL : NIO;
    }

    public EventLoopGroup newGroup(int threads, String name) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), ioHandlers.get());
    }

    public Class<? extends ServerChannel> serverChannel() {
        return serverChannel;
    }

    public Class<? extends SocketChannel> socketChannel() {
        return socketChannel;
    }
}
