package dev.bjoern.samples;

import dev.bjoern.Environ;
import dev.bjoern.FileWrapper;
import dev.bjoern.WsgiApplication;
import dev.bjoern.undertow.Bjoern;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Sends one file through wsgi.file_wrapper: the server sends it zero-copy and computes Content-Length.
 * {@code java -cp samples.jar dev.bjoern.samples.FileDownload FILE [PORT]}.
 */
public final class FileDownload {
    private FileDownload() {
    }

    /** An application that answers every request with {@code file}. */
    public static WsgiApplication app(Path file) {
        String name = file.getFileName().toString().replace("\"", "");
        return (environ, startResponse) -> {
            if (!Files.isReadable(file)) {
                startResponse.call("404 Not Found", List.of(Map.entry("Content-Type", "text/plain")));
                return List.of(("no file " + file.getFileName() + "\n").getBytes());
            }
            startResponse.call("200 OK", List.of(
                    Map.entry("Content-Type", "application/octet-stream"),
                    Map.entry("Content-Disposition", "attachment; filename=\"" + name + "\"")));
            FileWrapper wrapper = (FileWrapper) environ.get(Environ.WSGI_FILE_WRAPPER);
            return wrapper.wrap(file, 64 * 1024);
        };
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: FileDownload FILE [PORT]");
            System.exit(2);
        }
        Bjoern.run(app(Path.of(args[0])), "127.0.0.1", args.length > 1 ? Integer.parseInt(args[1]) : 8000);
    }
}
