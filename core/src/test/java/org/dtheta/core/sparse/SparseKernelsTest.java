package org.dtheta.core.sparse;

import static org.dtheta.core.sparse.SparseTestData.gaussian;
import static org.dtheta.core.sparse.SparseTestData.relativeError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    int ld = 80;
    int srcRows = 12;
    int[] index = {3, 0, 11, 7, 5};
    double[] weight = gaussian(rnd, 7);
    for (SparseKernels k : new SparseKernels[] {SparseKernels.selected(), SparseKernels.scalar()}) {
      for (int n = 0; n <= 75; n++) {
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
}
