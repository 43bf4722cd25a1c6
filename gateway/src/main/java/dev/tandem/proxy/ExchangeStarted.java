package dev.tandem.proxy;

/** Fired through the client pipeline when a request head has been decoded and an exchange begins. */
public final class ExchangeStarted {
    public static final ExchangeStarted INSTANCE = new ExchangeStarted();

    private ExchangeStarted() {
    }
}
