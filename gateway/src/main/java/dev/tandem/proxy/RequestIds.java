package dev.tandem.proxy;

import java.util.concurrent.ThreadLocalRandom;

/** Request ids: a valid client-sent id passes through; otherwise a random 128-bit one is made. */
final class RequestIds {
    private static final int MAX_LENGTH = 128;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {
    }

    /** Whether a client-sent id is safe to pass on and to log: short, visible ASCII, no quotes or backslashes. */
    static boolean isValid(CharSequence id) {
        int length = id.length();
        if (length == 0 || length > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = id.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /** 32 hex characters; ThreadLocalRandom because a request id needs uniqueness, not secrecy. */
    static String generate() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] out = new char[32];
        long hi = random.nextLong();
        long lo = random.nextLong();
        for (int i = 0; i < 16; i++) {
            out[15 - i] = HEX[(int) (hi >>> (i * 4)) & 0xf];
            out[31 - i] = HEX[(int) (lo >>> (i * 4)) & 0xf];
        }
        return new String(out);
    }
}
