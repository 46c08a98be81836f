package org.dtheta.core.sparse;

import static org.dtheta.core.TestVectors.gaussian;
import static org.dtheta.core.sparse.SparseTestData.relativeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SparseKernelsTest {

  @Test
  void selectionFollowsTheDenseKernels() {
    String expected = System.getProperty("dtheta.expectKernels");
    String name = SparseKernels.selected().name();
    if (expected != null) {
      assertTrue(name.startsWith(expected), "selected sparse kernels " + name + ", expected " + expected);
    }
    assertEquals("scalar", SparseKernels.scalar().name());
  }

  @Test
  void gatherAndScatterEqualTheirDefinitionForEveryTailLength() {
    Random rnd = new Random(7);
    int ld = 230;
    int srcRows = 12;
    int[] index = {3, 0, 11, 7, 5};
    double[] weight = gaussian(rnd, 7);
    for (SparseKernels k : new SparseKernels[] {SparseKernels.selected(), SparseKernels.scalar()}) {
      for (int n = 0; n <= 220; n++) { // up to 12-vector blocks plus every tail
        double[] src = gaussian(rnd, 2 + srcRows * ld);
        double[] dst = gaussian(rnd, n + 4);
        double[] want = dst.clone();
        for (int c = 0; c < n; c++) {
          for (int t = 0; t < 4; t++) {
            want[1 + c] += weight[2 + t] * src[2 + index[1 + t] * ld + c];
          }
        }
        k.gatherRows(n, 4, index, 1, weight, 2, src, 2, ld, dst, 1, true);
        assertTrue(relativeError(dst, want) < 1e-15, k.name() + " gather, n " + n);
        double[] fresh = gaussian(rnd, n + 4);
        // Overwrite mode: the old content is ignored.
        double[] overwrite = fresh.clone();
        k.gatherRows(n, 4, index, 1, weight, 2, src, 2, ld, overwrite, 1, false);
        for (int c = 0; c < n; c++) {
          double s = 0;
          for (int t = 0; t < 4; t++) {
            s += weight[2 + t] * src[2 + index[1 + t] * ld + c];
          }
          assertEquals(s, overwrite[1 + c], 1e-14 * (1 + Math.abs(s)));
        }
        assertEquals(fresh[0], overwrite[0], 0);

        double[] row = gaussian(rnd, n + 3);
        double[] target = gaussian(rnd, 5 + srcRows * ld);
        double[] expect = target.clone();
        for (int t = 0; t < 4; t++) {
          for (int c = 0; c < n; c++) {
            expect[5 + index[1 + t] * ld + c] += weight[2 + t] * row[3 + c];
          }
        }
        k.scatterRow(n, 4, index, 1, weight, 2, row, 3, target, 5, ld);
        assertTrue(relativeError(target, expect) < 1e-15, k.name() + " scatter, n " + n);
      }
    }
  }

  /**
   * The vector kernels' gather of every width (blocks of twelve, eight and six vectors, the
   * six with scalar columns, the shifted block, the tails) has in each column the bits of one
   * chain of fused multiply-adds in entry order, which the pair and quad gathers share.
   */
  @Test
  void vectorGatherIsOneFusedChainPerColumn() {
    SparseKernels k = SparseKernels.selected();
    assumeTrue(k.name().startsWith("panama"), "scalar kernels add unfused");
    Random rnd = new Random(13);
    int ld = 230;
    int[] index = {3, 0, 11, 7, 5, 9};
    double[] weight = gaussian(rnd, 8);
    for (int n = 0; n <= 220; n++) {
      double[] src = gaussian(rnd, 2 + 12 * ld);
      for (boolean accumulate : new boolean[] {true, false}) {
        double[] dst = gaussian(rnd, n + 4);
        double[] want = dst.clone();
        for (int c = 0; c < n; c++) {
          double s = accumulate ? want[1 + c] : 0.0;
          for (int t = 0; t < 5; t++) {
            s = Math.fma(weight[2 + t], src[2 + index[1 + t] * ld + c], s);
          }
          want[1 + c] = s;
        }
        k.gatherRows(n, 5, index, 1, weight, 2, src, 2, ld, dst, 1, accumulate);
        assertArrayEquals(want, dst, "n " + n + ", accumulate " + accumulate);
      }
    }
  }

  /**
   * A gather of two rows over the union of their entries (zero weight where a row has none)
   * gives the bits of the two single gathers over each row's own entries, for every width (the
   * blocks of twelve, eight, four and one vector and the scalar tail), added to or overwriting.
   */
  @Test
  void pairGatherGivesTheBitsOfTwoSingleGathers() {
    Random rnd = new Random(12);
    int ld = 230;
    int srcRows = 20;
    int[] union = {0, 2, 3, 5, 8, 9, 13, 17, 19};
    // Row A has no entry at union positions 1 and 6, row B none at 0, 4 and 8.
    boolean[] inA = {true, false, true, true, true, true, false, true, true};
    boolean[] inB = {false, true, true, true, false, true, true, true, false};
    for (SparseKernels k : new SparseKernels[] {SparseKernels.selected(), SparseKernels.scalar()}) {
      for (int n = 0; n <= 220; n++) {
        double[] src = gaussian(rnd, 3 + srcRows * ld);
        double[] weights = new double[2 + 2 * union.length];
        int[] indexA = new int[union.length];
        int[] indexB = new int[union.length];
        double[] weightA = new double[union.length];
        double[] weightB = new double[union.length];
        int countA = 0;
        int countB = 0;
        for (int t = 0; t < union.length; t++) {
          if (inA[t]) {
            weights[2 + 2 * t] = rnd.nextGaussian();
            indexA[countA] = union[t];
            weightA[countA++] = weights[2 + 2 * t];
          }
          if (inB[t]) {
            weights[3 + 2 * t] = rnd.nextGaussian();
            indexB[countB] = union[t];
            weightB[countB++] = weights[3 + 2 * t];
          }
        }
        int[] index = new int[1 + union.length];
        System.arraycopy(union, 0, index, 1, union.length);
        for (boolean accumulate : new boolean[] {true, false}) {
          double[] dst = gaussian(rnd, 2 * n + 7);
          double[] want = dst.clone();
          k.gatherRows(n, countA, indexA, 0, weightA, 0, src, 3, ld, want, 1, accumulate);
          k.gatherRows(n, countB, indexB, 0, weightB, 0, src, 3, ld, want, n + 5, accumulate);
          k.gatherRowPairs(n, union.length, index, 1, weights, 2, src, 3, ld, dst, 1, n + 5,
              accumulate);
          assertArrayEquals(want, dst, k.name() + " pair gather, n " + n + ", accumulate " + accumulate);
        }
      }
    }
  }

  /**
   * A gather of four rows over the union of their entries (zero weight where a row has none,
   * including a row with no entry at all) gives the bits of the four single gathers over each
   * row's own entries, for every width (the six-, four- and one-vector blocks, the four-vector
   * block shifted to end at the last column, the scalar tail), added to or overwriting, with
   * output rows apart by more than their width.
   */
  @Test
  void quadGatherGivesTheBitsOfFourSingleGathers() {
    Random rnd = new Random(13);
    int ld = 230;
    int srcRows = 20;
    int[] union = {0, 2, 3, 5, 8, 9, 13, 17, 19};
    for (SparseKernels k : new SparseKernels[] {SparseKernels.selected(), SparseKernels.scalar()}) {
      for (int n = 0; n <= 220; n++) {
        double[] src = gaussian(rnd, 3 + srcRows * ld);
        double[] weights = new double[2 + 4 * union.length];
        int[][] rowIndex = new int[4][union.length];
        double[][] rowWeight = new double[4][union.length];
        int[] rowCount = new int[4];
        for (int t = 0; t < union.length; t++) {
          for (int r = 0; r < 3; r++) { // row 3 stays empty
            if (rnd.nextDouble() < 0.6) {
              weights[2 + 4 * t + r] = rnd.nextGaussian();
              rowIndex[r][rowCount[r]] = union[t];
              rowWeight[r][rowCount[r]++] = weights[2 + 4 * t + r];
            }
          }
        }
        int[] index = new int[1 + union.length];
        System.arraycopy(union, 0, index, 1, union.length);
        int ldDst = n + 3;
        for (boolean accumulate : new boolean[] {true, false}) {
          double[] dst = gaussian(rnd, 4 * ldDst + 5);
          double[] want = dst.clone();
          for (int r = 0; r < 4; r++) {
            k.gatherRows(n, rowCount[r], rowIndex[r], 0, rowWeight[r], 0, src, 3, ld, want,
                1 + r * ldDst, accumulate);
          }
          k.gatherRowQuads(n, union.length, index, 1, weights, 2, src, 3, ld, dst, 1, ldDst,
              accumulate);
          assertArrayEquals(want, dst, k.name() + " quad gather, n " + n + ", accumulate " + accumulate);
        }
      }
    }
  }

  /**
   * Lists gathered into a packed block give each row the bits of its single gather, for every
   * width (blocks of four and one vector, the scalar tail), with empty rows between and lists
   * of unequal length walked together.
   */
  @Test
  void listGatherGivesTheBitsOfSingleGathers() {
    Random rnd = new Random(14);
    int srcRows = 40;
    int[] lengths = {0, 5, 9, 0, 0, 1, 17, 3, 3, 0, 12};
    int rows = lengths.length;
    int[] start = new int[3 + rows];
    int total = 0;
    for (int r = 0; r < rows; r++) {
      start[2 + r] = total;
      total += lengths[r];
    }
    start[2 + rows] = total;
    for (SparseKernels k : new SparseKernels[] {SparseKernels.selected(), SparseKernels.scalar()}) {
      for (int n = 0; n <= 80; n++) {
        double[] src = gaussian(rnd, srcRows * n);
        int[] index = new int[total];
        double[] weight = gaussian(rnd, total);
        for (int t = 0; t < total; t++) {
          index[t] = rnd.nextInt(srcRows);
        }
        double[] dst = gaussian(rnd, 3 + rows * n);
        double[] want = dst.clone();
        for (int r = 0; r < rows; r++) {
          k.gatherRows(n, lengths[r], index, start[2 + r], weight, start[2 + r], src, 0, n, want,
              3 + r * n, true);
        }
        k.gatherRowLists(n, rows, start, 2, index, weight, src, dst, 3);
        assertArrayEquals(want, dst, k.name() + " list gather, n " + n);
      }
    }
  }
}
