package dev.tandem.proxy;

/** Fired into every client pipeline when the gateway starts draining: idle connections close now. */
public final class DrainEvent {
    public static final DrainEvent INSTANCE = new DrainEvent();

    private DrainEvent() {
    }
}
