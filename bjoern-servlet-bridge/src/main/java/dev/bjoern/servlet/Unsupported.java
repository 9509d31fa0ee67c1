package dev.bjoern.servlet;

/** The one wording for what the bridge does not do: the message names the feature. */
final class Unsupported {
    private Unsupported() {
    }

    static UnsupportedOperationException feature(String feature) {
        return new UnsupportedOperationException(message(feature));
    }

    static String message(String feature) {
        return feature + " is not supported by the bjoern servlet bridge";
    }
}
