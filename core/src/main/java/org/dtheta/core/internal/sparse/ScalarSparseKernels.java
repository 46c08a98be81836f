package org.dtheta.core.internal.sparse;

import org.dtheta.core.sparse.SparseKernels;

/**
 * Plain loops the JIT may auto-vectorise; the reference the Vector API version is tested
 * against. Not final: {@link PanamaSparseKernels} overrides the loops it vectorises.
 */
class ScalarSparseKernels implements SparseKernels {

  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public void gatherRows(
      int n, int count, int[] index, int indexOff, double[] weight, int weightOff,
      double[] src, int srcOff, int ldSrc, double[] dst, int dstOff, boolean accumulate) {
    if (!accumulate) {
      java.util.Arrays.fill(dst, dstOff, dstOff + n, 0.0);
    }
    for (int t = 0; t < count; t++) {
      double w = weight[weightOff + t];
      int row = srcOff + index[indexOff + t] * ldSrc;
      for (int c = 0; c < n; c++) {
        dst[dstOff + c] += w * src[row + c];
      }
    }
  }

  @Override
  public void gatherRowPairs(
      int n, int count, int[] index, int indexOff, double[] weights, int weightOff,
      double[] src, int srcOff, int ldSrc, double[] dst, int dstOff, int dstOff2,
      boolean accumulate) {
    if (!accumulate) {
      java.util.Arrays.fill(dst, dstOff, dstOff + n, 0.0);
      java.util.Arrays.fill(dst, dstOff2, dstOff2 + n, 0.0);
    }
    for (int t = 0; t < count; t++) {
      double w = weights[weightOff + 2 * t];
      double w2 = weights[weightOff + 2 * t + 1];
      int row = srcOff + index[indexOff + t] * ldSrc;
      for (int c = 0; c < n; c++) {
        double s = src[row + c];
        dst[dstOff + c] += w * s;
        dst[dstOff2 + c] += w2 * s;
      }
    }
  }

  @Override
  public void gatherRowLists(
      int n, int rows, int[] start, int startOff, int[] index, double[] weight, double[] src,
      double[] dst, int dstOff) {
    for (int r = 0; r < rows; r++) {
      int d = dstOff + r * n;
      for (int t = start[startOff + r]; t < start[startOff + r + 1]; t++) {
        double w = weight[t];
        int row = index[t] * n;
        for (int c = 0; c < n; c++) {
          dst[d + c] += w * src[row + c];
        }
      }
    }
  }

  @Override
  public void gatherRowQuads(
      int n, int count, int[] index, int indexOff, double[] weights, int weightOff,
      double[] src, int srcOff, int ldSrc, double[] dst, int d0, int d1, int d2, int d3,
      boolean accumulate) {
    if (!accumulate) {
      java.util.Arrays.fill(dst, d0, d0 + n, 0.0);
      java.util.Arrays.fill(dst, d1, d1 + n, 0.0);
      java.util.Arrays.fill(dst, d2, d2 + n, 0.0);
      java.util.Arrays.fill(dst, d3, d3 + n, 0.0);
    }
    for (int t = 0; t < count; t++) {
      int w = weightOff + 4 * t;
      double w0 = weights[w];
      double w1 = weights[w + 1];
      double w2 = weights[w + 2];
      double w3 = weights[w + 3];
      int row = srcOff + index[indexOff + t] * ldSrc;
      for (int c = 0; c < n; c++) {
        double s = src[row + c];
        dst[d0 + c] += w0 * s;
        dst[d1 + c] += w1 * s;
        dst[d2 + c] += w2 * s;
        dst[d3 + c] += w3 * s;
      }
    }
  }

  @Override
  public void scatterRow(
      int n, int count, int[] index, int indexOff, double[] weight, int weightOff,
      double[] src, int srcOff, double[] dst, int dstOff, int ldDst) {
    for (int t = 0; t < count; t++) {
      double w = weight[weightOff + t];
      int row = dstOff + index[indexOff + t] * ldDst;
      for (int c = 0; c < n; c++) {
        dst[row + c] += w * src[srcOff + c];
      }
    }
  }
}
