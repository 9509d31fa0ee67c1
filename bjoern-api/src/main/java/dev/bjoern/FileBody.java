package dev.bjoern;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The body {@link FileWrapper#DEFAULT} returns. A server that recognises it sends a file-backed body (a
 * path, file, {@link FileChannel} or {@link FileInputStream}) zero-copy from the file's position when the
 * application returns it; any server may instead iterate it, reading blocks of {@link #blockSize()} bytes.
 * {@link #close()} closes the wrapped file or stream.
 */
public final class FileBody implements Iterable<byte[]>, AutoCloseable {
    private final ReadableByteChannel source;
    private final FileChannel file;
    private final int blockSize;

    private FileBody(ReadableByteChannel source, int blockSize) {
        this.source = source;
        this.file = source instanceof FileChannel ? (FileChannel) source : null;
        this.blockSize = blockSize;
    }

    /**
     * Wraps a file, path or stream; see {@link FileWrapper#wrap}.
     *
     * @param file a {@link FileChannel}, {@link Path}, {@link File}, {@link InputStream} or
     *     {@link ReadableByteChannel}; a {@link SelectableChannel} must be in blocking mode
     * @param blockSize the size of the blocks read when the body is iterated
     * @return a body that closes {@code file} when closed; a path or {@code File} is opened here
     * @throws IllegalArgumentException for an unsupported type or a block size below 1
     * @throws IOException if a path cannot be opened for reading
     */
    public static FileBody of(Object file, int blockSize) throws IOException {
        if (blockSize < 1) {
            throw new IllegalArgumentException("file_wrapper block size must be at least 1, got " + blockSize);
        }
        if (file instanceof SelectableChannel && !((SelectableChannel) file).isBlocking()) {
            throw new IllegalArgumentException("file_wrapper needs a blocking channel, got a non-blocking "
                    + file.getClass().getName());
        }
        if (file instanceof Path) {
            return new FileBody(FileChannel.open((Path) file, StandardOpenOption.READ), blockSize);
        } else if (file instanceof File) {
            return new FileBody(FileChannel.open(((File) file).toPath(), StandardOpenOption.READ), blockSize);
        } else if (file instanceof ReadableByteChannel) {
            return new FileBody((ReadableByteChannel) file, blockSize);
        } else if (file instanceof FileInputStream) {
            return new FileBody(((FileInputStream) file).getChannel(), blockSize);
        } else if (file instanceof InputStream) {
            return new FileBody(Channels.newChannel((InputStream) file), blockSize);
        }
        throw new IllegalArgumentException("file_wrapper takes a FileChannel, Path, File, InputStream or"
                + " ReadableByteChannel, got " + (file == null ? "null" : file.getClass().getName()));
    }

    /**
     * The wrapped file when the body is file-backed.
     *
     * @return the file, sent from its current position; {@code null} when the source is another stream or channel
     */
    public FileChannel fileChannel() {
        return file;
    }

    /**
     * The size of the blocks the iterator reads.
     *
     * @return the block size given to {@link #of}, at least 1
     */
    public int blockSize() {
        return blockSize;
    }

    /**
     * Reads the rest of the source in blocks of at most {@link #blockSize()} bytes. Each block is a new
     * array, as the server may still be sending the previous one.
     *
     * @return an iterator that reads on from where the source is now
     * @throws UncheckedIOException from {@code hasNext()} when a read fails
     */
    @Override
    public Iterator<byte[]> iterator() {
        return new Iterator<>() {
            private byte[] next;
            private boolean done;

            @Override
            public boolean hasNext() {
                if (next == null && !done) {
                    next = readBlock();
                    done = next == null;
                }
                return next != null;
            }

            @Override
            public byte[] next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                byte[] block = next;
                next = null;
                return block;
            }
        };
    }

    private byte[] readBlock() {
        ByteBuffer block = ByteBuffer.allocate(blockSize);
        try {
            while (block.hasRemaining()) {
                if (source.read(block) < 0) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (block.position() == 0) {
            return null;
        }
        return block.position() == blockSize ? block.array() : Arrays.copyOf(block.array(), block.position());
    }

    @Override
    public void close() throws IOException {
        source.close();
    }
}
