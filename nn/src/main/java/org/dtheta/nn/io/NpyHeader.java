package org.dtheta.nn.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a {@code .npy} file holding float64 little-endian data in C order, with a shape
 * of one or two dimensions. Written as format version 1.0, padded so that the data starts on a
 * 64-byte boundary (what NumPy writes, so that the data can be memory-mapped aligned); read from
 * versions 1.x, 2.x and 3.x, the only differences being the size of the length field and the
 * header's text encoding.
 */
public final class NpyHeader {

  /** The 6-byte magic string every {@code .npy} file starts with. */
  static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

  private static final int ALIGNMENT = 64;
  private static final String DESCR = "<f8";

  private final long[] shape;
  private final long dataOffset;

  /**
   * A header for {@code shape} ({@code {n}} or {@code {rows, cols}}) whose data starts at byte
   * {@code dataOffset} of the file.
   */
  public NpyHeader(long[] shape, long dataOffset) {
    if (shape.length < 1 || shape.length > 2) {
      throw new IllegalArgumentException("shape must have 1 or 2 dimensions, not " + shape.length);
    }
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
    }
    this.shape = shape.clone();
    this.dataOffset = dataOffset;
    try {
      fileSize();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("shape " + shapeText() + " is too large for a file");
    }
  }

  /** A header for {@code shape}, with the data offset a version 1.0 header gets. */
  public static NpyHeader of(long... shape) {
    return new NpyHeader(shape, encode(shape).length);
  }

  /** The shape (a copy). */
  public long[] shape() {
    return shape.clone();
  }

  /** Where the data starts in the file (the header's total size in bytes). */
  public long dataOffset() {
    return dataOffset;
  }

  /** The number of dimensions, 1 or 2. */
  public int dimensions() {
    return shape.length;
  }

  @Override
  public String toString() {
    return "NpyHeader[shape " + shapeText() + ", data at byte " + dataOffset + "]";
  }

  /** Rows: the first dimension, or 1 for a 1-D array (read as a single row). */
  public long rows() {
    return shape.length == 1 ? 1 : shape[0];
  }

  /** Columns: the second dimension, or the length of a 1-D array. */
  public long cols() {
    return shape[shape.length - 1];
  }

  /** The number of elements. */
  public long elements() {
    return Math.multiplyExact(rows(), cols());
  }

  /** Where the file ends when the data is complete. */
  public long fileSize() {
    return Math.addExact(dataOffset, Math.multiplyExact(elements(), Double.BYTES));
  }

  /** The shape as NumPy prints it: {@code (3,)} or {@code (3, 4)}. */
  public String shapeText() {
    return shapeText(shape);
  }

  /** {@code shape} as NumPy prints it. */
  static String shapeText(long[] shape) {
    return shape.length == 1 ? "(" + shape[0] + ",)" : "(" + shape[0] + ", " + shape[1] + ")";
  }

  /** The version 1.0 header bytes for {@code shape}, padded to a multiple of 64. */
  static byte[] encode(long[] shape) {
    return encode(shape, 0);
  }

  /**
   * As {@link #encode(long[])}, padded to at least {@code minLength} bytes (a multiple of 64):
   * a header rewritten for fewer rows keeps the data where it is.
   */
  static byte[] encode(long[] shape, int minLength) {
    String dict =
        "{'descr': '" + DESCR + "', 'fortran_order': False, 'shape': " + shapeText(shape) + ", }";
    int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
    int total = Math.max(minLength, (unpadded + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT);
    if (total - 10 > 0xFFFF) {
      throw new IllegalArgumentException("header too long for format 1.0");
    }
    ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) (total - 10));
    b.put(dict.getBytes(StandardCharsets.US_ASCII));
    while (b.position() < total - 1) {
      b.put((byte) ' ');
    }
    b.put((byte) '\n');
    return b.array();
  }

  /** This header's bytes (version 1.0). */
  byte[] encode() {
    return encode(shape);
  }

  /**
   * Reads and validates the header at the start of {@code channel}, which reads {@code file}
   * (named in errors). Also checks that the file is long enough for the data.
   */
  static NpyHeader read(FileChannel channel, Path file) throws IOException {
    long size = channel.size();
    ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    readFully(channel, pre, 0);
    if (pre.position() < 10) {
      throw new NpyFormatException(file, "too short (" + size + " bytes) to be a .npy file");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (pre.get(i) != MAGIC[i]) {
        throw new NpyFormatException(file, "not a .npy file (bad magic string; expected \\x93NUMPY)");
      }
    }
    int major = pre.get(6) & 0xFF;
    int minor = pre.get(7) & 0xFF;
    long headerLength;
    int prefix;
    if (major == 1) {
      headerLength = pre.getShort(8) & 0xFFFF;
      prefix = 10;
    } else if (major == 2 || major == 3) {
      if (pre.position() < 12) {
        throw new NpyFormatException(file, "truncated header");
      }
      headerLength = pre.getInt(8) & 0xFFFFFFFFL;
      prefix = 12;
    } else {
      throw new NpyFormatException(
          file, "unsupported .npy format version " + major + "." + minor + " (supported: 1.x, 2.x, 3.x)");
    }
    if (prefix + headerLength > size || headerLength > 1 << 20) {
      throw new NpyFormatException(
          file, "truncated header: it declares " + headerLength + " bytes, the file has " + size);
    }
    ByteBuffer text = ByteBuffer.allocate((int) headerLength);
    readFully(channel, text, prefix);
    String dict =
        new String(
            text.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    Map<String, Object> fields = new DictParser(dict, file).parse();
    Object descr = fields.get("descr");
    if (!(descr instanceof String)) {
      throw new NpyFormatException(file, "header has no 'descr' string: " + dict.trim());
    }
    if (!isLittleEndianFloat64((String) descr)) {
      throw new NpyFormatException(
          file, "unsupported dtype '" + descr + "': only float64 little-endian ('<f8') is read");
    }
    Object fortran = fields.get("fortran_order");
    if (!(fortran instanceof Boolean)) {
      throw new NpyFormatException(file, "header has no 'fortran_order' flag: " + dict.trim());
    }
    if ((Boolean) fortran) {
      throw new NpyFormatException(
          file, "unsupported Fortran (column-major) order: only C order is read");
    }
    Object shapeField = fields.get("shape");
    if (!(shapeField instanceof long[])) {
      throw new NpyFormatException(file, "header has no 'shape' tuple: " + dict.trim());
    }
    long[] shape = (long[]) shapeField;
    if (shape.length < 1 || shape.length > 2) {
      throw new NpyFormatException(
          file, "unsupported shape with " + shape.length + " dimensions: only 1-D and 2-D arrays");
    }
    NpyHeader header;
    try {
      header = new NpyHeader(shape, prefix + headerLength);
    } catch (IllegalArgumentException e) {
      throw new NpyFormatException(file, "bad shape " + Arrays.toString(shape) + ": " + e.getMessage());
    }
    if (size < header.fileSize()) {
      throw new NpyFormatException(
          file,
          "truncated data: shape " + header.shapeText() + " needs " + header.fileSize()
              + " bytes, the file has " + size);
    }
    if (size > header.fileSize()) {
      throw new NpyFormatException(
          file,
          (size - header.fileSize()) + " bytes of trailing data after shape "
              + header.shapeText());
    }
    return header;
  }

  private static boolean isLittleEndianFloat64(String descr) {
    // '=' and '|' mean native or not-applicable order; only '<' is unambiguous on disk.
    return descr.equals("<f8") || descr.equals("<d");
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position)
      throws IOException {
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, position + buffer.position());
      if (n < 0) {
        break;
      }
    }
  }

  /**
   * Parses the Python dict literal of a header: string keys; values that are strings, True /
   * False, or tuples of integers. Enough for every header NumPy writes, and strict otherwise.
   */
  private static final class DictParser {
    private final String s;
    private final Path file;
    private int i;

    DictParser(String s, Path file) {
      this.s = s;
      this.file = file;
    }

    Map<String, Object> parse() throws NpyFormatException {
      Map<String, Object> out = new LinkedHashMap<>();
      expect('{');
      while (true) {
        skipSpace();
        if (peek() == '}') {
          i++;
          break;
        }
        String key = string();
        expect(':');
        out.put(key, value());
        skipSpace();
        if (peek() == ',') {
          i++;
        } else if (peek() != '}') {
          throw error("expected ',' or '}'");
        }
      }
      skipSpace();
      if (i != s.length()) {
        throw error("unexpected text after the dict");
      }
      return out;
    }

    private Object value() throws NpyFormatException {
      skipSpace();
      char c = peek();
      if (c == '\'' || c == '"') {
        return string();
      }
      if (c == '(') {
        return tuple();
      }
      if (s.startsWith("True", i)) {
        i += 4;
        return Boolean.TRUE;
      }
      if (s.startsWith("False", i)) {
        i += 5;
        return Boolean.FALSE;
      }
      throw error("unsupported value");
    }

    private long[] tuple() throws NpyFormatException {
      expect('(');
      List<Long> dims = new ArrayList<>();
      while (true) {
        skipSpace();
        if (peek() == ')') {
          i++;
          break;
        }
        int start = i;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
          i++;
        }
        // Python 2 era files may write 3L for a long.
        String digits = s.substring(start, i);
        if (i < s.length() && s.charAt(i) == 'L') {
          i++;
        }
        if (digits.isEmpty()) {
          throw error("expected a non-negative integer in the shape");
        }
        try {
          dims.add(Long.parseLong(digits));
        } catch (NumberFormatException e) {
          throw error("dimension " + digits + " too large");
        }
        skipSpace();
        if (peek() == ',') {
          i++;
        } else if (peek() != ')') {
          throw error("expected ',' or ')' in the shape");
        }
      }
      return dims.stream().mapToLong(Long::longValue).toArray();
    }

    private String string() throws NpyFormatException {
      skipSpace();
      char quote = peek();
      if (quote != '\'' && quote != '"') {
        throw error("expected a quoted string");
      }
      int end = s.indexOf(quote, i + 1);
      if (end < 0) {
        throw error("unterminated string");
      }
      String v = s.substring(i + 1, end);
      i = end + 1;
      return v;
    }

    private void expect(char c) throws NpyFormatException {
      skipSpace();
      if (peek() != c) {
        throw error("expected '" + c + "'");
      }
      i++;
    }

    private char peek() {
      return i < s.length() ? s.charAt(i) : '\0';
    }

    private void skipSpace() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }

    private NpyFormatException error(String what) {
      return new NpyFormatException(
          file, "malformed header at character " + i + " (" + what + "): " + s.trim());
    }
  }
}
