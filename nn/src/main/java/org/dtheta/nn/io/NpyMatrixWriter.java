package org.dtheta.nn.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.dtheta.nn.PanelSink;

/**
 * Streams a float64 {@code .npy} array to disk by rows, in order: the header first, then row
 * panels, so that a 39760 x 39760 Jacobian (12.6 GB) never sits in the heap. The data goes to
 * {@code <target>.partial} in the target's folder; {@link #close()} renames it over the target
 * atomically once every row is there, so the target is never half-written. Free disk space is
 * checked before the first byte is written.
 *
 * <p>A writer made for large output ({@code direct}, the whole Jacobian) writes its rows with
 * direct I/O where the file system allows ({@link DirectAppender}): the same bytes, without the
 * kernel's copy into its page cache.
 *
 * <p>A writer can be {@linkplain #suspend() suspended} and later {@linkplain #resume resumed}
 * from the rows already on disk: that is how an interrupted training run continues its
 * trajectory file.
 */
public final class NpyMatrixWriter implements PanelSink, Closeable {

  private final Path target;
  private final Path partial;
  private final NpyHeader header;
  private final FileChannel channel;
  private final LittleEndianDoubles doubles = new LittleEndianDoubles();
  /** Direct I/O for the rows, or null: written through {@code channel}. */
  private final DirectAppender appender;
  private long rowsWritten;
  private boolean open = true;

  private NpyMatrixWriter(Path target, NpyHeader header, FileChannel channel, long rowsWritten,
      boolean direct) throws IOException {
    this.target = target;
    this.partial = partialFile(target);
    this.header = header;
    this.channel = channel;
    this.rowsWritten = rowsWritten;
    this.appender = direct
        ? DirectAppender.open(partial, channel,
            header.dataOffset() + rowsWritten * header.cols() * Double.BYTES)
        : null;
  }

  /** Where the rows go until {@link #close()}: {@code <target>.partial}, same folder. */
  public static Path partialFile(Path target) {
    return target.resolveSibling(target.getFileName() + ".partial");
  }

  /** A writer of a {@code rows x cols} matrix to {@code target}. */
  public static NpyMatrixWriter create(Path target, long rows, int cols) throws IOException {
    return create(target, NpyHeader.of(rows, cols));
  }

  /**
   * A writer of a {@code rows x cols} matrix to {@code target}; with {@code direct}, its rows are
   * written with direct I/O where the file system allows (for output far larger than memory).
   */
  public static NpyMatrixWriter create(Path target, long rows, int cols, boolean direct)
      throws IOException {
    return create(target, NpyHeader.of(rows, cols), direct);
  }

  /**
   * A writer of an array of {@code header}'s shape (a 1-D array is written as one row) to
   * {@code target}. Replaces any partial file left by an earlier writer.
   */
  public static NpyMatrixWriter create(Path target, NpyHeader header) throws IOException {
    return create(target, header, false);
  }

