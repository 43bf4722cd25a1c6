package dev.tandem.it.stack;

import java.net.URI;
import java.util.List;

/**
 * What a test may vary in a running gateway's config file ({@link Gateway#reconfigure}); everything else is the
 * reference routing of {@link GatewayConfigFile}.
 *
 * @param productCompareHeaders the response headers the {@code products-read} mirror compares (lower-case)
 * @param coreMirror            where the {@code core} route (the one that takes {@code POST /api/orders}) mirrors to
 * @param coreMirrorsWrites     whether that mirror also takes POST ({@code methods = [GET, HEAD, POST],
 *                              allow-writes = true}); the reference apps roll back requests marked
 *                              {@code X-Tandem-Shadow: 1} by a trusted proxy and say so with
 *                              {@code X-Tandem-Shadow-Rolled-Back: 1}, so that mirror then also compares that
 *                              header and ignores the fields two placements of one order differ in
 *                              ({@code id}, {@code created_at})
 * @param coreTwinUrl           where {@link CoreMirror#DJANGO_TWIN} points; null for Django's own address
 */
public record GatewayOptions(List<String> productCompareHeaders, CoreMirror coreMirror, boolean coreMirrorsWrites,
        URI coreTwinUrl) {

    /** The config every gateway starts with. */
    public static final GatewayOptions DEFAULT =
            new GatewayOptions(List.of("content-type"), CoreMirror.FASTAPI, false, null);

    public GatewayOptions {
        productCompareHeaders = List.copyOf(productCompareHeaders);
    }

    public GatewayOptions withProductCompareHeaders(String... headers) {
        return new GatewayOptions(List.of(headers), coreMirror, coreMirrorsWrites, coreTwinUrl);
    }

    public GatewayOptions withCoreMirror(CoreMirror mirror) {
        return new GatewayOptions(productCompareHeaders, mirror, coreMirrorsWrites, coreTwinUrl);
    }

    public GatewayOptions withCoreMirrorWrites(boolean writes) {
        return new GatewayOptions(productCompareHeaders, coreMirror, writes, coreTwinUrl);
    }

    /** {@link CoreMirror#DJANGO_TWIN} at {@code url} (a relay to Django, say) instead of Django's own address. */
    public GatewayOptions withCoreTwinUrl(URI url) {
        return new GatewayOptions(productCompareHeaders, coreMirror, coreMirrorsWrites, url);
    }

    /** The shadow backend of the {@code core} route's mirror (default methods: GET and HEAD only). */
    public enum CoreMirror {
        /** FastAPI, as in the reference config. FastAPI has no order endpoint, so a mirrored write could not show in the database. */
        FASTAPI("fastapi"),
        /**
         * {@value GatewayConfigFile#DJANGO_TWIN}: a second backend at Django's own address (or
         * {@link GatewayOptions#coreTwinUrl}). A write mirrored there and not rolled back would be applied a second time to the
         * shared database, so counting rows proves whether one was.
         */
        DJANGO_TWIN(GatewayConfigFile.DJANGO_TWIN);

        private final String backend;

        CoreMirror(String backend) {
            this.backend = backend;
        }

        /** The backend name in the config file and in {@code /api/mirrors}. */
        public String backend() {
            return backend;
        }
    }
}
