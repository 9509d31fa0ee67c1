package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --classpath, in a child JVM whose own classpath lacks the test apps, as under {@code java -jar bjoern.jar}:
 * the apps are found only through the option.
 */
class CliClasspathTest {
    private static final String APP = "dev.bjoern.undertow.cliapps.Loaders:app";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Cli.TIMEOUT).build();

    @TempDir
    Path dir;

    /** This test's classes: the folder on the classpath that holds the test apps. */
    static Path testClasses() throws Exception {
        Path apps = Path.of(dev.bjoern.undertow.cliapps.Apps.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI());
        assertTrue(Files.isDirectory(apps.resolve("dev/bjoern/undertow/cliapps")), apps::toString);
        return apps;
    }

    /** Main on the test's classpath less the test classes, with {@code args}. */
    private static Cli start(String... args) throws Exception {
        String apps = testClasses().toString();
        String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !Path.of(entry).toAbsolutePath().toString().equals(apps))
                .collect(Collectors.joining(File.pathSeparator));
        List<String> command = Cli.command(args);
        command.set(command.indexOf("-cp") + 1, classpath);
        return Cli.start(new ProcessBuilder(command));
    }

    @Test
    void withoutTheOptionTheAppIsNotFound() throws Exception {
        try (Cli cli = start(APP)) {
            assertEquals(2, cli.awaitExit());
            assertEquals("bjoern: no class dev.bjoern.undertow.cliapps.Loaders on the classpath\n"
                    + "Run with --help for the options.\n", cli.stderr());
        }
    }

    @Test
    void loadsTheAppFromAFolderAndMakesItsLoaderTheContextLoaderOfTheIoThread() throws Exception {
        // Empty entries, as in "a::b" or a trailing separator, stand for nothing.
        try (Cli cli = start("-p", "0", "--classpath", File.pathSeparator + testClasses() + File.pathSeparator,
                APP)) {
            assertEquals("context loader: the app's", get(cli.awaitServing().group(2)));
        }
    }

    @Test
    void loadsTheAppFromEveryJarInAFolderGivenAsDirStar() throws Exception {
        Path lib = Files.createDirectory(dir.resolve("lib"));
        jar(lib.resolve("apps.jar"), testClasses());
        Files.writeString(lib.resolve("notes.txt"), "not a jar");
        try (Cli cli = start("-p", "0", "--classpath", lib + File.separator + "*", APP)) {
            assertEquals("context loader: the app's", get(cli.awaitServing().group(2)));
        }
    }

    @Test
    void namesAnEntryThatDoesNotExist() throws Exception {
        Path missing = dir.resolve("missing");
        try (Cli cli = start("-p", "0", "--classpath=" + testClasses() + File.pathSeparator + missing, APP)) {
            assertEquals(2, cli.awaitExit());
            assertEquals("bjoern: --classpath: no file or folder \"" + missing + "\"\n"
                    + "Run with --help for the options.\n", cli.stderr());
        }
        try (Cli cli = start("-p", "0", "--classpath", missing + File.separator + "*", APP)) {
            assertEquals(2, cli.awaitExit());
            assertEquals("bjoern: --classpath: no folder \"" + missing + File.separator + "\" for \"" + missing
                    + File.separator + "*\"\nRun with --help for the options.\n", cli.stderr());
        }
    }

    @Test
    void namesAClassTheAppNeedsOnOneLineWhenItIsMissing() throws Exception {
        Path apps = dir.resolve("apps");
        Path cliapps = testClasses().resolve("dev/bjoern/undertow/cliapps");
        Files.createDirectories(apps.resolve("dev/bjoern/undertow/cliapps"));
        Files.copy(cliapps.resolve("Needs.class"), apps.resolve("dev/bjoern/undertow/cliapps/Needs.class"));
        try (Cli cli = start("-p", "0", "--classpath", apps.toString(), "dev.bjoern.undertow.cliapps.Needs:app")) {
            assertEquals(2, cli.awaitExit());
            assertEquals("bjoern: dev.bjoern.undertow.cliapps.Needs:app needs class dev.bjoern.undertow.cliapps.Hello,"
                    + " which is not on the classpath\n", cli.stderr());
        }
    }

    /** A jar of every class under {@code classes}. */
    static void jar(Path jar, Path classes) throws Exception {
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
                Stream<Path> all = Files.walk(classes)) {
            for (Path path : (Iterable<Path>) all.filter(Files::isRegularFile)::iterator) {
                out.putNextEntry(new JarEntry(classes.relativize(path).toString().replace(File.separatorChar, '/')));
                Files.copy(path, out);
                out.closeEntry();
            }
        }
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Cli.TIMEOUT)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response::body);
        return response.body();
    }
}
