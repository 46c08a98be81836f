package org.dtheta.core.sparse;

import static org.dtheta.core.TestVectors.gaussian;
import static org.dtheta.core.sparse.SparseTestData.denseProduct;
import static org.dtheta.core.sparse.SparseTestData.relativeError;
import static org.dtheta.core.sparse.SparseTestData.sparseDense;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.dtheta.core.internal.sparse.PairQuads;
import org.dtheta.core.internal.sparse.RowPairs;
import org.dtheta.core.internal.sparse.RowQuads;
import org.dtheta.core.kernel.Kernels;
import org.dtheta.core.kernel.CacheAligned;
import org.junit.jupiter.api.Test;

class CsrMatrixTest {

  @Test
  void fromDenseKeepsExactlyTheNonzerosAndConvertsBack() {
    double[] d = {0, 2, 0, 0, -1.5, 0, 3, 0, 0, 0, 0, 4};
    CsrMatrix a = CsrMatrix.fromDense(d, 3, 4);
    assertEquals(4, a.nonZeros());
    assertArrayEquals(new int[] {1, 0, 2, 3}, a.columnIndices());
    assertArrayEquals(new double[] {2, -1.5, 3, 4}, a.values());
    assertEquals(1, a.rowLength(0));
    assertEquals(1, a.rowStart(1));
    assertEquals(1, a.rowLength(2));
    assertArrayEquals(d, a.toDense());
    assertEquals(4.0 / 12, a.density(), 0);
    assertEquals(8.0 / 12, CsrMatrix.zeroFraction(d), 0);
  }

  @Test
  void constructorRejectsMalformedArraysNamingTheField() {
    int[] ptr = {0, 1, 3};
    assertTrue(msg(() -> new CsrMatrix(2, 3, new int[] {0, 1}, new int[] {0}, new double[] {1}))
        .contains("rowPointers has length 2"));
    assertTrue(msg(() -> new CsrMatrix(2, 3, ptr, new int[] {0, 1}, new double[] {1, 2}))
        .contains("from 0 to the number of values"));
    assertTrue(msg(() -> new CsrMatrix(2, 3, ptr, new int[] {0, 2, 1}, new double[] {1, 2, 3}))
        .contains("strictly increasing"));
    assertTrue(msg(() -> new CsrMatrix(2, 3, ptr, new int[] {0, 1, 3}, new double[] {1, 2, 3}))
        .contains("columnIndices[2] = 3"));
    assertTrue(msg(() -> new CsrMatrix(2, 3, ptr, new int[] {0, 0, 1}, new double[] {1, Double.NaN, 3}))
        .contains("values[1]"));
    assertTrue(msg(() -> new CsrMatrix(2, 3, new int[] {0, 2, 1}, new int[] {0}, new double[] {1}))
        .contains("rowPointers"));
    assertTrue(msg(() -> new CsrMatrix(2, 3, ptr, new int[] {0, 1}, new double[] {1, 2, 3}))
        .contains("columnIndices has length 2"));
    assertTrue(msg(() -> CsrMatrix.fromDense(new double[5], 2, 3)).contains("expected 2 x 3"));
    assertTrue(msg(() -> CsrMatrix.fromDense(new double[] {1, Double.POSITIVE_INFINITY}, 1, 2))
        .contains("non-finite"));
    // A valid matrix is accepted as given.
    CsrMatrix ok = new CsrMatrix(2, 3, ptr, new int[] {2, 0, 1}, new double[] {1, 2, 3});
    assertArrayEquals(new double[] {0, 0, 1, 2, 3, 0}, ok.toDense());
  }

