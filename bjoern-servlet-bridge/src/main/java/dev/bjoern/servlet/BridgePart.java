package dev.bjoern.servlet;

import jakarta.servlet.http.Part;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** One part of a multipart/form-data body: in memory, or in a temporary file past the threshold. */
final class BridgePart implements Part {
    private final String name;
    private final String fileName;
    private final Map<String, List<String>> headers;
    private final byte[] bytes;
    private Path file;
    /** The temporary file this part was spilled to, deleted when the request ends unless moved by write. */
    private final Path temporary;
    private final long size;
    private final Path location;

    BridgePart(String name, String fileName, Map<String, List<String>> headers, byte[] bytes, Path file, long size,
            Path location) {
        this.name = name;
        this.fileName = fileName;
        this.headers = headers;
        this.bytes = bytes;
        this.file = file;
        this.temporary = file;
        this.size = size;
        this.location = location;
    }

    /** The request is over: the temporary file goes, unless write() moved it where the servlet wanted it. */
    void deleteTemporary() throws IOException {
        if (temporary != null) {
            Files.deleteIfExists(temporary);
        }
    }

    @Override
    public InputStream getInputStream() throws IOException {
        return file != null ? Files.newInputStream(file) : new ByteArrayInputStream(bytes);
    }

    @Override
    public String getContentType() {
        return getHeader("Content-Type");
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public String getSubmittedFileName() {
        return fileName;
    }

    @Override
    public long getSize() {
        return size;
    }

    /** A relative name is resolved against the multipart location, as the spec says. */
    @Override
    public void write(String fileName) throws IOException {
        Path target = location.resolve(fileName);
        if (file != null) {
            Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
            file = target;
        } else {
            Files.write(target, bytes);
        }
    }

    @Override
    public void delete() throws IOException {
        if (file != null) {
            Files.deleteIfExists(file);
        }
    }

    @Override
    public String getHeader(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null ? null : values.get(0);
    }

    @Override
    public Collection<String> getHeaders(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null ? List.of() : new ArrayList<>(values);
    }

    @Override
    public Collection<String> getHeaderNames() {
        return new ArrayList<>(headers.keySet());
    }
}
