package dev.tandem.server;

import dev.tandem.admin.AdminChanges;
import dev.tandem.admin.AdminServer;
import dev.tandem.config.GatewayConfig;
import dev.tandem.config.ListenerConfig;
import dev.tandem.internal.Transport;
import dev.tandem.metrics.GatewayMetrics;
import dev.tandem.proxy.DrainEvent;
import dev.tandem.proxy.ProxyContext;
import dev.tandem.resilience.Guards;
import dev.tandem.resilience.HealthChecker;
import dev.tandem.traffic.Mirrors;
import dev.tandem.traffic.TrafficControl;
import dev.tandem.upstream.UpstreamPools;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client-facing server: binds the listener, owns the event loops and shuts down without dropping requests.
 * Client channels run with AUTO_READ off and explicit write watermarks; these belong to the code, not to config,
 * because the exchange handler's backpressure depends on them.
 */
public final class GatewayServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 128 * 1024);

    private final GatewayConfig config;
    private final Transport transport;
    private final EventLoopGroup workerGroup;
    private final ChannelGroup clients = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
    private final ProxyContext proxy;
    private final PrometheusMeterRegistry registry;
    private final HealthChecker health;
    private final int loops;
    private @Nullable Channel serverChannel;
    private @Nullable AdminServer admin;
    private @Nullable TrafficControl traffic;
    private volatile @Nullable ConfigReloader reloader;
    private volatile @Nullable AdminChanges changes;

    private GatewayServer(GatewayConfig config, Transport transport) {
        this.config = config;
        this.transport = transport;
        this.loops = config.listen().eventLoops() > 0
                ? config.listen().eventLoops() : Runtime.getRuntime().availableProcessors();
        this.workerGroup = transport.newGroup(loops, "tandem-loop");
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        GatewayMetrics metrics = config.metrics().enabled() ? new GatewayMetrics(registry) : null;
        UpstreamPools pools = new UpstreamPools(config.backends().values(), transport.socketChannel(),
                metrics == null ? UpstreamPools.ConnectObserver.NONE : metrics::connected);
        // Mirrors get pools of their own: a slow shadow can never hold a primary's keep-alive connection.
        UpstreamPools shadowPools = new UpstreamPools(config.backends().values(), transport.socketChannel(),
                UpstreamPools.ConnectObserver.NONE);
        this.proxy = new ProxyContext(config, pools, metrics, new Guards(config, metrics == null ? null : registry),
                new Mirrors(shadowPools, metrics == null ? null : registry));
        this.health = new HealthChecker(proxy.guards());
        if (metrics != null) {
            metrics.register(config);
            metrics.bindPools(pools, config.backends().keySet());
            metrics.bindEventLoops(workerGroup);
        }
    }

    /** Binds and returns the running server; blocks only the calling (main) thread, never an event loop. */
    public static GatewayServer start(GatewayConfig config) throws InterruptedException {
        GatewayServer server = new GatewayServer(config, Transport.best());
        try {
            // Persisted runtime weights are in force before the first request is accepted.
            server.traffic = TrafficControl.start(server.proxy, config);
            server.changes(server.traffic);
        } catch (IOException e) {
            server.close();
            throw new UncheckedIOException("cannot load the runtime state file: " + e.getMessage(), e);
        }
        server.health.update(config.backends());
        server.bind();
        try {
            server.admin = AdminServer.start(server, server.transport);
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void bind() throws InterruptedException {
        ListenerConfig listen = config.listen();
        // Accepting runs on a worker loop too, as nginx's worker does: no thread hand-off per new connection.
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(workerGroup)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new ClientChannelInitializer(proxy, config, clients));
        serverChannel = bootstrap.bind(listen.host(), listen.port()).sync().channel();
        log.info("tandem listening on {} ({} transport, {} event loops, {} routes, direct memory {})",
                serverChannel.localAddress(), transport.name().toLowerCase(java.util.Locale.ROOT), loops,
                config.routes().size(), PlatformDependent.useDirectBufferNoCleaner() ? "unsafe" : "via ByteBuffer");
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel().localAddress()).getPort();
    }

    public ProxyContext proxy() {
        return proxy;
    }

    public Transport transport() {
        return transport;
    }

    /** The worker event loops (for tests and gauges). */
    public EventLoopGroup workerLoops() {
        return workerGroup;
    }

    /** The admin listener's bound port. */
    public int adminPort() {
        if (admin == null) {
            throw new IllegalStateException("admin not started");
        }
        return admin.port();
    }

    /** Runtime weights and reloads, in order; null before start. */
    public TrafficControl traffic() {
        if (traffic == null) {
            throw new IllegalStateException("not started");
        }
        return traffic;
    }

    /**
     * Applies a validated, reloaded config: resolves new backends first (a failure there changes nothing), then
     * installs it with the runtime weights on top, in order with weight changes, then retires what it replaced.
     * Exchanges in flight finish on the config they started with. Listener, admin and limit settings take effect
     * only on restart.
     */
    public CompletableFuture<GatewayConfig> apply(GatewayConfig newConfig) {
        try {
            proxy.pools().prepare(newConfig.backends().values());
            proxy.mirrors().shadowPools().prepare(newConfig.backends().values());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return traffic().reload(newConfig).thenApply(effective -> {
            proxy.pools().retain(effective.backends().values());
            proxy.mirrors().shadowPools().retain(effective.backends().values());
            health.update(effective.backends());
            if (proxy.metrics() != null) {
                proxy.metrics().register(effective);
            }
            return effective;
        });
    }

    /** Hot reload of the config file, when the gateway runs from one. */
    public @Nullable ConfigReloader reloader() {
        return reloader;
    }

    public void reloader(ConfigReloader reloader) {
        this.reloader = reloader;
    }

    /** The runtime change handler the admin API uses, or null when changes are not offered. */
    public @Nullable AdminChanges changes() {
        return changes;
    }

    public void changes(AdminChanges changes) {
        this.changes = changes;
    }

    public GatewayConfig config() {
        return config;
    }

    /** The registry the admin server exposes; empty of Tandem meters when metrics are off. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * Stops accepting, lets in-flight exchanges finish up to the drain timeout, then closes everything. Idle
     * keep-alive connections close at once; busy ones close after their current response.
     */
    public void drainAndStop(Duration drainTimeout) {
        log.info("draining: {} open connections, up to {} ms", clients.size(), drainTimeout.toMillis());
        proxy.startDraining();
        serverChannel().close().awaitUninterruptibly();
        clients.forEach(ch -> ch.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE));
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        while (!clients.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!clients.isEmpty()) {
            log.warn("drain timeout: closing {} connections still busy", clients.size());
        }
        close();
    }

    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly();
        }
        clients.close().awaitUninterruptibly();
        if (admin != null) {
            admin.close();
        }
        if (reloader != null) {
            reloader.close();
        }
        proxy.pools().close();
        proxy.mirrors().close();
        health.close();
        if (traffic != null) {
            traffic.close();
        }
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private Channel serverChannel() {
        if (serverChannel == null) {
            throw new IllegalStateException("not started");
        }
        return serverChannel;
    }
}