  @Test
  void transposeAndConstantColumnMatchTheDenseForms() {
    Random rnd = new Random(4);
    int rows = 9;
    int cols = 7;
    double[] d = sparseDense(rnd, rows, cols, 0.4);
    CsrMatrix a = CsrMatrix.fromDense(d, rows, cols);
    double[] t = a.transpose().toDense();
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        assertEquals(d[i * cols + j], t[j * rows + i], 0);
      }
    }
    double[] ones = a.withConstantColumn(1.0).toDense();
    for (int i = 0; i < rows; i++) {
      assertArrayEquals(Arrays.copyOfRange(d, i * cols, (i + 1) * cols),
          Arrays.copyOfRange(ones, i * (cols + 1), i * (cols + 1) + cols));
      assertEquals(1.0, ones[i * (cols + 1) + cols], 0);
    }
  }

  @Test
  void productsEqualDenseProductsForNarrowAndWideOperands() {
    Random rnd = new Random(5);
    // Big enough for several row blocks, both threads and several dense panels.
    int rows = 2100;
    int cols = 500;
    double[] d = sparseDense(rnd, rows, cols, 0.2);
    CsrMatrix a = CsrMatrix.fromDense(d, rows, cols);
    for (int bCols : new int[] {1, 13, 50, 300}) {
      double[] b = gaussian(rnd, cols * bCols);
      double[] c = new double[rows * bCols];
      Arrays.fill(c, Double.NaN); // overwritten, whatever was there
      a.multiply(b, bCols, c, false);
      double[] want = denseProduct(d, rows, cols, false, b, bCols);
      assertTrue(relativeError(c, want) < 1e-13, "A B with " + bCols + " columns");
      a.multiply(b, bCols, c, true);
      for (int i = 0; i < want.length; i++) {
        want[i] *= 2;
      }
      assertTrue(relativeError(c, want) < 1e-13, "A B accumulated, " + bCols + " columns");

      double[] bt = gaussian(rnd, rows * bCols);
      double[] ct = new double[cols * bCols];
      Arrays.fill(ct, Double.NaN);
      a.multiplyTransposed(bt, bCols, ct, false);
      double[] wantT = denseProduct(d, rows, cols, true, bt, bCols);
      assertTrue(relativeError(ct, wantT) < 1e-13, "A^T B with " + bCols + " columns");
      a.multiplyTransposed(bt, bCols, ct, true);
      for (int i = 0; i < wantT.length; i++) {
        wantT[i] *= 2;
      }
      assertTrue(relativeError(ct, wantT) < 1e-13, "A^T B accumulated, " + bCols + " columns");
    }
  }

  /**
   * Wide B (several dense panels, the last one narrower than a vector) goes through the packed
   * gathers of {@code A B} and the panel-owning gathers of {@code A^T B}: each is checked against
   * the dense product, with and without accumulation, with a row added to every row of {@code A
   * B} and with the column sums of B added up alongside {@code A^T B} (the bias of an affine
   * layer and its adjoint), and must give the same bits whatever the
   * number of threads (each output entry sums its terms in one fixed order; the scalar
   * fallback's {@code A^T B} sums copies of C from a fixed number of row shares).
   */
  @Test
  void wideProductsMatchDenseAndDoNotDependOnTheThreadCount() {
    Random rnd = new Random(8);
    int rows = 700;
    int cols = 300; // dense panels of 192 columns
    assertProducts(rnd, sparseDense(rnd, rows, cols, 0.2), rows, cols, 191, 200, 389, 777);
  }

  /**
   * The same (and one narrow product) on a matrix like a batch of images, whose neighbouring
   * rows and neighbouring columns share most of their entries: most rows, and columns within a
   * block of the transpose, are gathered in pairs ({@link RowPairs}), some not, and a thread's
   * share may separate partners. Products still match the dense ones and keep their bits whatever the
   * number of threads.
   */
  @Test
  void wideProductsGatheredInPairsMatchDenseAndDoNotDependOnTheThreadCount() {
    Random rnd = new Random(11);
    int rows = 700;
    int cols = 300;
    double[] d = SparseTestData.strokes(rnd, rows, cols);
    CsrMatrix a = assertProducts(rnd, d, rows, cols, 50, 191, 389);
    if (SparseKernels.selected() != SparseKernels.scalar()) {
      RowPairs rowPairs = a.rowPairs();
      RowPairs columnPairs = a.columnPairs();
      int pairedRows = 0;
      for (int i = 0; i < rows; i++) {
        pairedRows += rowPairs.partner(0, i) >= 0 ? 1 : 0;
      }
      assertTrue(pairedRows > rows / 2 && pairedRows < rows, pairedRows + " of " + rows + " rows paired");
      assertTrue(columnPairs.unionEntries() > 0, "no pairs of columns");
      assertTrue(rowPairs.unionEntries() < 0.7 * a.nonZeros(), "unions too long");
    }
  }

  /**
   * Pairs found over a batch large enough to be split over the cores are the pairs each window of
   * {@code RowPairs.WINDOW} (64) rows finds alone (a matrix of its rows, {@link CsrMatrix#rows}),
   * with the same union entries and weights in the same places.
   */
  @Test
  void pairsOfALargeBatchAreThoseOfEachWindowAlone() {
    Random rnd = new Random(12);
    int rows = 6000;
    int cols = 120;
    CsrMatrix a = CsrMatrix.fromDense(SparseTestData.strokes(rnd, rows, cols), rows, cols);
    RowPairs all = new RowPairs(a.rowPointers, a.columnIndices, a.values, 1, 0, rows);
    int paired = 0;
    for (int w0 = 0; w0 < rows; w0 += 64) {
      int n = Math.min(64, rows - w0);
      CsrMatrix window = a.rows(w0, n);
      assertArrayEquals(Arrays.copyOfRange(a.values, a.rowStart(w0), a.rowStart(w0 + n)),
          window.values);
      RowPairs alone =
          new RowPairs(window.rowPointers, window.columnIndices, window.values, 1, 0, n);
      for (int r = 0; r < n; r++) {
        int q = alone.partner(0, r);
        assertEquals(q < 0 ? -1 : w0 + q, all.partner(0, w0 + r), "row " + (w0 + r));
        if (q > r) {
          paired++;
          int count = alone.count(0, r);
          assertEquals(count, all.count(0, w0 + r));
          int at = all.first(0, w0 + r);
          int from = alone.first(0, r);
          assertArrayEquals(Arrays.copyOfRange(alone.indices, from, from + count),
              Arrays.copyOfRange(all.indices, at, at + count), "row " + (w0 + r));
          assertArrayEquals(Arrays.copyOfRange(alone.weights, 2 * from, 2 * (from + count)),
              Arrays.copyOfRange(all.weights, 2 * at, 2 * (at + count)), "row " + (w0 + r));
        }
      }
    }
    assertTrue(paired > rows / 8, paired + " pairs in " + rows + " rows");
  }

  /**
   * The blocked transpose of a matrix large enough to be regrouped over the cores holds, block by
   * block, what each block's rows regrouped alone hold (a matrix of its rows, {@link
   * CsrMatrix#rows}, one block, built on the calling thread), and column totals over all blocks.
   */
  @Test
  void blockedTransposeOfALargeMatrixIsThatOfEachBlockAlone() {
    Random rnd = new Random(13);
    int rows = 6000;
    int cols = 120;
    int blockRows = 64;
    CsrMatrix a = CsrMatrix.fromDense(SparseTestData.strokes(rnd, rows, cols), rows, cols);
    assertTrue(a.values.length > 1 << 16, a.values.length + " entries: too few to go parallel");
    CsrMatrix.BlockedTranspose all = new CsrMatrix.BlockedTranspose(a, blockRows);
    assertEquals((rows + blockRows - 1) / blockRows, all.blocks);
    long[] totals = new long[cols + 1];
    for (int blk = 0; blk < all.blocks; blk++) {
      int r0 = blk * blockRows;
      int n = Math.min(blockRows, rows - r0);
      CsrMatrix.BlockedTranspose alone = new CsrMatrix.BlockedTranspose(a.rows(r0, n), blockRows);
      int shift = a.rowStart(r0);
      for (int j = 0; j <= cols; j++) {
        assertEquals(alone.pointers[j] + shift, all.pointers[blk * (cols + 1) + j],
            "block " + blk + " column " + j);
      }
      for (int e = 0; e < alone.values.length; e++) {
        assertEquals(alone.rowIndices[e] + r0, all.rowIndices[shift + e], "entry " + (shift + e));
        assertEquals(alone.values[e], all.values[shift + e], "entry " + (shift + e));
      }
      for (int j = 0; j < cols; j++) {
        totals[j + 1] += alone.pointers[j + 1] - alone.pointers[j];
      }
    }
    for (int j = 0; j < cols; j++) {
      totals[j + 1] += totals[j];
    }
    assertArrayEquals(totals, all.columnPrefix);
  }

  private static CsrMatrix assertProducts(
      Random rnd, double[] d, int rows, int cols, int... widths) {
    CsrMatrix a = CsrMatrix.fromDense(d, rows, cols);
    for (int bCols : widths) {
      double[] b = gaussian(rnd, cols * bCols);
      double[] start = gaussian(rnd, rows * bCols);
      double[] want = denseProduct(d, rows, cols, false, b, bCols);
      double[] bt = gaussian(rnd, rows * bCols);
      double[] startT = gaussian(rnd, cols * bCols);
      double[] wantT = denseProduct(d, rows, cols, true, bt, bCols);
      double[] row = gaussian(rnd, bCols);
      double[] wantAffine = plusRow(want, row);
      double[] startSums = gaussian(rnd, bCols);
      double[] wantSums = plusColumnSums(startSums, bt);
      double[] first = null;
      double[] firstT = null;
      double[] firstAffine = null;
      double[] firstSums = null;
      for (int threads = 1; threads <= 4; threads++) {
        String what = bCols + " columns, " + threads + " threads";
        double[] c = new double[rows * bCols];
        Arrays.fill(c, Double.NaN);
        a.multiply(b, bCols, null, c, false, threads);
        assertTrue(relativeError(c, want) < 1e-12, "A B, " + what);
        double[] acc = start.clone();
        a.multiply(b, bCols, null, acc, true, threads);
        double[] affine = start.clone();
        a.multiply(b, bCols, row, affine, false, threads);
        assertTrue(relativeError(affine, wantAffine) < 1e-12, "A B + 1 r, " + what);
        assertTrue(relativeError(acc, sum(start, want)) < 1e-12, "A B accumulated, " + what);

        double[] ct = new double[cols * bCols];
        Arrays.fill(ct, Double.NaN);
        a.multiplyTransposed(0, rows, bt, 0, bCols, ct, false, null, threads);
        assertTrue(relativeError(ct, wantT) < 1e-12, "A^T B, " + what);
        double[] accT = startT.clone();
        double[] sums = startSums.clone();
        a.multiplyTransposed(0, rows, bt, 0, bCols, accT, true, sums, threads);
        assertTrue(relativeError(accT, sum(startT, wantT)) < 1e-12, "A^T B accumulated, " + what);
        assertTrue(relativeError(sums, wantSums) < 1e-12, "column sums of B, " + what);
        if (first == null) {
          first = acc;
          firstT = accT;
          firstAffine = affine;
          firstSums = sums;
        } else {
          assertArrayEquals(first, acc, "A B bits, " + what);
          assertArrayEquals(firstAffine, affine, "A B + 1 r bits, " + what);
          assertArrayEquals(firstT, accT, "A^T B bits, " + what);
          assertArrayEquals(firstSums, sums, "column sum bits, " + what);
        }
      }
    }
    return a;
  }

  /**
   * A^T B over many blocks of rows, with several panels: the per-thread copy of a block's panel
   * (at least {@link CacheAligned#MIN_DOUBLES}) is smaller than rows x panel, so a copy placed
   * by global row would overrun it (it did, in the full MNIST Jacobian, at 60000 rows).
   */
  @Test
  void transposedProductOverManyRowBlocksMatchesDense() {
    Random rnd = new Random(10);
    int rows = 6000;
    int cols = 300; // panels of 192 columns: rows x panel exceeds the scratch minimum
    assertTrue((long) rows * 192 > CacheAligned.MIN_DOUBLES, "the test must outgrow the minimum");
    double[] d = sparseDense(rnd, rows, cols, 0.05);
    CsrMatrix a = CsrMatrix.fromDense(d, rows, cols);
    int bCols = 400; // each of two threads owns a full 192-column panel
    double[] bt = gaussian(rnd, rows * bCols);
    double[] sums = new double[bCols];
    double[] ct = new double[cols * bCols];
    a.multiplyTransposedWithColumnSums(bt, bCols, ct, sums);
    assertTrue(relativeError(ct, denseProduct(d, rows, cols, true, bt, bCols)) < 1e-12, "A^T B");
    assertTrue(relativeError(sums, plusColumnSums(new double[bCols], bt)) < 1e-12, "column sums");
  }

  /** The public affine forms on a small matrix (one thread, no gathers over the transpose). */
  @Test
  void affineProductAndColumnSumsOfSmallMatrices() {
    Random rnd = new Random(9);
    int rows = 9;
    int cols = 5;
    int bCols = 3;
    double[] d = sparseDense(rnd, rows, cols, 0.4);
    CsrMatrix a = CsrMatrix.fromDense(d, rows, cols);
    double[] b = gaussian(rnd, cols * bCols);
    double[] row = gaussian(rnd, bCols);
    double[] c = new double[rows * bCols];
    a.multiplyAffine(b, bCols, row, c);
    double[] want = plusRow(denseProduct(d, rows, cols, false, b, bCols), row);
    double[] bt = gaussian(rnd, rows * bCols);
    double[] ct = gaussian(rnd, cols * bCols);
    double[] wantT = sum(ct, denseProduct(d, rows, cols, true, bt, bCols));
    double[] sums = gaussian(rnd, bCols);
    double[] wantSums = plusColumnSums(sums, bt);
    assertTrue(relativeError(c, want) < 1e-14, "A B + 1 r");
    a.multiplyTransposedWithColumnSums(bt, bCols, ct, sums);
    assertTrue(relativeError(ct, wantT) < 1e-14, "A^T B");
    assertTrue(relativeError(sums, wantSums) < 1e-14, "column sums");
    assertTrue(msg(() -> a.multiplyAffine(b, bCols, new double[2], c)).contains("row"));
    assertTrue(msg(() -> a.multiplyTransposedWithColumnSums(bt, bCols, ct, new double[2]))
        .contains("columnSums"));
  }

  /** {@code m + 1 row}: {@code row} added to every row of the row-major {@code m}. */
  private static double[] plusRow(double[] m, double[] row) {
    double[] s = m.clone();
    for (int i = 0; i < s.length; i++) {
      s[i] += row[i % row.length];
    }
    return s;
  }

  /** {@code start + 1^T m}: the column sums of {@code m} (rows of {@code start.length}). */
  private static double[] plusColumnSums(double[] start, double[] m) {
    double[] s = start.clone();
    for (int i = 0; i < m.length; i++) {
      s[i % s.length] += m[i];
    }
    return s;
  }

  private static double[] sum(double[] x, double[] y) {
    double[] s = x.clone();
    for (int i = 0; i < s.length; i++) {
      s[i] += y[i];
    }
    return s;
  }

  @Test
  void transposedProductOverARowRangeUsesOnlyThoseRows() {
    Random rnd = new Random(6);
    int rows = 40;
    int cols = 11;
    int bCols = 9;
    double[] d = sparseDense(rnd, rows, cols, 0.3);
    CsrMatrix a = CsrMatrix.fromDense(d, rows, cols);
    int r0 = 13;
    int r1 = 29;
    double[] b = gaussian(rnd, 3 + (r1 - r0) * bCols);
    double[] c = gaussian(rnd, cols * bCols);
    double[] before = c.clone();
    a.multiplyTransposed(r0, r1, b, 3, bCols, c, true);
    double[] slice = Arrays.copyOfRange(d, r0 * cols, r1 * cols);
    double[] want = denseProduct(slice, r1 - r0, cols, true, Arrays.copyOfRange(b, 3, b.length), bCols);
    for (int i = 0; i < want.length; i++) {
      want[i] += before[i];
    }
    assertTrue(relativeError(c, want) < 1e-14);
    assertThrows(IllegalArgumentException.class, () -> a.multiplyTransposed(5, 41, b, 0, bCols, c, true));
    assertThrows(IllegalArgumentException.class, () -> a.multiply(new double[3], 2, c, false));
  }

  @Test
  void segmentedTransposedProductMatchesTheDenseSumInTheSegmentsOnly() {
    Random rnd = new Random(11);
    int rows = 1400;
    int cols = 13;
    double[] d = sparseDense(rnd, rows, cols, 0.2);
    CsrMatrix a = CsrMatrix.fromDense(d, rows, cols);
    // widths of full 512-bit blocks, a leftover half and a short scalar tail; a range over
    // three blocks of rows that starts and ends inside one
    for (int width : new int[] {64, 12, 3}) {
      int groups = 3;
      int ldc = width + 5;
      int r0 = 100;
      int r1 = 1250;
      double scale = 0.375;
      double[] b = gaussian(rnd, 7 + (r1 - r0) * groups * width);
      double[] c = gaussian(rnd, 2 + cols * groups * ldc);
      double[] before = c.clone();
      a.multiplyTransposedSegmentsAdd(r0, r1, scale, b, 7, groups, width, c, 2, ldc);
      double[] want = before.clone();
      for (int j = 0; j < cols; j++) {
        for (int g = 0; g < groups; g++) {
          for (int w = 0; w < width; w++) {
            double sum = 0;
            for (int r = r0; r < r1; r++) {
              sum += d[r * cols + j] * b[7 + ((r - r0) * groups + g) * width + w];
            }
            want[2 + (j * groups + g) * ldc + w] += scale * sum;
          }
        }
      }
      // entries outside the segments (the ldc padding) are untouched: compared exactly
      for (int i = 0; i < c.length; i++) {
        int at = i - 2;
        boolean inSegment = at >= 0 && at % ldc < width;
        if (inSegment) {
          assertEquals(want[i], c[i], 1e-13 * (1 + Math.abs(want[i])), "width " + width + " at " + i);
        } else {
          assertEquals(before[i], c[i], 0.0, "width " + width + " padding at " + i);
        }
      }
      // a second call (the range's transpose kept) adds the same again; another scale another
      double[] twice = c.clone();
      a.multiplyTransposedSegmentsAdd(r0, r1, scale, b, 7, groups, width, twice, 2, ldc);
      double[] other = c.clone();
      a.multiplyTransposedSegmentsAdd(r0, r1, -2 * scale, b, 7, groups, width, other, 2, ldc);
      for (int i = 2; i < c.length; i += ldc) {
        assertEquals(2 * c[i] - before[i], twice[i], 1e-12 * (1 + Math.abs(c[i])));
        assertEquals(c[i] - 2 * (c[i] - before[i]), other[i], 1e-12 * (1 + Math.abs(c[i])));
      }
    }
    double[] b = new double[10 * 2 * 4];
    double[] c = new double[cols * 2 * 4];
    assertThrows(IllegalArgumentException.class,
        () -> a.multiplyTransposedSegmentsAdd(5, 16, 1.0, b, 0, 2, 4, c, 0, 4));
    assertThrows(IllegalArgumentException.class,
        () -> a.multiplyTransposedSegmentsAdd(5, 15, 1.0, b, 0, 2, 4, c, 1, 4));
    assertThrows(IllegalArgumentException.class,
        () -> a.multiplyTransposedSegmentsAdd(5, 15, 1.0, b, 0, 2, 4, c, 0, 3));
  }

  /**
   * Each kept quad of a block's columns ({@link RowQuads}) lists the union of its four columns'
   * rows in increasing order, and each column's nonzero weights in it are exactly that column's
   * entries of the block, in order; on image-like data many quads are kept, and the random rows
   * leave some too sparse to keep.
   */
  @Test
  void quadsOfColumnsHoldEachColumnsEntriesWithZerosBetween() {
    Random rnd = new Random(12);
    int rows = 700;
    int cols = 302; // two columns left over after the last quad
    CsrMatrix a = CsrMatrix.fromDense(SparseTestData.strokes(rnd, rows, cols), rows, cols);
    CsrMatrix.BlockedTranspose bt = new CsrMatrix.BlockedTranspose(a, 64);
    RowQuads quads = bt.columnQuads();
    int kept = 0;
    int notKept = 0;
    for (int blk = 0; blk < bt.blocks; blk++) {
      int base = blk * (cols + 1);
      for (int t = 0; t < cols / 4; t++) {
        if (!quads.kept(blk, t)) {
          notKept++;
          assertEquals(0, quads.count(blk, t));
          continue;
        }
        kept++;
        int e0 = quads.first(blk, t);
        int n = quads.count(blk, t);
        for (int e = e0 + 1; e < e0 + n; e++) {
          assertTrue(quads.indices[e] > quads.indices[e - 1], "union not increasing");
        }
        int entries = 0;
        for (int r = 0; r < 4; r++) {
          int j = 4 * t + r;
          assertTrue(quads.inQuad(blk, j));
          int at = bt.pointers[base + j];
          for (int e = e0; e < e0 + n; e++) {
            double w = quads.weights[4 * e + r];
            if (at < bt.pointers[base + j + 1] && bt.rowIndices[at] == quads.indices[e]) {
              assertEquals(bt.values[at++], w, 0.0);
              entries++;
            } else {
              assertEquals(0.0, w, 0.0);
            }
          }
          assertEquals(bt.pointers[base + j + 1], at, "column " + j + " entries missing");
        }
        assertTrue(entries >= 0.5 * 4 * n, "quad kept below the fill");
      }
      assertTrue(!quads.inQuad(blk, cols - 1) && !quads.inQuad(blk, cols - 2));
    }
    assertTrue(kept > 0 && notKept > 0, kept + " quads kept, " + notKept + " not");
  }

  /**
   * {@code A^T B} with columns gathered in quads, pairs or alone has, entry by entry, the bits of
   * one single-column gather over all rows (the same multiply-adds in row order; the quads' and
   * pairs' zero terms add nothing), whatever the thread count. Vector API kernels only: the
   * scalar fallback scatters narrow products into summed copies.
   */
  @Test
  void transposedProductsInQuadsHaveTheBitsOfSingleColumnGathers() {
    SparseKernels k = SparseKernels.selected();
    if (k == SparseKernels.scalar()) {
      return;
    }
    Random rnd = new Random(13);
    int rows = 700;
    int cols = 302;
    CsrMatrix a = CsrMatrix.fromDense(SparseTestData.strokes(rnd, rows, cols), rows, cols);
    CsrMatrix t = a.transpose();
    for (int bCols : new int[] {191, 96, 300}) {
      double[] b = gaussian(rnd, rows * bCols);
      double[] c0 = gaussian(rnd, cols * bCols);
      double[] want = c0.clone();
      for (int j = 0; j < cols; j++) {
        int e = t.rowStart(j);
        k.gatherRows(bCols, t.rowLength(j), t.columnIndices(), e, t.values(), e, b, 0, bCols,
            want, j * bCols, true);
      }
      for (int threads : new int[] {1, 2, 3}) {
        double[] c = c0.clone();
        a.multiplyTransposed(0, rows, b, 0, bCols, c, true, null, threads);
        assertArrayEquals(want, c, bCols + " columns, " + threads + " threads");
      }
    }
    assertTrue(a.blockedTransposeForTests().columnQuads().unionEntries() > 0, "no quads");
  }

  /**
   * {@code A B} of several panels, where similar rows are gathered in quads of two pairs ({@link
   * PairQuads}), in pairs or alone, has, entry by entry, the bits of one single-row gather of
   * all of B (the same multiply-adds in column order; the zero terms add nothing), overwritten,
   * accumulated and with a row added to each, whatever the thread count (a thread's share may
   * separate a quad's rows, which then go to pairs or alone). Vector API kernels only.
   */
  @Test
  void productsOfSeveralPanelsInQuadsOfRowsHaveTheBitsOfSingleRowGathers() {
    SparseKernels k = SparseKernels.selected();
    if (k == SparseKernels.scalar()) {
      return;
    }
    Random rnd = new Random(17);
    int rows = 700;
    int cols = 300; // dense panels of 192 columns
    CsrMatrix a = CsrMatrix.fromDense(SparseTestData.strokes(rnd, rows, cols), rows, cols);
    for (int bCols : new int[] {389, 777}) {
      double[] b = gaussian(rnd, cols * bCols);
      double[] start = gaussian(rnd, rows * bCols);
      double[] row = gaussian(rnd, bCols);
      double[] want = new double[rows * bCols];
      double[] wantAcc = start.clone();
      double[] wantAffine = new double[rows * bCols];
      for (int i = 0; i < rows; i++) {
        int e = a.rowStart(i);
        k.gatherRows(bCols, a.rowLength(i), a.columnIndices(), e, a.values(), e, b, 0, bCols,
            want, i * bCols, false);
        k.gatherRows(bCols, a.rowLength(i), a.columnIndices(), e, a.values(), e, b, 0, bCols,
            wantAcc, i * bCols, true);
        System.arraycopy(row, 0, wantAffine, i * bCols, bCols);
        k.gatherRows(bCols, a.rowLength(i), a.columnIndices(), e, a.values(), e, b, 0, bCols,
            wantAffine, i * bCols, true);
      }
      for (int threads : new int[] {1, 2, 3}) {
        String what = bCols + " columns, " + threads + " threads";
        double[] c = new double[rows * bCols];
        Arrays.fill(c, Double.NaN);
        a.multiply(b, bCols, null, c, false, threads);
        assertArrayEquals(want, c, "A B, " + what);
        double[] acc = start.clone();
        a.multiply(b, bCols, null, acc, true, threads);
        assertArrayEquals(wantAcc, acc, "A B accumulated, " + what);
        double[] affine = new double[rows * bCols];
        a.multiply(b, bCols, row, affine, false, threads);
        assertArrayEquals(wantAffine, affine, "A B + 1 r, " + what);
      }
    }
    PairQuads quads = a.pairQuads();
    int inQuads = 0;
    for (int i = 0; i < rows; i++) {
      inQuads += quads.leaderWithin(i, 0, rows) >= 0 ? 1 : 0;
    }
    assertTrue(inQuads > rows / 3 && inQuads < rows, inQuads + " of " + rows + " rows in quads");
  }

  /**
   * Each quad of rows ({@link PairQuads}) is two pairs of one window of 64 rows (of {@link
   * RowPairs}, or of rows the pairs leave alone), and lists the
   * union of its four rows' entries in increasing column order with each row's own value (zero
   * where it has none); the quads of a batch large enough to be built over the cores are those
   * of each window built alone, with the same union entries and weights.
   */
  @Test
  void quadsOfRowsAreTwoPairsOfAWindowListingTheirUnionAndThoseOfEachWindowAlone() {
    Random rnd = new Random(18);
    int rows = 6000;
    int cols = 120;
    CsrMatrix a = CsrMatrix.fromDense(SparseTestData.strokes(rnd, rows, cols), rows, cols);
    RowPairs pairs = a.rowPairs();
    PairQuads all = a.pairQuads();
    int quadCount = 0;
    int withAlone = 0;
    for (int w0 = 0; w0 < rows; w0 += 64) {
      int n = Math.min(64, rows - w0);
      CsrMatrix window = a.rows(w0, n);
      RowPairs windowPairs =
          new RowPairs(window.rowPointers, window.columnIndices, window.values, 1, 0, n);
      PairQuads alone =
          new PairQuads(window.rowPointers, window.columnIndices, window.values, n, windowPairs);
      for (int r = 0; r < n; r++) {
        int lead = alone.leaderWithin(r, 0, n);
        assertEquals(lead < 0 ? -1 : w0 + lead, all.leaderWithin(w0 + r, 0, rows), "row " + (w0 + r));
        if (lead != r) {
          continue;
        }
        quadCount++;
        int i = w0 + r;
        int[] four = new int[4];
        for (int q = 0; q < 4; q++) {
          four[q] = all.row(i, q);
          assertEquals(w0 + alone.row(r, q), four[q]);
          assertTrue(q == 0 || four[q] > four[q - 1], "rows in increasing order");
        }
        // Whole pairs: a row's partner, if it has one, is in the quad; all four in one window.
        for (int q = 0; q < 4; q++) {
          int partner = pairs.partner(0, four[q]);
          assertTrue(partner < 0 || partner == four[0] || partner == four[1]
              || partner == four[2] || partner == four[3], "row " + four[q] + "'s partner " + partner);
          assertEquals(w0 / 64, four[q] / 64, "row " + four[q] + " outside the window");
        }
        withAlone += pairs.partner(0, four[0]) < 0 || pairs.partner(0, four[3]) < 0 ? 1 : 0;
        int at = all.first(i);
        int count = all.count(i);
        assertEquals(alone.count(r), count);
        int from = alone.first(r);
        assertArrayEquals(Arrays.copyOfRange(alone.indices, from, from + count),
            Arrays.copyOfRange(all.indices, at, at + count), "row " + i);
        assertArrayEquals(Arrays.copyOfRange(alone.weights, 4 * from, 4 * (from + count)),
            Arrays.copyOfRange(all.weights, 4 * at, 4 * (at + count)), "row " + i);
        // The union, each row's values in place: the dense rows rebuilt from the quad.
        double[] rebuilt = new double[4 * cols];
        java.util.Set<Integer> union = new java.util.TreeSet<>();
        for (int q = 0; q < 4; q++) {
          for (int e = a.rowStart(four[q]); e < a.rowStart(four[q]) + a.rowLength(four[q]); e++) {
            union.add(a.columnIndices()[e]);
          }
        }
        int u = at;
        for (int column : union) {
          assertEquals(column, all.indices[u], "union of rows " + Arrays.toString(four));
          for (int q = 0; q < 4; q++) {
            rebuilt[q * cols + column] = all.weights[4 * u + q];
          }
          u++;
        }
        assertEquals(at + count, u);
        for (int q = 0; q < 4; q++) {
          double[] dense = new double[cols];
          for (int e = a.rowStart(four[q]); e < a.rowStart(four[q]) + a.rowLength(four[q]); e++) {
            dense[a.columnIndices()[e]] = a.values()[e];
          }
          assertArrayEquals(dense, Arrays.copyOfRange(rebuilt, q * cols, (q + 1) * cols));
        }
      }
    }
    assertTrue(quadCount > rows / 16, quadCount + " quads in " + rows + " rows");
    assertTrue(withAlone > 0, "no quad takes rows left alone by the pairs");
  }

  /**
   * Products of a matrix whose structures were built ahead ({@link CsrMatrix#prepareProducts})
   * have the bits of the same products on a matrix that builds them on first use; a width
   * below 1 is refused.
   */
  @Test
  void preparedProductsHaveTheBitsOfProductsThatBuildOnFirstUse() {
    Random rnd = new Random(15);
    int rows = 1200;
    int cols = 70;
    int bCols = 96;
    double[] dense = SparseTestData.strokes(rnd, rows, cols);
    CsrMatrix prepared = CsrMatrix.fromDense(dense, rows, cols);
    prepared.prepareProducts(bCols);
    CsrMatrix lazy = CsrMatrix.fromDense(dense, rows, cols);
    double[] b = new double[cols * bCols];
    double[] bt = new double[rows * bCols];
    for (int i = 0; i < b.length; i++) {
      b[i] = rnd.nextGaussian();
    }
    for (int i = 0; i < bt.length; i++) {
      bt[i] = rnd.nextGaussian();
    }
    double[] c1 = new double[rows * bCols];
    double[] c2 = new double[rows * bCols];
    prepared.multiply(b, bCols, c1, false);
    lazy.multiply(b, bCols, c2, false);
    assertArrayEquals(c2, c1, "A B");
    double[] t1 = new double[cols * bCols];
    double[] t2 = new double[cols * bCols];
    prepared.multiplyTransposed(bt, bCols, t1, false);
    lazy.multiplyTransposed(bt, bCols, t2, false);
    assertArrayEquals(t2, t1, "A^T B");
    assertThrows(IllegalArgumentException.class, () -> prepared.prepareProducts(0));
  }

  /**
   * The segmented {@code X^T B} of a row range, its columns in quads where they are full, has
   * the bits of each column's single gather over the range followed by the scaled add.
   */
  @Test
  void segmentedTransposedProductInQuadsHasTheBitsOfSingleColumnGathers() {
    SparseKernels k = SparseKernels.selected();
    Random rnd = new Random(14);
    int rows = 900;
    int cols = 66;
    CsrMatrix a = CsrMatrix.fromDense(SparseTestData.strokes(rnd, rows, cols), rows, cols);
    int r0 = 50;
    int r1 = 830;
    CsrMatrix t = a.rows(r0, r1 - r0).transpose();
    for (int width : new int[] {64, 62, 40, 5}) {
      int groups = 3;
      int ldc = width + 3;
      double scale = -0.625;
      double[] b = gaussian(rnd, 6 + (r1 - r0) * groups * width);
      double[] c = gaussian(rnd, cols * groups * ldc);
      double[] want = c.clone();
      double[] acc = new double[width];
      for (int j = 0; j < cols; j++) {
        if (t.rowLength(j) == 0) {
          continue;
        }
        for (int g = 0; g < groups; g++) {
          int e = t.rowStart(j);
          k.gatherRows(width, t.rowLength(j), t.columnIndices(), e, t.values(), e, b,
              6 + g * width, groups * width, acc, 0, false);
          Kernels.axpy(width, scale, acc, 0, want, (j * groups + g) * ldc);
        }
      }
      a.multiplyTransposedSegmentsAdd(r0, r1, scale, b, 6, groups, width, c, 0, ldc);
      assertArrayEquals(want, c, "width " + width);
    }
  }

  private static String msg(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }
}
