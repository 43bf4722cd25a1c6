package dev.tandem.traffic;

import dev.tandem.config.BackendConfig;
import dev.tandem.config.MirrorConfig;
import dev.tandem.http1.ResponseHead;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * The mirror of one exchange. It copies what it needs as the primary exchange streams by (the request body up to the
 * route's limit, the primary response up to {@link BoundedCopy#MAX_RESPONSE_BYTES}), sends the shadow request once
 * the client's request is complete, in parallel with the primary's response, and has the two compared when both are
 * in. It never holds a message of the primary's: it copies bytes, and the primary keeps ownership. Every method runs
 * on the client channel's event loop.
 */
public final class Mirror {
    /** Marks a shadow request, so backends can tell it from real traffic (and roll back its writes). */
    public static final String SHADOW_HEADER = "X-Tandem-Shadow";

    private final Mirrors mirrors;
    private final MirrorStats stats;
    private final ResponseComparator comparator;
    private final EventLoop loop;
    private final String route;
    private final MirrorConfig config;
    private final BackendConfig primary;
    private final BackendConfig shadow;
    private final HttpMethod method;
    private final String uri;
    private final ShadowHead head;
    private final boolean noiseSample;
    private final BoundedCopy requestBody;

    private int primaryStatus;
    private Map<String, String> primaryHeaders = Map.of();
    private final BoundedCopy primaryBody = new BoundedCopy(BoundedCopy.MAX_RESPONSE_BYTES);
    private ResponseComparator.@Nullable Captured primaryResult;
    private long primaryNanos;

    private int pending;
    private ResponseComparator.@Nullable Captured shadowResult;
    private long shadowNanos;
    private ResponseComparator.@Nullable Captured repeatResult;
    private boolean shadowFailed;
    private boolean over;

    Mirror(Mirrors mirrors, MirrorStats stats, ResponseComparator comparator, EventLoop loop, String route,
            MirrorConfig config, BackendConfig primary, BackendConfig shadow, HttpMethod method, String uri,
            ShadowHead head, boolean noiseSample) {
        this.mirrors = mirrors;
        this.stats = stats;
        this.comparator = comparator;
        this.loop = loop;
        this.route = route;
        this.config = config;
        this.primary = primary;
        this.shadow = shadow;
        this.method = method;
        this.uri = uri;
        this.noiseSample = noiseSample;
        this.requestBody = new BoundedCopy(config.maxBody());
        this.head = head;
        stats.mirrored.incrementAndGet();
    }

    /** A chunk of the client's request body went to the primary: keep a copy, up to the limit. */
    public void onRequestContent(HttpContent content) {
        if (over) {
            return;
        }
        if (!requestBody.append(content.content())) {
            // Too big to mirror after all (chunked, no length up front): drop it, counted.
            over = true;
            mirrors.drop(stats);
            mirrors.finished(route);
        }
    }

    /** The client's request is complete: send the shadow (and, for a noise sample, the primary's repeat). */
    public void onRequestComplete() {
        if (over) {
            return;
        }
        byte[] body = requestBody.toByteArray();
        pending = noiseSample ? 2 : 1;
        new ShadowCall(loop, shadow, config.compare().headers(), (captured, nanos) -> {
            shadowResult = captured;
            shadowFailed = captured == null;
            shadowNanos = nanos;
            pendingDone();
        }).send(mirrors, method, head, body);
        if (noiseSample) {
            // The same request to the primary again: what differs between two primary answers is noise.
            new ShadowCall(loop, primary, config.compare().headers(), (captured, nanos) -> {
                repeatResult = captured;
                pendingDone();
            }).send(mirrors, method, head, body);
        }
    }

    /** The primary's response head reached the client. */
    public void onPrimaryHead(HttpResponse response) {
        primaryStatus = ResponseHead.codeOf(response);
        if (response instanceof ResponseHead head && BoundedCopy.hasBody(method, primaryStatus)) {
            primaryBody.expect(head.contentLength());
        }
        primaryHeaders = ResponseComparator.comparedFields(config.compare().headers(), ResponseHead.fieldsOf(response));
    }

    /** A chunk of the primary's response reached the client: keep a copy, up to the limit. */
    public void onPrimaryContent(HttpContent content) {
        primaryBody.append(content.content());
    }

    /** The primary's response is complete, {@code nanos} after its request was written. */
    public void onPrimaryComplete(long nanos) {
        if (over) {
            return;
        }
        primaryNanos = nanos;
        primaryResult = new ResponseComparator.Captured(primaryStatus, primaryHeaders,
                primaryBody.toByteArray(), primaryBody.truncated());
        maybeCompare();
    }

    /** The primary exchange failed or the client left: nothing to compare; the shadow's answer is ignored. */
    public void abandon() {
        if (!over && primaryResult == null) {
            over = true;
            mirrors.finished(route);
        }
    }

    private void pendingDone() {
        pending--;
        maybeCompare();
    }

    private void maybeCompare() {
        if (over || primaryResult == null || pending > 0) {
            return;
        }
        over = true;
        mirrors.finished(route);
        if (shadowFailed) {
            mirrors.count(stats, MirrorStats.Result.ERROR);
            return;
        }
        ResponseComparator.Captured primaryCaptured = primaryResult;
        ResponseComparator.Captured shadowCaptured = shadowResult;
        ResponseComparator.Captured repeat = repeatResult;
        stats.ratio(primaryNanos, shadowNanos);
        if (repeat == null && ResponseComparator.identical(primaryCaptured, shadowCaptured)) {
            // The common case once a route is ported: byte-equal answers match under every rule, so they are
            // counted here, without parsing and without a hand-off to the comparison thread.
            mirrors.count(stats, MirrorStats.Result.MATCHED);
            return;
        }
        try {
            mirrors.comparisons.execute(() -> compare(primaryCaptured, shadowCaptured, repeat));
        } catch (RejectedExecutionException e) {
            mirrors.drop(stats);
        }
    }

    /** On the comparison thread. */
    private void compare(ResponseComparator.Captured primaryCaptured, ResponseComparator.Captured shadowCaptured,
            ResponseComparator.@Nullable Captured repeat) {
        if (repeat != null) {
            for (ResponseComparator.Difference noise : comparator.compare(primaryCaptured, repeat)) {
                stats.noisy(noise.path());
            }
        }
        List<ResponseComparator.Difference> differences = comparator.compare(primaryCaptured, shadowCaptured);
        if (differences.isEmpty()) {
            mirrors.count(stats, MirrorStats.Result.MATCHED);
        } else if (differences.stream().allMatch(d -> stats.isNoisy(d.path()))) {
            mirrors.count(stats, MirrorStats.Result.NOISE);
        } else {
            mirrors.count(stats, MirrorStats.Result.MISMATCHED);
            stats.sample(new MirrorStats.Sample(Instant.now(), method.name(), uri, differences));
        }
    }
}
