package org.dtheta.nn.io;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends float64 data to the end of a file with direct I/O ({@code O_DIRECT}) where the file
 * system allows it: the kernel then moves the bytes to the disk without first copying them into
 * its page cache, a copy whose CPU time a writer running beside the computation takes from it
 * (measurements in benchmarks/README.md). Direct I/O needs the
 * file offset, the length and the memory of every write aligned to the file system's block, so
 * the data is staged in an aligned buffer and written in whole blocks; {@link #flush} writes the
 * unaligned rest through the ordinary channel, and a later direct write of that block rewrites it
 * with the same bytes. Where direct I/O is refused (e.g. tmpfs), every write goes through the
 * ordinary channel with the same staging: the bytes on disk are the same either way.
 */
final class DirectAppender implements Closeable {

  /** Bytes per write: large sequential writes, a small fraction of a panel. */
  private static final int STAGE_BYTES = 8 << 20;

  private static final int MIN_ALIGN = 4096;

  private final FileChannel buffered;
  private final FileChannel direct;
  private final int align;
  private final ByteBuffer stage;
  /** File offset of {@code stage}'s first byte: a multiple of {@code align}. */
  private long base;
  /** Bytes staged. */
  private int fill;
  private boolean useDirect;
  private boolean directWorked;

  private DirectAppender(FileChannel buffered, FileChannel direct, int align, long end)
      throws IOException {
    this.buffered = buffered;
    this.direct = direct;
    this.align = align;
    this.useDirect = direct != null;
    this.stage = ByteBuffer.allocateDirect(STAGE_BYTES + align).alignedSlice(align)
        .order(ByteOrder.LITTLE_ENDIAN);
    this.base = end / align * align;
    this.fill = (int) (end - base);
    // The partial block before the end is rewritten with the next whole block: stage its bytes.
    ByteBuffer head = stage.duplicate();
    head.limit(fill);
    long at = base;
    while (head.hasRemaining()) {
      int got = buffered.read(head, at);
      if (got < 0) {
        throw new IOException("file ended at byte " + at + ", expected " + end);
      }
      at += got;
    }
  }

  /**
   * An appender to {@code file}, whose first {@code end} bytes are already written through
   * {@code buffered} (which stays the caller's to close).
   */
  static DirectAppender open(Path file, FileChannel buffered, long end) throws IOException {
    int align = MIN_ALIGN;
    FileChannel direct = null;
    try {
      align = (int) Math.max(MIN_ALIGN, Files.getFileStore(file).getBlockSize());
      direct = FileChannel.open(file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
    } catch (UnsupportedOperationException | IOException e) {
      direct = null; // the ordinary channel serves
    }
    return new DirectAppender(buffered, direct, align, end);
  }

  /** Whether blocks have gone to the file by direct I/O (for tests). */
  boolean wroteDirectly() {
    return useDirect && directWorked;
  }

  /** Appends {@code src[off, off + n)} as little-endian float64. */
  void append(double[] src, int off, int n) throws IOException {
    while (n > 0) {
      int count = Math.min(n, (stage.capacity() - fill) / Double.BYTES);
      stage.slice(fill, count * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer()
          .put(src, off, count);
      fill += count * Double.BYTES;
      off += count;
      n -= count;
      if (stage.capacity() - fill < Double.BYTES) {
        writeWholeBlocks();
      }
    }
  }

  /** Writes every staged byte to the file (the last, partial block through the ordinary channel). */
  void flush() throws IOException {
    writeWholeBlocks();
    ByteBuffer rest = stage.duplicate();
    rest.limit(fill);
    long at = base;
    while (rest.hasRemaining()) {
      at += buffered.write(rest, at);
    }
  }

  private void writeWholeBlocks() throws IOException {
    int whole = fill / align * align;
    if (whole == 0) {
      return;
    }
    ByteBuffer out = stage.duplicate();
    out.limit(whole);
    long at = base;
    if (useDirect) {
      try {
        while (out.hasRemaining()) {
          at += direct.write(out, at);
        }
        directWorked = true;
      } catch (IOException e) {
        if (directWorked) {
          throw e;
        }
        // Refused from the first write (a file system that opens but does not do direct I/O).
        useDirect = false;
        out.position(0);
        at = base;
      }
    }
    while (out.hasRemaining()) {
      at += buffered.write(out, at);
    }
    int rest = fill - whole;
    stage.put(0, stage, whole, rest);
    base += whole;
    fill = rest;
  }

  /** Closes the direct channel (the ordinary one is the caller's). Call {@link #flush} first. */
  @Override
  public void close() throws IOException {
    if (direct != null) {
      direct.close();
    }
  }
}
