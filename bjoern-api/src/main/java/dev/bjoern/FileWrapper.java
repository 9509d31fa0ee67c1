package dev.bjoern;

import java.io.IOException;

/**
 * {@code wsgi.file_wrapper}: turns a file into a body the server can send zero-copy.
 *
 * <pre>{@code
 * FileWrapper wrapper = (FileWrapper) environ.get(Environ.WSGI_FILE_WRAPPER);
 * return wrapper.wrap(Path.of("big.iso"), 65536);
 * }</pre>
 */
@FunctionalInterface
public interface FileWrapper {
    /** The wrapper every server puts in environ: {@link FileBody#of(Object, int)}. */
    FileWrapper DEFAULT = FileBody::of;

    /**
     * Wraps {@code file} (a {@link java.nio.channels.FileChannel}, {@link java.nio.file.Path},
     * {@link java.io.File}, {@link java.io.InputStream} or {@link java.nio.channels.ReadableByteChannel}).
     *
     * @param file what to send
     * @param blockSize the size of the blocks read when the body cannot go out zero-copy
     * @return a body that closes {@code file} when the server closes it
     * @throws IllegalArgumentException for another type of {@code file} or a block size below 1
     * @throws IOException if a path cannot be opened
     */
    Iterable<byte[]> wrap(Object file, int blockSize) throws IOException;
}
