package dev.tandem.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.LeakGateExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@ExtendWith(LeakGateExtension.class)
class BoundedCopyTest {

    private static boolean append(BoundedCopy copy, String text, int readerIndex) {
        ByteBuf buf = Unpooled.copiedBuffer("#".repeat(readerIndex) + text, StandardCharsets.US_ASCII);
        try {
            buf.readerIndex(readerIndex);
            boolean kept = copy.append(buf);
            assertThat(buf.readerIndex()).as("the owner's buffer is not consumed").isEqualTo(readerIndex);
            return kept;
        } finally {
            buf.release();
        }
    }

    @ParameterizedTest
    @CsvSource({"-1", "0", "3", "11", "100"})
    void keepsEveryPartInOrderWhateverLengthWasAnnounced(long announced) {
        BoundedCopy copy = new BoundedCopy(1024);
        copy.expect(announced);

        assertThat(append(copy, "hello ", 2)).isTrue();
        assertThat(append(copy, "", 0)).isTrue();
        assertThat(append(copy, "world", 1)).isTrue();

        assertThat(new String(copy.toByteArray(), StandardCharsets.US_ASCII)).isEqualTo("hello world");
        assertThat(copy.truncated()).isFalse();
    }

    @Test
    void stopsAtTheLimitAndSaysSo() {
        BoundedCopy copy = new BoundedCopy(8);
        copy.expect(1_000_000);

        assertThat(append(copy, "12345", 0)).isTrue();
        assertThat(append(copy, "6789", 0)).isFalse();
        assertThat(append(copy, "more", 0)).isFalse();

        assertThat(new String(copy.toByteArray(), StandardCharsets.US_ASCII)).isEqualTo("12345678");
        assertThat(copy.truncated()).isTrue();
    }

    @Test
    void aBodyOfExactlyTheAnnouncedLengthIsNotCopiedAgain() {
        BoundedCopy copy = new BoundedCopy(1024);
        copy.expect(4);
        append(copy, "ab", 0);
        append(copy, "cd", 0);

        assertThat(copy.toByteArray()).isSameAs(copy.toByteArray()).containsExactly('a', 'b', 'c', 'd');
    }

    @ParameterizedTest
    @CsvSource({"GET, 200, true", "HEAD, 200, false", "GET, 204, false", "GET, 304, false", "GET, 101, false",
            "POST, 404, true"})
    void onlyResponsesWithABodyAnnounceItsLength(String method, int status, boolean hasBody) {
        assertThat(BoundedCopy.hasBody(HttpMethod.valueOf(method), status)).isEqualTo(hasBody);
    }
}
