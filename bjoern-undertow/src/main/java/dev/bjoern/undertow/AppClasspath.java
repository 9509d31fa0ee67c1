package dev.bjoern.undertow;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The command line's {@code --classpath}, gunicorn's {@code --pythonpath}: where the application's classes are
 * when {@code java -jar bjoern.jar} ignores {@code -cp}. Entries are separated by the platform's path separator
 * and are read as java reads {@code -cp}: a folder of classes, a jar, or {@code DIR/*} for every jar in DIR.
 */
final class AppClasspath {
    private AppClasspath() {
    }

    /**
     * A loader over {@code values}' entries in order, asking {@code parent} first.
     *
     * @throws IllegalArgumentException naming an entry that does not exist
     */
    static ClassLoader loader(List<String> values, ClassLoader parent) {
        List<URL> urls = new ArrayList<>();
        for (String value : values) {
            for (String entry : value.split(File.pathSeparator)) {
                if (entry.equals("*") || entry.endsWith(File.separator + "*")) {
                    jars(entry).forEach(jar -> urls.add(url(jar)));
                } else if (!entry.isEmpty()) {
                    Path path = Path.of(entry);
                    if (!Files.exists(path)) {
                        throw new IllegalArgumentException("--classpath: no file or folder \"" + entry + "\"");
                    }
                    urls.add(url(path));
                }
            }
        }
        return new URLClassLoader(urls.toArray(new URL[0]), parent);
    }

    /** The jars {@code DIR/*} names, by name: java's -cp takes them in no set order. */
    private static List<Path> jars(String entry) {
        String folder = entry.substring(0, entry.length() - 1);
        Path dir = Path.of(folder.isEmpty() ? "." : folder);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--classpath: no folder \"" + folder + "\" for \"" + entry + "\"");
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> file.toString().endsWith(".jar") || file.toString().endsWith(".JAR"))
                    .filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static URL url(Path path) {
        try {
            // toUri() ends a folder's URI with "/", which URLClassLoader needs to read it as a folder.
            return path.toAbsolutePath().toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("--classpath: \"" + path + "\" is not a usable path: " + e, e);
        }
    }
}
