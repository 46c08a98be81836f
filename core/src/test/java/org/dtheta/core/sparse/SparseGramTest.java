package org.dtheta.core.sparse;

import static org.dtheta.core.TestVectors.gaussian;
import static org.dtheta.core.sparse.SparseTestData.relativeError;
import static org.dtheta.core.sparse.SparseTestData.sparseDense;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SparseGramTest {

  @Test
  void everyColumnEqualsTheTripleSum() {
    Random rnd = new Random(8);
    // More samples per column than one group holds (width 700 gives groups of 187 samples; a
    // column has about 300 here), so the groups of a column add up.
    int k = 900;
    int n = 17;
    int width = 700;
    double[] x = sparseDense(rnd, k, n, 0.35);
    double[] f = gaussian(rnd, k * width);
    SparseGram gram = new SparseGram(CsrMatrix.fromDense(x, k, n), f, width);
    SparseGram.Workspace ws = gram.newWorkspace();
    double[] out = new double[n * width];
    for (int j = 0; j < n; j++) {
      Arrays.fill(out, Double.NaN); // every row is written, lit or not
      gram.column(j, ws, out);
      double[] want = new double[n * width];
      long work = 0;
      for (int i = 0; i < k; i++) {
        double xij = x[i * n + j];
        if (xij == 0) {
          continue;
        }
        for (int l = 0; l < n; l++) {
          double xil = x[i * n + l];
          if (xil != 0) {
            work += width;
          }
          for (int c = 0; c < width; c++) {
            want[l * width + c] += xij * xil * f[i * width + c];
          }
        }
      }
      assertTrue(relativeError(out, want) < 1e-13, "column " + j);
      assertEquals(work, gram.columnWork(j), "work of column " + j);
    }
    // Column 1 of the test data is all zero: its slice is zero, and it is zero in every slice.
    gram.column(1, ws, out);
    assertTrue(Arrays.stream(out).allMatch(v -> v == 0.0));
    assertEquals(0, gram.columnCount(1));
  }
}
