package org.dtheta.nn.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Whole-array {@code .npy} reading and writing (float64, little-endian, C order, 1-D or 2-D),
 * the format NumPy, JAX, Julia and R read. Writes are atomic; reads validate the header, the
 * data's length and, where asked, the shape, with errors that name the file.
 */
public final class Npy {

  private Npy() {}

  /** Atomically writes {@code data} as an array of {@code shape} ({@code {n}} or {@code {r, c}}). */
  public static void write(Path file, double[] data, long... shape) throws IOException {
    NpyHeader header = NpyHeader.of(shape);
    if (header.elements() != data.length) {
      throw new IllegalArgumentException(
          file + ": shape " + header.shapeText() + " needs " + header.elements() + " entries, got "
              + data.length);
    }
    NpyMatrixWriter writer = NpyMatrixWriter.create(file, header);
    try {
      writer.writeRows(0, Math.toIntExact(header.rows()), data, 0);
    } catch (IOException | RuntimeException e) {
      writer.abort();
      throw e;
    }
    writer.close();
  }

  /** Atomically writes a vector, shape {@code (n,)}. */
  public static void writeVector(Path file, double[] v) throws IOException {
    write(file, v, v.length);
  }

  /** Atomically writes a {@code rows x cols} row-major matrix. */
  public static void writeMatrix(Path file, double[] m, int rows, int cols) throws IOException {
    write(file, m, rows, cols);
  }

  /** The validated header of {@code file}. */
  public static NpyHeader header(Path file) throws IOException {
    try (NpyReader r = NpyReader.open(file)) {
      return r.header();
    }
  }

  /** All of {@code file}'s data, row-major, whatever its (1-D or 2-D) shape. */
  public static double[] read(Path file) throws IOException {
    try (NpyReader r = NpyReader.open(file)) {
      return r.readAll();
    }
  }

  /**
   * A vector of {@code length} entries (negative: any), stored as {@code (n,)}, {@code (1, n)}
   * or {@code (n, 1)}, all finite (parameters and directions are); {@code what} names it in
   * errors.
   */
  public static double[] readVector(Path file, int length, String what) throws IOException {
    try (NpyReader r = NpyReader.open(file)) {
      long[] shape = r.header().shape();
      boolean vector = shape.length == 1 || shape[0] == 1 || shape[1] == 1;
      long n = r.header().elements();
      if (!vector || (length >= 0 && n != length)) {
        throw new NpyFormatException(
            file,
            "shape " + r.header().shapeText() + ", expected a vector of "
                + (length >= 0 ? length + " entries " : "") + "(shape (n,), (1, n) or (n, 1)) for "
                + what);
      }
      return r.requireFinite(r.readAll(), 0, what);
    }
  }

  /**
   * A {@code rows x cols} matrix (a negative dimension matches any), row-major, all finite;
   * {@code what} names it in errors.
   */
  public static double[] readMatrix(Path file, long rows, long cols, String what)
      throws IOException {
    try (NpyReader r = NpyReader.open(file)) {
      return r.requireFinite(r.requireShape(what, rows, cols).readAll(), 0, what);
    }
  }
}
