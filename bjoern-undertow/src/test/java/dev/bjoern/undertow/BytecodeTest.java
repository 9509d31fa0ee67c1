package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The library runs on Java 17: every class is Java 17 bytecode but the one that uses JDK 22's FFM API. */
class BytecodeTest {
    private static final int JAVA_17 = 61;
    private static final int JAVA_22 = 66;

    @Test
    void everyClassIsJava17ButForeignSockets() throws Exception {
        Path classes = Path.of(BjoernServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Map<String, Integer> versions = new TreeMap<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                try (InputStream in = Files.newInputStream(file); DataInputStream data = new DataInputStream(in)) {
                    data.readInt();
                    data.readUnsignedShort();
                    versions.put(classes.relativize(file).toString(), data.readUnsignedShort());
                }
            }
        }
        assertEquals(JAVA_22, versions.remove("dev/bjoern/undertow/ForeignSockets.class"),
                "ForeignSockets must be compiled for Java 22 (src/main/java22)");
        assertTrue(versions.size() > 20, "found only " + versions.keySet());
        versions.forEach((name, version) -> assertEquals(JAVA_17, version, name + " must be Java 17 bytecode"));
    }
}
