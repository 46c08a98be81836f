package org.dtheta.nn.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads a float64 {@code .npy} file by rows without loading the rest of it, so that one step of
 * a stored trajectory, or a panel of a 12.6 GB Jacobian, costs only its own bytes. A 1-D array
 * reads as a single row. The header and the file's length are validated on opening.
 */
public final class NpyReader implements Closeable {

  private final Path file;
  private final FileChannel channel;
  private final NpyHeader header;
  private final LittleEndianDoubles doubles = new LittleEndianDoubles();

  private NpyReader(Path file, FileChannel channel, NpyHeader header) {
    this.file = file;
    this.channel = channel;
    this.header = header;
  }

  /** Opens and validates {@code file}. */
  public static NpyReader open(Path file) throws IOException {
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "no such .npy file");
    }
    try {
      return new NpyReader(file, channel, NpyHeader.read(channel, file));
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** The file read. */
  public Path file() {
    return file;
  }

  /** The validated header. */
  public NpyHeader header() {
    return header;
  }

  /** Rows (1 for a 1-D array). */
  public long rows() {
    return header.rows();
  }

  /** Entries per row (the length of a 1-D array). */
  public int cols() {
    return Math.toIntExact(header.cols());
  }

  /**
   * Throws unless the shape is {@code expected}; a negative expected dimension matches any size.
   * {@code what} says what the file should hold (e.g. "a trajectory of 39760 parameters").
   */
  public NpyReader requireShape(String what, long... expected) throws NpyFormatException {
    long[] shape = header.shape();
    boolean ok = shape.length == expected.length;
    for (int d = 0; ok && d < shape.length; d++) {
      ok = expected[d] < 0 || expected[d] == shape[d];
    }
    if (!ok) {
      throw new NpyFormatException(
          file,
          "shape " + header.shapeText() + ", expected " + describe(expected)
              + (what.isEmpty() ? "" : " for " + what));
    }
    return this;
  }

  private static String describe(long[] shape) {
    StringBuilder s = new StringBuilder("(");
    for (int d = 0; d < shape.length; d++) {
      s.append(d == 0 ? "" : ", ").append(shape[d] < 0 ? "any" : Long.toString(shape[d]));
    }
    return s.append(shape.length == 1 ? ",)" : ")").toString();
  }

  /**
   * Returns {@code values} (rows read from {@code firstRow} on) if every entry is finite; else
   * throws naming the file, the first NaN or infinite entry and {@code what} (e.g. "--theta").
   */
  public double[] requireFinite(double[] values, long firstRow, String what)
      throws NpyFormatException {
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        long row = firstRow + i / cols();
        long col = i % cols();
        String where = header.dimensions() == 1 ? "entry " + col : "entry [" + row + ", " + col + "]";
        throw new NpyFormatException(file, where + " is " + values[i] + ", but " + what
            + " must hold finite numbers only");
      }
    }
    return values;
  }

  /** Rows {@code [firstRow, firstRow + count)} into {@code out[offset..]}, row-major. */
  public void readRows(long firstRow, int count, double[] out, int offset) throws IOException {
    if (firstRow < 0 || count < 0 || firstRow + count > rows()) {
      throw new IndexOutOfBoundsException(
          file + ": rows [" + firstRow + ", " + (firstRow + count) + ") outside the " + rows()
              + " rows of shape " + header.shapeText());
    }
    long n = (long) count * cols();
    if (n > Integer.MAX_VALUE - 8 || offset + n > out.length) {
      throw new IllegalArgumentException(
          count + " rows of " + cols() + " do not fit an array of " + out.length + " at " + offset);
    }
    long position = header.dataOffset() + firstRow * cols() * Double.BYTES;
    doubles.read(channel, position, out, offset, (int) n);
  }

  /** Rows {@code [firstRow, firstRow + count)} in a new array. */
  public double[] readRows(long firstRow, int count) throws IOException {
    long n = (long) count * cols();
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          file + ": " + count + " rows of " + cols() + " entries exceed one Java array; read fewer rows");
    }
    double[] out = new double[(int) n];
    readRows(firstRow, count, out, 0);
    return out;
  }

  /** Row {@code row} (e.g. the parameters at one saved step of a trajectory). */
  public double[] readRow(long row) throws IOException {
    return readRows(row, 1);
  }

  /** Everything, row-major (throws if it exceeds one Java array). */
  public double[] readAll() throws IOException {
    if (rows() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(file + ": " + rows() + " rows exceed one Java array; read by rows");
    }
    return readRows(0, (int) rows());
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
