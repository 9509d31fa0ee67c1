package dev.bjoern.servlet.frameworks;

import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Reading responses as a browser would. */
public final class Responses {
    private Responses() {
    }

    /** The charset the response's Content-Type declares, or null. */
    public static Charset declaredCharset(HttpResponse<?> response) {
        String type = response.headers().firstValue("Content-Type").orElse("");
        for (String parameter : type.split(";")) {
            String p = parameter.trim();
            if (p.toLowerCase(Locale.ROOT).startsWith("charset=")) {
                return Charset.forName(p.substring("charset=".length()).replace("\"", ""));
            }
        }
        return null;
    }

    /** The body decoded with the declared charset, else ISO-8859-1 (HTTP/1.1's old default for text). */
    public static String text(HttpResponse<byte[]> response) {
        Charset declared = declaredCharset(response);
        return new String(response.body(), declared == null ? StandardCharsets.ISO_8859_1 : declared);
    }
}
