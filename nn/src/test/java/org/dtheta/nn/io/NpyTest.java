package org.dtheta.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {

  @TempDir Path dir;

  /** What {@code numpy.save} (NumPy 2.4) writes for {@code np.arange(6.).reshape(2, 3)}. */
  private static byte[] numpyArange6() {
    String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
    return npyFile(1, dict, 128, new double[] {0, 1, 2, 3, 4, 5});
  }

  /** A {@code .npy} file of the given version with {@code dict} padded to {@code total} bytes. */
  private static byte[] npyFile(int major, String dict, int total, double[] data) {
    int prefix = major == 1 ? 10 : 12;
    ByteBuffer b =
        ByteBuffer.allocate(total + data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    if (major == 1) {
      b.putShort((short) (total - prefix));
    } else {
      b.putInt(total - prefix);
    }
    b.put(dict.getBytes(StandardCharsets.US_ASCII));
    while (b.position() < total - 1) {
      b.put((byte) ' ');
    }
    b.put((byte) '\n');
    for (double d : data) {
      b.putDouble(d);
    }
    return b.array();
  }

  private static double[] random(int n, long seed) {
    Random r = new Random(seed);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextGaussian();
    }
    return v;
  }

  @Test
  void writesTheBytesNumpyWrites() throws IOException {
    Path f = dir.resolve("a.npy");
    Npy.writeMatrix(f, new double[] {0, 1, 2, 3, 4, 5}, 2, 3);
    assertArrayEquals(numpyArange6(), Files.readAllBytes(f));
    assertEquals(0, Npy.header(f).dataOffset() % 64);
  }

  @Test
  void readsWhatNumpyWrites() throws IOException {
    Path f = dir.resolve("np.npy");
    Files.write(f, numpyArange6());
    assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, Npy.readMatrix(f, 2, 3, "test"));
    // Version 2.0 (4-byte header length), an unaligned header and a Python 2 long.
    Files.write(f, npyFile(2, "{'shape': (3L,), 'fortran_order': False, 'descr': '<f8'}", 77,
        new double[] {7, 8, 9}));
    assertArrayEquals(new double[] {7, 8, 9}, Npy.readVector(f, 3, "test"));
  }

  @Test
  void roundTripsVectorsAndMatrices() throws IOException {
    for (int[] shape : new int[][] {{0}, {1}, {13}, {1, 1}, {7, 5}, {3, 200_000}, {0, 4}}) {
      Path f = dir.resolve("r" + Arrays.toString(shape) + ".npy");
      int n = shape.length == 1 ? shape[0] : shape[0] * shape[1];
      double[] v = random(n, n);
      if (n > 0) {
        v[0] = Double.NaN; // bits must survive too
      }
      if (shape.length == 1) {
        Npy.writeVector(f, v);
      } else {
        Npy.writeMatrix(f, v, shape[0], shape[1]);
      }
      long[] expected = Arrays.stream(shape).asLongStream().toArray();
      assertArrayEquals(expected, Npy.header(f).shape());
      assertArrayEquals(v, Npy.read(f));
      assertEquals(Npy.header(f).fileSize(), Files.size(f));
    }
  }

  @Test
  void readsRowRangesWithoutTheRest() throws IOException {
    Path f = dir.resolve("m.npy");
    double[] m = random(9 * 4, 3);
    Npy.writeMatrix(f, m, 9, 4);
    try (NpyReader r = NpyReader.open(f)) {
      assertEquals(9, r.rows());
      assertEquals(4, r.cols());
      assertArrayEquals(Arrays.copyOfRange(m, 8, 20), r.readRows(2, 3));
      assertArrayEquals(Arrays.copyOfRange(m, 32, 36), r.readRow(8));
      double[] out = new double[10];
      r.readRows(0, 2, out, 1);
      assertArrayEquals(Arrays.copyOfRange(m, 0, 8), Arrays.copyOfRange(out, 1, 9));
      IndexOutOfBoundsException e =
          assertThrows(IndexOutOfBoundsException.class, () -> r.readRow(9));
      assertTrue(e.getMessage().contains("m.npy"), e.getMessage());
    }
  }

  private void assertRejected(byte[] content, String... phrases) throws IOException {
    Path f = dir.resolve("bad.npy");
    Files.write(f, content);
    NpyFormatException e = assertThrows(NpyFormatException.class, () -> Npy.read(f));
    assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    for (String p : phrases) {
      assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
    }
  }

  @Test
  void rejectsCorruptFilesNamingTheProblem() throws IOException {
    byte[] good = numpyArange6();
    byte[] badMagic = good.clone();
    badMagic[1] = 'X';
    assertRejected(badMagic, "bad magic");
    byte[] version = good.clone();
    version[6] = 4;
    assertRejected(version, "unsupported .npy format version 4.0");
    assertRejected(Arrays.copyOf(good, 5), "too short");
    assertRejected(Arrays.copyOf(good, 60), "truncated header");
    assertRejected(Arrays.copyOf(good, good.length - 3), "truncated data", "(2, 3)", "176");
    assertRejected(Arrays.copyOf(good, good.length + 8), "trailing data");
    double[] six = new double[6];
    assertRejected(
        npyFile(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 128, six),
        "unsupported dtype '<f4'");
    assertRejected(
        npyFile(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (2, 3), }", 128, six),
        "unsupported dtype '>f8'");
    assertRejected(
        npyFile(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", 128, six),
        "Fortran");
    assertRejected(
        npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2, 3), }", 128, six),
        "3 dimensions");
    assertRejected(
        npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, x), }", 128, six),
        "malformed header");
    assertRejected(npyFile(1, "{'descr': '<f8', 'shape': (6,), }", 128, six), "fortran_order");
  }

  @Test
  void checksTheExpectedShape() throws IOException {
    Path f = dir.resolve("theta.npy");
    Npy.writeVector(f, new double[5]);
    NpyFormatException e =
        assertThrows(NpyFormatException.class, () -> Npy.readVector(f, 6, "theta0"));
    assertTrue(e.getMessage().contains("theta.npy") && e.getMessage().contains("(5,)")
        && e.getMessage().contains("6 entries") && e.getMessage().contains("theta0"), e.getMessage());
    Npy.writeMatrix(f, new double[6], 2, 3);
    assertEquals(6, Npy.readMatrix(f, -1, 3, "m").length);
    e = assertThrows(NpyFormatException.class, () -> Npy.readMatrix(f, -1, 4, "a trajectory"));
    assertTrue(e.getMessage().contains("shape (2, 3), expected (any, 4) for a trajectory"),
        e.getMessage());
    Npy.writeMatrix(f, new double[6], 6, 1);
    assertEquals(6, Npy.readVector(f, 6, "v").length);
  }

  @Test
  void missingFileIsNamed() {
    Path f = dir.resolve("nothere.npy");
    IOException e = assertThrows(IOException.class, () -> Npy.read(f));
    assertTrue(e.getMessage().contains("nothere.npy"), e.getMessage());
  }

  @Test
  void streamsPanelsAndRenamesOnlyWhenComplete() throws IOException {
    Path f = dir.resolve("jac.npy");
    double[] m = random(10 * 6, 5);
    NpyMatrixWriter w = NpyMatrixWriter.create(f, 10, 6);
    w.accept(0, 4, Arrays.copyOfRange(m, 0, 24));
    assertThrows(IllegalArgumentException.class, () -> w.accept(5, 1, new double[6]));
    assertFalse(Files.exists(f), "target must not appear before close");
    assertTrue(Files.exists(NpyMatrixWriter.partialFile(f)));
    w.accept(4, 5, Arrays.copyOfRange(m, 24, 54));
    w.appendRow(Arrays.copyOfRange(m, 54, 60));
    w.close();
    assertArrayEquals(m, Npy.read(f));
    assertFalse(Files.exists(NpyMatrixWriter.partialFile(f)));
  }

  @Test
  void incompleteWriterLeavesTheOldTargetAndNoPartial() throws IOException {
    Path f = dir.resolve("out.npy");
    Npy.writeVector(f, new double[] {1, 2, 3});
    NpyMatrixWriter w = NpyMatrixWriter.create(f, 3, 2);
    w.appendRow(new double[] {9, 9});
    IllegalStateException e = assertThrows(IllegalStateException.class, w::close);
    assertTrue(e.getMessage().contains("1 of 3 rows"), e.getMessage());
    assertArrayEquals(new double[] {1, 2, 3}, Npy.read(f));
    assertFalse(Files.exists(NpyMatrixWriter.partialFile(f)));
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count());
    }
  }

  @Test
  void suspendedWriterResumesToTheSameBytes() throws IOException {
    double[] m = random(6 * 3, 11);
    Path whole = dir.resolve("whole.npy");
    Npy.writeMatrix(whole, m, 6, 3);

    Path f = dir.resolve("resumed.npy");
    NpyMatrixWriter w = NpyMatrixWriter.create(f, 6, 3);
    w.writeRows(0, 4, m, 0);
    w.suspend();
    // A killed process may have written more than its checkpoint recorded: that is dropped.
    NpyMatrixWriter again = NpyMatrixWriter.resume(f, 6, 3, 2);
    assertEquals(2, again.rowsWritten());
    assertArrayEquals(Arrays.copyOfRange(m, 3, 6), again.readRow(1));
    assertThrows(IndexOutOfBoundsException.class, () -> again.readRow(2));
    again.writeRows(2, 4, m, 6);
    again.close();
    assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(f));
  }

  @Test
  void directWriterGivesTheBytesOfTheBufferedOneThroughSyncsAndResumes() throws IOException {
    // More than one 8 MiB stage, rows that never end on a block: every alignment case.
    int rows = 1100;
    int cols = 1003;
    double[] m = random(rows * cols, 13);
    Path whole = dir.resolve("whole.npy");
    Npy.writeMatrix(whole, m, rows, cols);

    Path f = dir.resolve("direct.npy");
    NpyMatrixWriter w = NpyMatrixWriter.create(f, rows, cols, true);
    int[] panels = {1, 3, 200, 7, 500};
    int at = 0;
    for (int panel : panels) {
      w.writeRows(at, panel, m, at * cols);
      at += panel;
      w.sync();
    }
    assertArrayEquals(Arrays.copyOfRange(m, 5 * cols, 6 * cols), w.readRow(5));
    w.writeRows(at, 40, m, at * cols);
    w.suspend();
    boolean direct = w.wroteDirectly();
    // Resumed from a checkpoint before the last rows written: they are dropped and rewritten.
    NpyMatrixWriter again = NpyMatrixWriter.resume(f, rows, cols, at - 3, true);
    for (int r = at - 3; r < rows; r += 150) {
      int count = Math.min(150, rows - r);
      again.writeRows(r, count, m, r * cols);
    }
    again.close();
    assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(f));
    boolean supported;
    Path probe = dir.resolve("probe");
    Files.write(probe, new byte[0]);
    try (var c = java.nio.channels.FileChannel.open(probe, java.nio.file.StandardOpenOption.WRITE,
        com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
      supported = true;
    } catch (UnsupportedOperationException | IOException e) {
      supported = false;
    }
    if (supported) {
      assertTrue(direct, "the file system takes direct I/O, so the writer should have used it");
    }
  }

  @Test
  void resumeRejectsAForeignPartialFile() throws IOException {
    Path f = dir.resolve("t.npy");
    NpyMatrixWriter w = NpyMatrixWriter.create(f, 6, 3);
    w.appendRow(new double[3]);
    w.suspend();
    NpyFormatException e =
        assertThrows(NpyFormatException.class, () -> NpyMatrixWriter.resume(f, 6, 4, 1));
    assertTrue(e.getMessage().contains("t.npy.partial") && e.getMessage().contains("(6, 4)"),
        e.getMessage());
    e = assertThrows(NpyFormatException.class, () -> NpyMatrixWriter.resume(f, 6, 3, 2));
    assertTrue(e.getMessage().contains("only 1"), e.getMessage());
  }

  @Test
  void checksFreeSpaceBeforeWriting() {
    Path f = dir.resolve("huge.npy");
    IOException e =
        assertThrows(IOException.class, () -> NpyMatrixWriter.create(f, 1L << 30, 1 << 20));
    assertTrue(e.getMessage().contains("not enough disk space") && e.getMessage().contains("needs")
        && e.getMessage().contains("available") && e.getMessage().contains("huge.npy"),
        e.getMessage());
    assertFalse(Files.exists(NpyMatrixWriter.partialFile(f)));
  }

  @Test
  void refusesAMissingFolder() {
    Path f = dir.resolve("no/such/folder/x.npy");
    IOException e = assertThrows(IOException.class, () -> Npy.writeVector(f, new double[2]));
    assertTrue(e.getMessage().contains("no/such/folder"), e.getMessage());
  }
}
