package dev.tandem.it.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * Start-up waits: poll a real readiness signal (a health endpoint, a TCP accept, an SQL ping) and fail at
 * once, with the process's log, if the process exits meanwhile. No fixed sleeps.
 */
public final class Readiness {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private Readiness() {
    }

    /** Waits until {@code probe} is true, failing fast if {@code process} dies. */
    public static void until(ManagedProcess process, String what, Duration timeout, Callable<Boolean> probe) {
        try {
            await().alias(process.name() + ": " + what)
                    .atMost(timeout)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(100))
                    .failFast(() -> !process.isAlive())
                    .until(() -> {
                        try {
                            return probe.call();
                        } catch (IOException | RuntimeException e) {
                            return false;
                        }
                    });
        } catch (TerminalFailureException e) {
            throw new AssertionError(process.exitDescription(), e);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(process.name() + " was not ready (" + what + ") within " + timeout
                    + "; log " + process.stdoutLog() + ":\n" + process.logTail(60), e);
        }
    }

    /** Waits until GET {@code uri} answers 200. */
    public static void awaitHttpOk(ManagedProcess process, URI uri, Duration timeout) {
        until(process, "GET " + uri + " answers 200", timeout, () -> status(uri) == 200);
    }

    /** The status of GET {@code uri} once its body has arrived, or -1 if no whole answer comes within 3 s. */
    public static int status(URI uri) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(3)).GET().build();
        CompletableFuture<HttpResponse<Void>> exchange = CLIENT.sendAsync(request, HttpResponse.BodyHandlers.discarding());
        try {
            return exchange.get(3, TimeUnit.SECONDS).statusCode();
        } catch (ExecutionException | TimeoutException e) {
            exchange.cancel(true);
            return -1;
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
