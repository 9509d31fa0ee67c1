package dev.bjoern.servlet;

/** The one wording for what the bridge does not do: the message names the feature and what to do instead. */
final class Unsupported {
    private Unsupported() {
    }

    static UnsupportedOperationException feature(String feature, String instead) {
        return new UnsupportedOperationException(message(feature, instead));
    }

    static String message(String feature, String instead) {
        return feature + " is not supported by the bjoern servlet bridge; " + instead;
    }
}
