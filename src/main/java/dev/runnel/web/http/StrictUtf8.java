package dev.runnel.web.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * UTF-8 decoding for what a client sends: malformed bytes are refused with a reason, never
 * replaced (the JDK's {@code new String(bytes, UTF_8)} would silently put U+FFFD in their place).
 *
 * <p>Threading: stateless.
 */
final class StrictUtf8 {
    private StrictUtf8() {}

    /** The text of {@code bytes}; a 400 with {@code refusal} as its detail when they are not UTF-8. */
    static String decode(byte[] bytes, String refusal) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw HttpError.badRequest(refusal);
        }
    }
}
