package org.dtheta.mnist.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.dtheta.nn.io.FileFormatException;

/**
 * Reader of the IDX files MNIST ships in (raw, or gzip-compressed when the name ends in
 * {@code .gz}): a big-endian header of magic number {@code 0x000008nn} (unsigned bytes,
 * {@code nn} dimensions) and {@code nn} sizes, then the bytes. Everything a corrupt or
 * mismatched file can get wrong is checked and reported with the file's name.
 */
public final class Idx {

  private Idx() {}

  /** The magic number of unsigned-byte images: 3 dimensions (count, rows, columns). */
  static final int IMAGES_MAGIC = 0x00000803;
  /** The magic number of unsigned-byte labels: 1 dimension (count). */
  static final int LABELS_MAGIC = 0x00000801;

  /**
   * Images of {@code rows x cols} unsigned-byte pixels.
   *
   * @param count images in the file
   * @param rows pixel rows per image
   * @param cols pixel columns per image
   * @param pixels {@code count x rows x cols} bytes, image after image
   */
  public record Images(int count, int rows, int cols, byte[] pixels) {
    /** Pixels per image. */
    public int pixelsPerImage() {
      return rows * cols;
    }
  }

  /**
   * The images of an IDX3 file, each {@code rows x cols}.
   *
   * @param file {@code *-images-idx3-ubyte}, raw or {@code .gz}
   * @param rows expected pixel rows per image (28 for MNIST)
   * @param cols expected pixel columns per image (28 for MNIST)
   */
  public static Images readImages(Path file, int rows, int cols) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(readBytes(file));
    int[] dims = header(file, b, IMAGES_MAGIC, "images (3 dimensions)");
    if (dims[1] != rows || dims[2] != cols) {
      throw new FileFormatException(
          file, "images are " + dims[1] + "x" + dims[2] + " pixels, expected " + rows + "x" + cols);
    }
    checkLength(file, b, (long) dims[0] * rows * cols, dims[0] + " images of " + rows + "x" + cols);
    byte[] pixels = new byte[b.remaining()];
    b.get(pixels);
    return new Images(dims[0], rows, cols, pixels);
  }

  /**
   * The labels of an IDX1 file, each checked to lie in {@code [0, classes)}.
   *
   * @param file {@code *-labels-idx1-ubyte}, raw or {@code .gz}
   * @param classes number of classes (10 for MNIST)
   */
  public static int[] readLabels(Path file, int classes) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(readBytes(file));
    int[] dims = header(file, b, LABELS_MAGIC, "labels (1 dimension)");
    checkLength(file, b, dims[0], dims[0] + " labels");
    int[] labels = new int[dims[0]];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = b.get() & 0xFF;
      if (labels[i] >= classes) {
        throw new FileFormatException(
            file, "label " + labels[i] + " of item " + i + " outside 0.." + (classes - 1));
      }
    }
    return labels;
  }

  private static byte[] readBytes(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "no such IDX file");
    }
    if (!file.getFileName().toString().endsWith(".gz")) {
      return Files.readAllBytes(file);
    }
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16)) {
      return in.readAllBytes();
    } catch (ZipException | EOFException e) {
      throw new FileFormatException(file, "not a valid gzip file (" + e.getMessage() + ")", e);
    }
  }

  private static int[] header(Path file, ByteBuffer b, int magic, String what)
      throws FileFormatException {
    int dimensions = magic & 0xFF;
    if (b.remaining() < 4 * (1 + dimensions)) {
      throw new FileFormatException(
          file, "truncated header: " + b.remaining() + " bytes, an IDX file of " + what + " needs "
              + 4 * (1 + dimensions));
    }
    int found = b.getInt();
    if (found != magic) {
      throw new FileFormatException(
          file,
          String.format(
              "bad magic number 0x%08X, expected 0x%08X (IDX unsigned-byte %s)", found, magic, what));
    }
    int[] dims = new int[dimensions];
    for (int d = 0; d < dimensions; d++) {
      dims[d] = b.getInt();
      if (dims[d] < 0) {
        throw new FileFormatException(file, "negative size " + dims[d] + " in dimension " + d);
      }
    }
    return dims;
  }

  private static void checkLength(Path file, ByteBuffer b, long expected, String what)
      throws FileFormatException {
    if (b.remaining() < expected) {
      throw new FileFormatException(
          file, "truncated: the header declares " + what + " (" + expected + " bytes of data), the "
              + "file has " + b.remaining());
    }
    if (b.remaining() > expected) {
      throw new FileFormatException(
          file, (b.remaining() - expected) + " unexpected bytes after the " + what
              + " the header declares");
    }
  }
}
