package dev.tandem.it.stack;

/** The two upstreams, named as in the gateway config, the {@code X-Backend} header and the access log. */
public enum Backend {
    DJANGO("django"),
    FASTAPI("fastapi");

    private final String id;

    Backend(String id) {
        this.id = id;
    }

    /** The name used by the gateway config, {@code X-Backend} and {@code X-Tandem-Backend}. */
    public String id() {
        return id;
    }

    public Backend other() {
        return this == DJANGO ? FASTAPI : DJANGO;
    }
}