  private static NpyMatrixWriter create(Path target, NpyHeader header, boolean direct)
      throws IOException {
    Path partial = partialFile(target);
    long reclaimable = Files.isRegularFile(partial) ? Files.size(partial) : 0;
    AtomicFiles.requireUsableSpace(
        AtomicFiles.folderOf(target),
        header.fileSize() - reclaimable,
        target.getFileName() + " (" + header.shapeText() + " float64)");
    FileChannel channel =
        FileChannel.open(
            partial,
            StandardOpenOption.CREATE,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
    try {
      ByteBuffer bytes = ByteBuffer.wrap(header.encode());
      while (bytes.hasRemaining()) {
        channel.write(bytes, bytes.position());
      }
      return new NpyMatrixWriter(target, header, channel, 0, direct);
    } catch (IOException e) {
      channel.close();
      Files.deleteIfExists(partial);
      throw e;
    }
  }

  /**
   * Reopens the partial file of an interrupted {@code rows x cols} writer to {@code target},
   * keeping its first {@code rowsDone} rows (which the caller knows were completed, e.g. from a
   * checkpoint) and dropping anything after them.
   */
  public static NpyMatrixWriter resume(Path target, long rows, int cols, long rowsDone)
      throws IOException {
    return resume(target, rows, cols, rowsDone, false);
  }

  /** {@link #resume(Path, long, int, long)}, with direct I/O as {@link #create(Path, long, int, boolean)}. */
  public static NpyMatrixWriter resume(Path target, long rows, int cols, long rowsDone,
      boolean direct) throws IOException {
    Path partial = partialFile(target);
    FileChannel channel =
        FileChannel.open(partial, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      NpyHeader header = NpyHeader.of(rows, cols);
      byte[] expected = header.encode();
      ByteBuffer found = ByteBuffer.allocate(expected.length);
      while (found.hasRemaining() && channel.read(found, found.position()) >= 0) {
        // keep reading until the header is complete or the file ends
      }
      if (found.hasRemaining() || !ByteBuffer.wrap(expected).equals(found.flip())) {
        throw new NpyFormatException(
            partial, "cannot resume: its header is not that of a " + header.shapeText() + " float64 array");
      }
      if (rowsDone < 0 || rowsDone > rows) {
        throw new IllegalArgumentException("rowsDone " + rowsDone + " outside [0, " + rows + "]");
      }
      long keep = header.dataOffset() + rowsDone * cols * Double.BYTES;
      if (channel.size() < keep) {
        throw new NpyFormatException(
            partial,
            "cannot resume: " + rowsDone + " rows should be on disk but the file has only "
                + (channel.size() - header.dataOffset()) / ((long) cols * Double.BYTES));
      }
      AtomicFiles.requireUsableSpace(
          AtomicFiles.folderOf(target),
          header.fileSize() - channel.size(),
          target.getFileName() + " (rest of " + header.shapeText() + " float64)");
      channel.truncate(keep);
      return new NpyMatrixWriter(target, header, channel, rowsDone, direct);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** The final file. */
  public Path target() {
    return target;
  }

  /** The shape being written. */
  public NpyHeader header() {
    return header;
  }

  /** Whether rows have gone to the file by direct I/O (for tests). */
  boolean wroteDirectly() {
    return appender != null && appender.wroteDirectly();
  }

  /** Rows written so far. */
  public long rowsWritten() {
    return rowsWritten;
  }

  /** {@link PanelSink}: rows {@code [firstRow, firstRow + rows)}, which must be the next ones. */
  @Override
  public void accept(int firstRow, int rows, double[] panel) throws IOException {
    writeRows(firstRow, rows, panel, 0);
  }

  /**
   * Writes rows {@code [firstRow, firstRow + count)} from {@code data[offset..]} (row-major).
   * Rows must arrive in order without gaps: {@code firstRow} is {@link #rowsWritten()}.
   */
  public void writeRows(long firstRow, int count, double[] data, int offset) throws IOException {
    if (!open) {
      throw new IllegalStateException(target + ": writer already closed");
    }
    if (firstRow != rowsWritten) {
      throw new IllegalArgumentException(
          target + ": rows must arrive in order; expected row " + rowsWritten + ", got " + firstRow);
    }
    if (count < 0 || firstRow + count > header.rows()) {
      throw new IllegalArgumentException(
          target + ": rows up to " + (firstRow + count) + " exceed the " + header.rows()
              + " rows of shape " + header.shapeText());
    }
    long n = (long) count * header.cols();
    if (offset < 0 || offset + n > data.length) {
      throw new IllegalArgumentException(
          count + " rows of " + header.cols() + " need " + n + " entries from " + offset
              + ", the array has " + data.length);
    }
    long position = header.dataOffset() + firstRow * header.cols() * Double.BYTES;
    try {
      if (appender != null) {
        appender.append(data, offset, (int) n);
      } else {
        doubles.write(channel, position, data, offset, (int) n);
      }
    } catch (IOException e) {
      throw AtomicFiles.naming(partial, e);
    }
    rowsWritten += count;
  }

  /** Writes the next row. */
  public void appendRow(double[] row) throws IOException {
    if (row.length != header.cols()) {
      throw new IllegalArgumentException(
          target + ": a row has " + header.cols() + " entries, not " + row.length);
    }
    writeRows(rowsWritten, 1, row, 0);
  }

  /** Reads back row {@code row}, one of those already written (e.g. the last, to resume from). */
  public double[] readRow(long row) throws IOException {
    if (row < 0 || row >= rowsWritten) {
      throw new IndexOutOfBoundsException(
          partial + ": row " + row + " is not written yet (" + rowsWritten + " rows are)");
    }
    int cols = Math.toIntExact(header.cols());
    double[] out = new double[cols];
    flushStaged();
    doubles.read(channel, header.dataOffset() + row * cols * Double.BYTES, out, 0, cols);
    return out;
  }

  /** Forces the rows written so far to disk (before a checkpoint records them as done). */
  public void sync() throws IOException {
    try {
      flushStaged();
      channel.force(false);
    } catch (IOException e) {
      throw AtomicFiles.naming(partial, e);
    }
  }

  /**
   * Syncs and closes the partial file without renaming it, so that {@link #resume} can continue
   * it later.
   */
  public void suspend() throws IOException {
    if (open) {
      open = false;
      try {
        flushStaged();
        channel.force(false);
      } finally {
        closeChannels();
      }
    }
  }

  /** Rows staged for direct I/O reach the file (not yet the disk: see {@link #sync}). */
  private void flushStaged() throws IOException {
    if (appender != null) {
      try {
        appender.flush();
      } catch (IOException e) {
        throw AtomicFiles.naming(partial, e);
      }
    }
  }

  private void closeChannels() throws IOException {
    try {
      if (appender != null) {
        appender.close();
      }
    } finally {
      channel.close();
    }
  }

  /**
   * Ends a 2-D array early with the rows written so far (e.g. a training run that diverged):
   * rewrites the header's row count, keeping its length so the data stays in place, then syncs
   * and renames the partial file to the target as {@link #close()} does.
   */
  public void closeTruncated() throws IOException {
    if (!open) {
      throw new IllegalStateException(target + ": writer already closed");
    }
    if (header.dimensions() != 2) {
      throw new IllegalStateException(target + ": only a 2-D array can end with fewer rows");
    }
    byte[] shorter = NpyHeader.encode(new long[] {rowsWritten, header.cols()}, (int) header.dataOffset());
    if (shorter.length != header.dataOffset()) {
      throw new IllegalStateException(target + ": the header for fewer rows changed length");
    }
    open = false;
    try {
      flushStaged();
      channel.truncate(header.dataOffset() + rowsWritten * header.cols() * Double.BYTES);
      ByteBuffer bytes = ByteBuffer.wrap(shorter);
      while (bytes.hasRemaining()) {
        channel.write(bytes, bytes.position());
      }
      channel.force(false);
    } finally {
      closeChannels();
    }
    AtomicFiles.move(partial, target);
  }

  /** Deletes the partial file; the target is left as it was. */
  public void abort() throws IOException {
    if (open) {
      open = false;
      closeChannels();
    }
    Files.deleteIfExists(partial);
  }

  /**
   * When every row is written: syncs and atomically renames the partial file to the target.
   * Otherwise deletes the partial file (nothing half-written is left) and throws.
   */
  @Override
  public void close() throws IOException {
    if (!open) {
      return;
    }
    if (rowsWritten != header.rows()) {
      abort();
      throw new IllegalStateException(
          target + ": closed after " + rowsWritten + " of " + header.rows()
              + " rows; nothing was written");
    }
    open = false;
    try {
      flushStaged();
      channel.force(false);
    } finally {
      closeChannels();
    }
    AtomicFiles.move(partial, target);
  }
}
