package org.dtheta.core.sparse;

import static org.dtheta.core.TestVectors.gaussian;
import static org.dtheta.core.sparse.SparseTestData.denseProduct;
import static org.dtheta.core.sparse.SparseTestData.relativeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Block-restricted products against the dense triple loop, on stroke-like rows (so the gathers
 * run in row and column pairs) and random ones, for block sizes that divide the rows and that
 * leave a short last block, with offsets and leading dimensions wider than the product.
 */
class RowBlocksTest {

  @Test
  void blockProductsMatchTheDenseProducts() {
    Random rnd = new Random(51);
    int rows = 150;
    int cols = 90;
    for (double[] dense : new double[][] {
        SparseTestData.strokes(rnd, rows, cols), SparseTestData.sparseDense(rnd, rows, cols, 0.2)}) {
      CsrMatrix a = CsrMatrix.fromDense(dense, rows, cols);
      for (int blockRows : new int[] {1, 7, 64, 150, 200}) {
        RowBlocks blocks = new RowBlocks(a, blockRows);
        assertEquals((rows + blockRows - 1) / blockRows, blocks.blocks());
        for (int n : new int[] {1, 13, 50, 104}) {
          String what = "block " + blockRows + ", n " + n;
          int ldb = n + 3;
          double[] b = gaussian(rnd, 2 + cols * ldb);
          double[] bPacked = new double[cols * n];
          for (int p = 0; p < cols; p++) {
            System.arraycopy(b, 2 + p * ldb, bPacked, p * n, n);
          }
          double[] startRow = gaussian(rnd, n + 1);
          double[] expected = denseProduct(dense, rows, cols, false, bPacked, n);
          // C = A_blk B + 1 r, block by block, into a wider C
          int ldc = n + 5;
          double[] c = new double[1 + rows * ldc];
          double[] withRow = new double[rows * n];
          for (int blk = 0; blk < blocks.blocks(); blk++) {
            int i0 = blocks.blockStart(blk);
            blocks.multiply(blk, b, 2, ldb, n, startRow, 1, c, 1 + i0 * ldc, ldc);
            blocks.multiply(blk, b, 2, ldb, n, null, 0, withRow, i0 * n, n);
          }
          double[] got = new double[rows * n];
          double[] want = new double[rows * n];
          for (int i = 0; i < rows; i++) {
            for (int j = 0; j < n; j++) {
              got[i * n + j] = c[1 + i * ldc + j];
              want[i * n + j] = expected[i * n + j] + startRow[1 + j];
            }
          }
          assertTrue(relativeError(got, want) < 1e-13, what + ": A B + 1 r");
          assertTrue(relativeError(withRow, expected) < 1e-13, what + ": A B");
          // C += A_blk^T B_blk over all blocks is A^T B
          double[] bRows = gaussian(rnd, rows * ldb);
          double[] bRowsPacked = new double[rows * n];
          for (int i = 0; i < rows; i++) {
            System.arraycopy(bRows, i * ldb, bRowsPacked, i * n, n);
          }
          double[] initial = gaussian(rnd, cols * ldc);
          double[] acc = initial.clone();
          for (int blk = 0; blk < blocks.blocks(); blk++) {
            blocks.multiplyTransposedAdd(blk, bRows, blocks.blockStart(blk) * ldb, ldb, n, acc, 0,
                ldc);
          }
          double[] product = denseProduct(dense, rows, cols, true, bRowsPacked, n);
          double[] gotT = new double[cols * n];
          double[] wantT = new double[cols * n];
          for (int j = 0; j < cols; j++) {
            for (int q = 0; q < n; q++) {
              gotT[j * n + q] = acc[j * ldc + q];
              wantT[j * n + q] = initial[j * ldc + q] + product[j * n + q];
            }
          }
          assertTrue(relativeError(gotT, wantT) < 1e-13, what + ": C + A^T B");
          for (int j = 0; j < cols; j++) { // columns past n untouched
            for (int q = n; q < ldc; q++) {
              assertEquals(initial[j * ldc + q], acc[j * ldc + q], what);
            }
          }
        }
      }
    }
  }

  /**
   * The transposed products after {@link RowBlocks#pairColumns} (stroke-like rows: neighbouring
   * columns share entries, so many columns are gathered in pairs) keep the bits of the unpaired
   * ones, and both match the dense product.
   */
  @Test
  void pairedColumnsKeepTheBitsOfSingleColumns() {
    Random rnd = new Random(52);
    int rows = 300;
    int cols = 90;
    double[] dense = SparseTestData.strokes(rnd, rows, cols);
    CsrMatrix a = CsrMatrix.fromDense(dense, rows, cols);
    for (int n : new int[] {1, 13, 50}) {
      RowBlocks blocks = new RowBlocks(a, 64);
      double[] b = gaussian(rnd, rows * n);
      double[] initial = gaussian(rnd, cols * n);
      double[] single = initial.clone();
      double[] paired = initial.clone();
      for (int blk = 0; blk < blocks.blocks(); blk++) {
        blocks.multiplyTransposedAdd(blk, b, blocks.blockStart(blk) * n, n, n, single, 0, n);
      }
      blocks.pairColumns();
      for (int blk = 0; blk < blocks.blocks(); blk++) {
        blocks.multiplyTransposedAdd(blk, b, blocks.blockStart(blk) * n, n, n, paired, 0, n);
      }
      assertArrayEquals(single, paired, "n " + n);
      double[] want = denseProduct(dense, rows, cols, true, b, n);
      for (int i = 0; i < want.length; i++) {
        want[i] += initial[i];
      }
      assertTrue(relativeError(paired, want) < 1e-13, "n " + n);
    }
  }

  @Test
  void rejectsBadBlocksAndShapes() {
    CsrMatrix a = CsrMatrix.fromDense(new double[] {1, 0, 0, 2, 3, 0}, 3, 2);
    assertThrows(IllegalArgumentException.class, () -> new RowBlocks(a, 0));
    RowBlocks blocks = new RowBlocks(a, 2);
    double[] b = new double[4];
    assertThrows(IndexOutOfBoundsException.class,
        () -> blocks.multiply(2, b, 0, 2, 2, null, 0, new double[4], 0, 2));
    Exception e = assertThrows(IllegalArgumentException.class,
        () -> blocks.multiply(0, b, 1, 2, 2, null, 0, new double[4], 0, 2));
    assertTrue(e.getMessage().startsWith("B:"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> blocks.multiplyTransposedAdd(1, b, 0, 2, 2, new double[3], 0, 2));
    assertTrue(e.getMessage().startsWith("C:"), e.getMessage());
  }
}
