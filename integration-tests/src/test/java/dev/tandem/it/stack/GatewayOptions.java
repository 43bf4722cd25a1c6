package dev.tandem.it.stack;

import java.util.List;

/**
 * What a test may vary in a running gateway's config file ({@link Gateway#reconfigure}); everything else is the
 * reference routing of {@link GatewayConfigFile}.
 *
 * @param productCompareHeaders the response headers the {@code products-read} mirror compares (lower-case)
 * @param coreMirror            where the {@code core} route (the one that takes {@code POST /api/orders}) mirrors to
 * @param coreMirrorsWrites     whether that mirror also takes POST ({@code allow-writes = true}); the reference apps
 *                              do not roll back shadow requests, so this applies every mirrored write twice
 */
public record GatewayOptions(List<String> productCompareHeaders, CoreMirror coreMirror, boolean coreMirrorsWrites) {

    /** The config every gateway starts with. */
    public static final GatewayOptions DEFAULT = new GatewayOptions(List.of("content-type"), CoreMirror.FASTAPI, false);

    public GatewayOptions {
        productCompareHeaders = List.copyOf(productCompareHeaders);
    }

    public GatewayOptions withProductCompareHeaders(String... headers) {
        return new GatewayOptions(List.of(headers), coreMirror, coreMirrorsWrites);
    }

    public GatewayOptions withCoreMirror(CoreMirror mirror) {
        return new GatewayOptions(productCompareHeaders, mirror, coreMirrorsWrites);
    }

    public GatewayOptions withCoreMirrorWrites(boolean writes) {
        return new GatewayOptions(productCompareHeaders, coreMirror, writes);
    }

    /** The shadow backend of the {@code core} route's mirror (default methods: GET and HEAD only). */
    public enum CoreMirror {
        /** FastAPI, as in the reference config. FastAPI has no order endpoint, so a mirrored write could not show in the database. */
        FASTAPI("fastapi"),
        /**
         * {@value GatewayConfigFile#DJANGO_TWIN}: a second backend at Django's own address. A write mirrored there
         * would be applied a second time to the shared database, so counting rows proves whether one was.
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
